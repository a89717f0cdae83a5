"""No text makes the parser's work grow faster than its length (issue #17: one page stalled a crawl).

Every regular expression of the parser and of the date normaliser is found by walking the modules, so a
pattern added later is checked too. Each one gets adversarial strings: a prefix that lets the pattern
reach its repeated parts (a date, a byline label, an outlet, a boilerplate label), then tens of thousands
of characters of separators, spaces and dots, then a character that makes the match fail and backtrack.
A linear pattern finishes in milliseconds; the patterns this replaced took minutes (exponential) or tens
of seconds (quadratic) on the same strings. Calls run in a child process so that a regression fails the
test after its time budget instead of hanging the suite; the budget is many times the linear cost
(about 0.2 s for a whole page, 5 s allowed; the old patterns took minutes).
"""

from __future__ import annotations

import importlib
import multiprocessing
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from satukanal_crawler.parsers import FIELDS

MODULES = (
    "satukanal_crawler.dates",
    "satukanal_crawler.parsers.article",
    "satukanal_crawler.parsers.blocks",
    "satukanal_crawler.parsers.content",
    "satukanal_crawler.parsers.document",
    "satukanal_crawler.parsers.linked_data",
    "satukanal_crawler.parsers.listing",
    "satukanal_crawler.parsers.patterns",
    "satukanal_crawler.parsers.text",
)
BUDGET = 5.0  # seconds per call in the child; linear work on these strings takes under 0.3 s
LENGTH = 40_000  # characters of the repeated part

# Prefixes that take each pattern to its repeated parts.
PREFIXES = [
    "",
    "Kamis, 8 April 2021",
    "8 Agu 2021 14:05",
    "09/04/2021",
    "2021-04-08",
    "2021-04-08T07:35:12",
    "Reporter: Rina",
    "Editor : Dr. H. Sukoco",
    "Pewarta\u00a0",
    "KEDIRI",
    "KAB. KEDIRI",
    "SATUKANAL.com, ",
    "satukanal",
    "a.b.c",
    "Halaman",
    "tags",
    "Baca Juga",
    "Berita Terkait",
    "oleh",
    "related",
    "widget_",
    "post-",
    "//",
    "]]>",
    ",",
]
# Characters the patterns repeat, alone or mixed.
UNIT_CHARS = " \u00a0\t-–—|,.:;/·•_()[]aA1\u2028"
ENDINGS = ["!", "x", "", "\u00e9", "1", "\n"]


def _patterns() -> dict[str, re.Pattern[str]]:
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[f"{name.rsplit('.', 1)[-1]}.{attr}"] = value
    return found


PATTERNS = _patterns()


def _run_pattern(name: str, text: str) -> float:
    pattern = PATTERNS[name]
    start = time.process_time()
    pattern.search(text)
    pattern.match(text)
    for _ in zip(range(50), pattern.finditer(text), strict=False):
        pass
    return time.process_time() - start


def _run_call(target: str, text: str) -> Any:
    module, _, func = target.rpartition(".")
    return getattr(importlib.import_module(module), func)(text)


def _warm_up() -> None:
    import htmldate  # noqa: F401
    import trafilatura  # noqa: F401

    _run_page(_page("lead", "Kamis, 8 April 2021"), True)


def _run_page(html: str, assume: bool) -> dict | None:
    from satukanal_crawler.parsers import parse_article

    return parse_article(html, "https://satukanal.com/uji/", assume_article=assume)


class Child:
    """One worker process; a call over budget kills it (a regex cannot be interrupted) and fails."""

    def __init__(self) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.pool = self.ctx.Pool(1)

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        result = self.pool.apply_async(fn, args)
        try:
            return result.get(timeout=BUDGET)
        except multiprocessing.TimeoutError:
            self.pool.terminate()
            self.pool = self.ctx.Pool(1)
            pytest.fail(f"{fn.__name__}{tuple(repr(a)[:80] for a in args)} took over {BUDGET} s")

    def close(self) -> None:
        self.pool.terminate()


@pytest.fixture(scope="module")
def child() -> Iterator[Child]:
    worker = Child()
    worker.pool.apply(_warm_up)  # imports (trafilatura, htmldate: seconds on a busy machine) outside the budget
    yield worker
    worker.close()


# Hypothesis draws the parts, the test builds the long string: a 40 kB example would cost hypothesis an
# "overly large repr" warning (an error under the suite's -W error) each time it reports one.
adversarial = st.tuples(
    st.sampled_from(PREFIXES),
    st.text(alphabet=UNIT_CHARS, min_size=1, max_size=4),
    st.sampled_from(ENDINGS),
)


def long_text(parts: tuple[str, str, str]) -> str:
    prefix, unit, ending = parts
    return prefix + unit * (LENGTH // len(unit)) + ending


BOUNDED = settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a slow example is reported as found, not shrunk for minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_every_pattern_is_checked() -> None:
    """The walk finds the patterns #17 named (a rename must not silently drop them from the check)."""
    assert {"dates._TEXT_DATE", "dates._NUM_DATE", "dates._ISO", "article._BOILERPLATE", "patterns._NAME_END"} <= set(
        PATTERNS
    )


@BOUNDED
@given(name=st.sampled_from(sorted(PATTERNS)), text=adversarial)
def test_no_pattern_backtracks_on_long_runs(child: Child, name: str, text: tuple[str, str, str]) -> None:
    child.call(_run_pattern, name, long_text(text))


@pytest.mark.parametrize(
    "text",
    [
        # The inputs of #17, each of which took over 60 s before.
        "Kamis, 8 April 2021" + " - " * 15_000 + "x",
        "Kamis, 8 April 2021" + " | " * 15_000 + "x",
        "09/04/2021" + " , " * 15_000 + "x",
        "Halaman" + " ." * 20_000 + "x",
        "tags" + " " * 40_000 + "x",
        "Reporter: Rina" + " " * 40_000 + "x",
        "2021-04-08T07:35:12" + " " * 40_000 + "x",
    ],
    ids=["dashes", "pipes", "commas", "dots", "tag-label", "byline-spaces", "iso-spaces"],
)
def test_reported_inputs_finish(child: Child, text: str) -> None:
    for name in PATTERNS:
        child.call(_run_pattern, name, text)


ENTRY_POINTS = [
    "satukanal_crawler.dates.parse_iso",
    "satukanal_crawler.dates.parse_w3c",
    "satukanal_crawler.dates.parse_rfc822",
    "satukanal_crawler.dates.parse_visible_date",
    "satukanal_crawler.parsers.patterns.split_dateline",
    "satukanal_crawler.parsers.patterns.parse_byline_block",
    "satukanal_crawler.parsers.patterns.find_bylines",
    "satukanal_crawler.parsers.text.clean",
]


@BOUNDED
@given(target=st.sampled_from(ENTRY_POINTS), text=adversarial)
def test_text_functions_are_bounded(child: Child, target: str, text: tuple[str, str, str]) -> None:
    child.call(_run_call, target, long_text(text))


def _page(slot: str, text: str) -> str:
    """An article page with the adversarial text in one of the places the parser reads text from."""
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    parts = {
        "lead": f"<p>{esc}</p>",
        "byline": f"<p><strong>{esc}</strong><br>Editor: Rina</p>",
        "meta": "",
        "label": f"<div class='baca-juga'>{esc}<a href='/x/'>Judul</a></div>",
    }
    meta = f"<div class='entry-meta'><span class='posted-on'>{esc}</span></div>" if slot == "meta" else ""
    time_el = f"<time datetime='{esc}'>{esc}</time>" if slot == "time" else ""
    jsonld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"' + esc + '"}</script>'
        if slot == "jsonld"
        else ""
    )
    klass = esc if slot == "class" else "entry-content"
    return (
        f"<html><head><meta property='og:type' content='article'>{jsonld}"
        f"<meta property='article:published_time' content='{esc if slot == 'meta-tag' else ''}'></head>"
        f"<body class='single-post postid-7'><article><h1>Judul</h1>{meta}{time_el}"
        f"<div class='{klass}'><p>KEDIRI – Warga berkumpul.</p>{parts.get(slot, '')}</div></article></body></html>"
    )


@BOUNDED
@given(
    slot=st.sampled_from(["lead", "byline", "meta", "label", "time", "jsonld", "class", "meta-tag"]),
    text=adversarial,
    assume=st.booleans(),
)
def test_parse_article_is_bounded_and_never_raises(
    child: Child, slot: str, text: tuple[str, str, str], assume: bool
) -> None:
    record = child.call(_run_page, _page(slot, long_text(text)), assume)
    assert record is None or tuple(record) == FIELDS
