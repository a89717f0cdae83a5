"""Discovery pages: channel (category) listings, RSS feeds and sitemaps, as plain data.

Like the article parser these are pure functions; the spider decides what to fetch from their output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from scrapy.utils.sitemap import Sitemap

from satukanal_crawler import dates
from satukanal_crawler.parsers.content import inside, is_region_noise
from satukanal_crawler.parsers.document import decode_html, parse_html
from satukanal_crawler.urls import canonicalize_url, join, same_host

# WordPress URL shapes. Articles use /%postname%/ on the portal; date-based permalinks are accepted too.
_NOT_ARTICLE_PREFIX = re.compile(
    r"^/(?:category|tag|author|page|feed|comments|search|wp-[\w-]+|xmlrpc\.php|amp|embed|attachment|"
    r"trackback|kanal|topik|indeks|index)(?:/|$)",
    re.IGNORECASE,
)
_DATE_ARCHIVE = re.compile(r"^/\d{4}(?:/\d{2}){0,2}/?$")
_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|zip|mp[34]|xml|txt|json|woff2?)$", re.IGNORECASE)
_ARTICLE_PATH = re.compile(r"^/(?:\d{4}/\d{2}/(?:\d{2}/)?)?[^/?#]+/?$")
_PAGED = re.compile(r"/page/(\d+)/?$")


@lru_cache(maxsize=16384)  # listings repeat the same menu, widget and card links on every page
def is_article_url(url: str, base_url: str) -> bool:
    """True for a URL on the portal shaped like a post permalink (not an archive, feed or asset)."""
    if not same_host(url, base_url):
        return False
    parts = urlsplit(url)  # same_host accepted it, so it splits
    path = parts.path or "/"
    if parts.query or path == "/" or _NOT_ARTICLE_PREFIX.match(path) or _DATE_ARCHIVE.match(path):
        return False
    if _ASSET.search(path) or "/feed" in path or path.rstrip("/").endswith("/amp"):
        return False
    return bool(_ARTICLE_PATH.match(path))


@lru_cache(maxsize=4096)
def is_channel_url(url: str, base_url: str) -> bool:
    """A category (channel) page, nested or not, without its pagination suffix."""
    if not same_host(url, base_url):
        return False
    parts = urlsplit(url)
    return parts.path.startswith("/category/") and not parts.query and not _PAGED.search(parts.path)


def page_number(url: str) -> int:
    try:
        m = _PAGED.search(urlsplit(url).path)
    except ValueError:
        return 1
    return int(m.group(1)) if m else 1


@dataclass
class ListingPage:
    """What a channel (or home) page offers: its articles, the next page, other channels."""

    articles: list[tuple[str, str | None]] = field(default_factory=list)  # (url, published_at or None)
    next_url: str | None = None
    channels: list[str] = field(default_factory=list)


def parse_listing(html: str | bytes, url: str, base_url: str, content_type: str | None = None) -> ListingPage:
    """Article links of a listing's main region (never its widgets), its next page, and channel links.

    One pass over the links: each distinct href is resolved and canonicalised once, and only links that
    look like posts pay for the check that they sit outside the page's widgets.
    """
    page = ListingPage()
    root = parse_html(decode_html(html, content_type))
    if root is None:
        return page
    for link in root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split() and link.get("href"):
            page.next_url = canonicalize_url(link.get("href"), base=url)
    this_page = canonicalize_url(url)
    resolved: dict[str, str] = {}
    seen: set[str] = set()
    channels: dict[str, None] = {}
    for a in root.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        target = resolved.get(href)
        if target is None:
            target = resolved[href] = canonicalize_url(href, base=url)
        if page.next_url is None and "next" in (a.get("class") or "").split():
            page.next_url = target
        if target in seen:
            continue
        if is_article_url(target, base_url):
            if not inside(a, None, _listing_noise):
                seen.add(target)
                page.articles.append((target, _card_date(a)))
        elif target != this_page and is_channel_url(target, base_url):
            channels.setdefault(target, None)
    page.channels = list(channels)
    return page


def _listing_noise(el: etree._Element) -> bool:
    return el.tag in ("header", "footer", "script", "style", "form") or is_region_noise(el)


def _card_date(a: etree._Element) -> str | None:
    """The publication time printed on the listing card that holds this link, if any."""
    card = a
    for _ in range(4):
        card = card.getparent()
        if card is None:
            return None
        for time_el in card.iter("time"):
            value = dates.parse_iso(time_el.get("datetime"))
            if value:
                return value
        if card.tag == "article":
            return None
    return None


@dataclass
class FeedItem:
    url: str
    published_at: str | None
    guid: str | None


def parse_feed(xml: bytes, base_url: str) -> list[FeedItem]:
    """Items of an RSS 2.0 (or Atom) feed; malformed feeds give what could be recovered."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    items = []
    for item in root.iter("item", "{http://www.w3.org/2005/Atom}entry"):
        link = item.findtext("link")
        if not link:
            atom = item.find("{http://www.w3.org/2005/Atom}link")
            link = atom.get("href") if atom is not None else None
        if not link:
            continue
        published = dates.parse_rfc822(item.findtext("pubDate")) or dates.parse_iso(
            item.findtext("{http://www.w3.org/2005/Atom}published")
        )
        items.append(FeedItem(canonicalize_url(link.strip(), base=base_url), published, item.findtext("guid")))
    return items


@dataclass
class SitemapEntry:
    url: str
    lastmod: str | None


def parse_sitemap(xml: bytes) -> tuple[str, list[SitemapEntry]]:
    """("sitemapindex" | "urlset" | "", entries) of a sitemap document."""
    try:
        sitemap = Sitemap(xml)
    except (etree.XMLSyntaxError, ValueError, AttributeError):
        return "", []
    entries = []
    for entry in sitemap:
        loc = (entry.get("loc") or "").strip()
        if loc and not loc.startswith("//"):
            entries.append(SitemapEntry(loc, dates.parse_w3c(entry.get("lastmod"))))
    return sitemap.type or "", entries


def sitemap_lines(robots_txt: str, base_url: str) -> list[str]:
    """`Sitemap:` URLs of a robots.txt, on the portal's host only."""
    found = []
    for line in robots_txt.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = join(base_url + "/", value.strip())
            if url is None:
                continue
            if same_host(url, base_url):
                found.append(url)
    return found
