"""`satukanal report`: a self-contained HTML file whose charts render, each with the numbers behind it."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.analysts.browser import colourful_rows, needs_chromium, rendered_dom, screenshot
from tests.cli import satukanal

CHARTS = ("channels", "weekday", "hour", "reporters", "editors", "datelines", "links", "channel-links", "edits",
          "runs")  # fmt: skip
SECTIONS = (*CHARTS[:-1], "edited", CHARTS[-1])  # the list of edited articles has no chart


class Tables(HTMLParser):
    """The numbers tables of a report: id -> rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class") == "numbers":
            self.current = attrs["id"].removeprefix("numbers-")
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current:
            self.cell = []

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.tables[self.current][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "table":
            self.current = None


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture(scope="module")
def report(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = satukanal("report", "--db", str(demo), "--out", str(out), cwd=out.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"satukanal: wrote {len(CHARTS)} charts about 14 articles to {out}")
    return out


def test_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert re.findall(r"<(?:script|link|img|iframe)\b", html) == []
    assert re.findall(r"\b(?:src|href)\s*=", html) == [] and "url(" not in html and "@import" not in html
    assert html.count("<svg") == len(CHARTS)


def test_every_chart_has_its_numbers(report: Path, demo: Path) -> None:
    numbers = tables(report.read_text(encoding="utf-8"))
    assert list(numbers) == list(SECTIONS)
    conn = sqlite3.connect(demo)
    try:
        per_channel = dict(conn.execute("SELECT c.name, count(*) FROM categories c JOIN articles_categories ac "
                                        "ON ac.categories_id = c.id GROUP BY c.id").fetchall())  # fmt: skip
        reporters = conn.execute("SELECT reporter, count(*) FROM articles WHERE reporter IS NOT NULL GROUP BY 1 "
                                 "ORDER BY 2 DESC, 1").fetchall()  # fmt: skip
        links = dict(conn.execute("SELECT t.title, count(*) FROM baca_juga b JOIN articles t "
                                  "ON t.id = b.target_article_id GROUP BY t.id").fetchall())  # fmt: skip
    finally:
        conn.close()
    header, *months = numbers["channels"]
    assert header[0] == "month" and [m[0] for m in months] == ["2021-02", "2021-03", "2021-04", "2021-05"]
    for column, name in enumerate(header[1:], 1):
        assert sum(int(m[column]) for m in months) == per_channel[name]
    assert sum(int(row[1]) for row in numbers["weekday"][1:]) == 14
    assert sum(int(row[1]) for row in numbers["hour"][1:]) == 14 and len(numbers["hour"]) == 25
    assert [(row[0], int(row[1])) for row in numbers["reporters"][1:]] == reporters
    assert {row[0]: int(row[2]) for row in numbers["links"][1:]} == links
    assert numbers["edits"][1] == ["(nothing in this archive)"]  # the demo's articles were fetched once
    assert numbers["edited"][1] == ["(nothing in this archive)"]
    conn = sqlite3.connect(demo)
    try:
        between = conn.execute(
            "SELECT count(*) FROM link_graph g JOIN articles_categories s ON s.articles_id = "
            "g.source_id JOIN articles_categories t ON t.articles_id = g.target_id"
        ).fetchone()[0]
    finally:
        conn.close()
    assert sum(int(v) for row in numbers["channel-links"][1:] for v in row[1:]) == between > 0
    [run] = numbers["runs"][1:]
    assert run[0] == "1" and int(run[2]) > 14 and run[3] == "14" and run[6] == "ok"


def test_filters(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "april.html"
    result = satukanal("report", "--db", str(demo), "--since", "2021-04-01", "--until", "2021-04-30",
                       "--out", str(out), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    numbers = tables(out.read_text(encoding="utf-8"))
    assert [m[0] for m in numbers["channels"][1:]] == ["2021-04"]
    assert "(since 2021-04-01, until 2021-04-30)" in out.read_text(encoding="utf-8")
    bad = satukanal("report", "--db", str(demo), "--out", str(tmp_path / "no" / "r.html"), cwd=tmp_path)
    assert bad.returncode == 2 and "no folder" in bad.stderr


def test_edits_are_counted_and_listed(edited: Path, tmp_path: Path) -> None:
    out = tmp_path / "edits.html"
    assert satukanal("report", "--db", str(edited), "--out", str(out), cwd=tmp_path).returncode == 0
    numbers = tables(out.read_text(encoding="utf-8"))
    assert numbers["edits"][0] == ["month", "refetch"] and sum(int(row[1]) for row in numbers["edits"][1:]) == 2
    [bkd] = numbers["edited"][1:]
    assert bkd[0] == "BKD Kab. Kediri Siapkan 894 Usulan Guru PPPK 2021" and bkd[2] == "3" and bkd[4] == "refetch"


@needs_chromium
def test_the_charts_render_in_a_browser(report: Path) -> None:
    dom = rendered_dom(report.as_uri())
    assert dom.count("<svg") == len(CHARTS) and dom.count('class="numbers"') == len(SECTIONS)
    drawn = [key for key, rows in tables(report.read_text(encoding="utf-8")).items()
             if key in CHARTS and rows[1:] and rows[1] != ["(nothing in this archive)"]]  # fmt: skip
    _, _, rows = screenshot(report.as_uri())
    ys = colourful_rows(rows)
    assert ys and ys[-1] < len(rows) - 200, "the screenshot does not reach the end of the page"
    clusters = 0
    for previous, y in zip([-1000, *ys], ys, strict=False):
        clusters += y - previous > 60  # a chart's bars and legend are closer together than two charts
    assert clusters == len(drawn), (clusters, drawn)
