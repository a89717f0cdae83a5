"""A spider whose pages parse in the parse pool with `slow_parsers.sleepy` (run with `scrapy runspider`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import scrapy

from satukanal_crawler import dates
from satukanal_crawler.items import UrlStateItem
from satukanal_crawler.parse_pool import ParsePool
from tests.hostile.slow_parsers import sleepy


class SlowPagesSpider(scrapy.Spider):
    """Fetches /, /kontak/ and /redaksi/ of the mirror; parsing /kontak/ takes 30 s."""

    name = "slow_pages"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.pool = ParsePool(1, self.crawler)
        self.pool.start()
        base = self.settings.get("SATUKANAL_BASE_URL")
        for path in ("/kontak/", "/", "/redaksi/"):
            yield scrapy.Request(base + path, callback=self.parse)

    async def parse(self, response) -> AsyncIterator[UrlStateItem]:
        await self.pool.run(sleepy, 30.0 if response.url.endswith("/kontak/") else 0.0)
        yield UrlStateItem(response.url, "non_article", status=response.status, fetched_at=dates.now_wib())

    def closed(self, reason: str) -> None:
        self.pool.close()
