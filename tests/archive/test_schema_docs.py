"""docs/schema.md and datasette/metadata.json describe the archive as it is, and their queries run.

A table or column that the schema has and the docs lack (or the other way round) fails here, as does an
example query or a Datasette canned query that errors or finds nothing on a realistic archive.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from satukanal_crawler import settings
from satukanal_crawler.archive import Archive
from tests.helpers import EXPECTED, ORIGIN, ROOT
from tests.pipelines.conftest import BKD, CABAI, Chain, article

DOC = ROOT / "docs" / "schema.md"
METADATA = ROOT / "datasette" / "metadata.json"
FTS_SHADOW = re.compile(r"^articles_fts(_stemmed)?_(config|data|docsize|idx|content)$")
# Values for the named parameters of the example queries, chosen to find something in the archive below.
PARAMETERS = {
    "reporter": "Dimas Prasetyo",
    "query": "kediri",
    "article_id": 1,  # BKD, edited in the second run
    "url": f"{ORIGIN}/?p=2263",  # BKD's shortlink
    "month": "2021-04",
    "channel": "olahraga",  # by slug
    "since": "2021-01-01",
    "until": "",  # an optional parameter left empty
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot's articles, then a run where one is edited and one is re-posted under a new URL."""
    db = tmp_path_factory.mktemp("schema") / "satukanal.db"
    slugs = [BKD, *sorted(p.stem for p in EXPECTED.glob("*.json") if p.stem != BKD)]
    chain = Chain(db)
    for slug in slugs:
        assert chain.push(article(slug)) is not None
    chain.close()
    chain = Chain(db)
    chain.push(article(BKD, title="BKD Kab. Kediri Siapkan 893 Usulan Guru PPPK 2021"))
    chain.push(article(CABAI, url=f"{ORIGIN}/harga-cabai-rawit-tembus-90-ribu/", wp_post_id=2999,
                       published_at="2021-02-20T08:00:00+07:00"))  # fmt: skip
    chain.close()
    with Archive(db) as opened, opened.transaction() as conn:  # what the run recorder writes for a crawl
        stats = {"downloader/response_count": 37, "satukanal/articles/new": 14}
        conn.execute(
            "INSERT INTO crawl_runs (started_at, finished_at, pid, base_url, arguments, stats, checks, outcome) "
            "VALUES ('2026-01-05T08:00:00+07:00', '2026-01-05T08:03:10+07:00', 4242, ?, '{}', ?, '[]', 'ok')",
            (ORIGIN, json.dumps(stats)),
        )
    return db


def schema_of(db: Path) -> dict[str, dict[str, str]]:
    """Every table of the archive -> its columns and their declared types."""
    with Archive(db, readonly=True) as opened:
        conn = opened.conn
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: {r[1]: r[2] for r in conn.execute(f"PRAGMA table_info({name})")} for name in names}


def views_of(db: Path) -> dict[str, list[str]]:
    """Every view of the archive -> its columns."""
    with Archive(db, readonly=True) as opened:
        conn = opened.conn
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")]
        return {name: [r[1] for r in conn.execute(f"PRAGMA table_info({name})")] for name in names}


def documented() -> dict[str, dict[str, str]]:
    """The doc's tables: a `### `name`` heading, then rows `| `column` | TYPE | meaning |`."""
    tables: dict[str, dict[str, str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### `(\w+)`\s*$", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
            continue
        if line.startswith("#"):
            current = None
        row = re.match(r"^\| `(\w+)` \| (\w+) \|", line)
        if row and current is not None:
            assert row.group(1) not in current, f"{row.group(1)} documented twice"
            current[row.group(1)] = row.group(2)
    return tables


def examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def run_query(db: Path, sql: str) -> list[sqlite3.Row]:
    names = set(re.findall(r"(?<!:):(\w+)", re.sub(r"'[^']*'", "''", sql)))  # not in string literals
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, {name: PARAMETERS[name] for name in names}).fetchall()
    finally:
        conn.close()


# -- docs/schema.md --------------------------------------------------------------------------------------


def test_every_table_and_column_is_documented(archive: Path) -> None:
    docs, text = documented(), DOC.read_text(encoding="utf-8")
    for table, columns in schema_of(archive).items():
        if FTS_SHADOW.match(table):
            assert f"`{table}`" in text, f"FTS5 internal table {table} is not named in {DOC.name}"
            continue
        assert table in docs, f"table {table} is not documented in {DOC.name}"
        missing = [c for c in columns if c not in docs[table]]
        assert not missing, f"{table}: columns not documented in {DOC.name}: {missing}"


def test_everything_documented_exists_with_its_type(archive: Path) -> None:
    actual = schema_of(archive)
    for table, columns in documented().items():
        assert table in actual, f"{DOC.name} documents a table the archive does not have: {table}"
        for column, declared in columns.items():
            assert column in actual[table], f"{DOC.name} documents {table}.{column}, which does not exist"
            if actual[table][column]:  # FTS5 columns have no declared type
                assert declared == actual[table][column], f"{table}.{column} is {actual[table][column]}"


def test_the_documented_schema_version_is_current() -> None:
    from satukanal_crawler.archive.schema import SCHEMA_VERSION

    assert f"`PRAGMA user_version` (currently {SCHEMA_VERSION})" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("sql", examples(), ids=lambda sql: " ".join(sql.split())[:60])
def test_every_example_query_runs_and_finds_something(archive: Path, sql: str) -> None:
    assert run_query(archive, sql), "the example finds nothing in an archive of the snapshot"


def test_there_are_examples_for_what_analysts_ask() -> None:
    text = "\n".join(examples())
    for needle in ("substr(a.published_at, 1, 7)", "reporter = :reporter", "articles_fts MATCH", "target_article_id",
                   "FROM revisions", "dateline"):  # fmt: skip
        assert needle in text


# -- sqlite-utils ------------------------------------------------------------------------------------------


def test_sqlite_utils_finds_the_full_text_index(archive: Path) -> None:
    assert sqlite_utils.Database(archive)["articles"].detect_fts() == "articles_fts"
    result = CliRunner().invoke(sqlite_utils_cli, ["search", str(archive), "articles", "kediri", "-c", "title"])
    assert result.exit_code == 0, result.output
    titles = [row["title"] for row in json.loads(result.output)]
    assert len(titles) > 3 and all(isinstance(t, str) for t in titles)


# -- datasette/metadata.json -----------------------------------------------------------------------------


def metadata() -> dict:
    return json.loads(METADATA.read_text(encoding="utf-8"))


def test_the_metadata_describes_the_default_archive() -> None:
    assert list(metadata()["databases"]) == [Path(settings.SATUKANAL_DB).stem]
    for key in ("title", "description_html", "license", "source", "source_url"):
        assert metadata()[key]


def test_the_metadata_names_every_table_and_only_real_columns(archive: Path) -> None:
    actual = {t: c for t, c in schema_of(archive).items() if not FTS_SHADOW.match(t)}
    actual |= {view: dict.fromkeys(columns, "") for view, columns in views_of(archive).items()}
    [database] = metadata()["databases"].values()
    tables = database["tables"]
    assert set(tables) == set(actual)
    for name, table in tables.items():
        assert table["description"], name
        assert set(table["columns"]) == set(actual[name]), f"{name}: described columns differ from the schema"
        assert all(table["columns"].values()), name
        for key in ("label_column", "sort", "sort_desc", "fts_pk"):
            if key in table:
                assert table[key] in actual[name], f"{name}.{key} names no column"
        for facet in table.get("facets", []):
            facet = facet["array"] if isinstance(facet, dict) else facet
            assert facet in actual[name], f"{name}: facet {facet} names no column"


def test_the_metadata_configures_full_text_search(archive: Path) -> None:
    articles = metadata()["databases"]["satukanal"]["tables"]["articles"]
    assert (articles["fts_table"], articles["fts_pk"]) == ("articles_fts", "id")
    assert articles["searchmode"] == "raw"  # analysts may use phrases, prefixes, OR, NOT, column filters
    assert run_query(archive, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'title:kediri'")


@pytest.mark.parametrize("name", list(metadata()["databases"]["satukanal"]["queries"]))
def test_every_canned_query_runs_and_finds_something(archive: Path, name: str) -> None:
    query = metadata()["databases"]["satukanal"]["queries"][name]
    assert query["title"]
    assert run_query(archive, query["sql"]), f"canned query {name} finds nothing"


def test_the_columns_documented_as_indexed_are(archive: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    bullet = text[text.index("- **Indexed columns**") :].split("\n- ", 1)[0]
    named = re.findall(r"`(\w+)\.(\w+)`", bullet.split("(`baca_juga.target_url`")[0])
    named += [(t, c) for t in ("articles_categories", "articles_tags") for c in ("articles_id", f"{t[9:]}_id")]
    conn = sqlite3.connect(archive)
    try:
        for table, column in named:
            leading = {conn.execute(f"PRAGMA index_info([{index[1]}])").fetchone()[2]
                       for index in conn.execute(f"PRAGMA index_list([{table}])")}  # fmt: skip
            primary = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])") if row[5] == 1]
            assert column in leading or primary == [column] or column == "id", f"{table}.{column} is not indexed"
    finally:
        conn.close()
    assert len(named) >= 16  # the bullet was read
