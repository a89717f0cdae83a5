"""One writer per archive: an OS lock on the archive file itself.

`flock` locks belong to the open file description, so the kernel releases them when the process dies, however it
dies (SIGKILL, power loss): a stale lock never blocks the next cron run. The lock is taken on the database file, not
on a file named after the path as typed, so the same archive reached through a symlink or a hard link is still one
archive: two runs writing it through two names would each keep their own `-wal` file, SQLite's "how to corrupt a
database" case. (flock and the POSIX locks SQLite takes on the same file do not interact on Linux. The descriptor is
opened before the run's first SQLite connection and closed after its last, because closing any descriptor of a
database file drops the POSIX locks its connections in this process hold.)

The holder's PID and start time go to `<real path of the archive>.lock`, so the run that is turned away can say
who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import suppress
from pathlib import Path

from satukanal_crawler import dates


class LockHeld(Exception):
    """Another process holds the archive's lock; the message names it in one line."""


class ArchiveLock:
    def __init__(self, db_path: str | Path) -> None:
        self.db = Path(db_path)
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        """Where the holder is named: beside the archive's real file."""
        return Path(f"{os.path.realpath(self.db)}.lock")

    def acquire(self) -> ArchiveLock:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.db, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            fd = os.open(self.db, os.O_RDONLY)  # a read-only archive: the run is refused later, in one line
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_holder(self.path)
            raise LockHeld(
                f"{self.db}: another run holds the archive lock "
                f"(pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')})"
            ) from None
        self._fd = fd
        with suppress(OSError):  # a read-only directory: the lock holds all the same, only the holder goes unnamed
            self.path.write_text(json.dumps({"pid": os.getpid(), "started_at": dates.now_wib()}), encoding="utf-8")
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
