"""Background commits: a crawl's batches are committed by the writer process while the next is gathered.

The contract is the same as committing in the crawl's own process: the same rows, a failed batch rolled
back whole and reported, nothing committed ever lost, and a crash in the middle of a commit leaving the
archive as it was before that batch.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from functools import partial
from pathlib import Path

import pytest

from satukanal_crawler.archive import Archive, BatchNotWritten
from satukanal_crawler.archive.writer import Writer, WriterGone, write_rows
from tests.pipelines.conftest import ADMINDUK, BKD, CABAI, Chain, article
from tests.pipelines.test_store import archive_state, fts_consistent, rows


def write_lock_held(db: Path) -> bool:
    """Whether a write transaction is open on the archive right now."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def stored_urls(db: Path) -> list[str]:
    return [url for (url,) in rows(db, "SELECT url FROM articles ORDER BY id")]


def test_background_commits_store_what_commits_in_the_crawl_process_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_to_writer: list[Path] = []  # the archive of every batch handed to a writer process
    submit = Writer.submit

    def recorded_submit(writer: Writer, writes: list) -> None:
        sent_to_writer.append(writer.path)
        submit(writer, writes)

    monkeypatch.setattr(Writer, "submit", recorded_submit)
    items = [BKD, CABAI, ADMINDUK]
    background = Chain(tmp_path / "background.db", SATUKANAL_BATCH_SIZE=1)  # every item is a batch
    foreground = Chain(tmp_path / "foreground.db", SATUKANAL_BATCH_SIZE=1, SATUKANAL_COMMIT_IN_BACKGROUND=False)
    for chain in (background, foreground):
        for slug in items:
            chain.push(article(slug))
        chain.push(article(BKD, title="Formasi Guru Honorer Diumumkan"))  # an in-run duplicate: dropped
        chain.close()
    assert archive_state(background.db) == archive_state(foreground.db)
    assert len(stored_urls(background.db)) == 3
    assert sent_to_writer.count(background.db) >= 3 and foreground.db not in sent_to_writer
    assert fts_consistent(background.db)


def test_a_batch_that_fails_in_the_background_is_reported_and_the_crawl_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SATUKANAL_DB_TIMEOUT", "0.2")  # the writer's wait for the write lock
    chain = Chain(tmp_path / "a.db", SATUKANAL_BATCH_SIZE=1)
    archive = chain.stages[-1].store.archive
    chain.push(article(BKD))
    archive.join()
    blocker = sqlite3.connect(chain.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock longer than the timeout
    chain.push(article(CABAI))
    with caplog.at_level(logging.ERROR), pytest.raises(BatchNotWritten, match="locked"):
        archive.join()
    blocker.execute("ROLLBACK")
    blocker.close()
    chain.push(article(ADMINDUK))
    chain.close()
    assert stored_urls(chain.db) == [article(BKD).url, article(ADMINDUK).url]
    assert chain.stats()["store_errors"] == 1
    assert "could not write a batch of 1 items, rolled back" in caplog.text
    assert rows(chain.db, "PRAGMA integrity_check") == [("ok",)]
    assert fts_consistent(chain.db)
    # Nothing says the lost article was stored, so the next run fetches it again (a link to it left it pending).
    assert rows(chain.db, "SELECT kind FROM url_state WHERE url = ?", article(CABAI).url) in ([], [("pending",)])


def test_articles_another_program_adds_during_a_crawl_are_never_overwritten(tmp_path: Path) -> None:
    chain = Chain(tmp_path / "a.db", SATUKANAL_BATCH_SIZE=1)
    archive = chain.stages[-1].store.archive
    chain.push(article(BKD))
    archive.join()
    with Archive(chain.db) as other, other.transaction() as conn:  # e.g. an analyst's sqlite-utils insert
        conn.execute(
            "INSERT INTO articles (url, title, published_at, body_text, content_hash, first_seen_at, last_seen_at, "
            "fetched_at) VALUES ('https://example.org/notes/', 'Catatan', '2026-01-01T00:00:00+07:00', 'Isi.', 'x', "
            "'2026-01-01T00:00:00+07:00', '2026-01-01T00:00:00+07:00', '2026-01-01T00:00:00+07:00')"
        )
    chain.push(article(CABAI))  # the crawl gave it the id the other program took
    with pytest.raises(BatchNotWritten, match="another program added rows to articles"):
        archive.join()
    chain.push(article(ADMINDUK))  # ids are read again after the failure
    chain.close()
    assert stored_urls(chain.db) == [article(BKD).url, "https://example.org/notes/", article(ADMINDUK).url]


def test_a_writer_killed_in_the_middle_of_a_commit_leaves_the_archive_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    writer = Writer(db, timeout=5)
    writer.wait_ready()
    urls = [(f"https://satukanal.com/kanal/page/{n}/", "non_article", 200) for n in range(300_000)]
    insert = "INSERT INTO url_state (url, kind, status) VALUES (?, ?, ?)"
    writer.submit([partial(write_rows, [], [(insert, urls)])])
    deadline = time.monotonic() + 30
    while not write_lock_held(db) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert write_lock_held(db), "the writer never began its transaction"
    os.kill(writer._process.pid, signal.SIGKILL)
    assert isinstance(writer.wait(), WriterGone)
    writer.close()
    with Archive(db) as archive:  # opens, as the next run does
        assert archive.integrity_ok()
        assert archive.conn.execute("SELECT count(*) FROM url_state").fetchone()[0] == 0


def test_a_crawl_whose_writer_was_killed_commits_in_its_own_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chain = Chain(tmp_path / "a.db", SATUKANAL_BATCH_SIZE=1)
    archive = chain.stages[-1].store.archive
    archive.start_writer(wait=True)
    process = archive._writer._process
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    with caplog.at_level(logging.WARNING):
        for slug in (BKD, CABAI, ADMINDUK):
            chain.push(article(slug))
    chain.close()
    assert stored_urls(chain.db) == [article(BKD).url, article(CABAI).url, article(ADMINDUK).url]
    assert "store_errors" not in chain.stats()
    assert "the archive's writer process stopped" in caplog.text
