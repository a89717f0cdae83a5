"""`satukanal search`: ranked, with snippets and channels; any typed text is a query; word forms find each other."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from satukanal_crawler.archive import Archive, schema
from satukanal_crawler.stemming import stem_text
from tests.cli import satukanal
from tests.helpers import EXPECTED
from tests.pipelines.conftest import BKD, CABAI, Chain, article

SLUGS = sorted(p.stem for p in EXPECTED.glob("*.json"))
RESMI = {  # one article per form of the root `resmi`, as news text uses them
    SLUGS[0]: "Bupati Kediri meresmikan jembatan baru di desa itu pada Senin pagi.",
    SLUGS[1]: "Jembatan itu diresmikan oleh bupati bersama warga desa.",
    SLUGS[2]: "Acara peresmian jembatan dihadiri ratusan warga.",
    SLUGS[3]: "Gubernur akan resmikan jalan tol pada bulan depan.",
    SLUGS[4]: "Harga cabai naik di pasar tradisional.",
}


@pytest.fixture(scope="module")
def resmi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("resmi") / "satukanal.db"
    chain = Chain(db)
    for slug, text in RESMI.items():
        assert chain.push(article(slug, body_text=text, title=f"Berita {slug[:20]}")) is not None
    chain.close()
    return db


def search(db: Path, *args: str) -> list[dict]:
    result = satukanal("search", "--db", str(db), *args, "--format", "jsonl", "--limit", "0", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def one_line_error(result, status: int, *needles: str) -> None:
    assert result.returncode == status, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and "error: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in result.stderr


@pytest.mark.parametrize("form", ["resmi", "resmikan", "meresmikan", "diresmikan", "peresmian"])
def test_any_form_finds_every_form(resmi: Path, form: str) -> None:
    found = {row["url"].rstrip("/").rsplit("/", 1)[-1] for row in search(resmi, form)}
    assert found == set(SLUGS[:4])


def test_exact_search_finds_only_the_form_typed(resmi: Path) -> None:
    found = [row["url"] for row in search(resmi, "meresmikan", "--exact")]
    assert len(found) == 1 and SLUGS[0] in found[0]


def test_results_are_ranked_and_carry_snippet_date_channels_url(demo: Path) -> None:
    rows = search(demo, "kebakaran")
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 2
    assert rows[0]["title"].startswith("Kebakaran Gudang Mebel")  # in the title: ranked first
    assert rows[0]["score"] >= rows[1]["score"]
    assert rows[0]["channels"] == ["Peristiwa", "Straight News"]
    assert rows[0]["published_at"] == "2021-05-01T06:25:03+07:00"
    assert rows[0]["url"].endswith("/kebakaran-gudang-mebel-di-kota-kediri-kerugian-ditaksir-ratusan-juta/")
    assert "**kebakaran**" in rows[0]["snippet"].lower() and "\n" not in rows[0]["snippet"]


@pytest.mark.parametrize("typed", ["covid-19", "Covid-19 tahap", '"covid-19', "vaksinasi: covid", "covid (19)"])
def test_any_typed_text_is_a_query(demo: Path, typed: str) -> None:
    rows = search(demo, typed)
    assert [row["title"] for row in rows] == ["Ribuan Lansia Ikuti Vaksinasi Covid-19 Tahap Kedua"]


def test_a_query_without_words_is_a_usage_error(demo: Path) -> None:
    one_line_error(satukanal("search", "--db", str(demo), "-- ?", cwd=demo.parent), 2, "no words")


def test_fts_syntax_when_asked_for(demo: Path) -> None:
    rows = search(demo, "kebakaran OR sungai", "--fts")
    either = {row["id"] for row in rows}
    assert either >= {row["id"] for row in search(demo, "kebakaran", "--exact")} and len(either) >= 3
    assert all("**" in row["snippet"] for row in rows)  # FTS5's own snippet of the body
    titled = search(demo, "title:kebakaran", "--fts")
    assert [row["title"][:9] for row in titled] == ["Kebakaran"]
    one_line_error(satukanal("search", "--db", str(demo), "--fts", '"unterminated', cwd=demo.parent), 2, "FTS5")


def test_prefix(demo: Path) -> None:
    assert {row["title"] for row in search(demo, "vaksin*")} == {"Ribuan Lansia Ikuti Vaksinasi Covid-19 Tahap Kedua"}


def test_filters(demo: Path) -> None:
    everything = search(demo, "kediri")
    assert len(everything) >= 10
    peristiwa = search(demo, "kediri", "--channel", "peristiwa")
    assert peristiwa and all("Peristiwa" in row["channels"] for row in peristiwa)
    assert len(peristiwa) < len(everything)
    both = search(demo, "kediri", "--channel", "Peristiwa", "--channel", "olahraga")
    assert len(both) > len(peristiwa)
    april = search(demo, "kediri", "--since", "2021-04-01", "--until", "2021-04-30")
    assert april and all(row["published_at"].startswith("2021-04") for row in april)
    dimas = search(demo, "kediri", "--reporter", "dimas")
    assert len(dimas) == 2
    assert search(demo, "kediri", "--site", "127.0.0.1") == everything  # the mirror's host
    assert search(demo, "kediri", "--site", "https://satukanal.com/") == []


def test_bad_filters_are_usage_errors(demo: Path) -> None:
    one_line_error(satukanal("search", "--db", str(demo), "x", "--channel", "cuaca", cwd=demo.parent), 2,
                   "'cuaca'", "Peristiwa")  # fmt: skip
    one_line_error(satukanal("search", "--db", str(demo), "x", "--since", "2021-13-01", cwd=demo.parent), 2, "date")
    one_line_error(satukanal("search", "--db", str(demo), "x", "--since", "2021-05-01", "--until", "2021-04-01",
                             cwd=demo.parent), 2, "after")  # fmt: skip
    missing = demo.parent / "nothing.db"
    one_line_error(satukanal("search", "--db", str(missing), "x", cwd=demo.parent), 6, str(missing))
    assert not missing.exists()


def test_formats(demo: Path) -> None:
    result = satukanal("search", "--db", str(demo), "kediri", "--format", "csv", "--limit", "3", cwd=demo.parent)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and rows[0]["rank"] == "1" and len(json.loads(rows[0]["channels"])) >= 2
    table = satukanal("search", "--db", str(demo), "kediri", "--limit", "3", cwd=demo.parent)
    assert table.returncode == 0 and "published (WIB)" in table.stdout
    assert "3 of 12 articles match 'kediri'" in table.stderr


# -- the stemmed index is kept in sync --------------------------------------------------------------------------


def stemmed_rows(db: Path) -> dict[int, tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return {row[0]: (row[1], row[2]) for row in conn.execute(
            "SELECT rowid, title, body_text FROM articles_fts_stemmed")}  # fmt: skip
    finally:
        conn.close()


def articles_stemmed(db: Path) -> dict[int, tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return {row[0]: (stem_text(row[1]), stem_text(row[2]))
                for row in conn.execute("SELECT id, title, body_text FROM articles")}  # fmt: skip
    finally:
        conn.close()


def test_the_stemmed_index_follows_edits_and_deletes(tmp_path: Path) -> None:
    db = tmp_path / "satukanal.db"
    chain = Chain(db)
    chain.push(article(BKD))
    chain.push(article(CABAI))
    chain.close()
    assert stemmed_rows(db) == articles_stemmed(db) and len(stemmed_rows(db)) == 2
    chain = Chain(db)
    chain.push(article(BKD, body_text="Usulan guru itu diresmikan bupati."))
    chain.close()
    assert stemmed_rows(db) == articles_stemmed(db)
    assert search(db, "peresmian")[0]["url"].endswith(f"/{BKD}/")
    conn = sqlite3.connect(db)  # another program deletes an article: the trigger needs no Python
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM articles WHERE url LIKE ?", (f"%/{BKD}/",))
    conn.commit()
    conn.close()
    assert stemmed_rows(db) == articles_stemmed(db) and len(stemmed_rows(db)) == 1
    assert search(db, "resmi") == []


def test_rows_another_program_adds_are_indexed_when_the_archive_is_next_opened(demo_copy: Path) -> None:
    conn = sqlite3.connect(demo_copy)
    conn.execute(
        "INSERT INTO articles (url, title, published_at, body_text, content_hash, first_seen_at, last_seen_at, "
        "fetched_at) VALUES ('https://satukanal.com/x/', 'Peresmian Pasar', '2021-06-01T10:00:00+07:00', "
        "'Wali kota meresmikan pasar.', 'h', '2021-06-01T10:00:00+07:00', '2021-06-01T10:00:00+07:00', "
        "'2021-06-01T10:00:00+07:00')"
    )
    conn.commit()
    conn.close()
    Archive(demo_copy).close()
    assert [row["title"] for row in search(demo_copy, "resmikan")] == ["Peresmian Pasar"]


def test_an_archive_from_before_the_stemmed_index_gets_it(tmp_path: Path) -> None:
    db = tmp_path / "satukanal.db"
    chain = Chain(db)
    chain.push(article(BKD))
    chain.push(article(CABAI))
    chain.close()
    conn = sqlite3.connect(db, isolation_level=None)  # one version back: what the last migration added, removed
    conn.executescript("""
        DROP TRIGGER articles_stemmed_ad; DROP TRIGGER articles_stemmed_au; DROP TABLE articles_fts_stemmed;
        DROP VIEW articles_overview; DROP VIEW link_graph;
    """)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")
    conn.close()
    # search upgrades it (as any command of a newer crawler does), then reads it
    rows = search(db, "menyiapkan")
    assert [row["url"].rstrip("/").rsplit("/", 1)[-1] for row in rows] == [BKD]
    assert stemmed_rows(db) == articles_stemmed(db)
    with Archive(db, readonly=True) as archive:
        assert schema.current_version(archive.conn) == schema.SCHEMA_VERSION


def test_without_db_the_default_archive_is_read_and_the_demo_named(demo: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(demo, tmp_path / "data" / "demo.db")
    result = satukanal("search", "kediri", cwd=tmp_path)
    one_line_error(result, 6, "data/satukanal.db: no archive here", "--db data/demo.db")
    shutil.copy(demo, tmp_path / "data" / "satukanal.db")
    assert satukanal("search", "kediri", cwd=tmp_path).returncode == 0


def test_snippets_from_the_stored_stems_are_those_of_the_stemmer(demo: Path) -> None:
    from satukanal_crawler.commands.search import compile_query, snippet

    query = compile_query("kebakaran resmikan pasar")
    conn = sqlite3.connect(demo)
    try:
        rows = conn.execute("SELECT a.body_text, s.body_text FROM articles a "
                            "JOIN articles_fts_stemmed s ON s.rowid = a.id").fetchall()  # fmt: skip
    finally:
        conn.close()
    assert len(rows) == 14
    marked = 0
    for body, stems in rows:
        assert snippet(body, query.matches, stems=stems.split()) == snippet(body, query.matches)
        marked += "**" in snippet(body, query.matches)
    assert marked >= 3
