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

`SATUKANAL_PARSE_TIMEOUT` (seconds, default 20; 0: none) is each page's time budget in a worker, counted
from when the pool hands the page to its workers (not while it waits in line). A page over budget raises
ParseTimeout: the workers are killed and new ones started (pages they held go to the new ones), and the
spider middleware `CallbackFailures` (failures.py) records the URL as failed with the reason, so one pathological
page costs the crawl its budget, not the run. Parsing in the crawl's own process has no budget: nothing
could stop it there.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
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


DEFAULT_TIMEOUT = 20.0


class ParseTimeout(Exception):
    """A page took longer than its parse budget (SATUKANAL_PARSE_TIMEOUT); the message says so in one line."""


class ParsePool:
    def __init__(self, processes: int, crawler=None, *, timeout: float | None = None) -> None:
        self.processes = max(0, processes)
        self.crawler = crawler  # where to count a broken worker
        if timeout is None and crawler is not None:
            timeout = crawler.settings.getfloat("SATUKANAL_PARSE_TIMEOUT", DEFAULT_TIMEOUT)
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._executor: ProcessPoolExecutor | None = None
        # Pages handed to a pool, in order: the pool runs them first come, first served, so the first
        # `processes` unfinished ones of the current pool are the ones its workers are parsing.
        self._inflight: list[tuple[ProcessPoolExecutor, Future[Any]]] = []

    def _pool(self) -> ProcessPoolExecutor | None:
        if self._executor is None and self.processes:
            self._executor = pool = spawn_pool(self.processes)
            # The workers start (a fresh interpreter takes a while) on a task of their own, which the pages
            # queue behind: starting is not parsing, so it costs no page its budget.
            self._inflight.append((pool, pool.submit(_ready)))
        return self._executor

    def start(self) -> None:
        """Start the workers now, not when the first article arrives."""
        self._pool()

    async def parse_page(self, body: bytes, url: str, *, assume_article: bool = False,
                         content_type: str | None = None) -> ParsedPage | None:  # fmt: skip
        """`parsers.parse_page` of a response body, in a worker when there is one."""
        return await self.run(_parse_detached, body, url, assume_article, content_type)

    async def run(self, parser: Callable[..., T], *args: Any) -> T:
        """`parser(*args)` (a pure, module-level parser function), in a worker when there is one, within the
        time budget there (ParseTimeout past it)."""
        for _ in range(3):  # a pool restarted for another page's timeout: the page goes to the new one
            pool = self._pool()
            if pool is None:
                break
            try:
                future = pool.submit(parser, *args)
            except (BrokenProcessPool, RuntimeError) as exc:  # RuntimeError: the pool was shut down
                if pool is self._executor:
                    self._broken(exc)
                continue
            entry = (pool, future)
            self._inflight = [e for e in self._inflight if not e[1].done()]  # (a worker start that is over)
            self._inflight.append(entry)
            try:
                return await self._within_budget(pool, future)
            except TimeoutError:
                self._restart(pool)
                raise ParseTimeout(f"parsing took longer than {self.timeout:g}s "
                                   "(SATUKANAL_PARSE_TIMEOUT); the parser worker was restarted") from None  # fmt: skip
            except BrokenProcessPool as exc:
                if pool is self._executor:
                    self._broken(exc)
            except asyncio.CancelledError:
                if not future.cancelled() or pool is self._executor:
                    raise  # the crawl cancelled this task: not ours to swallow
            finally:
                if entry in self._inflight:
                    self._inflight.remove(entry)
        return parser(*args)

    async def _within_budget(self, pool: ProcessPoolExecutor, future: Future[T]) -> T:
        """The result, or TimeoutError once a worker has been parsing the page for its budget. Time spent
        queued behind other pages or waiting for a new worker does not count (checked in quarters of the
        budget, so a page may run up to 25% over it)."""
        waiting = asyncio.wrap_future(future)
        if not self.timeout:
            return await waiting
        step = self.timeout / 4
        started: float | None = None
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(waiting), step)
            except TimeoutError:
                now = time.monotonic()
                if started is None and self._being_parsed(pool, future):
                    started = now - step / 2
                if started is not None and now - started >= self.timeout:
                    waiting.cancel()
                    raise

    def _being_parsed(self, pool: ProcessPoolExecutor, future: Future[Any]) -> bool:
        ahead = 0
        for other_pool, other in self._inflight:
            if other is future:
                return pool is self._executor and ahead < self.processes
            if other_pool is pool and not other.done():
                ahead += 1
        return False

    def _restart(self, pool: ProcessPoolExecutor) -> None:
        """Kill the workers stuck on a page; the next page starts new ones."""
        if pool is not self._executor:
            return  # already restarted for another page
        self._executor = None
        logger.warning("a page took longer than %gs to parse: restarting the parser worker", self.timeout)
        if self.crawler is not None:
            self.crawler.stats.inc_value("satukanal/parse_pool/timeouts")
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False)  # the pages it still held fail with BrokenProcessPool: run() resubmits them

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
