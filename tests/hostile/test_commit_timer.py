"""The batch deadline is kept by a timer: while the crawl waits on slow pages, the articles it has
gathered are committed within SATUKANAL_BATCH_SECONDS, not when the next item happens to arrive, so a
crawl killed then has lost nothing it gathered before the deadline."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from satukanal_crawler.mirror.replay import Fault, ReplayServer
from tests.hostile.mirrors import FAST, portal_with


def _articles(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def test_gathered_articles_are_committed_on_time_while_pages_are_slow(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    slow = [Fault("/category/*", "slow", times=None, delay=8)]  # every channel page takes 8 s
    with ReplayServer(portal_with(tmp_path), faults=slow) as mirror:
        command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", mirror.base_url, "--db",
                   str(db), *FAST, "-s", "SATUKANAL_BATCH_SECONDS=1", "-q"]  # fmt: skip
        crawl = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not any(r.path.startswith("/category/") for r in mirror.requests) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(5)  # the feed and the sitemaps bring every article meanwhile; channels still pending
            still_running = crawl.poll() is None
        finally:
            crawl.kill()  # as the power going off would: what was committed is all there is
            crawl.communicate(timeout=60)
    assert still_running, "the crawl must still be waiting on the slow channel pages"
    committed = _articles(db)
    assert committed == 14, f"{committed} of 14 articles committed while the crawl waited"
