"""The `satukanal` spider: finds every article of the portal once, and on later runs only what changed.

Discovery has three sources, deduplicated by canonical URL: channel ("kanal") pages with their
pagination, the Yoast/WordPress sitemaps, and the RSS feed. The spider only decides what to fetch;
parsing is `parse_page` (the one article parser, in a worker process when the machine has a core to spare:
parse_pool.py), storing is the pipelines' job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from satukanal_crawler import dates
from satukanal_crawler.archive import Archive
from satukanal_crawler.assemble import assemble
from satukanal_crawler.items import PageCapture, UrlStateItem
from satukanal_crawler.parse_pool import ParsePool, default_processes
from satukanal_crawler.parsers.listing import (
    SITEMAP_MAX_BYTES,
    InvalidSitemap,
    is_article_url,
    is_channel_url,
    page_number,
    parse_feed,
    parse_listing,
    parse_sitemap,
    sitemap_lines,
)
from satukanal_crawler.urls import canonicalize_url, origin_of, same_host

ARTICLE_PRIORITY = 10
REDIRECTS = [301, 302, 303, 307, 308]
SOURCES = ("feeds", "channels", "sitemaps")


class SatukanalSpider(scrapy.Spider):
    name = "satukanal"

    def __init__(self, *args: Any, full: bool | str = False, since: str | None = None,
                 sources: str = ",".join(SOURCES), **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.full = full in (True, "1", "true", "True", "yes")
        self.since = f"{since}T00:00:00+07:00" if since and len(since) == 10 else since
        self.sources = {s.strip() for s in sources.split(",") if s.strip()}
        unknown = self.sources - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))} (choose from {', '.join(SOURCES)})")

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> SatukanalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = origin_of(settings.get("SATUKANAL_BASE_URL").rstrip("/"))
        spider.allowed_domains = [spider.base_url.split("://", 1)[1].split(":")[0]]
        spider.stop_after_known = settings.getint("SATUKANAL_STOP_AFTER_KNOWN_PAGES", 1)
        spider.max_channel_pages = settings.getint("SATUKANAL_MAX_CHANNEL_PAGES", 5000)
        spider.max_attempts = settings.getint("SATUKANAL_MAX_URL_ATTEMPTS", 5)
        spider.db_path = settings.get("SATUKANAL_DB")
        spider.sitemap_max_bytes = settings.getint("SATUKANAL_SITEMAP_MAX_BYTES", SITEMAP_MAX_BYTES)
        processes = settings.get("SATUKANAL_PARSE_PROCESSES")
        spider.parser = ParsePool(default_processes() if processes in (None, "") else int(processes), crawler)
        return spider

    def closed(self, reason: str) -> None:
        self.parser.close()

    # -- state of the archive -----------------------------------------------------------------------

    def _load_state(self) -> None:
        with Archive(self.db_path) as archive:
            self.known = archive.known_urls()
            self.unresolved_links = archive.unresolved_link_targets()
            states = {kind: archive.url_states(kind) for kind in ("article", "non_article", "gone", "failed",
                                                                  "sitemap", "redirect")}  # fmt: skip
        self.article_lastmod = {url: row["lastmod"] for url, row in states["article"].items()}
        self.skip = set(states["non_article"]) | set(states["gone"])
        self.redirects = {url: row["redirect_to"] for url, row in states["redirect"].items()}
        self.failed = {url: row["attempts"] for url, row in states["failed"].items()}
        self.sitemap_lastmod = {url: row["lastmod"] for url, row in states["sitemap"].items()}
        self.requested: set[str] = set()

    def wants_article(self, url: str, *, lastmod: str | None = None, published: str | None = None) -> bool:
        """Whether an article URL is worth a request in this run."""
        if url in self.requested:
            return False
        if self.since and published and published < self.since:
            return False
        if self.full:
            return True
        if url in self.skip:
            return False
        target = self.redirects.get(url)
        if target is not None and target in self.known:
            url = target
        if url not in self.known:
            return True
        if lastmod is None:
            return False
        stored = self.article_lastmod.get(url) or self.known[url][1]
        return stored is None or lastmod > stored

    # -- requests -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self.parser.start()
        self._load_state()
        base = self.base_url
        if "sitemaps" in self.sources:
            yield Request(f"{base}/robots.txt", callback=self.parse_robots, errback=self.on_error,
                          meta={"handle_httpstatus_list": [404]})  # fmt: skip
            yield Request(f"{base}/sitemap_index.xml", callback=self.parse_sitemap, errback=self.on_error)
            yield Request(f"{base}/wp-sitemap.xml", callback=self.parse_sitemap, errback=self.on_error,
                          meta={"optional": True})  # fmt: skip
        if "feeds" in self.sources:
            yield Request(f"{base}/feed/", callback=self.parse_feed, errback=self.on_error)
        if "channels" in self.sources:
            yield Request(f"{base}/", callback=self.parse_home, errback=self.on_error)
        for url, attempts in sorted(self.failed.items()):
            if attempts < self.max_attempts and same_host(url, base) and is_article_url(url, base):
                request = self.article_request(url, source="retry")
                if request is not None:
                    self.crawler.stats.inc_value("satukanal/retried_failed_urls")
                    yield request
        # Links of archived articles that were never followed (the run that stored them was interrupted).
        for url in self.unresolved_links:
            if (same_host(url, base) and is_article_url(url, base) and self.failed.get(url, 0) < self.max_attempts
                    and self.wants_article(url)):  # fmt: skip
                request = self.article_request(url, source="link")
                if request is not None:
                    yield request

    def article_request(self, url: str, *, source: str, lastmod: str | None = None,
                        assume_article: bool = False) -> Request | None:  # fmt: skip
        url = canonicalize_url(url)
        if not same_host(url, self.base_url) or url in self.requested:
            return None
        self.requested.add(url)
        meta = {"source": source, "lastmod": lastmod, "assume_article": assume_article,
                "dont_redirect": True, "handle_httpstatus_list": REDIRECTS}  # fmt: skip
        return Request(url, callback=self.parse_article, errback=self.on_error, meta=meta, priority=ARTICLE_PRIORITY)

    def channel_request(self, url: str, *, known_pages: int = 0) -> Request | None:
        url = canonicalize_url(url)
        if not same_host(url, self.base_url) or page_number(url) > self.max_channel_pages:
            return None
        return Request(url, callback=self.parse_channel, errback=self.on_error, meta={"known_pages": known_pages})

    # -- discovery callbacks ------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            return
        for url in sitemap_lines(response.text, self.base_url):
            yield Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def parse_sitemap(self, response: Response) -> Iterator[Request | UrlStateItem]:
        try:
            kind, entries = parse_sitemap(response.body, max_size=self.sitemap_max_bytes)
        except InvalidSitemap as exc:
            self.logger.warning("invalid sitemap %s: %s", response.url, exc)
            yield UrlStateItem(response.url, "failed", status=response.status, error=f"invalid sitemap: {exc}",
                               fetched_at=dates.now_wib())  # fmt: skip
            return
        if kind == "sitemapindex":
            for entry in entries:
                if not same_host(entry.url, self.base_url):
                    continue
                stored = self.sitemap_lastmod.get(entry.url)
                if self.full or stored is None or entry.lastmod is None or entry.lastmod > stored:
                    yield Request(entry.url, callback=self.parse_sitemap, errback=self.on_error,
                                  meta={"sitemap_lastmod": entry.lastmod})  # fmt: skip
            return
        if "sitemap_lastmod" in response.meta:
            yield UrlStateItem(response.url, "sitemap", status=response.status,
                               lastmod=response.meta["sitemap_lastmod"], fetched_at=dates.now_wib())  # fmt: skip
        for entry in entries:
            url = canonicalize_url(entry.url)
            if is_channel_url(url, self.base_url):
                if "channels" in self.sources:
                    request = self.channel_request(url)
                    if request is not None:
                        yield request
            elif is_article_url(url, self.base_url) and "page-sitemap" not in response.url:
                if self.since and entry.lastmod and entry.lastmod < self.since:
                    continue
                if self.wants_article(url, lastmod=entry.lastmod):
                    request = self.article_request(url, source="sitemap", lastmod=entry.lastmod,
                                                   assume_article="post-sitemap" in response.url
                                                   or "sitemap-posts-post" in response.url)  # fmt: skip
                    if request is not None:
                        yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        for item in parse_feed(response.body, response.url):
            if is_article_url(item.url, self.base_url) and self.wants_article(item.url, published=item.published_at):
                request = self.article_request(item.url, source="feed", assume_article=True)
                if request is not None:
                    yield request

    async def parse_home(self, response: Response) -> AsyncIterator[Request]:
        listing = await self.parser.run(parse_listing, response.body, response.url, self.base_url,
                                        _content_type(response))  # fmt: skip
        for channel in listing.channels:
            request = self.channel_request(channel)
            if request is not None:
                yield request
        for url, published in listing.articles:
            if self.wants_article(url, published=published):
                request = self.article_request(url, source="home")
                if request is not None:
                    yield request

    async def parse_channel(self, response: Response) -> AsyncIterator[Request]:
        listing = await self.parser.run(parse_listing, response.body, response.url, self.base_url,
                                        _content_type(response))  # fmt: skip
        for channel in listing.channels:  # nested channels are linked from their parents' pages
            if page_number(channel) == 1:
                request = self.channel_request(channel)
                if request is not None:
                    yield request
        if page_number(response.url) == 1:  # monitoring: a channel that stops listing articles
            path = urlsplit(response.url).path
            self.crawler.stats.set_value(f"satukanal/channel_articles/{path}", len(listing.articles))
        if not listing.articles:
            return  # an out-of-range page: pagination ends here whatever it links to
        known_pages = response.meta.get("known_pages", 0)
        all_known = all(url in self.known for url, _ in listing.articles)
        known_pages = known_pages + 1 if all_known and not self.full else 0
        too_old = bool(self.since) and all(p is not None and p < self.since for _, p in listing.articles)
        for url, published in listing.articles:
            if self.wants_article(url, published=published):
                request = self.article_request(url, source="channel")
                if request is not None:
                    yield request
        stop = too_old or (self.stop_after_known > 0 and known_pages >= self.stop_after_known)
        if listing.next_url and not stop and page_number(listing.next_url) > page_number(response.url):
            request = self.channel_request(listing.next_url, known_pages=known_pages)
            if request is not None:
                yield request

    # -- articles -----------------------------------------------------------------------------------

    def _capture(self, response: Response) -> PageCapture:
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()}
        return PageCapture(response.url, response.status, headers, response.body, dates.now_wib())

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        if response.status in REDIRECTS:
            for output in self._follow_redirect(response):
                yield output
            return
        parsed = await self.parser.parse_page(response.body, response.url,
                                              assume_article=meta.get("assume_article", False),
                                              content_type=_content_type(response))  # fmt: skip
        capture = self._capture(response)
        if parsed is None or (not parsed.record["body_text"] and not parsed.record["title"]):
            yield UrlStateItem(response.url, "non_article", status=response.status, fetched_at=capture.fetched_at)
            return
        pages = [*meta.get("pages", []), (parsed.record, parsed.body_html, capture)]
        remaining = meta.get("remaining")
        if remaining is None:
            remaining = [url for url in parsed.page_urls[1:] if same_host(url, self.base_url)]
        if remaining:
            yield Request(remaining[0], callback=self.parse_article, errback=self.on_error, priority=ARTICLE_PRIORITY,
                          meta={**meta, "pages": pages, "remaining": remaining[1:]}, dont_filter=True)  # fmt: skip
            return
        aliases = [canonicalize_url(u) for u in ([*meta.get("aliases", []), pages[0][2].url])]
        item = assemble(pages, source=meta.get("source", ""), sitemap_lastmod=meta.get("lastmod"), aliases=aliases)
        yield item
        for link in item.baca_juga:  # discovery: old slugs and articles no listing shows any more
            url = canonicalize_url(link["url"])
            if is_article_url(url, self.base_url) and self.wants_article(url):
                request = self.article_request(url, source="link")
                if request is not None:
                    yield request

    def _follow_redirect(self, response: Response) -> Iterator[Any]:
        location = response.headers.get("Location")
        if not location:
            yield UrlStateItem(response.url, "failed", status=response.status, error="redirect without Location",
                               fetched_at=dates.now_wib())  # fmt: skip
            return
        target = canonicalize_url(response.urljoin(location.decode("latin-1")))
        yield UrlStateItem(response.url, "redirect", status=response.status, redirect_to=target,
                           fetched_at=dates.now_wib())  # fmt: skip
        hops = response.meta.get("hops", 0)
        if not same_host(target, self.base_url) or hops >= 5:
            return
        if target in self.requested:
            return
        self.requested.add(target)
        meta = {**response.meta, "hops": hops + 1,
                "aliases": [*response.meta.get("aliases", []), response.url]}  # fmt: skip
        yield Request(target, callback=self.parse_article, errback=self.on_error, meta=meta, priority=ARTICLE_PRIORITY)

    # -- failures -----------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[UrlStateItem]:
        request = failure.request
        if request.meta.get("optional"):
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            kind = "gone" if status in (404, 410) else "failed"
            error = f"HTTP {status}"
        else:
            status = None
            kind = "failed"
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self.crawler.stats.inc_value(f"satukanal/errors/{kind}")
        if request.callback == self.parse_article or kind == "failed":
            yield UrlStateItem(request.url, kind, status=status, error=error, fetched_at=dates.now_wib())


def _content_type(response: Response) -> str | None:
    return response.headers.get("Content-Type", b"").decode("latin-1") or None
