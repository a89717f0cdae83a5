"""The project's one URL canonicaliser.

Every URL that identifies an article (in items, in the archive, in dedupe keys) passes through
`canonicalize_url`, so that tracking parameters, fragments, AMP twins and the order of query arguments
never make one article look like two. The origin swap for mirrors lives here too, because "which host is
the portal" is part of what a canonical URL means.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

DEFAULT_BASE_URL = "https://satukanal.com"

# Query parameters that only say where a reader came from; they never select different content.
_TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ref|ref_src|src|share|amp|amp;\w+|__twitter_impression|cmpid|s_cid|wt_mc|recruiter|"
    r"replytocom|unapproved|moderation-hash)$",
    re.IGNORECASE,
)
_AMP_SUFFIX = re.compile(r"/amp/?$")


def join(base: str, href: str) -> str | None:
    """`href` resolved against `base`, or None when the page wrote something no URL parser accepts
    (e.g. "https://[host/"): pages are untrusted input and a parser must not raise."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def strip_tracking(url: str) -> str:
    """Drop tracking query parameters and the fragment, keeping everything else byte for byte."""
    url = url.strip()
    if "?" not in url and "#" not in url:
        return url  # the usual canonical link: nothing to strip
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("#", 1)[0]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAM.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical form of an article or page URL.

    Resolves `url` against `base`, removes tracking parameters and fragments, maps an AMP twin
    (`/slug/amp/`, `?amp=1`) to its page, lower-cases scheme and host and sorts the remaining query
    arguments (w3lib's canonical form, the one Scrapy's duplicate filter uses).
    """
    if base and not (url.startswith(("https://", "http://")) and "/." not in url):
        url = join(base, url) or url  # (an absolute URL without dot segments would come back unchanged)
    try:
        return _canonical(url)
    except ValueError:  # not a URL any parser accepts: kept as written, it will never match a real page
        return url.strip()


# Already canonical: http(s), lower-case host, no query, fragment, escapes, spaces or non-ASCII, no AMP
# suffix. w3lib would return such a URL unchanged (tests/test_urls.py checks that), at ~60 us a call.
_PLAIN = re.compile(r"https?://[a-z0-9.\-]+(?::\d+)?(?:/[A-Za-z0-9._~!$&'()*+,;=:@\-]*)+")


@functools.lru_cache(maxsize=8192)
def _canonical(url: str) -> str:
    if _PLAIN.fullmatch(url) and not _AMP_SUFFIX.search(url) and "/." not in url:
        return url
    return _full_canonical(url)


def _full_canonical(url: str) -> str:
    # Cached: a listing page links the same menu, sidebar and article URLs many times, and every page
    # links the same menu, so a crawl canonicalises the same few thousand absolute URLs over and over.
    cleaned = strip_tracking(url)
    parts = urlsplit(cleaned)
    path = _AMP_SUFFIX.sub("/", parts.path) if parts.path not in ("/amp", "/amp/") else parts.path
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path or "/", parts.query, ""))
    return _w3lib_canonicalize(cleaned, keep_fragments=False)


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, without a trailing slash."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def rebase(url: str, base_url: str, from_base: str = DEFAULT_BASE_URL) -> str:
    """Move a URL on `from_base` (the live portal) to `base_url` (e.g. a loopback mirror)."""
    src, dst = origin_of(from_base), origin_of(base_url)
    if src != dst and url.startswith(src):
        return dst + url[len(src) :]
    return url


def same_host(url: str, base_url: str) -> bool:
    """True when `url` is on the portal's host (the mirror's when overridden); subdomains do not count."""
    try:
        return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()
    except ValueError:
        return False


def shortlink_post_id(url: str) -> int | None:
    """The post id of a WordPress shortlink `/?p=N`, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.path not in ("", "/"):
        return None
    for key, value in parse_qsl(parts.query):
        if key == "p" and value.isdigit():
            return int(value)
    return None
