"""Downloader middlewares that keep the crawl polite and confined (README "Safety").

- `OriginGuardMiddleware`: no request leaves the portal's origin (`SATUKANAL_BASE_URL`), whoever made it
  (the spider, a redirect, Scrapy's robots.txt fetch).
- `OffsiteRedirectMiddleware`: a redirect to another host is never followed; its request fails with
  `OffsiteRedirect`, which the spider records as a failed URL ("offsite redirect to HOST").
- `RobotsTxtMiddleware`: robots.txt read as RFC 9309 says, before anything else goes out. It replaces
  Scrapy's, whose shared Deferred hands the parsed file to its first waiter only (Scrapy 2.19): every other
  request waiting for it was let through unchecked, so `Disallow: /`, `/feed/` or `/wp-sitemap.xml` did not
  stop the start requests.
- `SitePacingMiddleware`: robots.txt's `Crawl-delay`, and a 429/503's `Retry-After`, pause the whole site,
  not only one URL's retry. Requests wait here, the last stop before Scrapy's downloader slot, and at most
  `CONCURRENT_REQUESTS_PER_DOMAIN` of them are past it at a time, so a pause holds back everything that has
  not been sent yet.
- `BackoffRetryMiddleware`: Scrapy's retry, waiting before each new attempt.

(A page the parser could not finish within its budget, parse_pool.ParseTimeout, becomes a failed URL in the
spider middleware of failures.py, like any callback that raises.)
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from satukanal_crawler.urls import origin_of, same_host

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
PAUSE_STATUSES = (429, 503)
# RFC 9309 asks crawlers to parse at least 500 KiB of a robots.txt; what lies beyond is ignored.
ROBOTS_MAX_BYTES = 512 * 1024


def retry_after_seconds(response: Response) -> float | None:
    """The Retry-After header as seconds (only the delta-seconds form; an HTTP date is ignored)."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    try:
        seconds = float(value.decode("latin-1").strip())
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def backoff_seconds(response: Response, attempt: int, base: float, cap: float) -> float:
    """How long a 429/5xx asks us to wait: its Retry-After, else `base * 2**attempt`; at most `cap`."""
    delay = retry_after_seconds(response)
    if delay is None:
        delay = base * (2 ** min(attempt, 30))
    return min(delay, cap)


def _netloc(request: Request) -> str:
    return urlparse_cached(request).netloc.lower()


# -- never leave the origin -------------------------------------------------------------------------------


class OffsiteRequest(IgnoreRequest):
    """A request for another host than the portal's: never sent."""


class OffsiteRedirect(IgnoreRequest):
    """The portal redirected to another host; the message is "offsite redirect to HOST"."""


class OriginGuardMiddleware:
    """Drops every request that is not for the portal's host (and port). Scrapy's own OffsiteMiddleware
    lets `dont_filter` requests through (its robots.txt fetch is one) and ignores ports."""

    def __init__(self, base_url: str, stats) -> None:
        self.base_url = origin_of(base_url.rstrip("/"))
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> OriginGuardMiddleware:
        return cls(crawler.settings.get("SATUKANAL_BASE_URL"), crawler.stats)

    def process_request(self, request: Request) -> None:
        if same_host(request.url, self.base_url):
            return
        self.stats.inc_value("satukanal/offsite/dropped")
        host = urlsplit(request.url).netloc or request.url[:80]
        if request.meta.get("redirect_urls"):  # a redirect (or meta refresh) that got past the response check
            raise OffsiteRedirect(f"offsite redirect to {host}")
        logger.info("not requesting %s: it is not on %s", request.url[:300], self.base_url)
        raise OffsiteRequest(f"offsite request to {host}")


class OffsiteRedirectMiddleware:
    """Turns a redirect to another host into a failure of the request that got it, before Scrapy's
    RedirectMiddleware (or the spider's own redirect handling) can follow it."""

    def __init__(self, base_url: str, stats) -> None:
        self.base_url = origin_of(base_url.rstrip("/"))
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler.settings.get("SATUKANAL_BASE_URL"), crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1").strip()
        try:
            target = response.urljoin(location)
            host = urlsplit(target).netloc
        except ValueError:
            return response  # not a URL: the redirect goes nowhere, and the spider records it so
        if same_host(target, self.base_url):
            return response
        self.stats.inc_value("satukanal/offsite/redirects")
        logger.warning("%s redirects to another host (%s): not followed", request.url[:300], host[:100])
        raise OffsiteRedirect(f"offsite redirect to {host[:100]}")


# -- robots.txt ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RobotsRules:
    """What a host's robots.txt says about us: the parsed file, or everything allowed or refused."""

    parser: Protego | None
    disallow_all: bool
    reason: str

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None and math.isfinite(delay) and delay > 0 else None


def robots_rules(status: int | None, body: bytes) -> RobotsRules:
    """RFC 9309 section 2.3.1: a 2xx is parsed; a 4xx ("unavailable") allows everything; a 5xx, a 429
    (a server asking us to slow down) or no answer at all ("unreachable") refuses everything."""
    if status is not None and 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8-sig", errors="ignore")
        return RobotsRules(Protego.parse(text), False, f"HTTP {status}")
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules(None, False, f"HTTP {status}: no robots.txt, everything allowed")
    return RobotsRules(None, True, f"HTTP {status}" if status is not None else "no answer")


class RobotsTxtMiddleware:
    """robots.txt first: every request for a host waits until that host's robots.txt has been read (each
    waiter gets the answer), then is sent or refused (`robotstxt/forbidden`, as Scrapy counts it). The
    spider's own robots.txt request (for its `Sitemap:` lines) is answered from the same download."""

    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        self._rules: dict[str, asyncio.Task[tuple[RobotsRules, Response | None]]] = {}

    @classmethod
    def from_crawler(cls, crawler) -> RobotsTxtMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> Response | None:
        if request.meta.get("dont_obey_robotstxt") or not request.url.startswith(("http://", "https://")):
            return None
        netloc = _netloc(request)
        fetch = self._rules.get(netloc)
        if fetch is None:  # one download per host; every request for the host awaits the same one
            fetch = self._rules[netloc] = asyncio.ensure_future(self._fetch(request))
        rules, response = await asyncio.shield(fetch)
        parts = urlparse_cached(request)
        if parts.path == "/robots.txt" and not parts.query:
            if response is None:
                raise IgnoreRequest(f"robots.txt of {netloc}: {rules.reason}")
            request.meta["dont_retry"] = True  # already retried when it was fetched
            return response.replace(request=request)
        if not rules.allowed(request.url, self.user_agent):
            self.stats.inc_value("robotstxt/forbidden")
            logger.debug("Forbidden by robots.txt: %s", request)
            raise IgnoreRequest("Forbidden by robots.txt")
        return None

    async def _fetch(self, request: Request) -> tuple[RobotsRules, Response | None]:
        parts = urlparse_cached(request)
        netloc = parts.netloc.lower()
        robots = Request(f"{parts.scheme}://{parts.netloc}/robots.txt", priority=1000, callback=NO_CALLBACK,
                         meta={"dont_obey_robotstxt": True})  # fmt: skip
        self.stats.inc_value("robotstxt/request_count")
        response: Response | None = None
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # a network error, a timeout, an offsite redirect: "unreachable"
            self.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            rules = robots_rules(None, b"")
            logger.error("robots.txt of %s could not be read (%s: %s): as RFC 9309 says, nothing else is "
                         "requested from %s in this run",
                         netloc, type(exc).__name__, str(exc)[:200], netloc)  # fmt: skip
            return rules, None
        self.stats.inc_value("robotstxt/response_count")
        self.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        rules = robots_rules(response.status, response.body)
        if rules.disallow_all:
            logger.error("robots.txt of %s answered %s: as RFC 9309 says, nothing else is requested from %s in "
                         "this run", netloc, rules.reason, netloc)  # fmt: skip
        delay = rules.crawl_delay(self.user_agent)
        if delay is not None:
            pacing_for(self.crawler).set_crawl_delay(netloc, delay)
        return rules, response


# -- pausing the whole site --------------------------------------------------------------------------------------


@dataclass
class _Host:
    gap: float = 0.0  # seconds between two requests (Crawl-delay)
    paused_until: float = 0.0  # time.monotonic() before which nothing is sent (Retry-After)
    last_start: float = -math.inf
    active: int = 0  # requests past the gate, not yet answered
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class SitePacing:
    """Per-host gate shared by the robots.txt middleware (Crawl-delay) and SitePacingMiddleware."""

    def __init__(self, concurrency: int, max_crawl_delay: float, max_pause: float) -> None:
        self.concurrency = max(1, concurrency)
        self.max_crawl_delay = max_crawl_delay
        self.max_pause = max_pause
        self.hosts: dict[str, _Host] = {}

    def host(self, netloc: str) -> _Host:
        state = self.hosts.get(netloc)
        if state is None:
            state = self.hosts[netloc] = _Host()
        return state

    def set_crawl_delay(self, netloc: str, seconds: float) -> None:
        self.host(netloc).gap = min(seconds, self.max_crawl_delay)
        logger.info("robots.txt of %s asks for a Crawl-delay of %gs: one request every %gs", netloc, seconds,
                    self.host(netloc).gap)  # fmt: skip

    def pause(self, netloc: str, seconds: float) -> None:
        state = self.host(netloc)
        state.paused_until = max(state.paused_until, time.monotonic() + min(seconds, self.max_pause))
        self._wake(state)  # waiters sleeping on an earlier time look again

    async def acquire(self, netloc: str) -> None:
        state = self.host(netloc)
        while True:
            now = time.monotonic()
            at = max(state.paused_until, state.last_start + state.gap)
            if at > now:
                await self._wait(state, at - now)
            elif state.active >= self.concurrency:
                await self._wait(state, None)
            else:
                state.active += 1
                state.last_start = now
                return

    def release(self, netloc: str) -> None:
        state = self.host(netloc)
        state.active = max(0, state.active - 1)
        self._wake(state)

    @staticmethod
    async def _wait(state: _Host, timeout: float | None) -> None:
        future = asyncio.get_running_loop().create_future()
        state.waiters.append(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            if future in state.waiters:
                state.waiters.remove(future)

    @staticmethod
    def _wake(state: _Host) -> None:
        waiters, state.waiters = state.waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)


def pacing_for(crawler) -> SitePacing:
    pacing = getattr(crawler, "_satukanal_pacing", None)
    if pacing is None:
        settings = crawler.settings
        pacing = SitePacing(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2),
                            settings.getfloat("SATUKANAL_MAX_CRAWL_DELAY", 60.0),
                            settings.getfloat("SATUKANAL_BACKOFF_MAX", 120.0))  # fmt: skip
        crawler._satukanal_pacing = pacing
    return pacing


class SitePacingMiddleware:
    """The gate every request to a host passes last: Crawl-delay between requests, a pause for the whole
    host after a 429/503 (its Retry-After, else the retry backoff), at most `CONCURRENT_REQUESTS_PER_DOMAIN`
    requests past it."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.pacing = pacing_for(crawler)
        self.backoff_base = crawler.settings.getfloat("SATUKANAL_BACKOFF_BASE", 2.0)
        self._holding: set[int] = set()  # id() of the requests past the gate

    @classmethod
    def from_crawler(cls, crawler) -> SitePacingMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        await self.pacing.acquire(_netloc(request))
        self._holding.add(id(request))

    def _release(self, request: Request) -> None:
        if id(request) in self._holding:
            self._holding.discard(id(request))
            self.pacing.release(_netloc(request))

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        if response.status in PAUSE_STATUSES:
            attempt = request.meta.get("retry_times", 0)
            delay = backoff_seconds(response, attempt, self.backoff_base, self.pacing.max_pause)
            if delay > 0:
                self.pacing.pause(_netloc(request), delay)
                self.crawler.stats.inc_value("satukanal/site_paused")
                logger.info("%s answered %d: pausing every request to %s for %.1fs", request.url[:300],
                            response.status, _netloc(request), delay)  # fmt: skip
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)


# -- retries ------------------------------------------------------------------------------------------------


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
        delay = backoff_seconds(response, attempt, self.backoff_base, self.backoff_max)
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


# -- parse failures (a spider middleware) --------------------------------------------------------------------
