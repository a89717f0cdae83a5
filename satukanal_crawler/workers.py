"""Worker processes beside the crawl: the page parser (parse_pool.py) and the archive's writer
(archive/writer.py).

Both are started with `spawn` (a fresh interpreter: no copy of the crawl's state, its open archive or its
lock file), leave Ctrl-C to the crawl (which shuts them down in order), and exit by themselves when the
crawl is killed outright.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def worker_started(parent: int) -> None:
    """In a new worker: leave Ctrl-C to the crawl, and never outlive it. A crawl killed outright (SIGKILL,
    out of memory) cannot stop its workers, and a worker would wait for work forever (it holds both ends
    of its own queue), keeping the cron job's output pipes open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="satukanal-parent-watch", daemon=True).start()


def spawn_pool(processes: int) -> ProcessPoolExecutor:
    """A pool of `processes` spawned workers, each started by `worker_started`."""
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_started,
        initargs=(os.getpid(),),
    )
