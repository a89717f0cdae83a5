"""Retries that back off: the portal is a small newsroom's server, and 429/503 mean "slow down"."""

from __future__ import annotations

import asyncio

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message


def retry_after_seconds(response: Response) -> float | None:
    """The Retry-After header as seconds (only the delta-seconds form; an HTTP date is ignored)."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value.decode("latin-1").strip()))
    except ValueError:
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting before each new attempt: Retry-After if given, else exponential."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("SATUKANAL_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("SATUKANAL_BACKOFF_MAX", 120.0)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        delay = retry_after_seconds(response)
        if delay is None:
            delay = self.backoff_base * (2**attempt)
        delay = min(delay, self.backoff_max)
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason=response_status_message(response.status),
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )
        if retry is None:
            return response
        self.crawler.stats.inc_value(f"satukanal/backoff/{response.status}")
        if delay > 0:
            await asyncio.sleep(delay)
        return retry
