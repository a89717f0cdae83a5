"""Opening an older archive upgrades it in place, losing nothing; a newer one is refused in one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from satukanal_crawler.archive import Archive, ArchiveError, schema
from tests.helpers import ORIGIN
from tests.pipelines.conftest import ADMINDUK, BKD, CABAI, Chain, article


def _archive_with_a_row(path: Path) -> None:
    with Archive(path) as archive, archive.transaction() as conn:
        conn.execute(
            "INSERT INTO articles (url, title, published_at, body_text, content_hash, first_seen_at, last_seen_at, "
            "fetched_at) VALUES ('https://satukanal.com/a/', 'Judul', '2021-04-08T14:35:12+07:00', 'Isi berita.', "
            "'h', '2021-04-08T14:35:12+07:00', '2021-04-08T14:35:12+07:00', '2021-04-08T14:35:12+07:00')"
        )


def test_new_archive_is_at_the_current_version(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        assert schema.current_version(archive.conn) == schema.SCHEMA_VERSION
        assert archive.migrated_from == 0


def test_an_older_archive_is_upgraded_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.db"
    _archive_with_a_row(db)

    def add_language(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT 'id'")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_language])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with Archive(db) as archive:
        assert archive.migrated_from == schema.SCHEMA_VERSION - 1
        assert schema.current_version(archive.conn) == schema.SCHEMA_VERSION
        row = archive.conn.execute("SELECT title, body_text, language FROM articles").fetchone()
        assert tuple(row) == ("Judul", "Isi berita.", "id")
        assert archive.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'berita'").fetchone()[0]


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.db"
    _archive_with_a_row(db)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN extra TEXT")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with pytest.raises(ArchiveError):
        Archive(db)
    conn = sqlite3.connect(db)
    try:
        assert schema.current_version(conn) == schema.SCHEMA_VERSION - 1
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        assert "extra" not in columns
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    finally:
        conn.close()


def test_a_newer_archive_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _archive_with_a_row(db)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer than this program"):
        Archive(db)


REBUILT_IN_V4 = ("articles_categories", "articles_tags", "baca_juga", "aliases")


def _rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr) for t in tables
                if not t.startswith("articles_fts")}  # fmt: skip
    finally:
        conn.close()


def _query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# An archive as an older crawler left it: stored by today's pipelines, then given back the older schema (the
# pipelines write today's columns, so they cannot build an old archive themselves).
_TO_V4 = """
DROP VIEW articles_overview;
DROP VIEW link_graph;
DROP TRIGGER articles_stemmed_ad;
DROP TRIGGER articles_stemmed_au;
DROP TABLE articles_fts_stemmed;
DROP INDEX idx_url_state_found_in;
DELETE FROM url_state WHERE kind = 'pending';
ALTER TABLE url_state DROP COLUMN source;
ALTER TABLE url_state DROP COLUMN found_in;
ALTER TABLE url_state DROP COLUMN discovered_at;
ALTER TABLE url_state DROP COLUMN published_hint;
ALTER TABLE url_state DROP COLUMN gone_at;
ALTER TABLE articles DROP COLUMN gone_at;
ALTER TABLE crawl_runs DROP COLUMN version;
ALTER TABLE crawl_runs DROP COLUMN settings;
PRAGMA user_version = 4;
"""
_V3_INDEXES = """
CREATE INDEX idx_articles_categories_categories_id ON articles_categories(categories_id);
CREATE INDEX idx_articles_tags_tags_id ON articles_tags(tags_id);
CREATE INDEX idx_baca_juga_target ON baca_juga(target_article_id);
CREATE INDEX idx_baca_juga_target_url ON baca_juga(target_url);
CREATE INDEX idx_aliases_article_id ON aliases(article_id);
CREATE INDEX idx_articles_content_hash ON articles(content_hash);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 4);
PRAGMA user_version = 3;
"""


def _old_archive(db: Path, version: int) -> None:
    chain = Chain(db)
    for slug in (BKD, ADMINDUK, CABAI):  # BKD links to an old URL, unresolved here
        assert chain.push(article(slug)) is not None
    chain.close()
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.executescript(_TO_V4)
        if version == 3:  # the link tables were rowid tables
            for table in REBUILT_IN_V4:
                conn.executescript(f"CREATE TABLE old_{table} AS SELECT * FROM {table}; DROP TABLE {table}; "
                                   f"ALTER TABLE old_{table} RENAME TO {table};")  # fmt: skip
            conn.executescript(_V3_INDEXES)
    finally:
        conn.close()


def test_a_version_3_archive_keeps_every_row_in_version_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.db"
    _old_archive(db, 3)
    analyst = sqlite3.connect(db, isolation_level=None)  # what an analyst may have added to the archive
    analyst.executescript("""
        CREATE VIEW links AS SELECT b.*, x.reason FROM baca_juga b LEFT JOIN aliases x ON x.url = b.target_url;
        CREATE INDEX my_alias_reasons ON aliases(reason);
        CREATE TABLE alias_log (url TEXT);
        CREATE TRIGGER my_alias_log AFTER INSERT ON aliases BEGIN INSERT INTO alias_log VALUES (new.url); END;
        ALTER TABLE articles_tags ADD COLUMN checked INTEGER;
        UPDATE articles_tags SET checked = 1;
    """)
    analyst.close()
    before = _rows(db)
    links_before = sorted(_query(db, "SELECT * FROM links"), key=repr)
    assert all(before[table] for table in REBUILT_IN_V4) and links_before
    assert any(row[5] is None for row in before["baca_juga"])

    with monkeypatch.context() as v4:
        v4.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
        v4.setattr(schema, "SCHEMA_VERSION", 4)
        archive = Archive(db)
    with archive:
        assert archive.migrated_from == 3
        conn = archive.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in REBUILT_IN_V4:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            assert sql.endswith("WITHOUT ROWID")
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_articles_content_hash" not in indexes
        assert {"idx_baca_juga_target", "idx_baca_juga_unresolved", "idx_aliases_article_id",
                "idx_articles_tags_tags_id", "idx_articles_categories_categories_id"} <= indexes  # fmt: skip
        assert "my_alias_reasons" in indexes
        leftovers = conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'v4%' OR name LIKE 'v3%'").fetchall()
        assert leftovers == []
        assert conn.execute("SELECT v FROM articles_fts_config WHERE k = 'automerge'").fetchone()[0] == 8
        assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'cabai'").fetchone()[0] == 1
    assert _rows(db) == before  # the added column and its values included
    assert sorted(_query(db, "SELECT * FROM links"), key=repr) == links_before

    chain = Chain(db)  # and the crawler goes on storing into it
    assert chain.push(article(BKD, title="BKD Kab. Kediri Siapkan 893 Usulan Guru PPPK 2021")) is not None
    assert chain.query("SELECT count(*) FROM revisions") == [(1,)]
    chain.push(article(CABAI, url=f"{ORIGIN}/harga-cabai-rawit-tembus-90-ribu/", wp_post_id=2999,
                       published_at="2021-02-20T08:00:00+07:00"))  # a re-post: a new alias  # fmt: skip
    chain.close()
    assert (f"{ORIGIN}/harga-cabai-rawit-tembus-90-ribu/",) in _query(db, "SELECT url FROM alias_log")


def test_a_version_4_archive_gets_a_frontier_and_loses_no_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """v5: unresolved Baca Juga targets become pending URLs, and sitemaps are read again once, so articles an
    interrupted v4 run left out (its sitemap counted as read) are found by the first run after the upgrade."""
    db = tmp_path / "a.db"
    _old_archive(db, 4)
    with monkeypatch.context() as v4:
        v4.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:4])
        v4.setattr(schema, "SCHEMA_VERSION", 4)
        with Archive(db) as archive, archive.transaction() as conn:
            conn.execute("INSERT INTO url_state (url, kind, lastmod) VALUES (?, 'sitemap', ?)",
                         (f"{ORIGIN}/post-sitemap.xml", "2021-04-01T00:00:00+07:00"))  # fmt: skip
            conn.execute("INSERT INTO url_state (url, kind, status) VALUES (?, 'non_article', 200)", (f"{ORIGIN}/p/",))
    unresolved = _query(db, "SELECT DISTINCT target_url FROM baca_juga WHERE target_article_id IS NULL")
    assert unresolved
    before = _rows(db)
    with monkeypatch.context() as v5:
        v5.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
        v5.setattr(schema, "SCHEMA_VERSION", 5)
        archive = Archive(db)
    with archive:
        assert archive.migrated_from == 4
        assert archive.integrity_ok()
    after = _rows(db)
    for table, rows in before.items():
        if table in ("url_state", "articles", "crawl_runs"):
            continue  # these gain columns
        assert after[table] == rows, table
    assert [row[: len(before["articles"][0])] for row in after["articles"]] == before["articles"]
    states = dict(_query(db, "SELECT url, kind FROM url_state"))
    assert f"{ORIGIN}/post-sitemap.xml" not in states, "every sitemap is read again once"
    assert states[f"{ORIGIN}/p/"] == "non_article"
    for (url,) in unresolved:
        assert states[url] == "pending"
    found = _query(db, "SELECT source, found_in FROM url_state WHERE kind = 'pending'")
    assert all(source == "link" and found_in.startswith(ORIGIN) for source, found_in in found)
