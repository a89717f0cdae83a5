"""`satukanal inspect FILE|URL`: one page's record with the signal each field came from.

The first thing to run against the live portal after a theme change: it shows what the crawl would
store for the page and how each value was known (JSON-LD, meta, a theme class, visible text, the
library fallback), without touching any archive. A URL is fetched here, with one plain GET: the
parser itself never does I/O.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from satukanal_crawler.parsers import FIELDS, parse_page

FETCH_TIMEOUT = 30  # seconds
MAX_BYTES = 20 * 1024 * 1024  # a page larger than this is not an article page
USER_AGENT = "satukanal-crawler inspect (+https://github.com/satukanal-archive/satukanal-crawler)"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class InspectError(Exception):
    """A page that could not be read or fetched; the message is one line."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def load(target: str, usage_status: int, unreachable_status: int) -> tuple[bytes, str | None, str]:
    """(body, Content-Type, URL) of a saved file or of one GET of a URL."""
    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                body = response.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise InspectError(f"{target}: larger than {MAX_BYTES // (1024 * 1024)} MB", unreachable_status)
                return body, response.headers.get("Content-Type"), response.geturl()
        except urllib.error.HTTPError as exc:
            raise InspectError(f"{target}: HTTP {exc.code} {exc.reason}", unreachable_status) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InspectError(f"{target}: cannot fetch ({reason})", unreachable_status) from None
    try:
        return Path(target).read_bytes(), None, ""
    except OSError as exc:
        raise InspectError(f"cannot read {target}: {exc.strerror or exc}", usage_status) from None


def _shown(value: Any, width: int = 100) -> str:
    """A value for a terminal: control characters escaped (page text must not drive the terminal)."""
    if value is None:
        return "null"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            text = "; ".join(f"{item.get('title')} <{item.get('url')}>" for item in value)
        else:
            text = ", ".join(str(v) for v in value)
        text = f"[{len(value)}] {text}" if value else "[]"
    else:
        text = str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text.replace("\n", " ⏎ "))
    return text if len(text) <= width else text[: width - 1] + "…"


def run_inspect(
    target: str,
    url: str | None,
    *,
    assume_article: bool,
    as_json: bool,
    usage_status: int,
    unreachable_status: int,
) -> int:
    body, content_type, fetched_url = load(target, usage_status, unreachable_status)
    page_url = url or fetched_url or "http://localhost/"
    parsed = parse_page(body, page_url, assume_article=assume_article, content_type=content_type, with_sources=True)
    if as_json:
        out = {"record": parsed.record, "sources": parsed.sources} if parsed else None
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if parsed is None:
        print(f"{_shown(target)}: not an article (CONTRACT rule 1); --assume-article parses it anyway")
        return 0
    print(f"{'field':<13} {'source':<30} value")
    for name in FIELDS:
        print(f"{name:<13} {parsed.sources.get(name) or '-':<30} {_shown(parsed.record[name])}")
    return 0
