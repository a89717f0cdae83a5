"""Stage 2: unchanged re-fetches. Most articles an incremental or full run fetches again are exactly what
the archive already holds. Such an item is recognised here, by the fingerprint of the item as parsed,
before any work is done on it: normalisation is deterministic, so the same parse gives the same row, and
the later stages only record that the article was seen again (last_seen_at, its raw page, its URLs)."""

from __future__ import annotations

from pipelines import CrawlerPipeline
from satukanal_crawler.archive.session import store_for
from satukanal_crawler.archive.store import fingerprint
from satukanal_crawler.items import ArticleItem


class UnchangedPipeline(CrawlerPipeline):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.store = None

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        if self.store is None:
            self.store = store_for(self.crawler)
        item.fingerprint = fingerprint(item)
        article_id = self.store.unchanged_article(item.url, item.fingerprint)
        if article_id is not None:
            item.unchanged = True
            item.article_id, item.match_reason, item.matched = article_id, "url", True
        return item
