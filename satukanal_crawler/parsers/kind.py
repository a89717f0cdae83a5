"""Article or not (CONTRACT rule 1), on any site: WordPress body classes where they exist, the standards
(JSON-LD, microdata, Open Graph) everywhere else, and the shape of the page against index pages that
borrow an article's signals (og:type=article, a date, an `.entry-content`).
"""

from __future__ import annotations

import re
from enum import Enum

from lxml import etree

from satukanal_crawler.parsers.blocks import BACA_JUGA, RELATED
from satukanal_crawler.parsers.content import is_region_noise, prune
from satukanal_crawler.parsers.document import Document
from satukanal_crawler.parsers.linked_data import ARTICLE_TYPES
from satukanal_crawler.parsers.text import clean, text_of

_NOT_ARTICLE_BODY = frozenset(
    {"page", "home", "blog", "archive", "category", "tag", "author", "search", "search-results",
     "search-no-results", "error404", "attachment", "date", "post-type-archive"}
)  # fmt: skip
_ITEMTYPE_NAME = re.compile(r"[^/#\s]+$")
_RELATED_ATTR = re.compile(r"baca-?juga|bacajuga|related|terkait|lainnya|rekomendasi|populer|terpopuler")
# A page listing this many teasers (headings that are links to distinct pages) outside widgets and
# related blocks is an index, whatever its og:type. Article pages show up to five in their own
# "more news" lists, which sit under a label; the index pages measured show ten to twenty.
LISTING_TEASERS = 6


class Signal(Enum):
    ARTICLE = "article"
    NOT_ARTICLE = "not article"
    IF_DATED = "article if it has a publication date and a headline"  # og:type=article alone


def article_signal(doc: Document) -> Signal:
    """What the page's own signals say; IF_DATED leaves the decision to the extracted record."""
    classes = doc.body_classes
    if classes & _NOT_ARTICLE_BODY:
        return Signal.NOT_ARTICLE
    wordpress_post = "single-post" in classes or any(c.startswith("postid-") for c in classes)
    if not wordpress_post and is_listing(doc.root):
        return Signal.NOT_ARTICLE
    if wordpress_post or doc.linked_data.article() is not None or has_article_microdata(doc.root):
        return Signal.ARTICLE
    if doc.meta_first("article:published_time", "og:article:published_time") is not None:
        return Signal.ARTICLE
    if (doc.meta_first("og:type") or "").lower() == "article":
        return Signal.IF_DATED
    return Signal.NOT_ARTICLE


def has_article_microdata(root: etree._Element) -> bool:
    """An element typed as an Article-family schema.org item (`itemtype=".../NewsArticle"`)."""
    for el in root.iterfind(".//*[@itemtype]"):
        for value in (el.get("itemtype") or "").split():
            m = _ITEMTYPE_NAME.search(value)
            if m and m.group(0) in ARTICLE_TYPES:
                return True
    return False


def is_listing(root: etree._Element) -> bool:
    """True for a page of repeated teasers, each with its own headline and link (an index or home page)."""
    teasers: set[str] = set()
    for heading in prune(root, _listing_noise):
        if heading.tag not in ("h1", "h2", "h3", "h4"):
            continue
        text = clean(text_of(heading))
        if not text:
            continue
        for a in heading.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith("#") and len(clean(text_of(a))) >= 0.6 * len(text):
                if not _in_related_block(heading):
                    teasers.add(href)
                break
        if len(teasers) >= LISTING_TEASERS:
            return True
    return False


def _listing_noise(el: etree._Element) -> bool:
    return el.tag in ("header", "footer") or is_region_noise(el)


def _in_related_block(heading: etree._Element) -> bool:
    """A teaser of a labelled "more news" block (Berita Lainnya, Baca Juga, related-posts classes)."""
    node = heading.getparent()
    for _ in range(5):
        if node is None or node.tag in ("body", "html"):
            return False
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if _RELATED_ATTR.search(attrs):
            return True
        label = _first_label(node, heading)
        if label and (RELATED.match(label) or BACA_JUGA.match(label)):
            return True
        node = node.getparent()
    return False


def _first_label(block: etree._Element, heading: etree._Element) -> str:
    """The text of the block's first heading-like child, when it comes before `heading`."""
    for child in block:
        if not isinstance(child.tag, str):
            continue
        if child is heading or heading in child.iterdescendants():
            return ""
        text = clean(text_of(child))
        if text:
            return text[:60]
    return ""
