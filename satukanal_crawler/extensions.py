"""The run record: one `crawl_runs` row per crawl, written at its start and completed at its end.

Written at the start so a run killed mid-way still leaves a trace ("running" with no end), and
completed with Scrapy's stats so cron failures can be diagnosed from the archive alone.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from scrapy import signals

from satukanal_crawler import dates
from satukanal_crawler.archive.session import close_store, store_for
from satukanal_crawler.monitoring import run_checks


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return dates.format_wib(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


class RunRecorder:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        store = store_for(self.crawler)
        arguments = self.crawler.settings.getdict("SATUKANAL_RUN_ARGUMENTS") or {
            "full": getattr(spider, "full", False),
            "since": getattr(spider, "since", None),
            "sources": sorted(getattr(spider, "sources", [])),
        }
        with store.writing():
            cursor = store.conn.execute(
                "INSERT INTO crawl_runs (started_at, pid, base_url, arguments, outcome) VALUES (?, ?, ?, ?, 'running')",
                (dates.now_wib(), os.getpid(), self.crawler.settings.get("SATUKANAL_BASE_URL"),
                 json.dumps(arguments, ensure_ascii=False, sort_keys=True)),
            )  # fmt: skip
        self.crawler.satukanal_run_id = cursor.lastrowid

    def spider_closed(self, spider, reason: str) -> None:
        store = store_for(self.crawler)
        stats = _jsonable(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        history = [
            json.loads(row[0])
            for row in store.conn.execute(
                "SELECT stats FROM crawl_runs WHERE id != ? AND stats IS NOT NULL AND finished_at IS NOT NULL "
                "ORDER BY id DESC LIMIT 20",
                (self.crawler.satukanal_run_id,),
            )
        ]
        history = [h for h in history if any(k.startswith("satukanal/channel_articles/") for k in h)]
        checks = run_checks(stats, history, self.crawler.settings)
        failed = [c.name for c in checks if not c.ok]
        if reason != "finished":
            outcome = f"interrupted: {reason}"
        elif "pages_fetched" in failed:
            outcome = "unreachable"
        elif failed:
            outcome = "check failed: " + ", ".join(failed)
        else:
            outcome = "ok"
        self.crawler.satukanal_checks = checks
        self.crawler.satukanal_outcome = outcome
        with store.writing():
            store.conn.execute(
                "UPDATE crawl_runs SET finished_at = ?, stats = ?, checks = ?, outcome = ? WHERE id = ?",
                (dates.now_wib(), json.dumps(stats, ensure_ascii=False, sort_keys=True),
                 json.dumps([c.as_dict() for c in checks], ensure_ascii=False), outcome,
                 self.crawler.satukanal_run_id),
            )  # fmt: skip
        close_store(self.crawler)


class ProgressLine:
    """A live one-line progress report on a terminal, in place of Scrapy's log (which goes to a file)."""

    def __init__(self, crawler) -> None:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("SATUKANAL_PROGRESS"):
            raise NotConfigured
        self.crawler = crawler
        self.task = None
        self.started = 0.0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        import time

        from twisted.internet import task

        self.started = time.monotonic()
        self.task = task.LoopingCall(self.show)
        self.task.start(1.0, now=True)

    def line(self) -> str:
        import time

        get = self.crawler.stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = get("downloader/response_count", 0)
        errors = get("satukanal/urls/failed", 0) + get("satukanal/rejected", 0)
        minutes, seconds = divmod(int(elapsed), 60)
        return (
            f"pages {pages} | articles new {get('satukanal/articles/new', 0)} "
            f"updated {get('satukanal/articles/updated', 0)} | errors {errors} | "
            f"{pages / elapsed:.1f} pages/s | {minutes:d}:{seconds:02d}"
        )

    def show(self) -> None:
        import sys

        sys.stderr.write("\r\x1b[2K" + self.line())
        sys.stderr.flush()

    def spider_closed(self, spider, reason: str) -> None:
        import sys

        if self.task is not None and self.task.running:
            self.task.stop()
        self.show()
        sys.stderr.write("\n")
