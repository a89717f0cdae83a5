"""Text that attacks the operator: terminal escape sequences in a page never reach the archive's text
columns, and `satukanal status` never prints one raw, wherever it came from."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.normalize import _body, _line, normalise, strip_controls
from satukanal_crawler.mirror.replay import ReplayServer
from satukanal_crawler.terminal import safe
from tests.helpers import expected_record, manifest, portal_html
from tests.hostile.mirrors import crawl, portal_with
from tests.pipelines.conftest import BKD, article

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home
LINK = "\x1b]8;;http://jahat.example/\x1b\\"  # OSC 8: what follows is a hyperlink to another site
LINK_END = "\x1b]8;;\x1b\\"


def test_escape_sequences_and_controls_are_stripped_keeping_paragraphs() -> None:
    item = article(BKD)
    title = item.title
    item.title = f"{CLEAR}{LINK}{title}{LINK_END}\x07"
    item.categories = [f"\x1b[31m{item.categories[0]}\x1b[0m", *item.categories[1:]]
    item.reporter = "Yuli\x08\x08\x08\x08Admin Astutik"
    first, rest = item.body_text.split("\n\n", 1)
    item.body_text = f"{first}\x1b]0;judul jendela\x07\x00\n\n\x9b31m{rest}"
    assert normalise(item)
    assert item.title == title
    assert item.categories == article(BKD).categories
    assert item.reporter == "YuliAdmin Astutik"
    assert item.body_text == article(BKD).body_text, "paragraph breaks stay, controls go"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\x1b", "[", "]", "\\", "\x07", "\x08", "\x9b", "\x00",
                                         "8", ";", "m", "\x85", "\t"]), max_size=60))  # fmt: skip
def test_no_control_survives_normalisation(text: str) -> None:
    assert CONTROL.search(_line(text) or "") is None
    body = _body(text)
    assert CONTROL.search(body.replace("\n\n", " ")) is None and _body(body) == body
    assert strip_controls(strip_controls(text)) == strip_controls(text)


def test_a_crawled_page_with_escape_sequences_is_stored_clean(tmp_path: Path) -> None:
    path = f"/{BKD}/"
    title = expected_record(path)["title"]
    html = portal_html(path).replace(title.encode(), f"{CLEAR}{LINK}{title}{LINK_END}\x08".encode())
    root = portal_with(tmp_path, {path: (200, manifest()[path]["content_type"], html)})
    with ReplayServer(root) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(tmp_path / "a.db")
    try:
        stored = conn.execute("SELECT title FROM articles WHERE url LIKE ?", (f"%{path}",)).fetchone()[0]
        columns = [("articles", "title"), ("articles", "body_text"), ("articles", "reporter"), ("categories", "name"),
                   ("tags", "name")]  # fmt: skip
        texts = [v for table, column in columns for (v,) in conn.execute(f"SELECT {column} FROM {table}") if v]
    finally:
        conn.close()
    assert stored == title
    assert not [t for t in texts if CONTROL.search(t.replace("\n\n", " "))]


def test_status_never_prints_raw_control_characters(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ReplayServer() as mirror:
        assert crawl(db, mirror.base_url).returncode == 0
    conn = sqlite3.connect(db)  # what an older crawler (or another program) may have stored
    with conn:
        conn.execute("UPDATE categories SET name = ? WHERE id = (SELECT min(id) FROM categories)",
                     (f"{CLEAR}Berita\x1b[8m tersembunyi",))  # fmt: skip
        conn.execute("INSERT INTO url_state (url, kind, error, attempts) VALUES (?, 'failed', ?, 1)",
                     ("http://127.0.0.1:9/x/", f"{LINK}HTTP 500{LINK_END}\rOK\u202e"))  # fmt: skip
    conn.close()
    result = subprocess.run([sys.executable, "-m", "satukanal_crawler", "status", "--db", str(db)],
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", result.stdout)
    assert "\\x1b[2J\\x1b[HBerita\\x1b[8m tersembunyi" in result.stdout  # shown, escaped
    assert "\\rOK\\u202e" in result.stdout


def test_safe_keeps_printable_text_and_escapes_the_rest() -> None:
    assert safe("Pemkab Kediri – Pare, Rp 90.000 ✓") == "Pemkab Kediri – Pare, Rp 90.000 ✓"
    assert safe("a\x1b[31mb\nc\u202ed") == "a\\x1b[31mb\\nc\\u202ed"
