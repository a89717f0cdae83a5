"""`satukanal export`: one record per article with arrays and provenance, the same in CSV, JSON lines and Parquet."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from satukanal_crawler.commands import export as export_module
from satukanal_crawler.commands.export import ARTICLE_COLUMNS, LINK_COLUMNS
from satukanal_crawler.commands.reading import reading
from satukanal_crawler.parsers import FIELDS
from tests.cli import satukanal
from tests.helpers import expected_record


def run(db: Path, *args: str) -> str:
    result = satukanal("export", "--db", str(db), *args, cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


def jsonl(db: Path, *args: str) -> list[dict]:
    return [json.loads(line) for line in run(db, "--format", "jsonl", *args).splitlines()]


def from_csv(text: str, columns: dict) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = []
    for row in rows:
        record = {}
        for name, (_, kind) in columns.items():
            value = row[name]
            if kind in ("list", "links"):
                record[name] = json.loads(value)
            elif kind == "int":
                record[name] = int(value) if value != "" else None
            else:
                record[name] = value if value != "" else None
        out.append(record)
    return out


def query(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_one_record_per_article_with_the_contract_fields_first(demo: Path) -> None:
    records = jsonl(demo)
    assert len(records) == 14 == query(demo, "SELECT count(*) FROM articles")[0][0]
    assert [r["published_at"] for r in records] == sorted(r["published_at"] for r in records)
    for record in records:
        assert list(record) == list(ARTICLE_COLUMNS) and list(record)[: len(FIELDS)] == list(FIELDS)
        expected = expected_record("/" + record["url"].split("/", 3)[3])
        assert expected is not None
        for name in ("title", "dateline", "published_at", "reporter", "editor", "body_text", "wp_post_id"):
            assert record[name] == expected[name], name
        assert sorted(record["categories"]) == sorted(expected["categories"]) == record["categories"]
        assert sorted(record["tags"]) == sorted(expected["tags"])
        assert [link["title"] for link in record["baca_juga"]] == [link["title"] for link in expected["baca_juga"]]


def test_provenance(demo: Path) -> None:
    records = {r["id"]: r for r in jsonl(demo)}
    [(run_id,)] = query(demo, "SELECT id FROM crawl_runs")
    for article_id, url, first, last, fetched, digest in query(
        demo, "SELECT id, url, first_seen_at, last_seen_at, fetched_at, content_hash FROM articles"
    ):
        record = records[article_id]
        assert (record["url"], record["first_seen_at"], record["last_seen_at"], record["fetched_at"],
                record["content_hash"]) == (url, first, last, fetched, digest)  # fmt: skip
        assert record["run_id"] == run_id and record["revisions"] == 0
        assert record["aliases"] == sorted(u for (u,) in query(demo, "SELECT url FROM aliases WHERE article_id = ?",
                                                                   article_id))  # fmt: skip
    assert any("?p=" in alias for record in records.values() for alias in record["aliases"])


def test_revisions_are_counted(edited: Path) -> None:
    counts = {r["url"].rstrip("/").rsplit("/", 1)[-1][:3]: r["revisions"] for r in jsonl(edited)}
    assert counts == {"bkd": 2, "har": 0}


def test_csv_and_parquet_hold_the_same_records(demo: Path, tmp_path: Path) -> None:
    records = jsonl(demo)
    assert from_csv(run(demo, "--format", "csv"), ARTICLE_COLUMNS) == records
    out = tmp_path / "articles.parquet"
    result = satukanal("export", "--db", str(demo), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == f"satukanal: exported 14 articles to {out}\n"
    table = pq.read_table(out)
    assert table.num_rows == 14 and str(table.schema.field("baca_juga").type) == \
        "list<element: struct<url: string, title: string>>"  # fmt: skip
    assert table.to_pylist() == records
    assert [p.name for p in tmp_path.iterdir()] == ["articles.parquet"]  # no partial file left


def test_filters_select_the_same_articles_as_search(demo: Path) -> None:
    peristiwa = jsonl(demo, "--channel", "Peristiwa")
    assert peristiwa and all("Peristiwa" in r["categories"] for r in peristiwa)
    assert len(peristiwa) == query(demo, "SELECT count(*) FROM articles_categories ac JOIN categories c "
                                         "ON c.id = ac.categories_id WHERE c.name = 'Peristiwa'")[0][0]  # fmt: skip
    april = jsonl(demo, "--since", "2021-04-01", "--until", "2021-04-30")
    assert april and {r["published_at"][:7] for r in april} == {"2021-04"}
    assert jsonl(demo, "--site", "satukanal.com") == []


def test_links_edge_list(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    result = satukanal("export", "--db", str(demo), "--links", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    edges = from_csv(out.read_text(encoding="utf-8"), LINK_COLUMNS)
    assert len(edges) == query(demo, "SELECT count(*) FROM baca_juga")[0][0] > 5
    titles = dict(query(demo, "SELECT id, title FROM articles"))
    resolved = [e for e in edges if e["target_id"] is not None]
    assert resolved and all(e["target_title"] == titles[e["target_id"]] for e in resolved)
    assert pq.read_table(_parquet_links(demo, tmp_path)).to_pylist() == edges


def _parquet_links(demo: Path, tmp_path: Path) -> Path:
    out = tmp_path / "links.parquet"
    assert satukanal("export", "--db", str(demo), "--links", "--out", str(out), cwd=tmp_path).returncode == 0
    return out


def test_batches_stream_the_same_records(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = argparse.Namespace(since=None, until=None, channel=[], reporter=None, site=None, links=False,
                              format="jsonl")  # fmt: skip
    outputs = []
    for size in (2_000, 3):
        monkeypatch.setattr(export_module, "BATCH", size)
        buffer = io.BytesIO()
        with reading(demo) as conn:
            assert export_module.export(conn, args, buffer) == 14
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == 14


def test_usage_errors(demo: Path, tmp_path: Path) -> None:
    for args, needle in ((("--out", str(tmp_path / "a.txt")), "--format"),
                         (("--out", str(tmp_path / "none" / "a.csv")), "no folder"),
                         (("--format", "xml"), "invalid choice")):  # fmt: skip
        result = satukanal("export", "--db", str(demo), *args, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
