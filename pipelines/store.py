"""Stage 4: storage. Batched transactions (a crash loses at most the batch in progress, never the
archive's consistency), one savepoint per item (one bad item never costs its batch)."""

from __future__ import annotations

import logging
import sqlite3
import time

from pipelines import CrawlerPipeline, publish
from satukanal_crawler import dates
from satukanal_crawler.archive.session import store_for
from satukanal_crawler.items import ArticleItem, UrlStateItem

logger = logging.getLogger(__name__)


class StoragePipeline(CrawlerPipeline):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.batch_size = crawler.settings.getint("SATUKANAL_BATCH_SIZE", 200)
        self.batch_seconds = crawler.settings.getfloat("SATUKANAL_BATCH_SECONDS", 5.0)
        self.pending = 0
        self.batch_started = 0.0

    def open_spider(self) -> None:
        self.store = store_for(self.crawler)

    def process_item(self, item):
        store = self.store
        if not store.conn.in_transaction:
            store.conn.execute("BEGIN IMMEDIATE")
            self.batch_started = time.monotonic()
        mark = store.begin_item()
        try:
            if isinstance(item, ArticleItem):
                outcome = store.save(item, dates.now_wib())
                store.clear_reject(item.pages[0].url if item.pages else item.url)
                self.count(f"satukanal/articles/{outcome}")
            elif isinstance(item, UrlStateItem):
                store.mark_url(item.url, item.kind, status=item.status, lastmod=item.lastmod,
                               fetched_at=item.fetched_at, error=item.error, redirect_to=item.redirect_to)  # fmt: skip
                if item.kind == "redirect":
                    store.resolve_redirect(item.url, item.redirect_to, dates.now_wib())
                self.count(f"satukanal/urls/{item.kind}")
        except sqlite3.Error as exc:
            store.abort_item(mark)
            url = getattr(item, "url", "?")
            logger.error("could not store %s: %s", url, exc)
            run_id = getattr(self.crawler, "satukanal_run_id", None)
            store.record_reject(url, f"storage error: {exc}", dates.now_wib(), run_id)
            self.count("satukanal/store_errors")
        store.end_item()
        self.pending += 1
        if self.pending >= self.batch_size or time.monotonic() - self.batch_started >= self.batch_seconds:
            self.commit()
        return item

    def commit(self) -> None:
        """End the batch: its queued rows, full-text entries and all. A batch that cannot be written is
        rolled back whole (the archive stays as it was; its URLs are fetched again by the next run)."""
        if self.store.conn.in_transaction:
            try:
                self.store.archive.commit()
            except sqlite3.Error as exc:
                self.store.archive.rollback()
                logger.error("could not write a batch of %d items, rolled back: %s", self.pending, exc)
                self.count("satukanal/store_errors", self.pending)
        self.pending = 0
        publish(self.crawler)

    def close_spider(self) -> None:
        self.commit()
