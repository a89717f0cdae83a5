"""Pages parsed in a worker process, so that the crawl's one thread never waits on the parsers.

Scrapy runs everything (downloads, callbacks, pipelines) on one thread, and a CPython thread cannot
parse on a second core: lxml holds the interpreter lock for most of a page. Parsing an article (about
2 ms) costs as much as Scrapy's own handling of the response, so a crawl that is not throttled (a
backfill, a mirror) is CPU-bound on that one thread while the machine's other core idles. A worker
process parses there instead; the callback awaits the result while the reactor keeps downloading and
storing. Listing pages (channels, the home page) go there too. The parsers are pure functions of the
page, so where they run changes nothing in the result.

`SATUKANAL_PARSE_PROCESSES`: worker processes; unset means one when the machine has two cores or more, 0
parses in the crawl's own process. Workers are spawned as workers.py says, and stopped when the spider
closes. A worker that dies (killed, out of memory) costs nothing: its page and every later one are parsed
in the crawl's process, and the crawl says so.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from satukanal_crawler.parsers import parse_page
from satukanal_crawler.parsers.article import ParsedPage
from satukanal_crawler.workers import spawn_pool

logger = logging.getLogger(__name__)
T = TypeVar("T")


def default_processes() -> int:
    """One worker when there is a core to spare, none otherwise."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def _ready() -> None:
    """Nothing: running it makes a worker start and import the parser."""


def _parse_detached(body: bytes, url: str, assume_article: bool, content_type: str | None) -> ParsedPage | None:
    """In the worker: `parse_page`, made fit to travel back (no lxml tree)."""
    parsed = parse_page(body, url, assume_article=assume_article, content_type=content_type)
    return parsed.detached() if parsed is not None else None


class ParsePool:
    def __init__(self, processes: int, crawler=None) -> None:
        self.processes = max(0, processes)
        self.crawler = crawler  # where to count a broken worker
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor | None:
        if self._executor is None and self.processes:
            self._executor = spawn_pool(self.processes)
        return self._executor

    def start(self) -> None:
        """Start the workers now (a fresh interpreter takes a while), not when the first article arrives."""
        pool = self._pool()
        if pool is not None:
            pool.submit(_ready)

    async def parse_page(self, body: bytes, url: str, *, assume_article: bool = False,
                         content_type: str | None = None) -> ParsedPage | None:  # fmt: skip
        """`parsers.parse_page` of a response body, in a worker when there is one."""
        return await self.run(_parse_detached, body, url, assume_article, content_type)

    async def run(self, parser: Callable[..., T], *args: Any) -> T:
        """`parser(*args)` (a pure, module-level parser function), in a worker when there is one."""
        pool = self._pool()
        if pool is not None:
            try:
                return await asyncio.wrap_future(pool.submit(parser, *args))
            except BrokenProcessPool as exc:
                self._broken(exc)
        return parser(*args)

    def _broken(self, exc: BaseException) -> None:
        if self.processes:
            logger.error("the parser worker process stopped (%s); parsing in the crawl's process from now on",
                         exc or exc.__class__.__name__)  # fmt: skip
            if self.crawler is not None:
                self.crawler.stats.inc_value("satukanal/parse_pool/broken")
        self.processes = 0
        self.close()

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
