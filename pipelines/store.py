"""Stage 4: storage. Batched transactions, one savepoint per item (one bad item never costs its batch).

A full batch is committed in the background (SATUKANAL_COMMIT_IN_BACKGROUND, on by default) while the next
one is gathered: SQLite's work on one batch overlaps the pipelines' work on the next. A crash therefore
loses at most the batch being committed and the one being gathered, never what was committed before,
never the archive's consistency; with the setting off, at most the batch in progress. A batch that cannot
be written is rolled back whole and counted; its URLs are fetched again by the next run.

The batch deadline (SATUKANAL_BATCH_SECONDS) is kept by a timer on the reactor, not only checked when an
item arrives: while the crawl waits on slow pages, what it has gathered is committed on time, so a kill
then loses no more than the documented window."""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import suppress

from scrapy.utils.reactor import is_reactor_installed
from twisted.internet import task

from pipelines import CrawlerPipeline, publish
from satukanal_crawler import dates
from satukanal_crawler.archive import BatchNotWritten
from satukanal_crawler.archive.session import store_for
from satukanal_crawler.items import ArticleItem, DiscoveryItem, UrlStateItem

logger = logging.getLogger(__name__)


class StoragePipeline(CrawlerPipeline):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.batch_size = crawler.settings.getint("SATUKANAL_BATCH_SIZE", 200)
        self.batch_seconds = crawler.settings.getfloat("SATUKANAL_BATCH_SECONDS", 5.0)
        self.background = crawler.settings.getbool("SATUKANAL_COMMIT_IN_BACKGROUND", True)
        self.pending = 0  # items of the batch being gathered
        self.writing = 0  # items of the batch being committed in the background
        self.batch_started = 0.0
        self._timer: task.LoopingCall | None = None

    def open_spider(self) -> None:
        self.store = store_for(self.crawler)
        self.store.archive.on_lost_batch.append(self._lost)
        if self.background:
            self.store.archive.start_writer()
        if self.batch_seconds > 0 and is_reactor_installed():  # (pipelines driven by hand in tests have none)
            self._timer = task.LoopingCall(self._deadline)
            self._timer.start(min(1.0, self.batch_seconds / 2), now=False)

    def _deadline(self) -> None:
        """On the timer: commit a batch that has waited its SATUKANAL_BATCH_SECONDS, items or not."""
        try:
            if self.pending and time.monotonic() - self.batch_started >= self.batch_seconds:
                self.commit(background=self.background)
        except Exception:  # the timer must keep running; the next item or the final commit says more
            logger.exception("the timed commit of a batch failed")

    def process_item(self, item):
        store = self.store
        with suppress(BatchNotWritten):  # reported by _lost
            store.archive.poll()
        if self.pending == 0:
            self.batch_started = time.monotonic()
        mark = store.begin_item()
        try:
            if isinstance(item, ArticleItem):
                outcome = store.save(item, dates.now_wib())
                store.clear_reject(item.pages[0].url if item.pages else item.url)
                self.count(f"satukanal/articles/{outcome}")
            elif isinstance(item, UrlStateItem):
                self._mark(item)
            elif isinstance(item, DiscoveryItem):
                new = store.discover(item.entries, item.source, item.found_in, dates.now_wib())
                self.count("satukanal/frontier/discovered", new)
                if item.state is not None:
                    self._mark(item.state)
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
            self.commit(background=self.background)
        return item

    def _mark(self, item: UrlStateItem) -> None:
        self.store.mark_url(item.url, item.kind, status=item.status, lastmod=item.lastmod, fetched_at=item.fetched_at,
                            error=item.error, redirect_to=item.redirect_to)  # fmt: skip
        if item.kind == "redirect":
            self.store.resolve_redirect(item.url, item.redirect_to, dates.now_wib())
        self.count(f"satukanal/urls/{item.kind}")

    def commit(self, *, background: bool = False) -> None:
        """End the batch: its queued rows, full-text entries and all; in the background, or before this
        returns (the final commit, and whoever reads the archive next)."""
        archive = self.store.archive
        try:
            archive.commit(background=background)
            self.writing = self.pending if background else 0
        except BatchNotWritten:
            pass  # the batch before this one failed: reported by _lost, and this one was discarded with it
        except sqlite3.Error as exc:
            archive.rollback()
            self._lost(exc, items=self.pending)
        self.pending = 0
        publish(self.crawler)

    def _lost(self, exc: BaseException, items: int | None = None) -> None:
        """A batch could not be written: it was rolled back whole, and with a background commit so was what
        had been gathered since (it may refer to the lost batch)."""
        if items is None:
            items, self.writing = self.writing + self.pending, 0
            self.pending = 0
        logger.error("could not write a batch of %d items, rolled back (the next run fetches them again): %s",
                     items, exc)  # fmt: skip
        self.count("satukanal/store_errors", items)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.commit()
