"""Stage 2: normalisation. Unicode NFC, whitespace, and URLs through the project's one canonicaliser,
so that the same text or link never differs by invisible bytes between runs."""

from __future__ import annotations

import unicodedata

from satukanal_crawler.archive.store import content_hash
from satukanal_crawler.items import ArticleItem
from satukanal_crawler.urls import canonicalize_url

LINE_FIELDS = ("title", "dateline", "reporter", "editor", "author", "summary")


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(unicodedata.normalize("NFC", value).split())
    return value or None


def normalise(item: ArticleItem) -> bool:
    """Normalise in place; True when anything changed."""
    before = (item.url, item.title, item.body_text, item.categories, item.tags, item.aliases)
    for name in LINE_FIELDS:
        setattr(item, name, _line(getattr(item, name)))
    item.title = item.title or ""
    paragraphs = (_line(p) for p in unicodedata.normalize("NFC", item.body_text or "").split("\n\n"))
    item.body_text = "\n\n".join(p for p in paragraphs if p)
    item.categories = list(dict.fromkeys(filter(None, map(_line, item.categories))))
    item.tags = list(dict.fromkeys(filter(None, map(_line, item.tags))))
    item.baca_juga = [{"url": b["url"].strip(), "title": _line(b["title"]) or ""} for b in item.baca_juga]
    item.url = canonicalize_url(item.url)
    item.aliases = sorted({canonicalize_url(u) for u in item.aliases} - {item.url})
    item.content_hash = content_hash(item.title, item.body_text)
    return before != (item.url, item.title, item.body_text, item.categories, item.tags, item.aliases)


class NormalizationPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, ArticleItem) and normalise(item):
            self.crawler.stats.inc_value("satukanal/normalized")
        return item
