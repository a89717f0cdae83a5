"""The archive's writer process: where a crawl's batches are committed while the next is gathered.

A batch's SQL (the rows queued for it, their full-text entries, COMMIT and the WAL checkpoints it
triggers) costs as much as the pipelines' work on its items. A thread cannot take it off the crawl's
core: Python's sqlite3 binds every row holding the interpreter lock, and a thread that needs the lock
back waits for the crawl's thread to give it up (up to 5 ms, once per row). A process can: it has its
own connection and its own interpreter, and receives the batch as one pickled message. The archive is
in WAL mode, so the crawl's connection keeps reading while the writer writes; the crawl never writes
while a batch is in flight (Archive.conn waits for it first).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from satukanal_crawler.archive.schema import index_pending
from satukanal_crawler.workers import worker_started

# What a writer of queued rows hands to a commit: the statements that write them, given the connection.
# In a background commit it travels to the writer process, so it must pickle (a module-level function
# with plain data, e.g. a functools.partial).
Write = Callable[[sqlite3.Connection], None]


def connect(path: str | Path, timeout: float) -> sqlite3.Connection:
    """A writable connection as every writer of the archive needs it: WAL, synchronous=FULL, foreign keys."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def write_rows(
    fresh: list[tuple[str, int]], statements: list[tuple[str, list[tuple]]], conn: sqlite3.Connection
) -> None:
    """Run each statement over its rows (the rows a store queued for a batch: ArticleStore.take).

    `fresh` names the tables whose new rows were given ids by the crawl, with the first such id: if another
    program took that id since the crawl read the table (it added rows while the crawl ran), the batch
    fails whole rather than mixing the two programs' rows."""
    for table, first in fresh:
        taken = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
        if taken is not None and taken >= first:
            raise sqlite3.IntegrityError(
                f"another program added rows to {table} during the crawl (id {first} is taken); "
                "the batch is fetched again by the next run"
            )
    for sql, rows in statements:
        conn.executemany(sql, rows)


def commit_writes(conn: sqlite3.Connection, writes: list[Write]) -> None:
    """Write, index and commit in the transaction in progress (begun if need be); all of it, or none."""
    try:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        for write in writes:
            write(conn)
        index_pending(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


_READY = "ready"


def _serve(pipe: Connection, parent: int, path: str, timeout: float) -> None:
    """The writer process: commit each batch it is sent (the path of its file), answer None or the error."""
    worker_started(parent)
    conn = connect(path, timeout)
    pipe.send(_READY)
    try:
        while True:
            try:
                batch = pipe.recv()
            except EOFError:  # the crawl closed its end
                return
            if batch is None:
                return
            try:
                with open(batch, "rb") as file:
                    writes = pickle.load(file)
                os.unlink(batch)
                commit_writes(conn, writes)
            except Exception as exc:  # the crawl reports it (Archive.join)
                pipe.send(exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}"))
            else:
                pipe.send(None)
            finally:
                writes = None  # before the next batch arrives: one batch in memory at a time, not two
    finally:
        conn.close()


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


class WriterGone(sqlite3.OperationalError):
    """The writer process stopped (killed, out of memory) with a batch in flight."""


class Writer:
    """One writer process for one archive, started on demand; at most one batch in flight.

    The crawl's thread talks to it directly through a pipe, with small messages: a batch (megabytes) is
    pickled into a file and only its path is sent. Helper threads (a process pool's) would need
    the interpreter lock, which the busy crawl thread gives up only every few milliseconds: a batch handed
    to a pool was seen to reach its process only when the crawl next waited for it."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._process: BaseProcess | None = None
        self._pipe: Connection | None = None
        self._spool: tempfile.TemporaryDirectory | None = None
        self._poller: select.poll | None = None
        self._ready = False
        self.busy = False

    def start(self) -> None:
        """Start the process now (a fresh interpreter takes a while), not when the first batch is full."""
        if self._process is None:
            context = multiprocessing.get_context("spawn")
            self._pipe, child = context.Pipe()
            self._spool = tempfile.TemporaryDirectory(prefix="satukanal-batches-")
            self._process = context.Process(
                target=_serve, args=(child, os.getpid(), str(self.path), self.timeout), name="satukanal-writer",
                daemon=True,
            )  # fmt: skip
            self._process.start()
            child.close()
            self._poller = select.poll()
            self._poller.register(self._pipe.fileno(), select.POLLIN)

    def submit(self, writes: list[Write]) -> None:
        """Send a batch to be committed; `wait` says how it went."""
        assert not self.busy
        self.start()
        assert self._pipe is not None and self._spool is not None
        descriptor, batch = tempfile.mkstemp(suffix=".batch", dir=self._spool.name)
        with os.fdopen(descriptor, "wb") as file:  # streamed: no second copy of the batch in memory
            pickle.dump(writes, file, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._pipe.send(batch)
        except OSError as exc:
            raise WriterGone(f"the archive's writer process stopped: {exc}") from exc
        self.busy = True

    def wait_ready(self) -> None:
        """Start the process if need be, and wait until it has opened the archive."""
        self.start()
        assert self._pipe is not None
        if not self._ready:
            try:
                if self._pipe.recv() != _READY:
                    raise WriterGone("the archive's writer process did not start")
            except (EOFError, OSError) as exc:
                raise WriterGone(f"the archive's writer process did not start ({exc or 'no answer'})") from exc
            self._ready = True

    def done(self) -> bool:
        """Whether the batch in flight is committed (or failed). Asked before every item: one poll(2) call,
        not Connection.poll (which builds a selector each time)."""
        if not self.busy or self._poller is None:
            return True
        if not self._poller.poll(0):
            return False
        if self._ready:
            return True
        self.wait_ready()  # that was the process saying it is ready; the batch may still be in flight
        return self.done()

    def wait(self) -> BaseException | None:
        """Wait for the batch in flight: None when it is committed, else why it was not (rolled back)."""
        if not self.busy:
            return None
        self.busy = False
        assert self._pipe is not None
        try:
            self.wait_ready()
            return self._pipe.recv()
        except WriterGone as exc:
            return exc
        except (EOFError, OSError) as exc:
            return WriterGone(f"the archive's writer process stopped with a batch in flight ({exc or 'no answer'})")

    def close(self) -> None:
        self.wait()
        process, self._process = self._process, None
        if process is not None:
            assert self._pipe is not None
            with suppress(OSError):  # already gone
                self._pipe.send(None)
            process.join()
            self._pipe.close()
            self._pipe = self._poller = None
            self._ready = False
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.cleanup()
