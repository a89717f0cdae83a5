"""The archive's one schema definition and its migrations.

Analysts query these tables directly (sqlite-utils, Datasette), so they are a public interface:
every table and column is described in docs/schema.md, and a test fails when one is not. Migrations
are append-only: `MIGRATIONS[n]` upgrades version n to n+1 in place, and opening an older archive
runs the missing ones in one transaction, so nothing stored is ever lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 6

_V1 = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    wp_post_id INTEGER,
    title TEXT NOT NULL,
    dateline TEXT,
    published_at TEXT NOT NULL,
    modified_at TEXT,
    reporter TEXT,
    editor TEXT,
    author TEXT,
    summary TEXT,
    body_text TEXT NOT NULL,
    image_url TEXT,
    body_html TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_articles_published_at ON articles(published_at);
CREATE INDEX IF NOT EXISTS idx_articles_reporter ON articles(reporter);
CREATE INDEX IF NOT EXISTS idx_articles_dateline ON articles(dateline);
CREATE INDEX IF NOT EXISTS idx_articles_wp_post_id ON articles(wp_post_id);
CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);

CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles_categories (
    articles_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    categories_id INTEGER NOT NULL REFERENCES categories(id),
    PRIMARY KEY (articles_id, categories_id)
);
CREATE INDEX IF NOT EXISTS idx_articles_categories_categories_id ON articles_categories(categories_id);

CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles_tags (
    articles_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tags_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (articles_id, tags_id)
);
CREATE INDEX IF NOT EXISTS idx_articles_tags_tags_id ON articles_tags(tags_id);

CREATE TABLE IF NOT EXISTS baca_juga (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    target_url TEXT NOT NULL,
    target_article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX IF NOT EXISTS idx_baca_juga_target ON baca_juga(target_article_id);
CREATE INDEX IF NOT EXISTS idx_baca_juga_target_url ON baca_juga(target_url);

CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    first_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_aliases_article_id ON aliases(article_id);

CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    superseded_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    title TEXT NOT NULL,
    dateline TEXT,
    published_at TEXT NOT NULL,
    modified_at TEXT,
    reporter TEXT,
    editor TEXT,
    author TEXT,
    summary TEXT,
    body_text TEXT NOT NULL,
    image_url TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    baca_juga TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    cause TEXT NOT NULL DEFAULT 'refetch'
);
CREATE INDEX IF NOT EXISTS idx_revisions_article_id ON revisions(article_id);

CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
    page_number INTEGER NOT NULL DEFAULT 1,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    content_type TEXT,
    fetched_at TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    UNIQUE (url, body_sha256)
);
CREATE INDEX IF NOT EXISTS idx_pages_article_id ON pages(article_id, page_number);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pid INTEGER,
    base_url TEXT,
    arguments TEXT NOT NULL DEFAULT '{}',
    stats TEXT,
    checks TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    exit_status INTEGER
);

CREATE TABLE IF NOT EXISTS url_state (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status INTEGER,
    lastmod TEXT,
    last_fetched_at TEXT,
    error TEXT,
    redirect_to TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS idx_url_state_redirect_to ON url_state(redirect_to);
CREATE INDEX IF NOT EXISTS idx_url_state_kind ON url_state(kind);

CREATE TABLE IF NOT EXISTS rejects (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    run_id INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL
);

CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body_text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF title, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO articles_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
"""


# v2, the full-text index:
# - declared with `content="articles"`, the form sqlite-utils (`sqlite-utils search`) and Datasette detect; v1's
#   `content='articles'` left both saying "not configured for full-text search";
# - written once per batch instead of once per row. FTS5 flushes its pending terms at every savepoint, and an
#   insert trigger that writes to FTS5 runs in a statement savepoint, so indexing row by row cost ~4x the
#   row itself. Inserted and edited articles now only queue their id in `fts_pending` (a plain table, inside
#   the same transaction, so a rolled-back item leaves no trace); `index_pending()` indexes the queue just
#   before each commit. Edits and deletes of already-indexed rows still remove the old entry at once.
# The index is rebuilt from the articles table, so nothing is lost.
_V2 = """
DROP TRIGGER IF EXISTS articles_ai;
DROP TRIGGER IF EXISTS articles_ad;
DROP TRIGGER IF EXISTS articles_au;
DROP TABLE IF EXISTS articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body_text, content="articles", content_rowid="id", tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE fts_pending (
    id INTEGER PRIMARY KEY
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    SELECT 'delete', old.id, old.title, old.body_text WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    DELETE FROM fts_pending WHERE id = old.id;
END;
CREATE TRIGGER articles_au AFTER UPDATE OF id, title, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body_text)
    SELECT 'delete', old.id, old.title, old.body_text WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
    DELETE FROM fts_pending WHERE id = old.id;
    INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
END;
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
"""


# v3, what lets a re-fetch of an unchanged article or page be decided without reading it back:
# - articles.fingerprint: a hash of everything a revision compares (fields, terms, Baca Juga links), blind to
#   whitespace; NULL on older rows, which are compared the long way once and then get one;
# - pages.body_size and pages.body_crc32 of the uncompressed body, next to its sha256.
_V3 = """
ALTER TABLE articles ADD COLUMN fingerprint TEXT;
ALTER TABLE pages ADD COLUMN body_size INTEGER;
ALTER TABLE pages ADD COLUMN body_crc32 INTEGER;
"""

# v4, less work per stored article (the archive's writer process, not the crawl, had become a crawl's limit):
# - the link tables (articles_categories, articles_tags, baca_juga) and aliases become WITHOUT ROWID tables: the
#   primary key is the table itself, not a second B-tree kept beside a rowid table;
# - baca_juga.target_url is indexed only while the link is unresolved (target_article_id IS NULL): the crawler
#   looks links up by target_url only to resolve them, and analysts follow resolved links by target_article_id;
# - idx_articles_content_hash is dropped: the crawler finds re-posts in memory, and no query needs it;
# - FTS5 merges index segments 8 at a time instead of 4 (automerge): less merging per batch, at the cost of
#   a few more segments for a query to read (`sqlite-utils optimize` or FTS5's 'optimize' merges them all).
# A table is rebuilt as SQLite's documentation advises (a new table, the rows copied, the old one dropped, the
# new one renamed), keeping what analysts may have added to it: columns, indexes, triggers, and views that
# name it (see _rebuild).
_V4_TABLES = {
    "articles_categories": """(
    articles_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    categories_id INTEGER NOT NULL REFERENCES categories(id),
    PRIMARY KEY (articles_id, categories_id)
) WITHOUT ROWID""",
    "articles_tags": """(
    articles_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tags_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (articles_id, tags_id)
) WITHOUT ROWID""",
    "baca_juga": """(
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    target_url TEXT NOT NULL,
    target_article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID""",
    "aliases": """(
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    first_seen_at TEXT NOT NULL
) WITHOUT ROWID""",
}
_V4 = """
DROP INDEX IF EXISTS idx_articles_content_hash;
DROP INDEX IF EXISTS idx_baca_juga_target_url;
CREATE INDEX idx_baca_juga_unresolved ON baca_juga(target_url) WHERE target_article_id IS NULL;
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8);
"""


def _rebuild(conn: sqlite3.Connection, table: str, definition: str) -> None:
    """Give `table` a new definition, keeping its rows and what was added to it since the crawler created it.

    Columns the new definition lacks (added by someone else) are carried over; the table's indexes and triggers
    are created again from their stored SQL. Views are left as they are: the rename runs with
    legacy_alter_table, which neither rewrites nor checks them, so a view that names the table names the new one.
    """
    new = f"v4_{table}"
    old_columns = {row[1]: row[2] for row in conn.execute(f"PRAGMA table_info({table})")}
    attached = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type",  # indexes first
        (table,),
    ).fetchall()
    conn.execute(f"CREATE TABLE {new} {definition}")
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({new})")]
    for name, declared in old_columns.items():
        if name not in columns:
            conn.execute(f'ALTER TABLE {new} ADD COLUMN "{name}" {declared}')
            columns.append(name)
    names = ", ".join(f'"{name}"' for name in columns)
    conn.execute(f"INSERT INTO {new} ({names}) SELECT {names} FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for (sql,) in attached:
        conn.execute(sql)


def statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers keep their inner semicolons)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s]


def _run(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and a migration must be one transaction.
    for statement in statements(script):
        conn.execute(statement)


def _to_v1(conn: sqlite3.Connection) -> None:
    _run(conn, _V1)


def _to_v2(conn: sqlite3.Connection) -> None:
    _run(conn, _V2)


# MIGRATIONS[n] upgrades a version-n archive to n+1 (version 0 is an empty file).
def _to_v3(conn: sqlite3.Connection) -> None:
    _run(conn, _V3)


def _to_v4(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA legacy_alter_table = ON")  # see _rebuild
    try:
        for table, definition in _V4_TABLES.items():
            _rebuild(conn, table, definition)
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
    _run(conn, _V4)


# v5, the frontier: `url_state` holds every URL the crawl discovered, not only those it fetched, so no stop of any
# kind can leave a discovered article out of the archive for good (a run starts from what is still pending):
# - url_state.kind gains 'pending' (discovered, not yet settled); url_state.source (how the URL was found:
#   sitemap, feed, channel, home, link, redirect), found_in (the page that listed it), discovered_at, and
#   published_hint (the publication time its listing gave: what `--since` bounds before the page is fetched);
# - url_state.gone_at and articles.gone_at: when an archived article was first seen answering 404/410 (it
#   stays in the archive);
# - crawl_runs.version and crawl_runs.settings: the crawler's version and the settings it ran with;
# - Baca Juga targets that lead to no article yet become pending URLs, and the sitemaps' stored lastmod are
#   forgotten: before v5 a sitemap counted as read once parsed, even when the run stopped before its articles
#   were archived, so the first run after the upgrade reads every sitemap once and recovers those articles.
_V5 = """
ALTER TABLE url_state ADD COLUMN source TEXT;
ALTER TABLE url_state ADD COLUMN found_in TEXT;
ALTER TABLE url_state ADD COLUMN discovered_at TEXT;
ALTER TABLE url_state ADD COLUMN published_hint TEXT;
ALTER TABLE url_state ADD COLUMN gone_at TEXT;
ALTER TABLE articles ADD COLUMN gone_at TEXT;
ALTER TABLE crawl_runs ADD COLUMN version TEXT;
ALTER TABLE crawl_runs ADD COLUMN settings TEXT;
CREATE INDEX idx_url_state_found_in ON url_state(found_in) WHERE found_in IS NOT NULL;
DELETE FROM url_state WHERE kind = 'sitemap';
INSERT OR IGNORE INTO url_state (url, kind, source, found_in, discovered_at, attempts)
SELECT b.target_url, 'pending', 'link', min(a.url), min(a.first_seen_at), 0
FROM baca_juga b JOIN articles a ON a.id = b.article_id
WHERE b.target_article_id IS NULL
  AND substr(b.target_url, 1, 8 + instr(substr(a.url, 9), '/')) = substr(a.url, 1, 8 + instr(substr(a.url, 9), '/'))
  AND b.target_url NOT IN (SELECT url FROM articles)
  AND b.target_url NOT IN (SELECT url FROM aliases)
GROUP BY b.target_url;
"""


# v6, Indonesian-aware search (`satukanal search`): a second full-text index, `articles_fts_stemmed`, holds each
# article's title and body as word stems (stemming.py), so that a query for a root or any affixed form finds the
# others; `articles_fts` stays the exact index. FTS5 cannot stem Indonesian itself, so the stems are written by the
# crawler: the articles queued in `fts_pending` get both entries in index_pending, before each commit. The text it
# holds is not the article's (stems), so it is a table of its own, not an external-content index: deleting an entry
# needs only its rowid, which the triggers below do for edits and deletes by any program (SQLite 3.40, the oldest
# the crawler runs on, has no contentless-delete tables). Filled here from the articles already stored.
# Two views for browsing (`satukanal serve`) and exporting: `articles_overview`, an article per row with its
# channels and tags as JSON arrays (what Datasette facets on), and `link_graph`, the Baca Juga links as an edge
# list (a view streams whole as CSV in Datasette, where a canned query stops at its row limit).
_V6 = """
CREATE VIEW articles_overview AS
SELECT a.id, a.published_at, a.title, a.reporter, a.editor, a.dateline,
    (SELECT json_group_array(name) FROM (SELECT c.name FROM articles_categories ac
        JOIN categories c ON c.id = ac.categories_id WHERE ac.articles_id = a.id ORDER BY c.name)) AS channels,
    (SELECT json_group_array(name) FROM (SELECT t.name FROM articles_tags x
        JOIN tags t ON t.id = x.tags_id WHERE x.articles_id = a.id ORDER BY t.name)) AS tags,
    a.word_count, a.summary, a.url
FROM articles a;
CREATE VIEW link_graph AS
SELECT a.id AS source_id, a.url AS source_url, a.published_at AS source_published_at, b.position, b.title, b.url,
    b.target_url, b.target_article_id AS target_id, t.title AS target_title
FROM baca_juga b JOIN articles a ON a.id = b.article_id LEFT JOIN articles t ON t.id = b.target_article_id;
CREATE VIRTUAL TABLE articles_fts_stemmed USING fts5(title, body_text, tokenize='unicode61 remove_diacritics 2');
INSERT INTO articles_fts_stemmed (articles_fts_stemmed, rank) VALUES ('automerge', 8);
CREATE TRIGGER articles_stemmed_ad AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts_stemmed WHERE rowid = old.id;
END;
CREATE TRIGGER articles_stemmed_au AFTER UPDATE OF id, title, body_text ON articles BEGIN
    DELETE FROM articles_fts_stemmed WHERE rowid = old.id;
END;
"""


def _to_v5(conn: sqlite3.Connection) -> None:
    _run(conn, _V5)


def _to_v6(conn: sqlite3.Connection) -> None:
    _run(conn, _V6)
    restem(conn)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2, _to_v3, _to_v4, _to_v5, _to_v6]
assert len(MIGRATIONS) == SCHEMA_VERSION


def index_pending(conn: sqlite3.Connection) -> None:
    """Write the full-text entries of the articles queued in `fts_pending`; call it just before COMMIT.

    Every commit path of the project calls it (writer.commit_writes); a row another program inserts is indexed when
    the crawler next opens the archive.
    """
    if conn.execute("SELECT 1 FROM fts_pending LIMIT 1").fetchone() is None:
        return
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, body_text) "
        "SELECT a.id, a.title, a.body_text FROM fts_pending p JOIN articles a ON a.id = p.id"
    )
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts_stemmed'").fetchone():  # v6 on
        _insert_stemmed(conn, "SELECT a.id, a.title, a.body_text FROM fts_pending p JOIN articles a ON a.id = p.id")
    conn.execute("DELETE FROM fts_pending")


def _insert_stemmed(conn: sqlite3.Connection, select: str) -> None:
    """Write the stemmed entries of the articles `select` names (id, title, body_text), a few hundred at a time."""
    from satukanal_crawler.stemming import stem_text  # the stemmer loads its dictionary only when needed

    cursor = conn.execute(select)
    while rows := cursor.fetchmany(500):
        conn.executemany(
            "INSERT INTO articles_fts_stemmed (rowid, title, body_text) VALUES (?, ?, ?)",
            [(row[0], stem_text(row[1]), stem_text(row[2])) for row in rows],
        )


def restem(conn: sqlite3.Connection) -> None:
    """Rebuild the stemmed index from the articles (those still queued are indexed at the next commit)."""
    conn.execute("DELETE FROM articles_fts_stemmed")
    _insert_stemmed(conn, "SELECT id, title, body_text FROM articles WHERE id NOT IN (SELECT id FROM fts_pending)")


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the archive to SCHEMA_VERSION in one transaction; returns the version it started at."""
    start = current_version(conn)
    if start > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"archive schema version {start} is newer than this program's ({SCHEMA_VERSION}); upgrade the crawler"
        )
    if start == SCHEMA_VERSION:
        return start
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(start, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return start
