"""One writer per archive: an OS file lock beside the database.

`flock` locks belong to the open file description, so the kernel releases them when the process dies,
however it dies (SIGKILL, power loss): a stale lock file never blocks the next cron run. The file holds
the holder's PID and start time so the run that is turned away can say who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from satukanal_crawler import dates


class LockHeld(Exception):
    """Another process holds the archive's lock; the message names it in one line."""


class ArchiveLock:
    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeld(
                f"{self.path}: another run holds the archive lock "
                f"(pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "started_at": dates.now_wib()}).encode())
        os.fsync(fd)
        self._fd = fd
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


def _read_holder(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return json.loads(os.read(fd, 4096).decode() or "{}")
    except (OSError, ValueError):
        return {}
