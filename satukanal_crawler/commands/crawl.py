"""`satukanal crawl`: one run of the spider with the project's settings, and its summary."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from satukanal_crawler.archive import Archive, ArchiveError
from satukanal_crawler.cli import (
    DEMO_PORT,
    EXIT_CHECK_FAILED,
    EXIT_CRAWL_ERROR,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    UsageError,
)
from satukanal_crawler.lock import ArchiveLock, LockHeld
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
        for name, value in args.settings:  # -s wins over everything above, as in `scrapy crawl`
            settings.set(name, value, priority="cmdline")
        settings.set("SATUKANAL_BASE_URL", _check_base_url(settings.get("SATUKANAL_BASE_URL")), priority="cmdline")
        db = Path(settings.get("SATUKANAL_DB"))
        try:
            stack.enter_context(ArchiveLock(db))
        except LockHeld as exc:
            print(f"satukanal: {exc}", file=sys.stderr)
            return EXIT_LOCKED
        except OSError as exc:
            raise UsageError(f"{db}: cannot create the archive's lock file: {exc.strerror or exc}") from None
        Archive(db).close()  # fail early, in one line, if the archive cannot be opened or migrated
        log_file = _log_file(db.parent / "logs", settings.getint("SATUKANAL_KEEP_LOGS", 60))
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        if not args.quiet and sys.stderr.isatty():
            settings.set("SATUKANAL_PROGRESS", True, priority="cmdline")
        settings.set("SATUKANAL_RUN_ARGUMENTS", {"full": args.full, "since": args.since, "sources": sorted(sources),
                                                 "demo": args.demo}, priority="cmdline")  # fmt: skip
        started = time.monotonic()
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(SatukanalSpider)
        process.crawl(crawler, full=args.full, since=args.since, sources=",".join(sorted(sources)))
        process.start()
        elapsed = time.monotonic() - started
        stats = crawler.stats.get_stats() if crawler.stats else {}
        outcome = getattr(crawler, "satukanal_outcome", None)
        status = exit_status(outcome, stats)
        _record_exit_status(db, getattr(crawler, "satukanal_run_id", None), status)  # still under the lock
    if not args.quiet or status != EXIT_OK:
        lines = [summary(stats, db, log_file, elapsed)]
        if status != EXIT_OK:
            failed = [c for c in getattr(crawler, "satukanal_checks", []) if not c.ok]
            lines = [f"satukanal: run {outcome or 'failed'}: " + "; ".join(f"{c.name}: {c.detail}" for c in failed)
                     if failed else f"satukanal: run {outcome or 'failed'} (see {log_file})", *lines]  # fmt: skip
        print("\n".join(lines), file=sys.stdout if status == EXIT_OK else sys.stderr)
    return status


def _record_exit_status(db: Path, run_id: int | None, status: int) -> None:
    """The run's row says how the command ended, as cron saw it. The exit status itself never depends on
    this: an archive that cannot take the line is reported in one line, and the run's status stands."""
    if run_id is None:
        return
    try:
        with Archive(db) as archive, archive.transaction() as conn:
            conn.execute("UPDATE crawl_runs SET exit_status = ? WHERE id = ?", (status, run_id))
    except (ArchiveError, sqlite3.Error) as exc:
        print(f"satukanal: could not record the exit status in {db}: {exc}", file=sys.stderr)


def exit_status(outcome: str | None, stats: dict) -> int:
    """The exit status cron acts on (README "Exit statuses")."""
    if outcome is None or outcome.startswith("interrupted"):
        return EXIT_CRAWL_ERROR
    if outcome == "unreachable":
        return EXIT_UNREACHABLE
    if outcome.startswith("check failed"):
        return EXIT_CHECK_FAILED
    if stats.get("log_count/CRITICAL"):
        return EXIT_CRAWL_ERROR
    return EXIT_OK


def _log_file(log_dir: Path, keep: int) -> Path:
    """A new log file for this run; the oldest beyond `keep` are deleted."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{log_dir}: cannot create the log directory: {exc.strerror or exc}") from None
    old = sorted(log_dir.glob("crawl-*.log"))
    for path in old[: max(0, len(old) - keep + 1)]:
        path.unlink(missing_ok=True)
    return log_dir / f"crawl-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}.log"


def summary(stats: dict, db: Path, log_file: Path, elapsed: float) -> str:
    get = stats.get
    return (
        f"satukanal: {get('downloader/response_count', 0)} pages fetched in {elapsed:.1f}s; articles: "
        f"{get('satukanal/articles/new', 0)} new, {get('satukanal/articles/updated', 0)} updated, "
        f"{get('satukanal/articles/unchanged', 0)} unchanged, {get('satukanal/articles/alias', 0)} re-posts; "
        f"{get('satukanal/rejected', 0)} rejected, {get('satukanal/urls/failed', 0)} failed URLs; "
        f"archive {db}; log {log_file}"
    )
