"""A callback that raises (a page over its parse budget, or a bug) is a failed URL, not a gap: recorded with its
error, retried by later runs (bounded by SATUKANAL_MAX_URL_ATTEMPTS), shown by `satukanal status`.

Without this, a page that crashes the parser (a bug, or input nobody foresaw) is logged once per run and nothing
else: it stays pending forever, is fetched and crashes again on every run, and no run ever says which page it is.
The traceback still goes to the log, at ERROR, with the page's URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response

from satukanal_crawler import dates
from satukanal_crawler.items import UrlStateItem
from satukanal_crawler.parse_pool import ParseTimeout

logger = logging.getLogger(__name__)


class CallbackFailures:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> CallbackFailures:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[UrlStateItem] | None:
        if isinstance(exception, CloseSpider | IgnoreRequest):
            return None
        stats = self.crawler.stats
        stats.inc_value("satukanal/callback_errors")
        spider = self.crawler.spider
        if getattr(response.request, "callback", None) == getattr(spider, "parse_article", None):
            stats.inc_value("satukanal/article_failures")
        if isinstance(exception, ParseTimeout):  # a page over its parse budget (parse_pool.py): no bug, no traceback
            logger.error("%s: %s", response.url[:300], exception)
            error = str(exception)[:500]
        else:
            logger.error("error processing %s: %s: %s", response.url[:300], type(exception).__name__, exception,
                         exc_info=exception)  # fmt: skip
            error = f"callback error: {type(exception).__name__}: {exception}"[:500]
        return [UrlStateItem(response.url, "failed", status=response.status, error=error, fetched_at=dates.now_wib())]
