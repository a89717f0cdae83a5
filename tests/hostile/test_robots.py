"""robots.txt as RFC 9309 says, against a real `satukanal crawl` and a loopback mirror: nothing but
robots.txt goes out before it is read, every rule is obeyed, an unreadable file refuses everything,
Crawl-delay and Retry-After pause the whole site."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from satukanal_crawler.middlewares import robots_rules
from satukanal_crawler.mirror.replay import Fault, ReplayServer
from satukanal_crawler.settings import RETRY_TIMES, USER_AGENT
from tests.hostile.mirrors import crawl, log_text, portal_with, rows

ROBOTS = "/robots.txt"


def _robots(tmp_path: Path, text: str) -> Path:
    return portal_with(tmp_path, {ROBOTS: (200, "text/plain; charset=UTF-8", text)})


def test_disallow_all_lets_nothing_but_robots_txt_through(tmp_path: Path) -> None:
    with ReplayServer(_robots(tmp_path, "User-agent: *\nDisallow: /\n")) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert [r.path for r in mirror.requests] == [ROBOTS], "one robots.txt request, then nothing"
    assert result.returncode != 1 and "Traceback" not in result.stderr
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(0,)]


def test_disallowed_feed_and_sitemap_are_never_requested(tmp_path: Path) -> None:
    text = "User-agent: *\nDisallow: /feed/\nDisallow: /wp-sitemap.xml\n\nSitemap: https://satukanal.com/sitemap_index.xml\n"
    with ReplayServer(_robots(tmp_path, text)) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    paths = [r.path for r in mirror.requests]
    assert paths[0] == ROBOTS
    assert paths.count(ROBOTS) == 1, "the spider's own robots.txt request is answered from the same download"
    assert "/feed/" not in paths and "/wp-sitemap.xml" not in paths
    assert "/sitemap_index.xml" in paths
    assert result.returncode in (0, 5), result.stderr
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(14,)]


def test_robots_txt_answering_5xx_refuses_everything(tmp_path: Path) -> None:
    faults = [Fault(ROBOTS, "error", times=None)]
    with ReplayServer(portal_with(tmp_path), faults=faults) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert {r.path for r in mirror.requests} == {ROBOTS}
    assert len(mirror.requests) == RETRY_TIMES + 1, "robots.txt is retried like any page, then nothing is fetched"
    assert result.returncode == 4, result.stderr
    assert "robots.txt of 127.0.0.1" in log_text(tmp_path / "a.db")


def test_robots_txt_answering_404_allows_everything(tmp_path: Path) -> None:
    root = portal_with(tmp_path, {ROBOTS: (404, "text/html; charset=UTF-8", "<h1>Halaman tidak ditemukan</h1>")})
    with ReplayServer(root) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(14,)]


def test_crawl_delay_spaces_every_request(tmp_path: Path) -> None:
    with ReplayServer(_robots(tmp_path, "User-agent: *\nCrawl-delay: 1\nDisallow: /wp-admin/\n")) as mirror:
        crawl(tmp_path / "a.db", mirror.base_url, "-s", "CLOSESPIDER_PAGECOUNT=5", "-s", "CONCURRENT_REQUESTS=2")
    times = [r.time for r in mirror.requests]
    assert len(times) >= 5
    gaps = [b - a for a, b in pairwise(times)]
    # Spaced where they leave; where they arrive, a new connection's set-up can eat a few tens of ms.
    assert min(gaps) > 0.75 and sorted(gaps)[len(gaps) // 2] > 0.95, gaps


def test_retry_after_pauses_the_whole_site(tmp_path: Path) -> None:
    faults = [Fault("/feed/", "status", status=429, retry_after=3, times=1)]
    with ReplayServer(portal_with(tmp_path), faults=faults) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    assert result.returncode in (0, 5), result.stderr
    requests = mirror.requests
    refused = next(r for r in requests if r.status == 429)
    during = [r.path for r in requests if refused.time + 0.3 < r.time < refused.time + 2.7]
    assert during == [], f"requests sent while the site asked us to wait: {during}"
    assert any(r.path == "/feed/" and r.status == 200 and r.time >= refused.time + 2.9 for r in requests)
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(14,)]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(200, True), (404, True), (410, True), (401, True), (429, False), (500, False), (503, False), (None, False)],
)
def test_rfc_9309_reading_of_each_answer(status: int | None, allowed: bool) -> None:
    rules = robots_rules(status, b"User-agent: *\nDisallow: /wp-admin/\n")
    assert rules.allowed("https://satukanal.com/berita/", USER_AGENT) is allowed
    assert not rules.allowed("https://satukanal.com/wp-admin/", USER_AGENT) or status != 200


def test_crawl_delay_is_read_for_our_user_agent_and_sanely() -> None:
    text = b"User-agent: satukanal-crawler\nCrawl-delay: 4\n\nUser-agent: *\nCrawl-delay: 1\n"
    assert robots_rules(200, text).crawl_delay(USER_AGENT) == 4.0
    assert robots_rules(200, b"User-agent: *\nCrawl-delay: nan\n").crawl_delay(USER_AGENT) is None
    assert robots_rules(200, b"User-agent: *\nCrawl-delay: -3\n").crawl_delay(USER_AGENT) is None
    assert robots_rules(200, b"\xff\xfe" + bytes(range(256)) * 100).allowed("https://satukanal.com/x/", USER_AGENT)
