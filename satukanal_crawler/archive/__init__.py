"""The SQLite archive: opening it safely, the crawl state it keeps, and one-line errors.

The archive is the single source of truth for incremental runs (the frontier: which URLs are pending, which are
articles, which are not, which failed and how often; archive/frontier.py), so a lost Scrapy job folder never
causes a full re-crawl or duplicates.
WAL mode with synchronous=FULL: readers (Datasette, `satukanal status`) never block the crawl, and a
crash or power loss loses at most the transactions not yet committed.

A crawl commits its batches in the background (`commit(background=True)`): the SQL of a batch (the
queued rows, the full-text index, COMMIT) runs in the writer process (writer.py) while the crawl gathers
the next batch. The crawl's own connection is never used while a batch is in flight: `conn` waits for it
before handing the connection out, and a batch that failed in the background is reported there
(`on_lost_batch`, then `BatchNotWritten`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from satukanal_crawler.archive.schema import SCHEMA_VERSION, migrate
from satukanal_crawler.archive.writer import Write, Writer, WriterGone, commit_writes, connect

__all__ = ["SCHEMA_VERSION", "Archive", "ArchiveError", "BatchNotWritten"]

logger = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The archive cannot be used (corrupt, locked, unwritable, too new); the message is one line."""


class BatchNotWritten(sqlite3.OperationalError):
    """The batch committed in the background failed and was rolled back; raised where the connection is next
    asked for, after the `on_lost_batch` hooks have reported it."""


def default_timeout() -> float:
    """Seconds to wait for another process's lock before giving up: $SATUKANAL_DB_TIMEOUT, else 30."""
    try:
        return max(0.0, float(os.environ.get("SATUKANAL_DB_TIMEOUT", "30")))
    except ValueError:
        return 30.0


class Archive:
    """An open archive database."""

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        # Writers with queued rows hand them over here (ArticleStore.take: returns a Write or None) ...
        self.before_commit: list[Callable[[], Write | None]] = []
        self.on_rollback: list[Callable[[], None]] = []  # ... and forget them here (ArticleStore.discard)
        self.on_lost_batch: list[Callable[[BaseException], None]] = []  # a background commit failed
        self._writer: Writer | None = None
        timeout = default_timeout() if timeout is None else timeout
        try:
            if readonly:
                if not self.path.exists():
                    raise ArchiveError(f"{self.path}: no archive here (run `satukanal crawl` first)")
                self._conn = open_readonly(self.path, timeout)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                refuse_unwritable(self.path)
                refuse_foreign(self.path, timeout)
                self._conn = connect(self.path, timeout)
                self._writer = Writer(self.path, timeout)
                self.migrated_from = migrate(self.conn)
                # Another process's write lock would otherwise surface mid-crawl, after the fetching:
                # find out now (WAL readers never hold it, so only a foreign writer makes this wait). The
                # same transaction indexes rows another program added to `articles` (see index_pending).
                self.conn.execute("BEGIN IMMEDIATE")
                self.commit()
        except ArchiveError:
            raise
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "_conn", None) is not None:
                self._conn.close()
            raise ArchiveError(describe(self.path, exc)) from exc
        self.db = sqlite_utils.Database(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, once the batch being committed in the background (if any) is done."""
        if self._writer is not None and self._writer.busy:
            self.join()
        return self._conn

    def close(self) -> None:
        try:
            self.join()
        finally:
            if self._writer is not None:
                self._writer.close()
            self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self) -> sqlite3.Connection:
        """The connection inside a write transaction: the one in progress, else a new one."""
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in it lands, or none of it does."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Abandon the transaction in progress, and whatever writers queued for it."""
        with suppress(BatchNotWritten):  # reported by on_lost_batch; the writers forgot their rows already
            self.join()
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        for hook in self.on_rollback:
            hook()

    def commit(self, *, background: bool = False) -> None:
        """Commit the transaction in progress (or begin one), with the rows writers queued for it and its
        full-text entries. A failed commit is rolled back whole and raises; call `rollback()` then, so the
        writers forget what they queued.

        With `background`, the writing and the COMMIT run in the writer process and this returns at once: the
        caller goes on gathering the next batch. Its outcome is known at the next use of `conn` (`join`)."""
        conn = self.conn  # the batch before this one is committed first
        writes = [write for hook in self.before_commit if (write := hook()) is not None]
        if not writes and not conn.in_transaction:
            return
        # A transaction begun on this connection (an item took the careful path) must end on it.
        if background and self._writer is not None and not conn.in_transaction:
            try:
                self._writer.submit(writes)
                return
            except WriterGone:
                self._writer_gone()
        commit_writes(conn, writes)

    def _writer_gone(self) -> None:
        """The writer process was killed: commit in this process from now on."""
        writer, self._writer = self._writer, None
        if writer is not None:
            logger.warning("the archive's writer process stopped; committing in the crawl's process from now on")
            writer.close()

    def start_writer(self, *, wait: bool = False) -> None:
        """Start the writer process for background commits now, so that the first batch need not wait for it;
        with `wait`, return once it is ready."""
        if self._writer is None:
            return
        try:
            if wait:
                self._writer.wait_ready()
            else:
                self._writer.start()
        except (WriterGone, OSError):
            self._writer_gone()

    def poll(self) -> None:
        """Take the outcome of a background commit that has finished (a failure raises, as in `join`)."""
        if self._writer is not None and self._writer.busy and self._writer.done():
            self.join()

    def join(self) -> None:
        """Wait for the batch being committed in the background. If it failed (it was rolled back), the
        writers forget what they queued since (it may refer to the lost batch), the `on_lost_batch` hooks
        report it, and BatchNotWritten is raised."""
        error = self._writer.wait() if self._writer is not None else None
        if error is None:
            return
        if isinstance(error, WriterGone):
            self._writer_gone()
        for hook in self.on_rollback:
            hook()
        for hook in self.on_lost_batch:
            hook(error)
        raise BatchNotWritten(f"a batch could not be written and was rolled back: {error}") from error

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- crawl state ------------------------------------------------------------------------------

    def article_urls(self) -> list[str]:
        """The canonical URL of every archived article."""
        return [row[0] for row in self.conn.execute("SELECT url FROM articles ORDER BY id")]


def open_readonly(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection that needs no write access anywhere: a published archive may sit on a
    read-only file system or in a directory the reader cannot write. WAL readers need the `-shm` file (to
    create, or to write); when that is impossible the file is opened immutable (`immutable=1`: read as it
    is on disk, no locking, which is right for a file nobody can write)."""
    base = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        return _checked(sqlite3.connect(base, uri=True, isolation_level=None, timeout=timeout))
    except sqlite3.OperationalError as exc:
        if os.access(path.parent, os.W_OK) and os.access(path, os.W_OK) and "readonly" not in str(exc).lower():
            raise  # a writable place: the error is the file's own (locked, damaged)
    return _checked(sqlite3.connect(f"{base}&immutable=1", uri=True, isolation_level=None, timeout=timeout))


def _checked(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def refuse_unwritable(path: Path) -> None:
    """A crawl (or reparse) writes the archive and, in WAL mode, its `-wal` and `-shm` files beside it: say
    so in one line before anything starts, not as a failure in the middle of the run."""
    if path.exists() and not os.access(path, os.W_OK):
        raise ArchiveError(f"{path}: the archive is read-only (no write permission), and this command writes "
                           "it (reading commands such as `satukanal status` work on it as it is)")  # fmt: skip
    if not os.access(path.parent, os.W_OK):
        raise ArchiveError(f"{path}: cannot write in {path.parent} (SQLite keeps its -wal and -shm files beside "
                           "the archive), and this command writes the archive")  # fmt: skip


def refuse_foreign(path: Path, timeout: float) -> None:
    """Never add the archive's tables to another application's database: a file that holds tables but
    is not an archive (user_version 0, which for us is an empty file, or no `articles` table) is
    refused in one line, untouched (it is only read, through a read-only connection)."""
    try:
        if path.stat().st_size == 0:
            return
    except FileNotFoundError:
        return
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=timeout)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name")]  # fmt: skip
        finally:
            conn.close()
    except sqlite3.Error:
        return  # not readable as SQLite: opening it for writing reports why, in one line
    if names and (version == 0 or "articles" not in names):
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ArchiveError(f"{path}: an SQLite database of another application (tables {shown}; "
                           f"user_version {version}), not a satukanal archive: refusing to change it; "
                           "choose another --db")  # fmt: skip


def describe(path: Path, exc: BaseException) -> str:
    """A one-line, actionable description of why an archive could not be used."""
    text = str(exc).strip() or exc.__class__.__name__
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"{path}: the database is locked by another process ({text})"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"{path}: not a usable SQLite archive: {text} (restore it from a backup or move it aside)"
    if isinstance(exc, OSError) or "unable to open" in lowered or "readonly" in lowered:
        return f"{path}: cannot open the archive for writing: {text}"
    return f"{path}: {text}"
