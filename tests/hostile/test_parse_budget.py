"""A page the parser cannot finish within SATUKANAL_PARSE_TIMEOUT is a failed URL with its reason; the
worker is restarted and the crawl goes on."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from scrapy.utils.test import get_crawler

from satukanal_crawler.failures import CallbackFailures
from satukanal_crawler.items import UrlStateItem
from satukanal_crawler.mirror.replay import ReplayServer
from satukanal_crawler.parse_pool import ParsePool, ParseTimeout
from tests.cli import environment
from tests.helpers import ROOT
from tests.hostile.mirrors import rows
from tests.hostile.slow_parsers import sleepy


def test_a_page_over_budget_raises_and_the_worker_is_replaced() -> None:
    pool = ParsePool(1, timeout=1.0)

    async def run() -> tuple[list, float, set[int], set[int], float]:
        await pool.run(sleepy, 0.0)  # the worker is up
        before = set(pool._executor._processes)
        started = time.monotonic()
        results = await asyncio.gather(pool.run(sleepy, 30.0), pool.run(sleepy, 0.2), return_exceptions=True)
        took = time.monotonic() - started
        after = set(pool._executor._processes)
        return results, took, before, after, await pool.run(sleepy, 0.1)

    try:
        (slow, queued), took, before, after, again = asyncio.run(run())
    finally:
        pool.close()
    assert isinstance(slow, ParseTimeout) and "longer than 1s" in str(slow)
    assert queued == 0.2, "the page waiting behind it is parsed by the new worker, not failed"
    assert took < 10
    assert before and after and not before & after, "the stuck worker was killed and replaced"
    assert not any(_alive(pid) for pid in before)
    assert again == 0.1 and pool.processes == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_spider_middleware_records_the_page_as_failed() -> None:
    from scrapy.http import HtmlResponse, Request

    crawler = get_crawler()
    middleware = CallbackFailures.from_crawler(crawler)
    response = HtmlResponse(
        "https://satukanal.com/x/", body=b"<html></html>", request=Request("https://satukanal.com/x/")
    )
    [item] = middleware.process_spider_exception(response, ParseTimeout("parsing took longer than 20s"))
    assert isinstance(item, UrlStateItem)
    assert (item.url, item.kind, item.status, item.error) == (
        response.url,
        "failed",
        200,
        "parsing took longer than 20s",
    )
    [bug] = middleware.process_spider_exception(response, ValueError("a bug"))  # logged with its traceback too
    assert (bug.kind, bug.error) == ("failed", "callback error: ValueError: a bug")


def test_a_crawl_goes_on_past_a_page_over_budget(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ReplayServer() as mirror:
        env = environment(SATUKANAL_BASE_URL=mirror.base_url, SATUKANAL_DB=str(db))
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "tests/hostile/slow_spider.py"), "-s",
             "SATUKANAL_PARSE_TIMEOUT=2", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        took = time.monotonic() - started
        base = mirror.base_url
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider error" not in result.stderr and "Traceback" not in result.stderr
    assert took < 25, "the 30 s page cost its budget, not its time"
    states = dict(rows(db, "SELECT url, kind || ': ' || coalesce(error, '') FROM url_state"))
    assert states[f"{base}/kontak/"].startswith("failed: parsing took longer than 2s")
    assert states[f"{base}/"] == states[f"{base}/redaksi/"] == "non_article: "
