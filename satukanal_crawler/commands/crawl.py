"""`satukanal crawl`: one run of the spider with the project's settings, and its summary.

The run itself (lock, archive, record, outcome) belongs to the RunOwner extension (run.py), as it does under
`scrapy crawl satukanal`; this command builds the settings from its options, starts the run and prints the summary.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from satukanal_crawler.cli import DEMO_PORT
from satukanal_crawler.config import check_settings
from satukanal_crawler.exits import EXIT_OK, UsageError
from satukanal_crawler.run import refusal_status, refusals, run_log_file
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
    if args.demo and args.base_url:
        raise UsageError("--demo crawls the bundled mirror: it takes no --base-url")
    settings = project_settings()
    with ExitStack() as stack:
        for name, value in args.settings:  # checked before anything starts: -s wins over everything below
            settings.set(name, value, priority="cmdline")
        check_settings(settings)
        if args.demo:
            mirror = _start_demo_mirror(stack)
            settings.set("SATUKANAL_BASE_URL", mirror.base_url, priority="cmdline")
            settings.set("SATUKANAL_DB", args.db or "data/demo.db", priority="cmdline")
            # The mirror is ours: no throttling, short backoff (unless -s says otherwise).
            for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0),
                                ("CONCURRENT_REQUESTS_PER_DOMAIN", 8), ("SATUKANAL_BACKOFF_BASE", 0.2)):  # fmt: skip
                settings.set(name, value, priority="cmdline")
        else:
            if args.base_url:
                settings.set("SATUKANAL_BASE_URL", args.base_url, priority="cmdline")
            if args.db:
                settings.set("SATUKANAL_DB", args.db, priority="cmdline")
        for name, value in args.settings:
            settings.set(name, value, priority="cmdline")
        settings.set("SATUKANAL_BASE_URL", _check_base_url(settings.get("SATUKANAL_BASE_URL")), priority="cmdline")
        db = Path(settings.get("SATUKANAL_DB"))
        log_file = run_log_file(db, settings.getint("SATUKANAL_KEEP_LOGS", 60))
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        if not args.quiet and sys.stderr.isatty():
            settings.set("SATUKANAL_PROGRESS", True, priority="cmdline")
        settings.set("SATUKANAL_RUN_ARGUMENTS", {"full": args.full, "since": args.since, "sources": sorted(sources),
                                                 "demo": args.demo}, priority="cmdline")  # fmt: skip
        started = time.monotonic()
        # A log handler that cannot write (the disk beside the archive is full) must not print tracebacks over the
        # run's one-line outcome, which says what went wrong.
        logging.raiseExceptions = False
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(SatukanalSpider)
        refused = refusals(process.crawl(crawler, full=args.full, since=args.since, sources=",".join(sorted(sources))))
        process.start()
        elapsed = time.monotonic() - started
        if refused:
            status = refusal_status(refused[0])
            if status is None:
                raise refused[0]
            print(f"satukanal: {refused[0]}", file=sys.stderr)
            return status
        owner = crawler.satukanal_run
        status = owner.finish()
        stats = crawler.stats.get_stats() if crawler.stats else {}
    if not args.quiet or status != EXIT_OK:
        lines = [summary(stats, db, log_file, elapsed)]
        if status != EXIT_OK:
            failed = [c for c in owner.checks if not c.ok]
            outcome = owner.outcome or "failed"
            first = (f"satukanal: run {outcome}: " + "; ".join(f"{c.name}: {c.detail}" for c in failed) if failed
                     else f"satukanal: run {outcome} (see {log_file})")  # fmt: skip
            lines = [first, *lines]
        print("\n".join(lines), file=sys.stdout if status == EXIT_OK else sys.stderr)
    return status


def summary(stats: dict, db: Path, log_file: Path, elapsed: float) -> str:
    get = stats.get
    line = (
        f"satukanal: {get('downloader/response_count', 0)} pages fetched in {elapsed:.1f}s; articles: "
        f"{get('satukanal/articles/new', 0)} new, {get('satukanal/articles/updated', 0)} updated, "
        f"{get('satukanal/articles/unchanged', 0)} unchanged, {get('satukanal/articles/alias', 0)} re-posts; "
        f"{get('satukanal/rejected', 0)} rejected, {get('satukanal/urls/failed', 0)} failed URLs"
    )
    pending = get("satukanal/frontier/pending", 0)
    if pending:
        line += f"; {pending} articles still pending (`satukanal status --missing`)"
    bounds = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("satukanal/bounds/")}
    if bounds:
        line += "; bounds hit: " + ", ".join(f"{name} {count}" for name, count in sorted(bounds.items()))
    return f"{line}; archive {db}; log {log_file}"
