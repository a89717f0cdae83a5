"""`satukanal show`, `history` and `page`: one article found by id or any of its URLs."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from satukanal_crawler.commands.history import word_diff
from satukanal_crawler.commands.show import _day
from tests.cli import satukanal
from tests.pipelines.conftest import BKD


def run(db: Path, *args: str):
    return satukanal(*args, "--db", str(db), cwd=db.parent)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_show_finds_an_article_by_id_url_or_alias(demo: Path) -> None:
    [(article_id, url)] = rows(demo, "SELECT id, url FROM articles WHERE title LIKE 'Kebakaran Gudang%'")
    aliases = [u for (u,) in rows(demo, "SELECT url FROM aliases WHERE article_id = ?", article_id)]
    assert aliases
    tracking = url + "?utm_source=facebook&fbclid=abc"
    outputs = {run(demo, "show", ref).stdout for ref in (str(article_id), url, aliases[0], tracking)}
    assert len(outputs) == 1
    [text] = outputs
    assert text.startswith("Kebakaran Gudang Mebel di Kota Kediri, Kerugian Ditaksir Ratusan Juta\n")
    assert "channels:  Peristiwa, Straight News" in text and "reporter:  Fajar Nugroho" in text
    assert "Baca Juga:\n  Pesilat Tulungagung" in text
    [(fetched,)] = rows(demo, "SELECT fetched_at FROM articles WHERE id = ?", article_id)
    cite = text.strip().splitlines()[-1]
    title = "Kebakaran Gudang Mebel di Kota Kediri, Kerugian Ditaksir Ratusan Juta"
    host = url.split("/")[2]  # the demo mirror's host and port (8765, or any free port when that one is taken)
    assert cite.startswith(f'cite: Fajar Nugroho. "{title}". {host}, 1 May 2021. {url} (archived ')
    assert cite.endswith(f" (archived {_day(fetched)}).")


def test_show_json_is_the_export_record(demo: Path) -> None:
    shown = json.loads(run(demo, "show", "1", "--format", "json").stdout)
    exported = [json.loads(line) for line in run(demo, "export", "--format", "jsonl").stdout.splitlines()]
    assert shown == next(record for record in exported if record["id"] == 1)


@pytest.mark.parametrize("ref", ["999", "https://satukanal.com/no-such-article/"])
def test_an_unknown_article_is_a_usage_error(demo: Path, ref: str) -> None:
    for command in ("show", "history", "page"):
        result = run(demo, command, ref)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no article" in result.stderr


def test_history_shows_each_version_with_a_word_diff_and_its_cause(edited: Path) -> None:
    result = run(edited, "history", BKD.join(["https://satukanal.com/", "/"]))  # the canonical URL
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "3 versions (oldest first)" in text
    blocks = text.split("\n\nversion ")[1:]
    assert blocks[0].startswith("1, fetched") and "(as first archived)" in blocks[0]
    assert "refetch (a crawl fetched the page again and it had changed)" in blocks[1]
    assert "title: BKD [-Kabupaten-] {+Kab.+} [-Kediri,-] {+Kediri+} Siapkan 893" in blocks[1]
    assert "{+Usulan itu diresmikan bupati pekan depan.+}" in blocks[1]
    assert "title: BKD Kab. Kediri Siapkan [-893-] {+894+} Usulan" in blocks[2]
    assert "[-893-] {+894+}" in blocks[2].split("body_text: ")[1]
    assert "categories" not in text  # unchanged fields are not listed
    data = json.loads(run(edited, "history", "1", "--format", "json").stdout)
    assert [v["version"] for v in data["versions"]] == [1, 2, 3]
    assert data["versions"][1]["changed"] == ["title", "body_text"] and data["versions"][2]["cause"] == "refetch"
    assert data["versions"][2]["fields"]["title"] == "BKD Kab. Kediri Siapkan 894 Usulan Guru PPPK 2021"


def test_history_of_an_article_never_edited(demo: Path) -> None:
    text = run(demo, "history", "1").stdout
    assert "1 version (oldest first)" in text and "(as first archived)" in text


def test_citation_dates_are_written_out() -> None:
    assert _day("2021-05-01T06:25:03+07:00") == "1 May 2021"


def test_word_diff_keeps_context_and_cuts_the_rest() -> None:
    old = " ".join(f"w{i}" for i in range(40))
    new = old.replace("w20", "x20")
    assert word_diff(old, new) == "… w14 w15 w16 w17 w18 w19 [-w20-] {+x20+} w21 w22 w23 w24 w25 w26 …"
    assert word_diff("a b", "a b") == "a b"


def test_page_writes_the_stored_bytes(demo: Path, tmp_path: Path) -> None:
    [(article_id, body)] = rows(demo, "SELECT article_id, body FROM pages WHERE page_number = 1 LIMIT 1")
    result = satukanal("page", "--db", str(demo), str(article_id), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.encode() == zlib.decompress(body)
    out = tmp_path / "page.html"
    assert run(demo, "page", str(article_id), "--out", str(out)).returncode == 0
    assert out.read_bytes() == zlib.decompress(body)
    listing = run(demo, "page", str(article_id), "--list").stdout
    assert "version 1: fetched" in listing and "HTTP 200" in listing
    bad = run(demo, "page", str(article_id), "--version", "2")
    assert bad.returncode == 2 and "versions 1 to 1" in bad.stderr


def test_page_versions_oldest_first(edited: Path, tmp_path: Path) -> None:
    [(article_id,)] = rows(edited, "SELECT id FROM articles WHERE url LIKE ?", f"%/{BKD}/")
    bodies = [zlib.decompress(b) for (b,) in rows(edited, "SELECT body FROM pages WHERE article_id = ? ORDER BY id",
                                                  article_id)]  # fmt: skip
    listing = run(edited, "page", str(article_id), "--list").stdout
    assert listing.count("  version ") == len(bodies)
    for number, body in enumerate(bodies, 1):
        out = tmp_path / f"v{number}.html"
        assert run(edited, "page", str(article_id), "--version", str(number), "--out", str(out)).returncode == 0
        assert out.read_bytes() == body
