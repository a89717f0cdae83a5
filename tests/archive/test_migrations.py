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


def test_a_version_3_archive_keeps_every_row_in_version_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.db"
    with monkeypatch.context() as v3:
        v3.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        v3.setattr(schema, "SCHEMA_VERSION", 3)
        chain = Chain(db)
        for slug in (BKD, ADMINDUK, CABAI):  # BKD links to an old URL, unresolved here
            assert chain.push(article(slug)) is not None
        chain.close()
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

    with Archive(db) as archive:
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
