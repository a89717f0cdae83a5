"""What travels from the spider through the pipelines: one article, with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from satukanal_crawler.parsers import FIELDS


@dataclass
class PageCapture:
    """One HTTP response exactly as received, so the archive can be re-parsed without the network."""

    url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: str
    page_number: int = 1

    @property
    def content_type(self) -> str | None:
        values = self.headers.get("Content-Type") or self.headers.get("content-type")
        return values[0] if values else None


@dataclass
class UrlStateItem:
    """What a fetched URL turned out to be, when it is not an article: the next run's memory."""

    url: str
    kind: str  # pending | non_article | gone | failed | redirect | sitemap
    status: int | None = None
    lastmod: str | None = None
    error: str | None = None
    redirect_to: str | None = None
    fetched_at: str = ""


@dataclass
class DiscoveryItem:
    """The article URLs one page listed (a sitemap, a feed, a channel page, an article's Baca Juga links), for the
    frontier: each is recorded as pending until it is settled. The page's own state (a sitemap's lastmod) travels
    with them, so that a sitemap counts as read only in the transaction that records what it listed."""

    found_in: str
    source: str  # sitemap | feed | home | channel | link
    entries: list[tuple[str, str | None, str | None]]  # (canonical URL, lastmod, published_hint)
    state: UrlStateItem | None = None


@dataclass
class ArticleItem:
    """The contract record of one article plus what the archive keeps about how it was reached."""

    url: str
    wp_post_id: int | None
    title: str
    dateline: str | None
    published_at: str
    modified_at: str | None
    reporter: str | None
    editor: str | None
    author: str | None
    categories: list[str]
    tags: list[str]
    summary: str | None
    image_url: str | None
    body_text: str
    baca_juga: list[dict[str, str]]
    body_html: str | None = None
    page_count: int = 1
    fetched_at: str = ""
    source: str = ""  # sitemap | feed | channel | link | reparse
    sitemap_lastmod: str | None = None
    aliases: list[str] = field(default_factory=list)  # other URLs that reached this article
    pages: list[PageCapture] = field(default_factory=list)
    # Set by the pipelines.
    fingerprint: str = ""  # of the item as parsed, before normalisation (store.fingerprint)
    unchanged: bool = False  # identical to what the archive holds for its URL: nothing to normalise or compare
    content_hash: str = ""
    word_count: int | None = None  # of the normalised body_text, set with content_hash
    article_id: int | None = None
    match_reason: str | None = None  # url | alias | wp_post_id | repost
    matched: bool = False  # find_match already ran for this item (dedupe): storage need not look again

    def record(self) -> dict[str, Any]:
        """The contract record (CONTRACT.md field order)."""
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_record(cls, record: dict[str, Any], **extra: Any) -> ArticleItem:
        return cls(**{name: record[name] for name in FIELDS}, **extra)
