"""`satukanal crawl`: one run of the spider with the project's settings, and its summary."""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from satukanal_crawler.archive import Archive
from satukanal_crawler.cli import DEMO_PORT, EXIT_CRAWL_ERROR, EXIT_OK, EXIT_UNREACHABLE, UsageError
from satukanal_crawler.spiders.satukanal import SOURCES, SatukanalSpider


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("satukanal_crawler.settings", priority="project")
    return settings


def _check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--base-url must look like https://host, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _start_demo_mirror(stack: ExitStack):
    from satukanal_crawler.mirror.replay import ReplayServer

    try:
        return stack.enter_context(ReplayServer(port=DEMO_PORT))
    except OSError:
        return stack.enter_context(ReplayServer(port=0))  # the usual port is taken: any free one will do


def run_crawl(args: argparse.Namespace) -> int:
    sources = {s.strip() for s in args.sources.split(",") if s.strip()}
    if not sources or sources - set(SOURCES):
        raise UsageError(f"--sources takes a comma-separated subset of {','.join(SOURCES)}, got {args.sources!r}")
    settings = project_settings()
    for name, value in args.settings:
        settings.set(name, value, priority="cmdline")
    with ExitStack() as stack:
        if args.demo:
            mirror = _start_demo_mirror(stack)
            settings.set("SATUKANAL_BASE_URL", mirror.base_url, priority="cmdline")
            settings.set("SATUKANAL_DB", args.db or "data/demo.db", priority="cmdline")
            # The mirror is ours: no throttling, short backoff.
            for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0),
                                ("CONCURRENT_REQUESTS_PER_DOMAIN", 8), ("SATUKANAL_BACKOFF_BASE", 0.2)):  # fmt: skip
                settings.set(name, value, priority="cmdline")
        else:
            if args.base_url:
                settings.set("SATUKANAL_BASE_URL", args.base_url, priority="cmdline")
            if args.db:
                settings.set("SATUKANAL_DB", args.db, priority="cmdline")
        settings.set("SATUKANAL_BASE_URL", _check_base_url(settings.get("SATUKANAL_BASE_URL")), priority="cmdline")
        db = Path(settings.get("SATUKANAL_DB"))
        Archive(db).close()  # fail early, in one line, if the archive cannot be opened or migrated
        log_dir = db.parent / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / f"crawl-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.log"
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("SATUKANAL_RUN_ARGUMENTS", {"full": args.full, "since": args.since, "sources": sorted(sources),
                                                 "demo": args.demo}, priority="cmdline")  # fmt: skip
        started = time.monotonic()
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(SatukanalSpider)
        process.crawl(crawler, full=args.full, since=args.since, sources=",".join(sorted(sources)))
        process.start()
        elapsed = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    status = _exit_status(stats)
    if not args.quiet or status != EXIT_OK:
        print(summary(stats, db, log_file, elapsed), file=sys.stdout if status == EXIT_OK else sys.stderr)
    return status


def _exit_status(stats: dict) -> int:
    if stats.get("finish_reason") not in ("finished", None) and stats.get("finish_reason") != "shutdown":
        return EXIT_CRAWL_ERROR
    if not stats.get("downloader/response_count"):
        return EXIT_UNREACHABLE
    if stats.get("log_count/CRITICAL") or stats.get("spider_exceptions/count"):
        return EXIT_CRAWL_ERROR
    return EXIT_OK


def summary(stats: dict, db: Path, log_file: Path, elapsed: float) -> str:
    get = stats.get
    return (
        f"satukanal: {get('downloader/response_count', 0)} pages fetched in {elapsed:.1f}s; articles: "
        f"{get('satukanal/articles/new', 0)} new, {get('satukanal/articles/updated', 0)} updated, "
        f"{get('satukanal/articles/unchanged', 0)} unchanged, {get('satukanal/articles/alias', 0)} re-posts; "
        f"{get('satukanal/rejected', 0)} rejected, {get('satukanal/urls/failed', 0)} failed URLs; "
        f"archive {db}; log {log_file}"
    )
