"""Shared test helpers: the bundled portal snapshot, its expected records, and saved pages as responses."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "satukanal_crawler" / "mirror" / "portal"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = FIXTURES / "portal" / "expected"
ORIGIN = "https://satukanal.com"


@cache
def manifest() -> dict[str, dict]:
    return json.loads((PORTAL / "manifest.json").read_text(encoding="utf-8"))


def portal_html(path: str) -> bytes:
    """The bytes the portal serves at `path` (e.g. "/slug/")."""
    return (PORTAL / manifest()[path]["file"]).read_bytes()


def expected_record(path: str) -> dict | None:
    """The contract record for a portal URL path, or None for a page that is not an article."""
    entry = manifest()[path]
    if entry.get("status") != 200 or not entry.get("content_type", "").startswith("text/html"):
        return None
    slug = path.split("?")[0].strip("/")
    file = EXPECTED / "amp" / f"{slug[: -len('/amp')]}.json" if slug.endswith("/amp") else EXPECTED / f"{slug}.json"
    return json.loads(file.read_text(encoding="utf-8")) if file.exists() else None


def html_paths() -> list[str]:
    return sorted(p for p, e in manifest().items() if e.get("content_type", "").startswith("text/html"))


def article_paths() -> list[str]:
    return [p for p in html_paths() if expected_record(p) is not None]


def file_response(path: str, url: str | None = None, *, meta: dict | None = None) -> TextResponse:
    """A saved portal page as the Scrapy response a spider callback receives."""
    entry = manifest()[path]
    url = url or ORIGIN + path
    body = (PORTAL / entry["file"]).read_bytes()
    headers = {"Content-Type": entry["content_type"]}
    cls = HtmlResponse if entry["content_type"].startswith("text/html") else TextResponse
    return cls(url=url, body=body, headers=headers, request=Request(url, meta=meta or {}), encoding=None)
