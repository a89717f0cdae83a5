"""The `satukanal` spider: finds every article of the portal once, and on later runs only what changed.

Discovery has three sources, deduplicated by canonical URL: channel ("kanal") pages with their
pagination, the Yoast/WordPress sitemaps, and the RSS feed. The spider only decides what to fetch;
parsing is `parse_page` (the one article parser, in a worker process when the machine has a core to spare:
parse_pool.py), storing is the pipelines' job.

Every article URL a page lists that the archive does not hold is handed to the archive's frontier
(`DiscoveryItem`: pending until settled), and a run starts from what is still pending. So a run that stops
at any moment, or leaves articles out on purpose (`--since`, `--sources`), leaves them pending, never lost:
the next run fetches them without re-reading what listed them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from satukanal_crawler import dates
from satukanal_crawler.archive import Archive
from satukanal_crawler.archive.frontier import FrontierReader
from satukanal_crawler.assemble import assemble
from satukanal_crawler.items import DiscoveryItem, PageCapture, UrlStateItem
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
from satukanal_crawler.recheck import RecheckPolicy
from satukanal_crawler.urls import canonicalize_url, origin_of, same_host

ARTICLE_PRIORITY = 10
SITEMAP_CHUNK = 500  # sitemap entries decided (and looked up in the archive) at a time
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
        spider.stop_after_barren = settings.getint("SATUKANAL_STOP_AFTER_BARREN_PAGES", 5)
        spider.max_channels = settings.getint("SATUKANAL_MAX_CHANNELS", 1000)
        spider.max_channel_depth = settings.getint("SATUKANAL_MAX_CHANNEL_DEPTH", 3)
        spider.max_sitemaps = settings.getint("SATUKANAL_MAX_SITEMAPS", 2000)
        spider.max_sitemap_depth = settings.getint("SATUKANAL_MAX_SITEMAP_DEPTH", 3)
        spider.db_path = settings.get("SATUKANAL_DB")
        spider.recheck = RecheckPolicy.from_settings(settings)
        spider.sitemap_max_bytes = settings.getint("SATUKANAL_SITEMAP_MAX_BYTES", SITEMAP_MAX_BYTES)
        processes = settings.get("SATUKANAL_PARSE_PROCESSES")
        spider.parser = ParsePool(default_processes() if processes in (None, "") else int(processes), crawler)
        return spider

    def closed(self, reason: str) -> None:
        self.parser.close()
        urls = getattr(self, "urls", None)
        if urls is not None:
            urls.close()

    # -- state of the archive -----------------------------------------------------------------------

    def _load_state(self) -> None:
        """What a run starts from: the frontier's pending and failed URLs and the sitemaps read. Everything else the
        archive knows is asked for as listings arrive (FrontierReader), never loaded whole."""
        self.urls = FrontierReader(self.db_path)
        self.failed = {row["url"]: row["attempts"] for row in self.urls.states("failed")}
        self.pending = {row["url"]: (row["source"], row["lastmod"], row["published_hint"])
                        for row in self.urls.states("pending")}  # fmt: skip
        self.sitemap_lastmod = {row["url"]: row["lastmod"] for row in self.urls.states("sitemap")}
        now = dates.now_wib()
        self.recheck_due = [  # once answered with no article, though a post sitemap or the feed lists them
            row["url"] for row in self.urls.states("non_article")
            if _listed_as_post(row["source"], row["found_in"])
            and self.recheck.due(listed_as_article=True, fetched_at=row["last_fetched_at"], rechecks=row["attempts"],
                                 now=now)
        ]  # fmt: skip
        if self.full:
            with Archive(self.db_path) as archive:
                self.archived = archive.article_urls()
        else:
            self.archived = []
        self.requested: set[str] = set()
        self.listed: set[str] = set()  # article URLs the listings of this run showed
        self.channels_seen: set[str] = set()
        self.sitemaps_seen: set[str] = set()

    def _bound(self, name: str) -> None:
        """A trap bound stopped part of the discovery: the run's stats (and its summary) say which."""
        self.crawler.stats.inc_value(f"satukanal/bounds/{name}")

    def outside_since(self, published: str | None) -> bool:
        """Whether a publication time (or a sitemap lastmod, which is never earlier) falls before `--since`. Both
        are ISO 8601 in WIB (the date normaliser's one format), so they compare as text."""
        return bool(self.since and published and published < self.since)

    def _discovered(self, found_in: str, source: str, entries: list[tuple[str, str | None, str | None]],
                    state: UrlStateItem | None = None) -> DiscoveryItem | None:  # fmt: skip
        """What a page listed that the archive does not hold yet, for the frontier; for a sitemap, all it lists (the
        archive remembers which sitemap lists each article)."""
        self.urls.prefetch(entry[0] for entry in entries)
        fresh = (
            entries if source == "sitemap" else [entry for entry in entries if not self.urls.info(entry[0]).archived]
        )
        self.listed.update(entry[0] for entry in entries)
        if not fresh and state is None:
            return None
        return DiscoveryItem(found_in, source, fresh, state)

    def wants_article(self, url: str, *, lastmod: str | None = None, published: str | None = None,
                      listed_as_post: bool = False) -> bool:  # fmt: skip
        """Whether an article URL is worth a request in this run. `listed_as_post`: a post sitemap or the feed
        names it, which makes a URL once answered with a non-article page worth another look (recheck.py)."""
        if url in self.requested:
            return False
        if self.outside_since(published):
            self.crawler.stats.inc_value("satukanal/frontier/outside_since")
            return False
        if self.full:
            return True
        info = self.urls.info(url)
        if info.kind == "non_article":
            due = self.recheck.due(listed_as_article=listed_as_post, fetched_at=info.fetched_at,
                                   rechecks=info.attempts, now=dates.now_wib())  # fmt: skip
            if due:
                self.crawler.stats.inc_value("satukanal/frontier/rechecked_non_articles")
            return due
        if info.kind == "gone":
            return False
        if info.redirect_to is not None:
            target = self.urls.info(info.redirect_to)
            if target.archived:
                info = target
        if not info.archived:
            return True
        if lastmod is None:
            return False
        return info.time is None or lastmod > info.time

    # -- requests -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self.parser.start()
        self._load_state()
        base = self.base_url
        if "sitemaps" in self.sources:
            yield Request(f"{base}/robots.txt", callback=self.parse_robots, errback=self.on_error,
                          meta={"handle_httpstatus_list": [404]})  # fmt: skip
            for url, optional in ((f"{base}/sitemap_index.xml", False), (f"{base}/wp-sitemap.xml", True)):
                request = self.sitemap_request(url, optional=optional)
                if request is not None:
                    yield request
        if "feeds" in self.sources:
            yield Request(f"{base}/feed/", callback=self.parse_feed, errback=self.on_error)
        if "channels" in self.sources:
            yield Request(f"{base}/", callback=self.parse_home, errback=self.on_error)
        # The frontier: what earlier runs discovered and did not settle, whatever stopped them.
        for url, (source, lastmod, published) in sorted(self.pending.items()):
            if not (same_host(url, base) and is_article_url(url, base)):
                # A link to a channel, a tag or another site: not an article, nothing to fetch.
                yield UrlStateItem(
                    url, "non_article", error="not an article URL of the site", fetched_at=dates.now_wib()
                )
                continue
            if self.outside_since(published or lastmod):
                self.crawler.stats.inc_value("satukanal/frontier/outside_since")
                continue
            request = self.article_request(url, source=source or "frontier", lastmod=lastmod)
            if request is not None:
                self.crawler.stats.inc_value("satukanal/frontier/resumed")
                yield request
        for url, attempts in sorted(self.failed.items()):
            if attempts < self.max_attempts and same_host(url, base) and is_article_url(url, base):
                request = self.article_request(url, source="retry")
                if request is not None:
                    self.crawler.stats.inc_value("satukanal/retried_failed_urls")
                    yield request
        for url in self.recheck_due:
            request = self.article_request(url, source="recheck", assume_article=True)
            if request is not None:
                self.crawler.stats.inc_value("satukanal/frontier/rechecked_non_articles")
                yield request
        for url in self.archived:  # --full: every archived article again, listed or not (a taken-down one is gone)
            request = self.article_request(url, source="archive")
            if request is not None:
                yield request

    def article_request(self, url: str, *, source: str, lastmod: str | None = None,
                        assume_article: bool = False) -> Request | None:  # fmt: skip
        url = canonicalize_url(url)
        if not same_host(url, self.base_url) or url in self.requested:
            return None
        self.requested.add(url)
        self.crawler.stats.inc_value("satukanal/article_requests")
        meta = {"source": source, "lastmod": lastmod, "assume_article": assume_article,
                "dont_redirect": True, "handle_httpstatus_list": REDIRECTS}  # fmt: skip
        return Request(url, callback=self.parse_article, errback=self.on_error, meta=meta, priority=ARTICLE_PRIORITY)

    def channel_request(self, url: str, *, known_pages: int = 0, barren_pages: int = 0,
                        depth: int = 0) -> Request | None:  # fmt: skip
        url = canonicalize_url(url)
        if not same_host(url, self.base_url) or page_number(url) > self.max_channel_pages:
            return None
        if page_number(url) == 1:
            if url in self.channels_seen:
                return None
            if depth > self.max_channel_depth:
                self._bound("channel_depth")
                return None
            if len(self.channels_seen) >= self.max_channels:
                self._bound("channels")
                return None
            self.channels_seen.add(url)
        meta = {"known_pages": known_pages, "barren_pages": barren_pages, "depth": depth}
        return Request(url, callback=self.parse_channel, errback=self.on_error, meta=meta)

    def sitemap_request(self, url: str, *, depth: int = 0, lastmod: str | None = None,
                        optional: bool = False) -> Request | None:  # fmt: skip
        if url in self.sitemaps_seen:
            return None
        if depth > self.max_sitemap_depth:
            self._bound("sitemap_depth")
            return None
        if len(self.sitemaps_seen) >= self.max_sitemaps:
            self._bound("sitemaps")
            return None
        self.sitemaps_seen.add(url)
        meta: dict[str, Any] = {"depth": depth}
        if lastmod is not None or depth > 0:
            meta["sitemap_lastmod"] = lastmod
        if optional:
            meta["optional"] = True
        return Request(url, callback=self.parse_sitemap, errback=self.on_error, meta=meta)

    # -- discovery callbacks ------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            return
        for url in sitemap_lines(response.text, self.base_url):
            request = self.sitemap_request(url)
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[Request | UrlStateItem | DiscoveryItem]:
        try:
            kind, entries = parse_sitemap(response.body, max_size=self.sitemap_max_bytes)
        except InvalidSitemap as exc:
            self.logger.warning("invalid sitemap %s: %s", response.url, exc)
            yield UrlStateItem(response.url, "failed", status=response.status, error=f"invalid sitemap: {exc}",
                               fetched_at=dates.now_wib())  # fmt: skip
            return
        depth = response.meta.get("depth", 0)
        if kind == "sitemapindex":
            for entry in entries:
                if not same_host(entry.url, self.base_url):
                    continue
                stored = self.sitemap_lastmod.get(entry.url)
                if self.full or stored is None or entry.lastmod is None or entry.lastmod > stored:
                    request = self.sitemap_request(entry.url, depth=depth + 1, lastmod=entry.lastmod)
                    if request is not None:
                        yield request
            return
        state = None
        if "sitemap_lastmod" in response.meta:
            state = UrlStateItem(response.url, "sitemap", status=response.status,
                                 lastmod=response.meta["sitemap_lastmod"], fetched_at=dates.now_wib())  # fmt: skip
        assume = _listed_as_post("sitemap", response.url)
        listed: set[str] = set()
        entries = iter(entries)  # read as they are parsed (a sitemap can list 50,000 URLs): a chunk at a time
        while chunk := list(islice(entries, SITEMAP_CHUNK)):
            urls = [canonicalize_url(entry.url) for entry in chunk]
            self.urls.prefetch(urls)
            articles: list[tuple[str, str | None, str | None]] = []
            requests = []
            for entry, url in zip(chunk, urls, strict=True):
                if is_channel_url(url, self.base_url):
                    if "channels" in self.sources:
                        request = self.channel_request(url)
                        if request is not None:
                            requests.append(request)
                elif is_article_url(url, self.base_url) and "page-sitemap" not in response.url:
                    articles.append((url, entry.lastmod, None))
                    listed.add(url)
                    if self.wants_article(url, lastmod=entry.lastmod, listed_as_post=assume,
                                          published=entry.lastmod if self.since else None):  # fmt: skip
                        request = self.article_request(url, source="sitemap", lastmod=entry.lastmod,
                                                       assume_article=assume)  # fmt: skip
                        if request is not None:
                            requests.append(request)
            discovered = self._discovered(response.url, "sitemap", articles)  # pending before they are requested
            if discovered is not None:
                yield discovered
            yield from requests
        if state is not None and not self.full and response.url in self.sitemap_lastmod:
            yield from self._delisted(response.url, listed)
        # The sitemap counts as read (its lastmod stored) only once everything it listed is in the frontier.
        if state is not None:
            yield DiscoveryItem(response.url, "sitemap", [], state)

    def _delisted(self, sitemap: str, listed: set[str]) -> Iterator[Request]:
        """Archived articles this sitemap listed before and lists no more: fetched again, so one taken down is
        known as gone (it stays in the archive)."""
        for url in self.urls.listed_in(sitemap, kind="article"):
            if url not in listed:
                request = self.article_request(url, source="delisted")
                if request is not None:
                    self.crawler.stats.inc_value("satukanal/frontier/delisted")
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Request | DiscoveryItem]:
        items = [item for item in parse_feed(response.body, response.url) if is_article_url(item.url, self.base_url)]
        self.urls.prefetch(item.url for item in items)
        discovered = self._discovered(response.url, "feed", [(canonicalize_url(item.url), None, item.published_at)
                                                             for item in items])  # fmt: skip
        if discovered is not None:
            yield discovered
        for item in items:
            if self.wants_article(item.url, published=item.published_at, listed_as_post=True):
                request = self.article_request(item.url, source="feed", assume_article=True)
                if request is not None:
                    yield request

    async def parse_home(self, response: Response) -> AsyncIterator[Request | DiscoveryItem]:
        listing = await self.parser.run(parse_listing, response.body, response.url, self.base_url,
                                        _content_type(response))  # fmt: skip
        self.urls.prefetch(url for url, _ in listing.articles)
        discovered = self._discovered(response.url, "home", [(url, None, published)
                                                             for url, published in listing.articles])  # fmt: skip
        if discovered is not None:
            yield discovered
        for channel in listing.channels:
            request = self.channel_request(channel)
            if request is not None:
                yield request
        for url, published in listing.articles:
            if self.wants_article(url, published=published):
                request = self.article_request(url, source="home")
                if request is not None:
                    yield request

    async def parse_channel(self, response: Response) -> AsyncIterator[Request | DiscoveryItem]:
        listing = await self.parser.run(parse_listing, response.body, response.url, self.base_url,
                                        _content_type(response))  # fmt: skip
        meta = response.meta
        depth = meta.get("depth", 0)
        for channel in listing.channels:  # nested channels are linked from their parents' pages
            if page_number(channel) == 1:
                request = self.channel_request(channel, depth=depth + 1)
                if request is not None:
                    yield request
        if page_number(response.url) == 1:  # monitoring: a channel that stops listing articles
            path = urlsplit(response.url).path
            self.crawler.stats.set_value(f"satukanal/channel_articles/{path}", len(listing.articles))
        if not listing.articles:
            return  # an out-of-range page: pagination ends here whatever it links to
        barren = all(url in self.listed for url, _ in listing.articles)  # nothing this run had not seen
        self.urls.prefetch(url for url, _ in listing.articles)
        discovered = self._discovered(response.url, "channel", [(url, None, published)
                                                                for url, published in listing.articles])  # fmt: skip
        if discovered is not None:
            yield discovered
        known_pages = meta.get("known_pages", 0)
        all_known = all(self.urls.info(url).archived for url, _ in listing.articles)
        known_pages = known_pages + 1 if all_known and not self.full else 0
        barren_pages = meta.get("barren_pages", 0) + 1 if barren else 0
        too_old = bool(self.since) and all(self.outside_since(p) for _, p in listing.articles)
        for url, published in listing.articles:
            if self.wants_article(url, published=published):
                request = self.article_request(url, source="channel")
                if request is not None:
                    yield request
        stop = too_old or (self.stop_after_known > 0 and known_pages >= self.stop_after_known)
        if not stop and self.stop_after_barren > 0 and barren_pages >= self.stop_after_barren:
            self._bound("barren_pages")
            stop = True
        if listing.next_url and not stop and page_number(listing.next_url) > page_number(response.url):
            request = self.channel_request(listing.next_url, known_pages=known_pages, barren_pages=barren_pages,
                                           depth=depth)  # fmt: skip
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
        if not meta.get("pages") and self.outside_since(parsed.record["published_at"]):
            # --since bounds publication dates: the article stays pending, with its date, for a later run.
            self.crawler.stats.inc_value("satukanal/frontier/outside_since")
            yield DiscoveryItem(
                response.url,
                meta.get("source", ""),
                [(canonicalize_url(response.url), meta.get("lastmod"), parsed.record["published_at"])],
            )
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
        # Discovery: old slugs and articles no listing shows any more. The archive records the links' targets as
        # pending with the article; their dates are unknown until fetched, so a --since run leaves them pending.
        if self.since:
            return
        links = [canonicalize_url(link["url"]) for link in item.baca_juga]
        self.urls.prefetch(links)
        for url in links:
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
        state = UrlStateItem(response.url, "redirect", status=response.status, redirect_to=target,
                             fetched_at=dates.now_wib())  # fmt: skip
        hops = response.meta.get("hops", 0)
        if not same_host(target, self.base_url):
            yield state
            return
        if is_article_url(target, self.base_url):
            # The redirect and its target land together: a stop before the target is fetched leaves it pending.
            yield DiscoveryItem(response.url, "redirect", [(target, response.meta.get("lastmod"), None)], state)
        else:
            yield state
        if hops >= 5:
            self._bound("redirect_hops")
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
        if kind == "failed" and request.callback == self.parse_article and not failure.check(IgnoreRequest):
            self.crawler.stats.inc_value("satukanal/article_failures")  # (robots.txt refusals: the not_blocked check)
        if request.callback == self.parse_article or kind == "failed":
            yield UrlStateItem(request.url, kind, status=status, error=error, fetched_at=dates.now_wib())


def _listed_as_post(source: str | None, found_in: str | None) -> bool:
    """Whether a listing says the URL is a post: the feed, or a sitemap of posts (Yoast's, WordPress core's)."""
    if source == "feed":
        return True
    return source == "sitemap" and bool(found_in) and ("post-sitemap" in found_in or "sitemap-posts-post" in found_in)


def _content_type(response: Response) -> str | None:
    return response.headers.get("Content-Type", b"").decode("latin-1") or None
