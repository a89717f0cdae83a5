"""One article page -> one contract record (CONTRACT.md, "One article page -> one record").

Each field is read from the strongest signal first: linked data and `<meta>`, then WordPress/hAtom
markup of the article itself, then the visible text. Everything here is a pure function of the page:
no I/O, no clock, so the same bytes always give the same record (the archive's re-parse relies on it).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from satukanal_crawler import dates
from satukanal_crawler.parsers import fallback
from satukanal_crawler.parsers.blocks import BACA_JUGA, Block, collect_blocks
from satukanal_crawler.parsers.content import (
    find_container,
    find_scope,
    inside,
    is_region_noise,
    is_site_header,
)
from satukanal_crawler.parsers.document import Document, decode_html, parse_html
from satukanal_crawler.parsers.kind import Signal, article_signal
from satukanal_crawler.parsers.patterns import (
    bare_label,
    find_bylines,
    label_after_name,
    name_for_label,
    parse_byline_block,
    spaced_byline,
    split_dateline,
)
from satukanal_crawler.parsers.text import clean, text_of, unescape_clean
from satukanal_crawler.urls import canonicalize_url, join, shortlink_post_id, strip_tracking

FIELDS = (
    "url", "wp_post_id", "title", "dateline", "published_at", "modified_at", "reporter", "editor",
    "author", "categories", "tags", "summary", "image_url", "body_text", "baca_juga",
)  # fmt: skip

# What `ParsedPage.sources` names as the origin of a field (CONTRACT rules, "field by field").
SOURCES = (
    "canonical link", "page URL", "shortlink", "theme class", "theme markup", "json-ld", "meta",
    "microdata", "headline element", "time element", "visible text", "visible text (article text)",
    "visible text (meta line)", "rel links", "theme container", "library (trafilatura)", "library",
    "meta, zone from the visible date", "json-ld, zone from the visible date",
    "time element, zone from the visible date",
)  # fmt: skip
# Possessive runs (`*+`): the classes overlap the final `\W*`, and a label followed by thousands of
# dots or spaces must not be split between them in every possible way. Same matches as greedy runs.
_BOILERPLATE = re.compile(
    r"^(?:advertise?ment|advertisment|iklan|sponsored|ads?|scroll(?: to continue)?(?: with content)?|"
    r"scroll untuk melanjutkan(?: membaca)?|(?:halaman|page)\s*+:?[\s\d»«›‹<>.]*+|selanjutnya|sebelumnya|"
    r"next|previous|lanjut(?:kan)?|share|bagikan|tags?\s*+:?)\W*$",
    re.IGNORECASE,
)
_PLACEHOLDER_IMG = re.compile(
    r"^data:|s0\.wp\.com/i/blank\.jpg|/blank\.(?:gif|png|jpg)|placeholder|no-?image|spacer\.gif|1x1\.|lazy[-_]?load",
    re.IGNORECASE,
)
_FEATURED_IMG = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' wp-post-image ')]"
    " | //*[contains(@class, 'post-thumbnail') or contains(@class, 'featured-image')"
    " or contains(@class, 'featured-img') or contains(@class, 'td-post-featured-image')"
    " or contains(@class, 'jeg_featured') or contains(@class, 'single-featured')"
    " or contains(@class, 'entry-thumb')]//*[self::img or self::amp-img]"
)
_DATE_HINT = re.compile(r"date|time|posted|publish|tanggal|waktu|meta|byline|updated|modified", re.IGNORECASE)
_MODIFIED_HINT = re.compile(r"diperbarui|diperbaharui|update|diubah|modified|revisi", re.IGNORECASE)
_BYLINE_HINT = re.compile(r"meta|byline|author|reporter|editor|penulis|writer|credit|info", re.IGNORECASE)
# One cheap C-side filter; the exact class tokens are checked in Python.
_AUTHOR_CANDIDATES = etree.XPath(".//*[contains(@class, 'author') or contains(@rel, 'author')]")
_AUTHOR_CLASSES = frozenset(
    {"author-name", "jeg_meta_author", "td-post-author-name", "meta-author", "amp-wp-author", "entry-author",
     "post-author", "byline-author", "author-link"}
)  # fmt: skip
# Every pattern of the parser sits at module level, where tests/parsers/test_bounded.py finds it and
# checks that no input makes it backtrack more than linearly.
_POST_ID_ATTR = re.compile(r"post-(\d+)")
_REST_POST = re.compile(r"/wp-json/wp/v2/posts/(\d+)")
_MODIFIED_CLASS = re.compile(r"updated|modified", re.IGNORECASE)
_UPDATE_SPLIT = re.compile(r"(?=diperbarui|diperbaharui|updated|update:|diubah)", re.IGNORECASE)
_AUTHOR_PREFIX = re.compile(r"^(?:oleh|by|penulis|ditulis oleh)\s*+:?\s*", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_NOT_WORD = re.compile(r"[\W_]+")
_LABEL_WORD = re.compile(r"pewarta|reporter|penulis|wartawan|jurnalis|editor|redaktur|red\s*[:：]", re.IGNORECASE)
_PAGE_NUMBER_PATH = re.compile(r"/(\d{1,3})/?$")
_PAGE_LINK_HINT = re.compile(r"page-links|pagelinks|post-page-numbers|pgntn-page")
_PAGE_LINKS = etree.XPath(
    ".//*[contains(@class, 'page-links') or contains(@class, 'pagelinks')"
    " or contains(@class, 'post-page-numbers') or contains(@class, 'pgntn-page')]"
)


@dataclass(slots=True)
class ParsedPage:
    """What the crawler needs from an article page beyond the contract record."""

    record: dict[str, Any]
    page_urls: list[str] = field(default_factory=list)  # every page of a multi-page article, in order
    amphtml_url: str | None = None
    container: etree._Element | None = None
    html: str | None = None  # body_html of a detached page
    sources: dict[str, str | None] = field(default_factory=dict)  # field -> signal (parse_page(with_sources=True))

    @property
    def body_html(self) -> str | None:
        """The content container's HTML as served (serialised on demand: only the archive needs it)."""
        if self.container is None:
            return self.html
        return etree.tostring(self.container, method="html", encoding="unicode", with_tail=False)

    def detached(self) -> ParsedPage:
        """The same page without its lxml tree, which cannot leave the process: body HTML serialised now."""
        return ParsedPage(
            self.record, self.page_urls, self.amphtml_url, container=None, html=self.body_html, sources=self.sources
        )


def parse_article(
    html: str | bytes, url: str, *, assume_article: bool = False, content_type: str | None = None
) -> dict[str, Any] | None:
    """The contract record of an article page, or None when the page is not an article.

    `assume_article=True` skips the article/non-article decision (the caller found the page in a post
    sitemap or a feed). `content_type` is the HTTP header, whose charset wins over the page's own.
    """
    parsed = parse_page(html, url, assume_article=assume_article, content_type=content_type)
    return parsed.record if parsed else None


def parse_page(
    html: str | bytes,
    url: str,
    *,
    assume_article: bool = False,
    content_type: str | None = None,
    with_sources: bool = False,
) -> ParsedPage | None:
    """`parse_article` plus the crawler's extras (page links, cleaned body HTML, AMP link), and with
    `with_sources` the signal each field came from (`ParsedPage.sources`, see `SOURCES`)."""
    text = decode_html(html, content_type)
    root = parse_html(text)
    if root is None:
        return None
    doc = Document(root, url)
    signal = Signal.ARTICLE if assume_article else article_signal(doc)
    if signal is Signal.NOT_ARTICLE:
        return None
    extractor = _Extractor(doc, text)
    parsed = extractor.parse()
    if with_sources:
        parsed.sources = extractor.field_sources(parsed.record)
    if signal is Signal.IF_DATED and not (parsed.record["published_at"] and parsed.record["title"]):
        return None  # og:type=article alone: an article only with a publication date and a headline
    return parsed


def is_article(doc: Document) -> bool:
    """CONTRACT rule 1 from the page's signals alone (og:type=article also needs a date: see parse_page)."""
    return article_signal(doc) is Signal.ARTICLE


class _Extractor:
    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.text = text
        self.graph = doc.linked_data
        self.article_node = self.graph.article() or {}
        self.webpage_node = self.graph.webpage() or {}
        self.container = find_container(doc.root)
        self.scope = find_scope(doc.root, doc.body, self.container)
        self._scope_items: list[tuple[etree._Element, bool]] | None = None
        self.sources: dict[str, str | None] = {}  # field -> the signal that gave it (provenance)
        self.body_source = "theme container"
        self.byline_source = "article text"
        self._rel_links: list[etree._Element] | None = None

    def scoped(self, tag: str, *, outside_body: bool = False, predicate=None) -> list[etree._Element]:
        """Elements with `tag` in the article's scope, outside widgets (and outside the body if asked).

        For the few elements a field needs (h1, time, rel links) checking ancestors beats a full walk.
        """
        body = self.container if outside_body else None
        found = []
        for el in self.scope.iter(tag):
            if predicate is not None and not predicate(el):
                continue
            if not inside(el, self.scope, lambda n: n is body or is_region_noise(n)):
                found.append(el)
        return found

    def scope_elements(self, *tags: str, outside_body: bool = False) -> list[etree._Element]:
        """Elements of the article's scope outside widgets, optionally only those outside the body.

        Walked once per page and reused: title, dates, bylines and terms all read the same scope.
        """
        if self._scope_items is None:
            items: list[tuple[etree._Element, bool]] = []
            stack = [(child, False) for child in reversed(self.scope)]
            while stack:
                el, in_body = stack.pop()
                if not isinstance(el.tag, str) or is_region_noise(el):
                    continue
                in_body = in_body or el is self.container
                items.append((el, in_body))
                stack.extend((child, in_body) for child in reversed(el))
            self._scope_items = items
        wanted = set(tags)
        return [
            el
            for el, in_body in self._scope_items
            if (not wanted or el.tag in wanted) and not (outside_body and in_body)
        ]

    def parse(self) -> ParsedPage:
        url = self.url()
        title = self._title = self.title()
        body = self.body(title, url)
        bylines = body.bylines
        if not bylines:
            bylines = self.meta_bylines()
            self.byline_source = "meta line"
        published, modified = self.dates()
        record = {
            "url": url,
            "wp_post_id": self.wp_post_id(),
            "title": title,
            "dateline": body.dateline,
            "published_at": published,
            "modified_at": modified,
            "reporter": bylines.get("reporter"),
            "editor": bylines.get("editor"),
            "author": self.author(),
            "categories": self.categories(),
            "tags": self.tags(),
            "summary": self.summary(),
            "image_url": self.image_url(),
            "body_text": "\n\n".join(body.paragraphs),
            "baca_juga": [{"url": href, "title": t} for href, t in body.baca_juga],
        }
        return ParsedPage(record, self.page_urls(url), self._amphtml(), self.container)

    def field_sources(self, record: dict[str, Any]) -> dict[str, str | None]:
        """Which signal gave each field of `record` (None for an empty field); one of SOURCES.

        Worked out after the fact, by checking which signal holds the value, so the crawl's fast
        path pays nothing for it unless asked.
        """
        doc, meta = self.doc, self.doc.meta
        out: dict[str, str | None] = dict.fromkeys(FIELDS)
        canonical = doc.link_href("canonical")
        if canonical and join(doc.url, canonical) and strip_tracking(join(doc.url, canonical)) == record["url"]:
            out["url"] = "canonical link"
        elif doc.meta_first("og:url"):
            out["url"] = "meta"
        else:
            out["url"] = "page URL"
        if record["wp_post_id"] is not None:
            shortlink = doc.link_href("shortlink")
            if shortlink and shortlink_post_id(join(doc.url, shortlink) or "") == record["wp_post_id"]:
                out["wp_post_id"] = "shortlink"
            elif f"postid-{record['wp_post_id']}" in doc.body_classes:
                out["wp_post_id"] = "theme class"
            else:
                out["wp_post_id"] = "theme markup"
        if record["title"]:
            headline = self.graph.names(self.article_node.get("headline"))
            if headline and self._strip_suffix(headline[0]) == record["title"]:
                out["title"] = "json-ld"
            elif any(clean(text_of(h)) == record["title"] for h in doc.root.iter("h1", "h2", "h3")):
                out["title"] = "headline element"
            else:
                out["title"] = "meta"
        text_source = "visible text" if self.body_source == "theme container" else self.body_source
        for key in ("dateline", "body_text", "baca_juga"):
            out[key] = (text_source if key != "body_text" else self.body_source) if record[key] else None
        for key in ("reporter", "editor"):
            out[key] = f"visible text ({self.byline_source})" if record[key] else None
        out["published_at"] = self.sources.get("published_at") if record["published_at"] else None
        out["modified_at"] = self.sources.get("modified_at") if record["modified_at"] else None
        out["author"] = self.sources.get("author") if record["author"] else None
        for key, want_category in (("categories", True), ("tags", False)):
            if record[key]:
                links = {t.casefold() for t in self._term_links(want_category=want_category)}
                out[key] = (
                    "rel links"
                    if links & {t.casefold() for t in record[key]}
                    else ("json-ld" if key == "categories" and self.article_node.get("articleSection") else "meta")
                )
        if record["summary"]:
            out["summary"] = "meta"
        if record["image_url"]:
            og = [*meta.get("og:image", []), *meta.get("og:image:url", []), *meta.get("og:image:secure_url", [])]
            out["image_url"] = (
                "meta"
                if any(join(doc.url, unescape_clean(v)) == record["image_url"] for v in og)
                else ("json-ld" if self.article_node.get("image") or self.webpage_node else "theme markup")
            )
        return out

    # -- identity ---------------------------------------------------------------------------------

    def url(self) -> str:
        for href in (self.doc.link_href("canonical"), self.doc.meta_first("og:url")):
            if href and not href.startswith(("#", "javascript:")):
                joined = join(self.doc.url, href)
                if joined:
                    return strip_tracking(joined)
        return canonicalize_url(self.doc.url)

    def wp_post_id(self) -> int | None:
        shortlink = self.doc.link_href("shortlink")
        if shortlink:
            found = shortlink_post_id(join(self.doc.url, shortlink) or "")
            if found is not None:
                return found
        for cls in self.doc.body_classes:
            if cls.startswith("postid-") and cls[7:].isdigit():
                return int(cls[7:])
        node = self.container if self.container is not None else None
        while node is not None:
            m = _POST_ID_ATTR.fullmatch(node.get("id") or "")
            if m:
                return int(m.group(1))
            node = node.getparent()
        for rels, _typ, href in self.doc.links:
            m = _REST_POST.search(href)
            if m and "alternate" in rels:
                return int(m.group(1))
        return None

    def _amphtml(self) -> str | None:
        href = self.doc.link_href("amphtml")
        return join(self.doc.url, href) if href else None

    # -- title ------------------------------------------------------------------------------------

    def _site_names(self) -> set[str]:
        host = self.doc.url.split("/")[2].lower() if self.doc.url.count("/") >= 2 else ""
        names = {"satukanal.com", "satukanal", host}
        site = self.doc.meta_first("og:site_name")
        if site:
            names.add(site.lower())
        for node in self.graph.of_type({"WebSite", "Organization", "NewsMediaOrganization"}):
            names.update(n.lower() for n in self.graph.names(node))
        return names

    def _strip_suffix(self, title: str) -> str:
        names = self._site_names()
        for sep in (" | ", " - ", " – ", " — ", " :: ", " » ", " · "):
            head, found, tail = title.rpartition(sep)
            if found and head and tail.strip().lower() in names:
                return head.strip()
        return title

    def title(self) -> str:
        headline = self.graph.names(self.article_node.get("headline"))
        headline_text = self._strip_suffix(headline[0]) if headline else ""
        h1s = [clean(text_of(h)) for h in self.doc.root.iter("h1") if not _in_site_chrome(h)]
        h1s = [h for h in h1s if h]
        scoped_h1 = [clean(text_of(h)) for h in self.scoped("h1") if not _in_site_chrome(h)]
        scoped_h1 = [h for h in scoped_h1 if h]
        if headline_text and headline_text in h1s:
            return headline_text
        reference = headline_text or self._strip_suffix(
            unescape_clean(self.doc.meta_first("og:title", "twitter:title") or self._html_title() or "")
        )
        if scoped_h1 and (not reference or _agrees(scoped_h1[0], reference)):
            return scoped_h1[0]
        if reference:
            # The h1 is the site's or the channel's name ("Regional", "Bola"): the headline is the
            # heading that matches the page's title (Kompas and Republika print it in an <h2>).
            for h in self.doc.root.iter("h1", "h2", "h3"):
                text = clean(text_of(h))
                if text and _agrees(text, reference) and not _in_site_chrome(h):
                    return text
        if scoped_h1 and not _looks_like_label(scoped_h1[0], reference):
            return scoped_h1[0]
        if headline_text:
            return headline_text
        if h1s and not _looks_like_label(h1s[0], reference):
            return h1s[0]
        if reference:
            return reference
        for value in (self.doc.meta_first("og:title", "twitter:title"), self._html_title()):
            if value:
                return self._strip_suffix(unescape_clean(value))
        return ""

    def _html_title(self) -> str | None:
        el = self.doc.root.find(".//title")
        return clean(text_of(el)) if el is not None else None

    # -- dates ------------------------------------------------------------------------------------

    def dates(self) -> tuple[str, str | None]:
        """CONTRACT rule 6: a sound machine value, unless the visible WIB date shows it is mislabelled;
        an unsound one (malformed, zone-less) only where the visible date agrees; then the visible date;
        then the generic search (htmldate) for pages that follow none of the conventions."""
        meta, art, page = self.doc.meta_first, self.article_node, self.webpage_node
        pub_machine = _machine(
            ("meta", meta("article:published_time", "og:article:published_time")),
            ("json-ld", art.get("datePublished")),
            ("json-ld", page.get("datePublished")),
            ("meta", meta("itemprop:datepublished", "datepublished", "publishdate", "pubdate", "parsely-pub-date")),
        )
        mod_machine = _machine(
            ("meta", meta("article:modified_time", "og:article:modified_time")),
            ("json-ld", art.get("dateModified")),
            ("json-ld", page.get("dateModified")),
            ("meta", meta("og:updated_time", "itemprop:datemodified", "datemodified", "lastmod")),
        )
        if pub_machine is None or mod_machine is None:
            time_pub, time_mod = self._time_elements()
            pub_machine = pub_machine or (time_pub and ("time element", time_pub))
            mod_machine = mod_machine or (time_mod and ("time element", time_mod))
        vis_pub = vis_mod = None
        needs_visible = pub_machine is None or not pub_machine[1].sound
        if not needs_visible and not _same_wall(pub_machine[1]):
            # A sound value in another zone is only suspect when its wall time is printed on the
            # page (a WIB wall time labelled Z): checked on the text first, the walk only then.
            needs_visible = _wall_time_printed(self.text, pub_machine[1].wall)
        if needs_visible or mod_machine is None:
            vis_pub, vis_mod = self._visible_dates()
            if pub_machine is None or not pub_machine[1].sound:
                vis_pub = self._visible_near_title() or vis_pub
        published = _decide(pub_machine[1] if pub_machine else None, vis_pub)
        if published is None:
            published = fallback.find_date(self.text, self.doc.url)
            self.sources["published_at"] = "library" if published else None
        elif pub_machine and published == pub_machine[1].wib:
            self.sources["published_at"] = pub_machine[0]
        elif pub_machine and published == dates.format_wib(pub_machine[1].wall):
            self.sources["published_at"] = f"{pub_machine[0]}, zone from the visible date"
        else:
            self.sources["published_at"] = "visible text"
        if (
            self.sources["published_at"] in ("visible text", "time element")
            and published.endswith("T00:00:00+07:00")
            and not self._portal_like()
        ):
            # Off the themes we know, a date-only visible or <time> date may be a widget's or a
            # comment's: htmldate's extensive search, which weighs every date on the page, decides.
            found = fallback.find_date(self.text, self.doc.url)
            if found and found[:10] != published[:10]:
                published = found
                self.sources["published_at"] = "library"
        modified = mod_machine[1].wib if mod_machine else vis_mod
        self.sources["modified_at"] = (mod_machine[0] if mod_machine else "visible text") if modified else None
        return published or "", modified

    def _time_elements(self) -> tuple[dates.MachineDate | None, dates.MachineDate | None]:
        published = modified = None
        for el in self.scoped("time", outside_body=True):
            value = dates.parse_machine(el.get("datetime"))
            if value is None:
                continue
            if _MODIFIED_CLASS.search(el.get("class") or ""):
                modified = modified or value
            elif published is None:
                published = value
        return published, modified

    def _meta_texts(self, hint: re.Pattern[str]) -> list[str]:
        """Short texts of the article's meta elements (outside the body and widgets), innermost first.

        A meta bar's text runs its parts together ("Editor: X 0 Komentar"), so the most specific
        element that carries a value is read before the bar that contains it.
        """
        out: list[tuple[int, int, str]] = []
        for el in self.scope_elements(outside_body=True):
            if el.tag in ("script", "style"):
                continue
            if el.tag == "time" or hint.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
                text = clean(text_of(el))
                if text and len(text) <= 300:
                    out.append((-_depth(el), len(out), text))
        return [text for _, _, text in sorted(out)]

    def _visible_dates(self) -> tuple[str | None, str | None]:
        published = modified = None
        for text in self._meta_texts(_DATE_HINT):
            for part in _UPDATE_SPLIT.split(text):
                value = dates.parse_visible_date(part, free_form=False)
                if value is None:
                    continue
                if _MODIFIED_HINT.search(part):
                    modified = modified or value
                elif published is None:
                    published = value
            if published and modified:
                break
        return published, modified

    def _portal_like(self) -> bool:
        """A WordPress single post: its theme's date markup is what rule 6 describes, read as is."""
        classes = self.doc.body_classes
        return "single-post" in classes or any(c.startswith("postid-") for c in classes)

    def _visible_near_title(self) -> str | None:
        """The date printed with the headline on pages whose date element has no telling class.

        Short texts that hold a date are read in document order, and the one nearest the headline
        wins, a date with a time before one without: the meta line sits just above or below the
        headline, while widget dates are further away, top-bar "today" dates print no time, and dates
        in the text are inside paragraphs too long to count.
        """
        title = getattr(self, "_title", "")
        found: list[tuple[int, str, bool]] = []
        title_at: int | None = None
        position = 0
        stack = [self.doc.body]
        while stack:
            el = stack.pop()
            if not isinstance(el.tag, str) or el.tag in ("script", "style") or is_region_noise(el):
                continue
            position += 1
            text = clean(text_of(el))
            if title_at is None and title and text == title:
                title_at = position
                continue
            if 6 <= len(text) <= 80 and _DIGIT.search(text) and not _has_dated_child(el):
                value = dates.parse_visible_date(text, free_form=False)
                if value:
                    found.append((position, value, not value.endswith("T00:00:00+07:00")))
                    continue
            if len(text) > 80 or el is self.doc.body or _DIGIT.search(text):
                stack.extend(reversed(el))
        if not found:
            return None
        anchor = title_at if title_at is not None else 0
        return min(found, key=lambda f: (not f[2], abs(f[0] - anchor)))[1]

    # -- people -----------------------------------------------------------------------------------

    def meta_bylines(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for text in self._meta_texts(_BYLINE_HINT):
            for key, name in find_bylines(text).items():
                found.setdefault(key, name)
        if not found:
            found = self._labelled_elements()
        return found

    def _labelled_elements(self) -> dict[str, str]:
        """Bylines of themes that give them no telling class: a short element that is a byline line
        ("Redaktur : Agus", "Red: Yudha", "Rina / Jurnalis"), or a label in its own cell or span with
        the name in the element beside it (Kompas's Penulis/Editor table, Okezone's name-then-label)."""
        found: dict[str, str] = {}
        for el in self.scope_elements(outside_body=True):
            if el.tag in ("script", "style") or not _LABEL_WORD.search(text_of(el)):
                continue
            text = clean(text_of(el))
            if len(text) > 120:
                continue
            key = bare_label(text)
            if key is not None:
                name = _beside(el)
                if name and key not in found:
                    found[key] = name
                continue
            for key, name in (parse_byline_block(text) or label_after_name(text) or {}).items():
                found.setdefault(key, name)
        return found

    def author(self) -> str | None:
        """CONTRACT rule 8, in its order: author link or vcard, twitter:data1, JSON-LD author."""
        for el in _AUTHOR_CANDIDATES(self.scope):
            classes = set((el.get("class") or "").split())
            if el.tag == "a" and "author" in (el.get("rel") or "").split():
                named = el
            elif "author" in classes:  # hCard: <span class="author vcard"><a class="fn">Name</a></span>
                named = next((d for d in el.iter() if "fn" in (d.get("class") or "").split()), None)
                named = named if named is not None else next(el.iter("a"), el)
            elif classes & _AUTHOR_CLASSES:  # "Oleh <a>Name</a> -": the link, when there is one, is the name
                named = next(el.iter("a"), el)
            else:
                continue
            if inside(el, self.scope, lambda n: n is self.container or is_region_noise(n)):
                continue
            name = clean(text_of(named))
            name = _AUTHOR_PREFIX.sub("", name)
            name = name.strip(" -–—|·•:,")
            if name and len(name) <= 80:
                self.sources["author"] = "theme markup"
                return name
        label = (self.doc.meta_first("twitter:label1") or "").lower()
        if label in ("written by", "ditulis oleh", "penulis", "oleh"):
            data = self.doc.meta_first("twitter:data1")
            if data:
                self.sources["author"] = "meta"
                return data
        authors = self.article_node.get("author")
        people = [self.graph.resolve(a) for a in (authors if isinstance(authors, list) else [authors])]
        names = [n for p in people if _is_person(p) for n in self.graph.names(p)]
        names += [n for p in people for n in self.graph.names(p)]
        if names:
            self.sources["author"] = "json-ld"
            return names[0]
        self.sources["author"] = "meta"
        return self.doc.meta_first("author")

    # -- taxonomy ---------------------------------------------------------------------------------

    def _term_links(self, want_category: bool) -> list[str]:
        if self._rel_links is None:
            self._rel_links = self.scoped("a", predicate=lambda el: el.get("rel"))
        names = []
        for a in self._rel_links:
            rels = set((a.get("rel") or "").lower().split())
            if not rels or (want_category and "category" not in rels):
                continue
            if not want_category and (rels != {"tag"} and not ("tag" in rels and "category" not in rels)):
                continue
            name = clean(text_of(a)).lstrip("#").strip()
            if name:
                names.append(name)
        return names

    def categories(self) -> list[str]:
        links = self._term_links(want_category=True)
        # RankMath writes all sections as one comma-joined string.
        sections = [s.strip() for name in self.graph.names(self.article_node.get("articleSection"))
                    for s in name.split(",") if s.strip()]  # fmt: skip
        found = _merge_terms(links, sections)
        if not found:
            found = _merge_terms(self.doc.meta.get("article:section", []))
        return found

    def tags(self) -> list[str]:
        links = self._term_links(want_category=False)
        meta_tags = [unescape_clean(t) for t in self.doc.meta.get("article:tag", [])]
        keywords: list[str] = []
        raw_keywords = self.article_node.get("keywords")
        if isinstance(raw_keywords, list) and not self.doc.is_rankmath:
            keywords = self.graph.names(raw_keywords)
        if links or meta_tags:
            return _merge_terms(links, meta_tags)
        return _merge_terms(keywords)

    # -- summary and image ------------------------------------------------------------------------

    def summary(self) -> str | None:
        for key in ("description", "og:description"):
            for value in self.doc.meta.get(key, ()):
                value = unescape_clean(value)
                if value:
                    return value
        return None

    def image_url(self) -> str | None:
        candidates = [
            *self.doc.meta.get("og:image", []),
            *self.doc.meta.get("og:image:url", []),
            *self.doc.meta.get("og:image:secure_url", []),
            self.graph.image_url(self.article_node.get("image")),
            self.graph.image_url(self.webpage_node.get("primaryImageOfPage")),
            self.graph.image_url(self.webpage_node.get("image")),
            *self.doc.meta.get("twitter:image", []),
        ]
        for value in candidates:
            if value and not _PLACEHOLDER_IMG.search(value.strip()):
                joined = join(self.doc.url, unescape_clean(value))
                if joined:
                    return joined
        for img in _FEATURED_IMG(self.doc.root):
            if inside(img, None, is_region_noise):
                continue
            for attr in ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file", "data-srcset"):
                value = (img.get(attr) or "").strip().split(" ")[0]
                if value and not _PLACEHOLDER_IMG.search(value):
                    joined = join(self.doc.url, value)
                    if joined:
                        return joined
        return None

    # -- body -------------------------------------------------------------------------------------

    def body(self, title: str, url: str) -> _Body:
        """Our container's text on the themes we know; the fallback extractor's where we know none or
        where the container holds a fraction of what the fallback finds (a summary box of a theme
        we misread). The portal's pages never pay for the fallback: their container is full."""
        if self.container is not None:
            blocks = collect_blocks(self.container, self.doc.url)
            body = _Body.from_blocks(blocks, title)
            size = sum(len(p) for p in body.paragraphs)
            if size >= _FULL_CONTAINER:
                self.body_source = "theme container"
                return body
            if body.paragraphs:
                other = self._fallback_body(title)
                if sum(len(p) for p in other.paragraphs) < 2 * size:
                    self.body_source = "theme container"
                    return body
                return other
        return self._fallback_body(title)

    def _fallback_body(self, title: str) -> _Body:
        self.body_source = "library (trafilatura)"
        paragraphs = _lead_from_headline(fallback.extract_paragraphs(self.text, self.doc.url), title)
        body = _Body.from_blocks([Block(p, "p") for p in paragraphs], title)
        while body.paragraphs and (found := spaced_byline(body.paragraphs[-1])):
            body.paragraphs.pop()
            for key, name in found.items():
                body.bylines.setdefault(key, name)
        text_box = self._element_holding(body.paragraphs)
        blocks = collect_blocks(text_box, self.doc.url)
        last = body.paragraphs[-1][-50:] if body.paragraphs else ""
        end = max((i for i, b in enumerate(blocks) if last and last in b.text), default=len(blocks))
        labelled = [b for b in blocks[: end + 1] if b.kind == "baca_juga"]  # after the text: a widget
        body.baca_juga = [link for b in labelled for link in b.links]
        if body.dateline is None and body.paragraphs:
            body.dateline = _dateline_before(blocks, body.paragraphs)
            loose = _loose_lead(blocks, body.paragraphs)
            if loose:
                place, lead = split_dateline(loose)
                body.paragraphs.insert(0, clean(lead) if place else loose)
                body.dateline = place
        if labelled:
            titles = {t for _href, t in body.baca_juga}
            body.paragraphs = [
                p for p in body.paragraphs if not (BACA_JUGA.match(p) or p in titles or _only_titles(p, titles))
            ]
        return body

    def _element_holding(self, paragraphs: list[str]) -> etree._Element:
        """The innermost element whose text holds the first and the last paragraph: the text's box,
        where inline Baca Juga links count (a Baca Juga widget after it does not, rule 13)."""
        if not paragraphs:
            return self.scope
        heads = [paragraphs[0][:50], paragraphs[-1][-50:]]
        found = self.scope
        for el in self.scope.iter():
            if isinstance(el.tag, str) and all(h in clean(text_of(el)) for h in heads):
                found = el
        return found

    def page_urls(self, url: str) -> list[str]:
        """All pages of a `<!--nextpage-->` article in order, or [] for a single-page one."""
        if self.container is None or not _PAGE_LINK_HINT.search(self.text):
            return []
        pages: dict[int, str] = {}
        for box in _PAGE_LINKS(self.container):
            for a in box.iter("a"):
                href = (a.get("href") or "").strip()
                if not href:
                    continue
                number = _page_number(clean(text_of(a)), href)
                if number:
                    joined = join(self.doc.url, href)
                    if joined:
                        pages.setdefault(number, joined)
        if not pages:
            return []
        pages.setdefault(_page_number("", self.doc.url) or 1, url)
        pages.setdefault(1, url)
        return [pages[n] for n in sorted(pages)]


@dataclass(slots=True)
class _Body:
    paragraphs: list[str]
    baca_juga: list[tuple[str, str]]
    bylines: dict[str, str]
    dateline: str | None

    @classmethod
    def from_blocks(cls, blocks: list[Block], title: str) -> _Body:
        paragraphs: list[str] = []
        baca_juga: list[tuple[str, str]] = []
        bylines: dict[str, str] = {}
        pending: str | None = None
        label_key: str | None = None
        for block in blocks:
            if block.kind == "baca_juga":
                baca_juga.extend(block.links)
                pending = None
                continue
            if block.kind in ("baca_label", "related_label"):
                pending = block.kind
                continue
            if block.kind == "related":
                pending = None
                continue
            if pending and block.is_link_only():
                if pending == "baca_label":
                    baca_juga.extend(block.links)
                continue
            pending = None
            text = block.text
            if not text or _BOILERPLATE.match(text) or (block.tag == "h1" and text == title):
                continue
            found = parse_byline_block(block.raw) or label_after_name(text)
            if found:
                for key, name in found.items():
                    bylines.setdefault(key, name)
                continue
            if label_key is not None:  # the name in the cell after a bare label
                name = name_for_label(text)
                if name:
                    bylines.setdefault(label_key, name)
                    label_key = None
                    continue
            label_key = bare_label(text)
            if label_key is not None:
                continue
            paragraphs.append(text)
        dateline = None
        if paragraphs:
            dateline, lead = split_dateline(paragraphs[0])
            if dateline:
                lead = clean(lead)
                if lead:
                    paragraphs[0] = lead
                else:
                    paragraphs.pop(0)
        return cls(paragraphs, baca_juga, bylines, dateline)


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ", " · ", ": ")


_FULL_CONTAINER = 600  # characters of text; below this a container may be a summary box, so both are weighed


def _lead_from_headline(paragraphs: list[str], title: str) -> list[str]:
    """The fallback's paragraphs from the lead on: what it keeps above (breadcrumbs, kicker, the
    headline itself, the date line, a photo caption) goes when the lead's dateline or the headline
    shows where the text starts."""
    for i, p in enumerate(paragraphs[:10]):
        if i and split_dateline(p)[0]:
            return paragraphs[i:]
    folded = title.casefold()
    for i, p in enumerate(paragraphs[:10]):
        if folded and p.casefold() == folded:
            return paragraphs[i + 1 :]
    return paragraphs


def _dateline_before(blocks: list[Block], paragraphs: list[str]) -> str | None:
    """A dateline printed just before the lead's paragraph (`<strong>Jakarta</strong> - <p>...`),
    which the fallback extractor drops with the loose text around it."""
    head = paragraphs[0][:50]
    for before, block in itertools.pairwise(blocks):
        if head in block.text:
            prefix = before.text
            if len(prefix) <= 40:
                place, _rest = split_dateline(f"{prefix} {paragraphs[0]}")
                return place
            return None
    return None


def _loose_lead(blocks: list[Block], paragraphs: list[str]) -> str | None:
    """Text written straight into the box before the first `<p>` (KapanLagi), which the fallback
    extractor drops: a prose block (sentences, not links) just before its first paragraph."""
    head = paragraphs[0][:50]
    for before, block in itertools.pairwise(blocks):
        if head in block.text:
            text = before.text
            if (
                len(text) >= 80
                and before.kind == "text"
                and not before.links
                and text[-1] in '.?!"”'
                and text not in paragraphs
            ):
                return text
            return None
    return None


def _only_titles(text: str, titles: set[str]) -> bool:
    rest = text
    for title in titles:
        rest = rest.replace(title, "")
    return rest != text and not _NOT_WORD.sub("", BACA_JUGA.sub("", rest))


def _beside(label: etree._Element) -> str | None:
    """The name next to a bare byline label: the following element (a table cell), else the one before."""
    for sibling in (label.getnext(), label.getprevious()):
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
        if sibling is not None:
            name = name_for_label(clean(text_of(sibling)))
            if name:
                return name
    return None


def _agrees(heading: str, reference: str) -> bool:
    """A heading that is the page title's headline (the title may carry a site name or a kicker)."""
    a, b = heading.casefold(), reference.casefold()
    if a == b or (len(a) >= 0.6 * len(b) and (a in b or b in a)):
        return True
    return any(b.startswith(a + sep) or b.endswith(sep + a) for sep in _TITLE_SEPARATORS)


def _looks_like_label(heading: str, reference: str) -> bool:
    """A channel or section name in the h1 ("Regional", "TAG") where the title names a headline."""
    return bool(reference) and len(heading.split()) <= 3 < len(reference.split())


def _has_dated_child(el: etree._Element) -> bool:
    """An element whose date sits in one of its children: the child is the one to read."""
    return any(
        isinstance(c.tag, str)
        and _DIGIT.search(text_of(c))
        and dates.parse_visible_date(clean(text_of(c)), free_form=False)
        for c in el
    )


def _machine(*sources: tuple[str, Any]) -> tuple[str, dates.MachineDate] | None:
    """(signal, value): the first sound machine value of the sources, in order; else the first unsound one."""
    unsound = None
    for signal, value in sources:
        if isinstance(value, str):
            found = dates.parse_machine(value)
            if found and found.sound:
                return signal, found
            unsound = unsound or (found and (signal, found))
    return unsound


def _wall_time_printed(text: str, wall: datetime) -> bool:
    """The value's wall time ("14:35", "07.35", "7:35") printed as a time, not inside an ISO value.

    Searched for a literal first (a lookbehind at the start of a pattern would cost a check at every
    position of the page), then the characters around each hit are looked at.
    """
    for m in re.finditer(rf"{wall.hour}[:.]{wall.minute:02d}(?![:\d])", text):
        start = m.start()
        if start and wall.hour < 10 and text[start - 1] == "0":
            start -= 1
        if not start or text[start - 1] not in "0123456789T:.":
            return True
    return False


def _same_wall(machine: dates.MachineDate) -> bool:
    """True when the value was written in WIB: no visible date can show it mislabelled."""
    return datetime.fromisoformat(machine.wib).replace(tzinfo=None) == machine.wall.replace(microsecond=0)


def _decide(machine: dates.MachineDate | None, visible: str | None) -> str | None:
    """Rule 6 between a machine value and the visible date printed as WIB."""
    if machine is None or visible is None:
        return machine.wib if machine else visible
    shown = datetime.fromisoformat(visible).replace(tzinfo=None)
    has_time = shown.time() != datetime.min.time()
    wall_minute = machine.wall.replace(second=0, microsecond=0)
    as_wib = dates.format_wib(machine.wall)
    if machine.sound:
        if not has_time:
            return machine.wib
        stated = datetime.fromisoformat(machine.wib).replace(tzinfo=None, second=0, microsecond=0)
        gap = stated - shown
        if gap and gap % timedelta(hours=1) == timedelta(0):  # WIB wall time labelled with another zone
            return as_wib if wall_minute == shown else visible
        return machine.wib
    # An unsound value yields to the visible date, unless that date is too far off to be the same
    # moment mislabelled: then it is more likely another item's date (a widget) than this article's.
    if has_time:
        if wall_minute == shown or abs(wall_minute - shown) >= timedelta(days=1):
            return as_wib
        return visible
    return as_wib if abs((machine.wall.date() - shown.date()).days) != 1 else visible


def _is_person(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "Person" in kinds or kind is None


def _in_site_chrome(el: etree._Element) -> bool:
    return inside(el, None, lambda n: is_site_header(n) or is_region_noise(n))


def _merge_terms(*sources: list[str]) -> list[str]:
    """Union of term names, case-insensitively; a name as WordPress writes it beats an upper-cased label."""
    chosen: dict[str, str] = {}
    for source in sources:
        for name in source:
            name = unescape_clean(name).lstrip("#").strip()
            if not name:
                continue
            key = name.casefold()
            current = chosen.get(key)
            if current is None or (current.isupper() and not name.isupper()):
                chosen[key] = name
    return list(chosen.values())


def _page_number(text: str, href: str) -> int | None:
    if text.isdigit():
        return int(text)
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    for key, value in parse_qsl(parts.query):
        if key == "page" and value.isdigit():
            return int(value)
    m = _PAGE_NUMBER_PATH.search(parts.path)
    return int(m.group(1)) if m else None
