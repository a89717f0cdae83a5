"""Discovery pages: channel (category) listings, RSS feeds and sitemaps, as plain data.

Like the article parser these are pure functions; the spider decides what to fetch from their output.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

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
class SitemapEntry:
    url: str
    lastmod: str | None


class InvalidSitemap(ValueError):
    """The body is not a sitemap (garbage, another document, a gzip too big or broken); the message says
    why in a few words."""


# The sitemaps protocol caps a sitemap at 50 MB uncompressed; a gzip that inflates beyond this is refused
# (a compression bomb costs its size limit, not the crawl's memory). `SATUKANAL_SITEMAP_MAX_BYTES`.
SITEMAP_MAX_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_SITEMAP_KINDS = ("sitemapindex", "urlset")


def gunzip_limited(data: bytes, max_size: int) -> bytes:
    """`data` inflated if it is gzip (a `.xml.gz` sitemap, a body served gzipped without Content-Encoding),
    else as is. Raises InvalidSitemap past `max_size` bytes or on a broken stream."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    try:
        chunk = inflater.decompress(data, max_size + 1 - len(out))
        while True:
            out += chunk
            if len(out) > max_size:
                raise InvalidSitemap(f"gzip inflates beyond {max_size} bytes")
            if not inflater.unconsumed_tail:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, max_size + 1 - len(out))
    except zlib.error as exc:
        raise InvalidSitemap(f"broken gzip ({exc})") from None
    return bytes(out)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(xml: bytes, *, max_size: int = SITEMAP_MAX_BYTES) -> tuple[str, Iterator[SitemapEntry]]:
    """("sitemapindex" | "urlset", entries) of a sitemap document (gzipped or not), entries read lazily.

    The document is parsed streaming (lxml iterparse, each entry discarded once read), so a sitemap of
    100,000 URLs costs the memory of a few entries beyond its body, and a caller that yields as it reads
    (a spider callback) lets the crawl run between entries. The parser resolves no entity, loads no DTD,
    opens no network and refuses huge trees. Raises InvalidSitemap when the body is not a sitemap (checked
    before this returns); a document broken further on gives the entries before the break."""
    data = gunzip_limited(xml, max_size)
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, load_dtd=False,
                             no_network=True, huge_tree=False, recover=True, remove_comments=True,
                             remove_pis=True)  # fmt: skip
    try:
        root = next((el for event, el in events if event == "start"), None)
    except etree.XMLSyntaxError as exc:
        raise InvalidSitemap(f"not XML ({str(exc)[:100]})") from None
    kind = _local(root.tag) if root is not None else ""
    if kind not in _SITEMAP_KINDS:
        raise InvalidSitemap(f"root element is {kind[:40]!r}, not urlset or sitemapindex" if kind else "not XML")
    return kind, _entries(events, root, "sitemap" if kind == "sitemapindex" else "url")


def _entries(events: Iterator[tuple[str, Any]], root: Any, entry_tag: str) -> Iterator[SitemapEntry]:
    try:
        for event, el in events:
            if event != "end" or el.getparent() is not root:
                continue
            if _local(el.tag) == entry_tag:
                loc = lastmod = None
                for child in el:
                    name = _local(child.tag)
                    if name == "loc":
                        loc = (child.text or "").strip()
                    elif name == "lastmod":
                        lastmod = child.text
                if loc and not loc.startswith("//"):
                    yield SitemapEntry(loc, dates.parse_w3c(lastmod))
            el.clear()
            while el.getprevious() is not None:  # what was read goes, so memory stays flat
                del root[0]
    except etree.XMLSyntaxError:
        return  # broken further on: what came before it stands


@dataclass
class FeedItem:
    url: str
    published_at: str | None
    guid: str | None


def parse_feed(xml: bytes, base_url: str, *, max_size: int = SITEMAP_MAX_BYTES) -> list[FeedItem]:
    """Items of an RSS 2.0 (or Atom) feed, gzipped or not; malformed feeds give what could be recovered.
    The parser expands no entity, loads no DTD, opens no network and refuses huge trees."""
    try:
        xml = gunzip_limited(xml, max_size)
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False)  # fmt: skip
        root = etree.fromstring(xml, parser)
    except (etree.XMLSyntaxError, InvalidSitemap):
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
