"""Stage 2: the same text or link never differs by invisible bytes between runs."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.normalize import NormalizationPipeline, _body, _line, normal_hash_and_words, normalise
from satukanal_crawler.archive.store import content_hash
from tests.helpers import ORIGIN
from tests.pipelines.conftest import BKD, Chain, article


def test_text_is_nfc_with_single_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Café  Kediri")  # "e" + combining acute, two spaces
    item = article(BKD, title=f"  {decomposed}\u00a0 \t", reporter=" Yuli\u00a0 Astutik\n", editor="  ", dateline=None)
    item.categories = [" Straight\u00a0News", "Straight News", ""]
    item.tags = [unicodedata.normalize("NFD", "Pemerintahan Daérah"), "Pemerintahan Daérah"]
    item.baca_juga = [{"url": f"  {ORIGIN}/x/ ", "title": " Judul\n  berita "}]
    assert normalise(item)
    assert item.title == "Café Kediri" and unicodedata.is_normalized("NFC", item.title)
    assert item.reporter == "Yuli Astutik"
    assert item.editor is None  # whitespace only is no value
    assert item.dateline is None
    assert item.categories == ["Straight News"]
    assert item.tags == ["Pemerintahan Daérah"]
    assert item.baca_juga == [{"url": f"{ORIGIN}/x/", "title": "Judul berita"}]


def test_paragraphs_keep_one_blank_line_and_lose_empty_ones() -> None:
    item = article(BKD, body_text="\n  Paragraf  satu.\r\n\n\n\n \n\nParagraf\tdua.  \n\n")
    normalise(item)
    assert item.body_text == "Paragraf satu.\n\nParagraf dua."


def test_the_url_is_canonical_and_aliases_exclude_it() -> None:
    item = article(BKD)
    canonical = item.url
    item.url = canonical.replace("https://satukanal.com", "HTTPS://SATUKANAL.COM") + "?utm_source=fb#komentar"
    item.aliases = [canonical + "amp/", canonical + "?fbclid=abc", f"{ORIGIN}/?p=2263", f"{ORIGIN}/?p=2263"]
    normalise(item)
    assert item.url == canonical
    assert item.aliases == [f"{ORIGIN}/?p=2263"]  # the AMP twin and the tracking URL are the article itself


def test_content_hash_is_set_and_blind_to_whitespace() -> None:
    a, b = article(BKD), article(BKD)
    b.title = b.title.replace(" ", "  ")
    b.body_text = b.body_text.replace("\n\n", "\n\n\n")
    normalise(a)
    normalise(b)
    assert a.content_hash == b.content_hash == content_hash(a.title, a.body_text)


def test_words_are_counted_as_wc_counts_them(chain: Chain) -> None:
    item = chain.push(article(BKD, body_text="Harga Rp 90.000  di Kediri–Pare.\n\n\nDua\u00a0kata."))
    assert item.word_count == 7
    assert chain.query("SELECT word_count FROM articles WHERE url = ?", item.url) == [(7,)]


def test_an_already_normal_item_is_not_counted(chain: Chain) -> None:
    item = article(BKD)
    assert chain.stage(NormalizationPipeline).process_item(item) is item
    assert "normalized" not in chain.stats()
    item.title += " "
    chain.stage(NormalizationPipeline).process_item(item)
    assert chain.stats()["normalized"] == 1


# The fast paths (text checked, not rebuilt, when it is already normal) give what the plain definition gives.
WHITESPACE = [*" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000", "\n\n", "\n\n\n", "  "]
WORDS = st.sampled_from(["a", "kata", "é", "e\u0301", "Å", "ﬁ", "Rp.", "2,4"])
PARAGRAPH = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


@st.composite
def texts(draw) -> str:
    """Normal text with at most two stray whitespace pieces: the inputs where a fast path could go wrong."""
    text = "\n\n".join(draw(st.lists(PARAGRAPH, max_size=4)))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(WHITESPACE)) + text[at:]
    return text


TEXT = texts()


def reference_line(value: str) -> str | None:
    return " ".join(unicodedata.normalize("NFC", value).split()) or None


def reference_body(text: str) -> str:
    paragraphs = (reference_line(p) for p in unicodedata.normalize("NFC", text).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


@settings(max_examples=500, deadline=None)
@given(TEXT)
@example("a\nb")
@example(" a")
@example("a ")
@example("a\tb")
@example("a  b")
@example("")
@example("a\u00a0b")
@example("e\u0301")
def test_line_fast_path_is_exact(text: str) -> None:
    assert _line(text) == reference_line(text)


@settings(max_examples=1000, deadline=None)
@given(TEXT)
@example("a\nb")
@example("a\n\n b")
@example("a \n\nb")
@example("a\n\n\nb")
@example(" a")
@example("a ")
@example("a\tb")
@example("a  b")
@example("\n\na")
@example("a\n\n")
@example("a\u00a0b")
@example("e\u0301")
def test_body_fast_path_is_exact(text: str) -> None:
    assert _body(text) == reference_body(text)
    assert _body(_body(text)) == _body(text)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_the_normal_content_hash_and_word_count_are_the_archives(title: str, body: str) -> None:
    title, body = _line(title) or "", _body(body)
    assert normal_hash_and_words(title, body) == (content_hash(title, body), len(body.split()))


# Pieces of text, a combining accent among them (NFC), and every kind of whitespace.
LINE_TEXT = st.lists(st.sampled_from(["a", "B", "é", "e\u0301", " ", "\t", "\n", "\xa0", "\u2009", "-"]),
                     max_size=8).map("".join)  # fmt: skip


@given(title=LINE_TEXT, reporter=st.none() | LINE_TEXT, categories=st.lists(LINE_TEXT, max_size=3),
       tags=st.lists(LINE_TEXT, max_size=3), link_titles=st.lists(LINE_TEXT, max_size=3))  # fmt: skip
@settings(max_examples=300, deadline=None)
@example(title="Judul", reporter="Andi", categories=["Kediri", "Kediri"], tags=[], link_titles=[])
@example(title="Judul", reporter="", categories=[], tags=[], link_titles=["x "])
def test_every_line_is_normalised_as_line_says_whatever_path_it_takes(
    title: str, reporter: str | None, categories: list[str], tags: list[str], link_titles: list[str]
) -> None:
    item = article(BKD)
    item.title, item.reporter, item.categories, item.tags = title, reporter, categories, tags
    item.baca_juga = [{"url": f" {ORIGIN}/x-{n}/", "title": t} for n, t in enumerate(link_titles)]
    normalise(item)
    assert item.title == (_line(title) or "")
    assert item.reporter == _line(reporter)
    assert item.categories == list(dict.fromkeys(filter(None, map(_line, categories))))
    assert item.tags == list(dict.fromkeys(filter(None, map(_line, tags))))
    assert item.baca_juga == [{"url": f"{ORIGIN}/x-{n}/", "title": _line(t) or ""} for n, t in enumerate(link_titles)]
    assert item.content_hash == content_hash(item.title, item.body_text)
