"""Decoding and parsing a page once, and the page-wide signals every field reads.

A `Document` is built from the raw page and exposes its meta tags, link relations, body classes and
linked data lazily, so a field that needs only one signal does not pay for the others.
"""

from __future__ import annotations

import re
from functools import cached_property

from lxml import etree
from w3lib.encoding import html_to_unicode

from satukanal_crawler.parsers import linked_data
from satukanal_crawler.parsers.text import clean

# Plain etree elements: lxml.html's per-element class lookup costs more than the whole parse.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, default_doctype=False)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def decode_html(html: str | bytes, content_type: str | None = None) -> str:
    """Text of a page, honouring the HTTP charset, then a BOM or `<meta charset>`, then sniffing.

    w3lib applies the browsers' label table, so ISO-8859-1 / latin-1 decode as windows-1252.
    """
    if isinstance(html, str):
        return html
    _encoding, text = html_to_unicode(content_type, bytes(html))
    return text


def parse_html(text: str) -> etree._Element | None:
    """An lxml tree for any input, or None when there is nothing to parse."""
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, UnicodeEncodeError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


class Document:
    """One parsed page and its standard, theme-independent signals."""

    def __init__(self, root: etree._Element, url: str) -> None:
        self.root = root
        self.url = url

    @cached_property
    def body(self) -> etree._Element:
        found = self.root.find("body")
        return found if found is not None else self.root

    @cached_property
    def body_classes(self) -> set[str]:
        return set((self.body.get("class") or "").split())

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` contents keyed by lower-cased property or name (`itemprop:x` for microdata), in order."""
        found: dict[str, list[str]] = {}
        for el in self.root.iter("meta"):
            content = el.get("content")
            if content is None:
                continue
            key = el.get("property") or el.get("name")
            if key is None and el.get("itemprop"):
                key = "itemprop:" + el.get("itemprop")
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
        return found

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                value = clean(value)
                if value:
                    return value
        return None

    @cached_property
    def links(self) -> list[tuple[set[str], str, str]]:
        """`<link>` elements of the page as (rel tokens, type, href)."""
        out = []
        for el in self.root.iter("link"):
            href = (el.get("href") or "").strip()
            if href:
                out.append((set((el.get("rel") or "").lower().split()), (el.get("type") or "").lower(), href))
        return out

    def link_href(self, rel: str, type_: str | None = None) -> str | None:
        for rels, typ, href in self.links:
            if rel in rels and (type_ is None or typ == type_):
                return href
        return None

    @cached_property
    def linked_data(self) -> linked_data.Graph:
        scripts = [
            el.text or ""
            for el in self.root.iter("script")
            if (el.get("type") or "").strip().lower() == "application/ld+json"
        ]
        return linked_data.Graph.from_scripts(scripts)

    @cached_property
    def is_rankmath(self) -> bool:
        """RankMath's `keywords` is an SEO focus keyword, not the post's tags (CONTRACT rule 9)."""
        return any("rank-math" in (el.get("class") or "") for el in self.root.iter("script"))
