"""Stage 4: identity, revisions, aliases and links as the archive stores them."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from satukanal_crawler.archive import Archive
from tests.helpers import ORIGIN, portal_html
from tests.pipelines.conftest import ADMINDUK, ADMINDUK_OLD_URL, BKD, CABAI, Chain, article

ARTICLE_COLUMNS = ("url", "wp_post_id", "title", "dateline", "published_at", "modified_at", "reporter", "editor",
                   "author", "summary", "body_text", "image_url", "content_hash")  # fmt: skip


def run(db: Path, *items) -> Chain:
    """One crawl run (its own in-run dedupe memory) that stores `items`; returns the closed chain."""
    chain = Chain(db)
    for item in items:
        chain.push(item)
    chain.close()
    return chain


def rows(db: Path, sql: str, *params) -> list[tuple]:
    chain = Chain(db)
    try:
        return chain.query(sql, *params)
    finally:
        chain.close()


def test_outcomes_new_then_unchanged_then_updated(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert run(db, article(BKD), article(CABAI)).stats()["articles/new"] == 2
    assert run(db, article(BKD), article(CABAI)).stats()["articles/unchanged"] == 2
    stats = run(db, article(BKD, title="BKD Kabupaten Kediri Siapkan 893 Usulan Guru PPPK"), article(CABAI)).stats()
    assert (stats["articles/updated"], stats["articles/unchanged"]) == (1, 1)
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]


def test_a_whitespace_only_change_is_not_a_revision(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, article(BKD))
    respaced = article(BKD)
    respaced.title = f" {respaced.title.replace(' ', chr(0xA0) + ' ')} "
    respaced.body_text = respaced.body_text.replace("\n\n", "\n\n\n\n").replace(". ", ".   ")
    respaced.summary = f"{respaced.summary}\n"
    respaced.baca_juga = [{**link, "title": f"  {link['title']}  "} for link in respaced.baca_juga]
    assert run(db, respaced).stats()["articles/unchanged"] == 1
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]


def test_a_modified_article_gives_exactly_one_revision_with_the_old_values(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, article(BKD))
    [old] = rows(db, f"SELECT {', '.join(ARTICLE_COLUMNS)}, fetched_at FROM articles")
    edited = article(BKD, title="BKD Kab. Kediri Siapkan 893 Usulan Guru PPPK 2021",
                     modified_at="2021-03-23T10:00:00+07:00", tags=["BKD", "PPPK"],
                     fetched_at="2026-02-01T08:00:00+07:00")  # fmt: skip
    edited.body_text += "\n\nRalat: jumlah usulan diperbarui."
    edited.fetched_at = "2026-02-01T08:00:00+07:00"
    assert run(db, edited).stats()["articles/updated"] == 1
    run(db, article(BKD, title=edited.title, modified_at=edited.modified_at, tags=["BKD", "PPPK"],
                    body_text=edited.body_text))  # the same edit seen again: no second revision  # fmt: skip

    names = ("article_id", *ARTICLE_COLUMNS[2:], "categories", "tags", "baca_juga", "fetched_at", "superseded_at")
    revisions = rows(db, f"SELECT {', '.join(names)} FROM revisions")
    assert len(revisions) == 1
    revision = dict(zip(names, revisions[0], strict=True))
    previous = dict(zip((*ARTICLE_COLUMNS, "fetched_at"), old, strict=True))
    assert revision["article_id"] == 1
    for name in ARTICLE_COLUMNS[2:]:
        assert revision[name] == previous[name], name
    assert revision["fetched_at"] == previous["fetched_at"]
    assert revision["superseded_at"] == "2026-02-01T08:00:00+07:00"
    assert json.loads(revision["tags"]) == ["BKD", "Guru Honorer", "Kediri", "PPPK"]
    assert json.loads(revision["categories"]) == ["Advertorial", "Pemerintahan", "Straight News"]
    assert json.loads(revision["baca_juga"]) == [
        {"url": ADMINDUK_OLD_URL, "title": "Pemkab Kediri Buka Layanan Adminduk Keliling"}
    ]
    [(title, body, modified)] = rows(db, "SELECT title, body_text, modified_at FROM articles")
    assert (title, body, modified) == (edited.title, edited.body_text, edited.modified_at)
    tags = rows(db, "SELECT t.name FROM articles_tags x JOIN tags t ON t.id = x.tags_id ORDER BY t.name")
    assert tags == [("BKD",), ("PPPK",)]


def repost_of_cabai():
    """The same story re-posted five days later under a new slug and post id."""
    return article(CABAI, url=f"{ORIGIN}/harga-cabai-rawit-tembus-rp-90-ribu/", wp_post_id=2999,
                   published_at="2021-02-20T08:00:00+07:00", modified_at=None)  # fmt: skip


STATE = {
    "articles": f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles",
    "aliases": "SELECT a.url, r.url, a.reason FROM aliases a JOIN articles r ON r.id = a.article_id ORDER BY a.url",
    "revisions": "SELECT count(*) FROM revisions",
    "categories": "SELECT r.url, c.name FROM articles_categories x JOIN articles r ON r.id = x.articles_id "
    "JOIN categories c ON c.id = x.categories_id ORDER BY 1, 2",
}


def archive_state(db: Path) -> dict[str, list[tuple]]:
    return {name: rows(db, sql) for name, sql in STATE.items()}


@pytest.mark.parametrize("order", ["original first", "repost first"])
@pytest.mark.parametrize("same_run", [True, False], ids=["one run", "two runs"])
def test_a_repost_is_one_article_and_one_alias_whichever_copy_arrives_first(
    tmp_path: Path, order: str, same_run: bool
) -> None:
    items = [article(CABAI), repost_of_cabai()]
    if order == "repost first":
        items.reverse()
    db = tmp_path / "a.db"
    if same_run:
        run(db, *items)
    else:
        run(db, items[0])
        run(db, items[1])
    state = archive_state(db)
    original = article(CABAI)
    assert [row[0] for row in state["articles"]] == [original.url]
    assert state["articles"][0][1:3] == (2139, original.title)
    assert state["articles"][0][4] == original.published_at  # the first published copy is the article
    reposted = [(alias, reason) for alias, _target, reason in state["aliases"] if "?p=" not in alias]
    assert reposted == [(f"{ORIGIN}/harga-cabai-rawit-tembus-rp-90-ribu/", "repost")]
    assert state["revisions"] == [(0,)]  # the other copy is not an earlier version of the article
    reference = tmp_path / "reference.db"
    run(reference, article(CABAI), repost_of_cabai())
    assert state == archive_state(reference)


@pytest.mark.parametrize("when", ["same batch", "next batch", "next run"])
def test_a_baca_juga_target_is_resolved_when_it_arrives_later(tmp_path: Path, when: str) -> None:
    db = tmp_path / "a.db"
    cabai_url = article(CABAI).url
    linking = article(BKD, baca_juga=[{"url": cabai_url + "?utm_source=bacajuga", "title": "Harga cabai"}])
    links = "SELECT target_url, target_article_id FROM baca_juga WHERE article_id = 1"
    if when == "next run":
        run(db, linking)
        assert rows(db, links) == [(cabai_url, None)]
        run(db, article(CABAI))
    else:
        chain = Chain(db, SATUKANAL_BATCH_SIZE=1 if when == "next batch" else 1000)
        chain.push(linking)
        chain.push(article(CABAI))
        chain.close()
    assert rows(db, links) == [(cabai_url, 2)]


@pytest.mark.parametrize("target_first", [False, True])
def test_a_baca_juga_link_to_an_old_slug_resolves_through_the_alias(tmp_path: Path, target_first: bool) -> None:
    db = tmp_path / "a.db"
    target = article(ADMINDUK)
    target.aliases = [ADMINDUK_OLD_URL]  # the spider followed the old slug's 301 to the article
    items = [article(BKD), target]  # BKD's Baca Juga link points at the old slug
    if target_first:
        items.reverse()
    run(db, *items)
    [(url, target_url, target_id)] = rows(
        db,
        "SELECT b.url, target_url, target_article_id FROM baca_juga b JOIN articles a ON a.id = b.article_id "
        "WHERE a.url = ?",
        article(BKD).url,
    )
    assert url == target_url == ADMINDUK_OLD_URL
    assert rows(db, "SELECT url FROM articles WHERE id = ?", target_id) == [(target.url,)]
    assert (ADMINDUK_OLD_URL, "redirect") in rows(db, "SELECT url, reason FROM aliases")


def test_raw_pages_are_kept_once_per_distinct_body(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, article(BKD))
    run(db, article(BKD))  # the same bytes fetched again
    [(url, article_id, status, headers, body)] = rows(db, "SELECT url, article_id, status, headers, body FROM pages")
    assert (url, article_id, status) == (article(BKD).url, 1, 200)
    assert json.loads(headers) == {"Content-Type": ["text/html; charset=UTF-8"]}
    assert zlib.decompress(body) == portal_html(f"/{BKD}/")


def fts_consistent(db: Path) -> bool:
    """FTS5's own check that the index matches the articles table, row for row (raises if not)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        return conn.execute("SELECT count(*) FROM fts_pending").fetchone() == (0,)
    finally:
        conn.close()


def search(db: Path, query: str) -> list[str]:
    return [url for (url,) in rows(db, "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                                       "WHERE articles_fts MATCH ? ORDER BY a.url", query)]  # fmt: skip


def test_the_full_text_index_follows_inserts_edits_reposts_and_deletes(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    bkd, cabai = article(BKD), article(CABAI)
    run(db, article(BKD), repost_of_cabai())
    assert fts_consistent(db)
    assert search(db, "pppk") == [bkd.url]
    run(db, article(BKD, title="Formasi Guru Honorer Diumumkan"), article(CABAI))  # an edit; the earlier copy
    assert fts_consistent(db)
    assert search(db, "title:formasi") == [bkd.url]
    assert search(db, "title:pppk") == []  # the old title is gone from the index
    assert search(db, "cabai") == [cabai.url]
    with Archive(db) as archive, archive.transaction() as conn:  # e.g. an analyst removing a row by hand
        conn.execute("DELETE FROM articles WHERE url = ?", (cabai.url,))
    assert fts_consistent(db)
    assert search(db, "cabai") == []


def test_an_item_that_fails_to_store_leaves_nothing_to_index(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    store = chain.stages[-1]

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    chain.push(article(BKD))
    monkeypatch.setattr(store.store, "save_page", broken)  # fails after the article row was inserted
    assert chain.push(article(CABAI)) is not None
    monkeypatch.undo()
    chain.push(article(ADMINDUK))
    assert chain.stats()["store_errors"] == 1
    assert [url for (url,) in chain.query("SELECT url FROM articles ORDER BY id")] == [
        article(BKD).url,
        article(ADMINDUK).url,
    ]
    chain.close()
    assert fts_consistent(chain.db)
    assert search(chain.db, "cabai") == []
    assert chain.query("SELECT reason FROM rejects")[0][0].startswith("storage error: disk I/O error")


def test_url_state_holds_what_the_articles_table_does_not(tmp_path: Path) -> None:
    """An article's own URL whose time is the article's needs no url_state row; a sitemap lastmod that
    differs, or a URL with an earlier state (a failure), gets one."""
    db = tmp_path / "a.db"
    cabai = article(CABAI)
    cabai.sitemap_lastmod = "2026-01-04T10:00:00+07:00"
    run(db, article(BKD), cabai)
    state = "SELECT url, kind, lastmod, article_id FROM url_state WHERE kind != 'pending' ORDER BY url"
    assert rows(db, state) == [(cabai.url, "article", "2026-01-04T10:00:00+07:00", 2)]
    again = article(CABAI)
    again.sitemap_lastmod = "2026-01-04T10:00:00+07:00"
    run(db, article(BKD), again)  # both unchanged, the same lastmod: nothing to write
    assert rows(db, state) == [(cabai.url, "article", "2026-01-04T10:00:00+07:00", 2)]
    later = article(CABAI)
    later.sitemap_lastmod = "2026-01-06T07:00:00+07:00"
    run(db, later)
    assert rows(db, state) == [(cabai.url, "article", "2026-01-06T07:00:00+07:00", 2)]


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_the_stages_counts_reach_the_crawl_stats_with_each_batch(tmp_path: Path, batch_size: int) -> None:
    chain = Chain(tmp_path / "a.db", SATUKANAL_BATCH_SIZE=batch_size)
    stats = chain.crawler.stats
    chain.push(article(BKD))
    committed = batch_size == 1
    assert stats.get_value("satukanal/fields/seen") == (1 if committed else None)
    assert stats.get_value("satukanal/articles/new") == (1 if committed else None)
    chain.close()
    assert stats.get_value("satukanal/fields/seen") == 1
    assert stats.get_value("satukanal/articles/new") == 1


def test_baca_juga_targets_not_archived_are_pending_in_the_same_transaction(tmp_path: Path) -> None:
    """A stop between storing an article and fetching its links loses no link: the targets on the article's own
    site that lead to no article are frontier entries, found in the article, from the article's own batch on."""
    db = tmp_path / "a.db"
    bkd = article(BKD)
    run(db, bkd)
    targets = [link["url"] for link in bkd.baca_juga]
    pending = rows(db, "SELECT url, source, found_in FROM url_state WHERE kind = 'pending' ORDER BY url")
    assert pending and {url for url, _, _ in pending} <= set(targets)
    assert all(source == "link" and found_in == bkd.url for _, source, found_in in pending)
    archived = {url for (url,) in rows(db, "SELECT url FROM articles")}
    assert not archived & {url for url, _, _ in pending}
    run(db, *(article(slug) for slug in (ADMINDUK, CABAI)))  # a target arrives: it leaves the frontier
    left = {url for (url,) in rows(db, "SELECT url FROM url_state WHERE kind = 'pending'")}
    assert not left & {url for (url,) in rows(db, "SELECT url FROM articles")}
