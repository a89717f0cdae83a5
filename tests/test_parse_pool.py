"""Article pages parsed in a worker process give exactly what the crawl's own process would."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from satukanal_crawler.parse_pool import ParsePool
from satukanal_crawler.parsers import parse_page
from satukanal_crawler.parsers.listing import parse_listing
from tests.helpers import ORIGIN, article_paths, portal_html

PATHS = article_paths()[:3]
ROOT = Path(__file__).resolve().parents[1]


def parse_all(pool: ParsePool, paths: list[str]) -> list:
    async def run() -> list:
        return await asyncio.gather(*(pool.parse_page(portal_html(p), ORIGIN + p) for p in paths))

    return asyncio.run(run())


def expected(path: str) -> tuple:
    parsed = parse_page(portal_html(path), ORIGIN + path)
    return parsed.record, parsed.page_urls, parsed.amphtml_url, parsed.body_html


def as_tuple(parsed) -> tuple:
    return parsed.record, parsed.page_urls, parsed.amphtml_url, parsed.body_html


@pytest.mark.parametrize("processes", [0, 1])
def test_the_worker_parses_exactly_as_the_crawl_process_does(processes: int) -> None:
    pool = ParsePool(processes)
    try:
        results = parse_all(pool, PATHS)
    finally:
        pool.close()
    assert [as_tuple(r) for r in results] == [expected(p) for p in PATHS]
    assert all(r.body_html for r in results)


def test_a_page_that_is_not_an_article_is_none_in_the_worker_too() -> None:
    pool = ParsePool(1)
    try:
        [result] = asyncio.run(_one(pool, b"<html><body><p>nothing here</p></body></html>", f"{ORIGIN}/kontak/"))
    finally:
        pool.close()
    assert result is None


async def _one(pool: ParsePool, body: bytes, url: str) -> list:
    return [await pool.parse_page(body, url)]


def test_a_dead_worker_costs_nothing_but_a_message(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler()
    pool = ParsePool(1, crawler)
    try:
        parse_all(pool, PATHS[:1])  # the worker is up
        for pid in list(pool._executor._processes):
            os.kill(pid, signal.SIGKILL)
        results = parse_all(pool, PATHS)
    finally:
        pool.close()
    assert [as_tuple(r) for r in results] == [expected(p) for p in PATHS]
    assert pool.processes == 0  # parsing in the crawl's process from now on
    assert "the parser worker process stopped" in caplog.text
    assert crawler.stats.get_value("satukanal/parse_pool/broken") == 1


def test_workers_of_a_killed_crawl_exit_by_themselves() -> None:
    """SIGKILL leaves the crawl no chance to stop its workers: they must notice and go."""
    code = (
        "import asyncio, time\n"
        "from satukanal_crawler.parse_pool import ParsePool\n"
        "pool = ParsePool(1)\n"
        "asyncio.run(pool.parse_page(b'<html><body><p>x</p></body></html>', 'https://satukanal.com/x/'))\n"
        "print(*pool._executor._processes, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as proc:  # fmt: skip
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        proc.kill()
    assert workers
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_listing_pages_parse_in_the_worker_exactly_as_here() -> None:
    paths = ["/category/advertorial/", "/"]
    pool = ParsePool(1)

    async def run() -> list:
        return [await pool.run(parse_listing, portal_html(p), ORIGIN + p, ORIGIN, None) for p in paths]

    try:
        results = asyncio.run(run())
    finally:
        pool.close()
    assert results == [parse_listing(portal_html(p), ORIGIN + p, ORIGIN, None) for p in paths]
    assert all(r.articles for r in results)
