"""One article from its pages: the crawl and the re-parse build items the same way, here.

A `<!--nextpage-->` article is one record: body text and Baca Juga links joined in page order, the
byline and dateline from whichever page prints them (the byline usually sits on the last page).
"""

from __future__ import annotations

from typing import Any

from satukanal_crawler.items import ArticleItem, PageCapture


def assemble(
    pages: list[tuple[dict[str, Any], str | None, PageCapture]],
    *,
    source: str = "",
    sitemap_lastmod: str | None = None,
    aliases: list[str] | None = None,
) -> ArticleItem:
    """Join (record, body_html, capture) triples of one article's pages, first page first."""
    first = pages[0][0]
    record = dict(first)
    if len(pages) > 1:
        records = [r for r, _html, _cap in pages]
        record["body_text"] = "\n\n".join(r["body_text"] for r in records if r["body_text"])
        record["baca_juga"] = [link for r in records for link in r["baca_juga"]]
        for key in ("reporter", "editor"):
            record[key] = next((r[key] for r in reversed(records) if r[key]), None)
        record["dateline"] = next((r["dateline"] for r in records if r["dateline"]), None)
    body_html = "\n".join(html for _r, html, _cap in pages if html) or None
    captures = [capture for _r, _html, capture in pages]
    for number, capture in enumerate(captures, start=1):
        capture.page_number = number
    fetched_at = max((c.fetched_at for c in captures), default="")
    return ArticleItem.from_record(
        record,
        body_html=body_html,
        page_count=len(pages),
        fetched_at=fetched_at,
        source=source,
        sitemap_lastmod=sitemap_lastmod,
        aliases=sorted(set(aliases or ()) - {record["url"]}),
        pages=captures,
    )
