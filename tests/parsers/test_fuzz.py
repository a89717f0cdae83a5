"""No input makes the parser raise: random bytes, random markup, and mutated real pages."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satukanal_crawler.parsers import FIELDS, parse_article
from tests.helpers import ORIGIN, article_paths, portal_html

PAGES = [portal_html(p) for p in article_paths() if "?" not in p]
URL = ORIGIN + "/fuzz/"
TAGS = ["p", "div", "h1", "a", "strong", "em", "br", "script", "article", "time", "meta", "ul", "li", "blockquote"]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(result: dict | None) -> None:
    if result is not None:
        assert tuple(result) == FIELDS
        assert isinstance(result["body_text"], str)
        assert isinstance(result["baca_juga"], list)


@FUZZ
@given(st.binary(max_size=4096), st.booleans())
def test_random_bytes(data: bytes, assume: bool) -> None:
    check(parse_article(data, URL, assume_article=assume))


@FUZZ
@given(st.text(max_size=2000), st.booleans())
def test_random_text(text: str, assume: bool) -> None:
    check(parse_article(text, URL, assume_article=assume))


markup = st.recursive(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    lambda children: st.builds(
        lambda tag, attrs, inner: f"<{tag} {attrs}>{''.join(inner)}</{tag}>",
        st.sampled_from(TAGS),
        st.sampled_from(
            [
                "",
                'class="entry-content"',
                'class="baca-juga"',
                'rel="category tag" href="/c/"',
                'href="/x/"',
                'datetime="2021-04-08T07:35:12+00:00"',
                'property="article:published_time" content="2021-13-99"',
                'class="single-post postid-12"',
            ]
        ),
        st.lists(children, max_size=5),
    ),
    max_leaves=40,
)


@FUZZ
@given(markup, st.booleans())
def test_random_markup(html: str, assume: bool) -> None:
    check(parse_article(html, URL, assume_article=assume))


@FUZZ
@given(
    st.sampled_from(PAGES),
    st.lists(st.tuples(st.floats(0, 1), st.integers(1, 400), st.binary(max_size=30)), min_size=1, max_size=6),
)
def test_mutated_real_pages(page: bytes, edits: list[tuple[float, int, bytes]]) -> None:
    """Truncations, deletions and garbage splices of real article pages (broken tags, cut bodies)."""
    data = bytearray(page)
    for position, length, garbage in edits:
        at = int(position * len(data))
        data[at : at + length] = garbage
    check(parse_article(bytes(data), URL))
    check(parse_article(bytes(data), URL, assume_article=True))


@FUZZ
@given(st.sampled_from(PAGES), st.floats(0, 1))
def test_truncated_real_pages_still_parse_what_is_there(page: bytes, fraction: float) -> None:
    cut = page[: int(len(page) * fraction)]
    check(parse_article(cut, URL, assume_article=True))


def test_urls_no_parser_accepts_do_not_raise() -> None:
    """Found by the mutation fuzzer: a canonical link with a stray '[' in its host."""
    page = PAGES[0].replace(b'<link rel="canonical" href="https://', b'<link rel="canonical" href="https://[', 1)
    page = page.replace(b'href="https://satukanal.com/', b'href="https://[satukanal.com/', 5)
    record = parse_article(page, URL)
    check(record)
    assert record is not None and record["url"] != ""
