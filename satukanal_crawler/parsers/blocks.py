"""Turning a content container into an ordered list of text blocks, the way a browser lays them out.

Inline content (text, links, bold) between block elements forms one paragraph, like a browser's anonymous
block box; block elements (`p`, headings, list items, quotes, divs) start new ones. This one rule covers
`<p>` paragraphs, text written straight into a `<div>` with `<br>`s, lists, and malformed nesting alike.
Labelled blocks ("Baca Juga", "Berita Terkait") are recognised here, while the element is still at hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from satukanal_crawler.parsers.content import SKIP_TAGS, is_body_noise
from satukanal_crawler.parsers.text import clean, text_of
from satukanal_crawler.urls import join

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
        "div", "dl", "dt", "fieldset", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "thead", "tfoot", "tr", "td", "th", "ul", "caption", "html",
    }
)  # fmt: skip

BACA_JUGA = re.compile(r"^[\W_]*baca\s*(?:juga|pula)\b[\W_]*", re.IGNORECASE)
RELATED = re.compile(
    r"^[\W_]*(?:(?:berita|artikel|kanal|postingan|tulisan|video)\s+(?:terkait|lainnya|pilihan)|terkait|"
    r"(?:cek|lihat|simak|tonton)\s+(?:juga|pula)|baca\s+(?:selengkapnya|lainnya)|related(?:\s+\w+)?|"
    r"read\s+(?:also|more)|also\s+read|see\s+also)\b[\W_]*",
    re.IGNORECASE,
)
_NOT_WORD = re.compile(r"[\W_]+")
LINE_BREAK = "\u2028"  # what a <br> becomes: whitespace to clean(), a line boundary to byline parsing
_LABEL_ONLY_SLACK = 100  # non-link characters a labelled link block may hold besides its label (dates)


@dataclass(slots=True)
class Block:
    """One paragraph-like unit: its raw text (LINE_BREAK for `<br>`, U+00A0 kept) and its links."""

    raw: str
    tag: str
    links: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "text"  # text | baca_juga | baca_label | related | related_label

    @property
    def text(self) -> str:
        return clean(self.raw)

    def is_link_only(self) -> bool:
        if not self.links:
            return False
        rest = self.text
        for _href, title in self.links:
            rest = rest.replace(title, "", 1)
        return not _NOT_WORD.sub("", rest)


def _link(a: etree._Element, base_url: str) -> tuple[str, str] | None:
    href = (a.get("href") or "").strip()
    title = clean(text_of(a))
    if not href or not title or href.startswith(("#", "javascript:", "mailto:")):
        return None
    resolved = join(base_url, href)
    return (resolved, title) if resolved else None


def _head(el: etree._Element, size: int = 48) -> str:
    """The first characters of an element's text, without reading all of it."""
    parts: list[str] = []
    length = 0
    for piece in el.itertext():
        parts.append(piece)
        length += len(piece)
        if length >= size:
            break
    return clean(" ".join(parts))  # a label in its own span ("<span>Baca juga</span><ul>...") stays a word


def _labelled(el: etree._Element, base_url: str) -> Block | None:
    """A block that starts with a Baca Juga (or related-posts) label and is mostly links."""
    head = _head(el)
    if not head or not (BACA_JUGA.match(head) or RELATED.match(head)):
        return None
    text = clean(" ".join(el.itertext()))
    if not text or len(text) > 2000:
        return None
    for pattern, kind in ((BACA_JUGA, "baca_juga"), (RELATED, "related")):
        m = pattern.match(text)
        if not m:
            continue
        links: list[tuple[str, str]] = []
        seen: set[str] = set()
        for a in el.iter("a"):
            link = _link(a, base_url)
            if link and link[0] not in seen:
                seen.add(link[0])
                links.append(link)
        rest = text[m.end() :]
        for _href, title in links:
            rest = rest.replace(title, "", 1)
        residual = len(_NOT_WORD.sub("", rest))
        if links and residual <= _LABEL_ONLY_SLACK:
            return Block(text, el.tag, links, kind)
        if not links and residual == 0:
            return Block(text, el.tag, [], kind.replace("baca_juga", "baca") + "_label")
        return None
    return None


def _has_block_descendant(el: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in el.iterdescendants())


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []

    def walk(self, el: etree._Element) -> None:
        parts: list[str] = []
        links: list[tuple[str, str]] = []
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self._child(el, child, parts, links)
            if child.tail:
                parts.append(child.tail)
        self._flush(el, parts, links)

    def _flush(self, el: etree._Element, parts: list[str], links: list[tuple[str, str]]) -> None:
        raw = "".join(parts)
        if clean(raw):
            self.blocks.append(Block(raw, el.tag, list(links)))
        parts.clear()
        links.clear()

    def _child(self, parent: etree._Element, child: etree._Element, parts: list[str], links: list) -> None:
        tag = child.tag
        if tag == "br":
            parts.append(LINE_BREAK)
            return
        if tag in SKIP_TAGS:
            return
        is_block = tag in BLOCK_TAGS or _has_block_descendant(child)
        if is_block:
            labelled = _labelled(child, self.base_url)
            if labelled is not None:
                self._flush(parent, parts, links)
                self.blocks.append(labelled)
                return
        if is_body_noise(child):
            return
        if is_block:
            self._flush(parent, parts, links)
            self.walk(child)
        else:
            self._inline(child, parts, links)

    def _inline(self, el: etree._Element, parts: list[str], links: list) -> None:
        if el.tag == "a":
            link = _link(el, self.base_url)
            if link:
                links.append(link)
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag == "br":
                    parts.append(LINE_BREAK)
                elif child.tag not in SKIP_TAGS and not is_body_noise(child):
                    self._inline(child, parts, links)
            if child.tail:
                parts.append(child.tail)


def collect_blocks(container: etree._Element, base_url: str) -> list[Block]:
    """Paragraph-like blocks of a content container, in document order, noise already skipped."""
    walker = _Walker(base_url)
    walker.walk(container)
    return walker.blocks
