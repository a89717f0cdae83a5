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
        outcome = "finished" if reason == "finished" else f"interrupted: {reason}"
        with store.writing():
            store.conn.execute(
                "UPDATE crawl_runs SET finished_at = ?, stats = ?, outcome = ? WHERE id = ?",
                (dates.now_wib(), json.dumps(stats, ensure_ascii=False, sort_keys=True), outcome,
                 self.crawler.satukanal_run_id),
            )  # fmt: skip
        close_store(self.crawler)
