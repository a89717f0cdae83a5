"""The archive survives what cron jobs meet: damaged files, foreign locks, a SIGKILL mid-batch, re-runs.

Every case runs the real `satukanal` command in a subprocess against a loopback replay mirror.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from satukanal_crawler.mirror.replay import Fault, ReplayServer
from tests.cli import LOOPBACK, command, environment, satukanal
from tests.helpers import EXPECTED

ARTICLE_COUNT = len(list(EXPECTED.glob("*.json")))  # the snapshot's 14 articles
BKD = "/bkd-kabupaten-kediri-siapkan-893-usulan-guru-pppk-2021/"  # its Baca Juga link is an old slug (a 301)


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    """One mirror (one port) for the whole module, so archives from different crawls are comparable."""
    with ReplayServer() as srv:
        yield srv


def crawl(server: ReplayServer, db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return satukanal("crawl", "--base-url", server.base_url, "--db", str(db), *LOOPBACK, *args, cwd=db.parent, **env)


def assert_one_line_error(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# Every table an analyst reads, by URL and name instead of row id (ids follow arrival order, which varies).
TABLES = {
    "articles": "SELECT url, wp_post_id, title, dateline, published_at, modified_at, reporter, editor, author, "
    "summary, body_text, image_url, body_html, word_count, page_count, content_hash FROM articles",
    "categories": "SELECT name, slug FROM categories",
    "tags": "SELECT name, slug FROM tags",
    "articles_categories": "SELECT a.url, c.name FROM articles_categories x "
    "JOIN articles a ON a.id = x.articles_id JOIN categories c ON c.id = x.categories_id",
    "articles_tags": "SELECT a.url, t.name FROM articles_tags x "
    "JOIN articles a ON a.id = x.articles_id JOIN tags t ON t.id = x.tags_id",
    "baca_juga": "SELECT a.url, b.position, b.url, b.title, b.target_url, t.url FROM baca_juga b "
    "JOIN articles a ON a.id = b.article_id LEFT JOIN articles t ON t.id = b.target_article_id",
    "aliases": "SELECT x.url, a.url, x.reason FROM aliases x JOIN articles a ON a.id = x.article_id",
    "revisions": "SELECT a.url, r.title, r.body_text FROM revisions r JOIN articles a ON a.id = r.article_id",
    "pages": "SELECT p.url, a.url, p.page_number, p.status, p.content_type, p.body_sha256 FROM pages p "
    "LEFT JOIN articles a ON a.id = p.article_id",
    "url_state": "SELECT s.url, s.kind, s.status, s.lastmod, s.error, s.redirect_to, s.attempts, a.url "
    "FROM url_state s LEFT JOIN articles a ON a.id = s.article_id",
    "rejects": "SELECT url, reason, attempts FROM rejects",
}


def tables(db: Path) -> dict[str, list[tuple]]:
    """What an analyst sees, independent of row ids, fetch times and arrival order."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def reference(server: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("reference") / "x.db"
    result = crawl(server, db)
    assert result.returncode == 0, result.stderr
    return db


# -- damaged and locked archives -----------------------------------------------------------------------


def test_random_bytes_give_one_line_naming_the_file(server: ReplayServer, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(os.urandom(64 * 1024))
    assert_one_line_error(crawl(server, db), db)
    assert_one_line_error(satukanal("status", "--db", str(db), cwd=tmp_path), db)
    assert_one_line_error(satukanal("crawl", "--demo", "--db", str(db), cwd=tmp_path), db)


def test_a_damaged_schema_page_gives_one_line_naming_the_file(reference: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(reference.read_bytes())
    with db.open("r+b") as fh:  # keep the 100-byte header valid, wreck the schema b-tree behind it
        fh.seek(100)
        fh.write(os.urandom(3000))
    assert_one_line_error(satukanal("status", "--db", str(db), cwd=tmp_path), db)
    assert_one_line_error(satukanal("crawl", "--demo", "--db", str(db), cwd=tmp_path), db)


def copy_archive(reference: Path, db: Path) -> None:
    source = sqlite3.connect(reference)
    target = sqlite3.connect(db)
    source.backup(target)
    target.execute("PRAGMA journal_mode = WAL")
    source.close()
    target.close()


def test_a_foreign_write_lock_gives_one_line_and_does_not_block_readers(reference: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    copy_archive(reference, db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = satukanal("crawl", "--demo", "--db", str(db), cwd=tmp_path, SATUKANAL_DB_TIMEOUT="0.5")
        assert_one_line_error(result, db)
        assert "locked" in result.stderr
        assert time.monotonic() - started < 30  # it waited for the lock as long as told, not a whole crawl
        # WAL: a reader (status, Datasette) is never blocked by a writer.
        status = satukanal("status", "--db", str(db), cwd=tmp_path, SATUKANAL_DB_TIMEOUT="0.5")
        assert status.returncode == 0, status.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_lock_that_blocks_readers_gives_one_line(reference: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    copy_archive(reference, db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # e.g. a tool that takes the file for itself
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("SELECT count(*) FROM articles").fetchone()
    try:
        for args in (("status", "--db", str(db)), ("crawl", "--demo", "--db", str(db))):
            result = satukanal(*args, cwd=tmp_path, SATUKANAL_DB_TIMEOUT="0.5")
            assert_one_line_error(result, db)
            assert "locked" in result.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- crashes and re-runs -------------------------------------------------------------------------------


def committed_articles(db: Path) -> set[str]:
    """Paths of the articles committed so far."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0)
        try:
            return {urlsplit(url).path for (url,) in conn.execute("SELECT url FROM articles")}
        finally:
            conn.close()
    except sqlite3.Error:
        return set()  # not created yet


def test_sigkill_in_the_middle_of_a_batch_leaves_a_sound_archive_and_a_rerun_completes_it(
    server: ReplayServer, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    # Some pages answer slowly, so the kill lands while the crawl is still storing: batches of two, committed in
    # the background by the writer process, some committed and some not. The kill waits for BKD to be committed;
    # the old slug that only its Baca Juga link leads to is slow, so it is never fetched in this run, and the
    # re-run has to follow the links of articles stored before. The whole process group is killed at once (the
    # crawl, its parser and its writer), as an out-of-memory killer or a power cut would.
    slow = ("/pohon-tumbang-*", "/pesilat-*", "/dinas-perpustakaan-*", "/pemkab-kediri-buka-*")
    server.set_faults([Fault(pattern, "slow", times=None, delay=3.0) for pattern in slow])
    try:
        args = ("crawl", "--base-url", server.base_url, "--db", str(db), *LOOPBACK, "-s", "SATUKANAL_BATCH_SIZE=2",
                "-s", "SATUKANAL_BATCH_SECONDS=60")  # fmt: skip
        process = subprocess.Popen(command(*args), cwd=tmp_path, env=environment(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            deadline, mid_crawl = time.monotonic() + 60, False
            while not mid_crawl and time.monotonic() < deadline and process.poll() is None:
                committed = committed_articles(db)
                mid_crawl = len(committed) >= 2 and BKD in committed
                time.sleep(0 if mid_crawl else 0.005)
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert mid_crawl, "nothing was committed within a minute"
            os.killpg(process.pid, signal.SIGKILL)  # no handler, no cleanup, no commit
        finally:
            process.wait(timeout=30)
        assert process.returncode == -9
    finally:
        server.set_faults([])

    killed = committed_articles(db)
    assert BKD in killed and 2 <= len(killed) < ARTICLE_COUNT
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT outcome, finished_at FROM crawl_runs").fetchall() == [("running", None)]
    finally:
        conn.close()

    result = crawl(server, db)
    assert result.returncode == 0, result.stderr
    after, expected = tables(db), tables(reference)
    assert len(after["articles"]) == ARTICLE_COUNT
    for name in expected:
        assert after[name] == expected[name], name


def test_the_same_crawl_into_two_fresh_archives_gives_identical_tables(
    server: ReplayServer, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    assert crawl(server, db).returncode == 0
    assert tables(db) == tables(reference)
    assert len(tables(db)["articles"]) == ARTICLE_COUNT


def test_a_full_recrawl_changes_nothing(server: ReplayServer, reference: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    copy_archive(reference, db)
    result = crawl(server, db, "--full")
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 14 unchanged" in result.stdout
    assert tables(db) == tables(reference)
