"""What a person watching a run sees: a live progress line on a terminal. (The run itself, its lock, record and
outcome, belongs to run.RunOwner.)"""

from __future__ import annotations

from scrapy import signals


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
