"""Never leave the origin: a redirect to another host is not followed, whether Scrapy's redirect handling
or the spider's own meets it; the URL is recorded as failed ("offsite redirect to HOST")."""

from __future__ import annotations

from pathlib import Path

from satukanal_crawler.mirror.replay import ReplayServer
from tests.hostile.mirrors import crawl, portal_with, rows

FIRE = "/kebakaran-gudang-mebel-di-kota-kediri-kerugian-ditaksir-ratusan-juta/"


def test_redirects_to_another_host_are_recorded_not_followed(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    with ReplayServer(portal_with(tmp_path / "other")) as other:  # another origin: same address, other port
        elsewhere = other.base_url.split("://", 1)[1]
        root = portal_with(tmp_path, redirects={
            FIRE: (301, f"{other.base_url}{FIRE}"),  # an article: the spider's own redirect handling
            "/feed/": (302, f"{other.base_url}/feed/"),  # a listing: Scrapy's RedirectMiddleware
        })  # fmt: skip
        with ReplayServer(root) as mirror:
            base = mirror.base_url
            result = crawl(tmp_path / "a.db", base)
        assert other.requests == [], "no request ever reaches another host, robots.txt included"
    assert result.returncode in (0, 5), result.stderr
    failed = dict(rows(tmp_path / "a.db", "SELECT url, error FROM url_state WHERE kind = 'failed'"))
    for path in (FIRE, "/feed/"):
        assert f"offsite redirect to {elsewhere}" in failed[base + path]
    articles = {url for (url,) in rows(tmp_path / "a.db", "SELECT url FROM articles")}
    assert base + FIRE not in articles
    assert len(articles) == 13
