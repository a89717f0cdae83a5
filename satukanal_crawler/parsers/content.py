"""Where the article is on the page: its content container, its scope, and what counts as noise.

Themes differ in class names but agree on shape: one content container (`entry-content` and its
equivalents) inside one article element, surrounded by widgets. The container is chosen by how much
paragraph text it holds once widgets are discounted, preferring the innermost of near-equal candidates,
so a page-wide wrapper never wins over the real container and a related-posts card never wins at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from satukanal_crawler.parsers.text import clean, text_of

_CONTENT_CLASSES = frozenset(
    {
        "entry-content", "td-post-content", "tdb_single_content", "tdb-block-inner", "content-inner",
        "post-content", "single-post-content", "amp-wp-article-content", "article-content", "article-body",
        "post-body", "entry-body", "the-content", "post-entry", "single-content", "detail-content",
        "content-detail", "news-content", "post-text", "story-body", "article__content", "read__content",
        "detail__body-text", "entry-text",
    }
)  # fmt: skip

_CONTAINER_TAGS = ("div", "section", "article", "main", "td")

# Regions that are never part of the article: widgets, related posts, comments, navigation.
_REGION_WORDS = (
    r"related\w*|terkait|yarpp\w*|crp_related|jp-relatedposts|widgets?|widget_\w+|sidebar\w*|"
    r"comments?|comment-\w+|commentlist|respond|breadcrumbs?|navigation|nav-links|post-navigation|menu|"
    r"popular\w*|terpopuler|trending|ticker|breaking(-news)?|bn-\w+|site-header|masthead|site-footer|"
    r"colophon|top-?bar|site-branding|footer-widgets|recent-posts|more-posts|next-post|prev-post"
)
# Inside the content container as well: ads, share bars, tag boxes, captions, embeds, page links.
_BODY_WORDS = (
    _REGION_WORDS + r"|ads?|adsbygoogle|advert\w*|iklan\w*|banners?|sponsor\w*|code-block|ai-viewports?|"
    r"share\w*|sharing|sharedaddy|social\w*|addtoany\w*|a2a_kit|tags|tags-links|tags-box|tagsbox|tag-?cloud|"
    r"post-tags|entry-tags|page-links|pagelinks|pagination|post-page-numbers|wp-caption|wp-caption-text|"
    r"gallery-caption|caption|twitter-tweet|instagram-media|tiktok-embed|fb-post|wp-block-embed|"
    r"author-?box|author-bio|about-author|newsletter|subscribe|screen-reader-text|sr-only|print-only|"
    r"jeg_share\w*|td-a-rec|td-post-sharing\w*|td-post-source-tags|td-tags|heateor\w*|sfsi\w*|wpcnt|"
    r"entry-footer|post-footer|rating\w*|reaction\w*|emoji\w*|toc|ez-toc\w*|wp-polls?|inline-ad\w*"
)
_BRANDING_RE = re.compile(r"site-header|masthead|header-main|site-branding|site-title|logo")
_REGION_RE = re.compile(rf"(?:^|[\s_-])(?:{_REGION_WORDS})(?=$|[\s_-])")
_BODY_RE = re.compile(rf"(?:^|[\s_-])(?:{_BODY_WORDS})(?=$|[\s_-])")
_POST_CLASS = re.compile(r"(?:^|\s)(hentry|type-post|post-\d+)(?:\s|$)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

REGION_TAGS = frozenset({"nav", "aside"})
PAGE_TAGS = frozenset({"html", "body"})
# Elements whose text is never prose: code, media, forms, AMP components.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "video", "audio", "canvas",
        "svg", "math", "form", "button", "select", "input", "textarea", "figcaption", "head", "title",
        "meta", "link", "map", "source", "track", "picture", "img", "amp-img", "amp-ad", "amp-embed",
        "amp-sticky-ad", "amp-twitter", "amp-instagram", "amp-facebook", "amp-iframe", "amp-youtube",
        "amp-analytics", "amp-sidebar", "amp-social-share", "amp-carousel", "ins", "hr",
    }
)  # fmt: skip


# WordPress post classes name the post's own terms ("tag-trending", "category-social"): never noise.
_TERM_CLASS = re.compile(r"(?:^|\s)(?:category|tag|post_tag|format|status|type|postid)-\S*")


def _attrs(el: etree._Element) -> str:
    return _TERM_CLASS.sub(" ", f"{el.get('class') or ''} {el.get('id') or ''}".lower())


@lru_cache(maxsize=4096)
def _classify(class_attr: str | None, id_attr: str | None) -> tuple[bool, bool, bool]:
    """(region noise, body noise, site branding) for a class/id pair; pages repeat these, so cached."""
    if not class_attr and not id_attr:
        return False, False, False
    attrs = _TERM_CLASS.sub(" ", f"{class_attr or ''} {id_attr or ''}".lower())
    region = bool(_REGION_RE.search(attrs))
    return region, region or bool(_BODY_RE.search(attrs)), bool(_BRANDING_RE.search(attrs))


def is_region_noise(el: etree._Element) -> bool:
    """A widget, related-posts block, comment area or navigation: never article content or metadata."""
    if el.tag in REGION_TAGS:
        return True
    if el.tag in PAGE_TAGS:
        return False  # body classes describe the layout ("right-sidebar"), not a region
    return _classify(el.get("class"), el.get("id"))[0]


def is_body_noise(el: etree._Element) -> bool:
    """Anything inside a content container that is not article text (ads, share bars, captions...)."""
    if not isinstance(el.tag, str):
        return True
    if el.tag in SKIP_TAGS or el.tag in REGION_TAGS:
        return True
    if el.tag in PAGE_TAGS:
        return False
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return _classify(el.get("class"), el.get("id"))[1]


def inside(el: etree._Element, stop: etree._Element | None, test) -> bool:
    """True when `el` or an ancestor below `stop` passes `test`."""
    node = el
    while node is not None and node is not stop:
        if test(node):
            return True
        node = node.getparent()
    return False


def prune(root: etree._Element, noise, skip: etree._Element | None = None) -> Iterator[etree._Element]:
    """Elements below `root` in document order, not descending into noise (or into `skip`)."""
    stack = list(reversed(root))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el is skip or noise(el):
            continue
        yield el
        stack.extend(reversed(el))


_SCORED = frozenset({"p", "h2", "h3", "li"})


def _paragraph_score(candidate: etree._Element) -> int:
    score = sum(len(clean(text_of(el))) for el in prune(candidate, is_body_noise) if el.tag in _SCORED)
    if score == 0:
        score = len(clean(text_of(candidate))) // 4
    return score


def _depth(el: etree._Element) -> int:
    return sum(1 for _ in el.iterancestors())


def find_container(root: etree._Element) -> etree._Element | None:
    """The article's content container, or None when the page uses no known container."""
    candidates = [
        el
        for el in root.iter(*_CONTAINER_TAGS)
        if (el.get("itemprop") == "articleBody" or not _CONTENT_CLASSES.isdisjoint(el.get("class", "").split()))
        and not inside(el, None, is_region_noise)
    ]
    if not candidates:
        return None
    if len(candidates) == 1:
        only = candidates[0]
        return only if any(clean(t) for t in only.itertext()) else None
    scored = [(c, _paragraph_score(c)) for c in candidates]
    best = max(score for _, score in scored)
    if best == 0:
        return None
    near = [c for c, score in scored if score >= 0.85 * best]
    return max(near, key=_depth)


def is_site_header(el: etree._Element) -> bool:
    """The site's header or logo block, where a theme may put the site name in an `<h1>`."""
    return isinstance(el.tag, str) and el.tag not in PAGE_TAGS and _classify(el.get("class"), el.get("id"))[2]


def find_scope(root: etree._Element, body: etree._Element, container: etree._Element | None) -> etree._Element:
    """The element holding this article's own header, meta and footer (not the page's widgets)."""
    if container is not None:
        for anc in container.iterancestors():
            attrs = _attrs(anc)
            if anc.tag == "article" or _POST_CLASS.search(attrs):
                return anc
            if anc.tag in ("main", "body"):
                break
        for anc in container.iterancestors():
            if anc.tag == "body":
                break
            if any(not inside(h1, anc, is_site_header) for h1 in anc.iter("h1")):
                return anc
    for xpath in ("//main", "//*[@id='main']", "//*[contains(concat(' ', @class, ' '), ' site-main ')]"):
        found = root.xpath(xpath)
        if found:
            return found[0]
    return body
