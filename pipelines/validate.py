"""Stage 1: validation. An article without its required fields is not stored, but it never vanishes:
its URL and the reason go to the `rejects` table, and the URL is retried by later runs."""

from __future__ import annotations

import re

from scrapy.exceptions import DropItem

from pipelines import CrawlerPipeline
from satukanal_crawler import dates
from satukanal_crawler.archive.session import store_for
from satukanal_crawler.items import ArticleItem
from satukanal_crawler.monitoring import COVERAGE_FIELDS

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
HTTP_URL = re.compile(r"^https?://[^/\s]+/\S*$")


def problems(item: ArticleItem) -> list[str]:
    """Why an item may not be stored as an article; empty when it is valid."""
    found = []
    if not HTTP_URL.match(item.url or ""):
        found.append(f"url is not an absolute http(s) URL: {item.url!r}")
    if not (item.title or "").strip():
        found.append("title is empty")
    if not (item.body_text or "").strip():
        found.append("body_text is empty")
    if not ISO_WITH_OFFSET.match(item.published_at or ""):
        found.append(f"published_at is not ISO 8601 with an offset: {item.published_at!r}")
    if item.modified_at is not None and not ISO_WITH_OFFSET.match(item.modified_at):
        found.append(f"modified_at is not ISO 8601 with an offset: {item.modified_at!r}")
    if item.wp_post_id is not None and (not isinstance(item.wp_post_id, int) or item.wp_post_id <= 0):
        found.append(f"wp_post_id is not a positive integer: {item.wp_post_id!r}")
    return found


class ValidationPipeline(CrawlerPipeline):
    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        count = self.count
        count("satukanal/fields/seen")  # field coverage of what the parser produced (monitoring)
        for name in COVERAGE_FIELDS:
            if not getattr(item, name):  # counting the misses: one stats call per item in the usual case
                count(f"satukanal/fields/missing/{name}")
        found = problems(item)
        if not found:
            return item
        reason = "; ".join(found)
        fetched_url = item.pages[0].url if item.pages else item.url
        store = store_for(self.crawler)
        run_id = getattr(self.crawler, "satukanal_run_id", None)
        with store.writing():
            store.record_reject(fetched_url, reason, dates.now_wib(), run_id)
            store.mark_url(fetched_url, "failed", error=f"rejected: {reason}"[:500], fetched_at=item.fetched_at)
        self.count("satukanal/rejected")
        raise DropItem(f"rejected {fetched_url}: {reason}")
