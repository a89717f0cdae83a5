"""The owner of a run: one Scrapy extension holds its lock, its archive, its run record, its log and its outcome.

Both entry points, `satukanal crawl` and `scrapy crawl satukanal`, load it (settings.EXTENSIONS), so both take the
archive's lock before anything opens the archive, record the run with the crawler's version and settings, write
the log beside the archive, and end with the same exit status (README "Exit statuses"). What can refuse a run (a bad
setting, the lock, an unusable archive) refuses it here, before the spider opens; the entry point turns the error
into one line and its status (`refusal_status`).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.settings import BaseSettings

from satukanal_crawler import __version__, dates
from satukanal_crawler.archive import Archive, ArchiveError
from satukanal_crawler.archive.frontier import pending_count
from satukanal_crawler.archive.session import close_store, store_for
from satukanal_crawler.config import check_settings
from satukanal_crawler.exits import (
    EXIT_ARCHIVE,
    EXIT_CHECK_FAILED,
    EXIT_CRAWL_ERROR,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    UsageError,
)
from satukanal_crawler.lock import ArchiveLock, LockHeld
from satukanal_crawler.monitoring import run_checks

logger = logging.getLogger(__name__)

_SIGNAL_STATUS = {signal.SIGINT: EXIT_SIGINT, signal.SIGTERM: EXIT_SIGTERM}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return dates.format_wib(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def run_log_file(db: str | Path, keep: int) -> Path:
    """A new log file for a run, in logs/ beside the archive; the oldest beyond `keep` are deleted."""
    log_dir = Path(db).parent / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{log_dir}: cannot create the log directory: {exc.strerror or exc}") from None
    old = sorted(log_dir.glob("crawl-*.log"))
    for path in old[: max(0, len(old) - keep + 1)]:
        path.unlink(missing_ok=True)
    return log_dir / f"crawl-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}.log"


def refusal_status(exc: BaseException) -> int | None:
    """The exit status of a run refused before it started, or None for an error that is a bug."""
    if isinstance(exc, LockHeld):
        return EXIT_LOCKED
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, ArchiveError):
        return EXIT_ARCHIVE
    return None


def refusals(started: Any) -> list[BaseException]:
    """Collect what refused a run at its start, from what `CrawlerProcess.crawl` returned (a Deferred, or an asyncio
    Task under Scrapy's asyncio crawler process); the entry point reports it after the process stops."""
    found: list[BaseException] = []
    if hasattr(started, "addErrback"):
        started.addErrback(lambda failure: found.append(failure.value))
    else:

        def done(task: Any) -> None:
            if not task.cancelled() and task.exception() is not None:
                found.append(task.exception())

        started.add_done_callback(done)
    return found


def exit_status(outcome: str | None, stats: dict, stopped_by: int | None = None) -> int:
    """The exit status cron acts on (README "Exit statuses"), from the run's outcome."""
    if outcome is not None and outcome.startswith("storage failed"):
        return EXIT_ARCHIVE
    if stopped_by in _SIGNAL_STATUS:
        return _SIGNAL_STATUS[stopped_by]
    if outcome is None or outcome.startswith("interrupted"):
        return EXIT_CRAWL_ERROR
    if outcome == "unreachable":
        return EXIT_UNREACHABLE
    if outcome.startswith("check failed"):
        return EXIT_CHECK_FAILED
    if stats.get("log_count/CRITICAL"):
        return EXIT_CRAWL_ERROR
    return EXIT_OK


def _recorded_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a run ran with, as far as they differ from Scrapy's defaults (the project's among them)."""
    from scrapy.settings import default_settings

    out = {}
    for name in sorted(settings):
        value = settings[name]
        if name.startswith("SATUKANAL_") or getattr(default_settings, name, object()) != value:
            out[name] = _jsonable(value)
    out.pop("SATUKANAL_RUN_ARGUMENTS", None)
    return out


class RunOwner:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        check_settings(settings)
        self.db = Path(settings.get("SATUKANAL_DB"))
        self.lock = ArchiveLock(self.db)
        try:
            self.lock.acquire()
        except OSError as exc:
            raise UsageError(f"{self.db}: cannot create the archive's lock file: {exc.strerror or exc}") from None
        try:
            Archive(self.db).close()  # opened (and migrated) once, under the lock, before anything else uses it
            self.log_file = Path(settings["LOG_FILE"]) if settings.get("LOG_FILE") else None
            self._handler: logging.Handler | None = None
            if self.log_file is None:  # `scrapy crawl`: Scrapy logs to stderr; the run log goes beside the archive
                self.log_file = run_log_file(self.db, settings.getint("SATUKANAL_KEEP_LOGS", 60))
                self._handler = logging.FileHandler(self.log_file, encoding=settings.get("LOG_ENCODING") or "utf-8")
                self._handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"),
                                                             settings.get("LOG_DATEFORMAT")))  # fmt: skip
                self._handler.setLevel(settings.get("LOG_LEVEL"))
                logging.getLogger().addHandler(self._handler)
        except BaseException:
            self.lock.release()
            raise
        self.run_id: int | None = None
        self.stopped_by: int | None = None
        self.outcome: str | None = None
        self.checks: list = []
        self.status: int | None = None
        self.pending = 0
        crawler.satukanal_run = self
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler) -> RunOwner:
        return cls(crawler)

    # -- the run's lifecycle ------------------------------------------------------------------------

    def engine_started(self) -> None:
        """Note which signal stops the run (Scrapy's own handlers then stop it gracefully), for its exit status."""
        for signum in _SIGNAL_STATUS:
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            def note(number, frame, previous=previous):
                self.stopped_by = self.stopped_by or number
                previous(number, frame)

            signal.signal(signum, note)

    def spider_opened(self, spider) -> None:
        store = store_for(self.crawler)
        settings = self.crawler.settings
        arguments = settings.getdict("SATUKANAL_RUN_ARGUMENTS") or {
            "full": getattr(spider, "full", False),
            "since": getattr(spider, "since", None),
            "sources": sorted(getattr(spider, "sources", [])),
        }
        with store.writing():
            cursor = store.conn.execute(
                "INSERT INTO crawl_runs (started_at, pid, base_url, arguments, outcome, version, settings) "
                "VALUES (?, ?, ?, ?, 'running', ?, ?)",
                (dates.now_wib(), os.getpid(), settings.get("SATUKANAL_BASE_URL"),
                 json.dumps(arguments, ensure_ascii=False, sort_keys=True), __version__,
                 json.dumps(_recorded_settings(settings), ensure_ascii=False, sort_keys=True)),
            )  # fmt: skip
        self.run_id = self.crawler.satukanal_run_id = cursor.lastrowid

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        try:
            store = store_for(self.crawler)
            self.pending = pending_count(store.conn, self.crawler.settings.getint("SATUKANAL_MAX_URL_ATTEMPTS", 5))
            self.crawler.stats.set_value("satukanal/frontier/pending", self.pending)
            stats = _jsonable(self.crawler.stats.get_stats())
            stats["finish_reason"] = reason
            history = [
                json.loads(row[0])
                for row in store.conn.execute(
                    "SELECT stats FROM crawl_runs WHERE id != ? AND stats IS NOT NULL AND finished_at IS NOT NULL "
                    "ORDER BY id DESC LIMIT 20",
                    (self.run_id,),
                )
            ]
            history = [h for h in history if any(k.startswith("satukanal/channel_articles/") for k in h)]
            self.checks = run_checks(stats, history, self.crawler.settings)
            self.outcome = self._outcome(reason, stats)
            self.status = exit_status(self.outcome, stats, self.stopped_by)
            with store.writing():
                store.conn.execute(
                    "UPDATE crawl_runs SET finished_at = ?, stats = ?, checks = ?, outcome = ?, exit_status = ? "
                    "WHERE id = ?",
                    (dates.now_wib(), json.dumps(stats, ensure_ascii=False, sort_keys=True),
                     json.dumps([c.as_dict() for c in self.checks], ensure_ascii=False), self.outcome, self.status,
                     self.run_id),
                )  # fmt: skip
        except (sqlite3.Error, ArchiveError) as exc:
            logger.error("could not record the end of the run in %s: %s", self.db, exc)
            self.outcome = f"storage failed: could not record the run: {exc}"
            self.status = EXIT_ARCHIVE
        finally:
            close_store(self.crawler)

    def _outcome(self, reason: str, stats: dict) -> str:
        failed = [c.name for c in self.checks if not c.ok]
        if stats.get("satukanal/store_errors"):
            return f"storage failed: {stats['satukanal/store_errors']} items could not be stored"
        if self.stopped_by is not None:
            return f"interrupted by {signal.Signals(self.stopped_by).name}"
        if reason != "finished":
            return f"interrupted: {reason}"
        if "pages_fetched" in failed:
            return "unreachable"
        if failed:
            return "check failed: " + ", ".join(failed)
        return "ok"

    def engine_stopped(self) -> None:
        self.release()

    def release(self) -> None:
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
            self._handler.close()
            self._handler = None
        self.lock.release()

    def finish(self) -> int:
        """After the reactor stopped: the exit status, also when the run never got to close (a second Ctrl-C)."""
        if self.status is None:
            self.status = exit_status(None, {}, self.stopped_by)
            self.outcome = f"interrupted by {signal.Signals(self.stopped_by).name}, forced" if self.stopped_by else None
            if self.run_id is not None:
                try:
                    with Archive(self.db) as archive, archive.transaction() as conn:
                        conn.execute(
                            "UPDATE crawl_runs SET finished_at = ?, outcome = ?, exit_status = ? WHERE id = ?",
                            (dates.now_wib(), self.outcome or "crashed", self.status, self.run_id),
                        )
                except (ArchiveError, sqlite3.Error) as exc:
                    logger.error("could not record the end of the run in %s: %s", self.db, exc)
        self.release()
        return self.status
