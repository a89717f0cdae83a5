"""Stage 2: normalisation. Unicode NFC, whitespace, control characters, and URLs through the project's one
canonicaliser, so that the same text or link never differs by invisible bytes between runs, and no page can
store a terminal escape sequence (ANSI colours, OSC 8 links, backspaces) for whoever reads the archive."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pipelines import CrawlerPipeline
from satukanal_crawler.items import ArticleItem
from satukanal_crawler.urls import canonicalize_url

LINE_FIELDS = ("title", "dateline", "reporter", "editor", "author", "summary")
# Whitespace other than a space (a line) or a space and a newline (a body), and C0/C1 control characters.
# Most parsed text is already normal, so checking it first (a character class and a few substring searches,
# all in C) is several times cheaper than rebuilding it.
_ABNORMAL_LINE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f]")
_ABNORMAL_BODY = re.compile(r"[^\S \n]|[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Terminal escape sequences, removed whole so that no parameter text is left behind: CSI (colours, cursor
# moves), OSC (titles, OSC 8 hyperlinks) up to BEL or ST within a line, and two-character escapes; also the
# C1 forms.
_ESCAPE = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]{0,4096}(?:\x07|\x1b\\|\x9c)|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[@-_]?"
)
# Control characters left after that, but not those str.split() counts as whitespace (tab, newline, CR,
# VT, FF, the information separators \x1c-\x1f, NEL): those become spaces or paragraph breaks as whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without terminal escape sequences and C0/C1 control characters (whitespace kept)."""
    if text.isprintable() or _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def _is_normal_line(value: str) -> bool:
    return (
        value != ""
        and value[0] != " "
        and value[-1] != " "
        and "  " not in value
        and (value.isprintable() or _ABNORMAL_LINE.search(value) is None)
        and unicodedata.is_normalized("NFC", value)
    )


def _is_normal_body(text: str) -> bool:
    """Paragraphs of single-spaced text separated by exactly one blank line, in NFC."""
    return text == "" or (
        not text[0].isspace()
        and not text[-1].isspace()
        and "  " not in text
        and " \n" not in text
        and "\n " not in text
        and "\n\n\n" not in text
        and text.count("\n") == 2 * text.count("\n\n")  # no lone newline
        # Every whitespace character but " " is non-printable (so are a few others: they take the slow path).
        and (text.replace("\n", " ").isprintable() or _ABNORMAL_BODY.search(text) is None)
        and unicodedata.is_normalized("NFC", text)
    )


def _all_normal_lines(values: list[str]) -> bool:
    """Whether every value is what `_line` would return for it: most parsed items, checked in one pass
    (values joined by newlines, which no normal line holds, then a few substring searches, all in C)."""
    if "" in values:
        return False
    try:
        joined = "\n".join(values)
    except TypeError:  # not text: the slow path says what to do with it
        return False
    return joined == "" or (
        joined[0] != " "
        and joined[-1] != " "
        and "  " not in joined
        and " \n" not in joined
        and "\n " not in joined
        and joined.count("\n") == len(values) - 1
        and ((flat := joined.replace("\n", " ")).isprintable() or _ABNORMAL_LINE.search(flat) is None)
        and unicodedata.is_normalized("NFC", joined)
    )


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    if _is_normal_line(value):
        return value
    value = " ".join(unicodedata.normalize("NFC", strip_controls(value)).split())
    return value or None


def _body(text: str) -> str:
    if _is_normal_body(text):
        return text
    paragraphs = (_line(p) for p in unicodedata.normalize("NFC", strip_controls(text)).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def normal_hash_and_words(title: str, body_text: str) -> tuple[str, int]:
    """`store.content_hash` and the word count (`len(body_text.split())`) of an already normalised title and
    body, from one flat copy of the body instead of a list of its words."""
    flat = body_text.replace("\n\n", " ")  # what " ".join(body_text.split()) gives for a normalised body
    return hashlib.sha256(f"{title}\n{flat}".encode()).hexdigest(), flat.count(" ") + 1 if flat else 0


def _text_is_normal(item: ArticleItem) -> bool:
    """Whether every text of the item is already what normalisation would make it (most parsed items)."""
    lines = [value for name in LINE_FIELDS if (value := getattr(item, name)) is not None]
    return bool(
        item.title
        and _all_normal_lines([*lines, *item.categories, *item.tags, *(b["title"] for b in item.baca_juga)])
        and len(set(item.categories)) == len(item.categories)
        and len(set(item.tags)) == len(item.tags)
        and _is_normal_body(item.body_text or "")
    )


def _normalise_urls(item: ArticleItem) -> None:
    item.url = canonicalize_url(item.url)
    item.aliases = sorted({canonicalize_url(u) for u in item.aliases} - {item.url})


def normalise(item: ArticleItem) -> bool:
    """Normalise in place; True when anything changed."""
    if item.unchanged:  # the archive holds exactly this parse, normalised: only the URLs that reached it are new
        _normalise_urls(item)
        return False
    before = (item.url, item.title, item.body_text, item.categories, item.tags, item.aliases)
    if _text_is_normal(item):
        item.body_text = item.body_text or ""
        item.baca_juga = [{"url": b["url"].strip(), "title": b["title"]} for b in item.baca_juga]
    else:
        for name in LINE_FIELDS:
            setattr(item, name, _line(getattr(item, name)))
        item.title = item.title or ""
        item.body_text = _body(item.body_text or "")
        item.categories = list(dict.fromkeys(filter(None, map(_line, item.categories))))
        item.tags = list(dict.fromkeys(filter(None, map(_line, item.tags))))
        item.baca_juga = [{"url": b["url"].strip(), "title": _line(b["title"]) or ""} for b in item.baca_juga]
    _normalise_urls(item)
    item.content_hash, item.word_count = normal_hash_and_words(item.title, item.body_text)
    return before != (item.url, item.title, item.body_text, item.categories, item.tags, item.aliases)


class NormalizationPipeline(CrawlerPipeline):
    def process_item(self, item):
        if isinstance(item, ArticleItem) and normalise(item):
            self.count("satukanal/normalized")
        return item
