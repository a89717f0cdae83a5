"""A cron job opens no port: neither Scrapy's telnet console nor its remote-control HTTP server (which runs
any Python code sent to it) listens, in either entry point; checked in the log and in the kernel's socket
tables while a crawl runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import Fault, ReplayServer
from tests.cli import environment
from tests.helpers import ROOT
from tests.hostile.mirrors import FAST, log_text

LISTENING = ("Telnet console listening", "Remote control HTTP server listening", "listening on port")


def _process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return tree


def _listening_sockets(pids: list[int]) -> list[str]:
    """The listening TCP sockets (local address:port in hex, as /proc shows them) held by these processes."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # state LISTEN
                found.append(fields[1])
    return found


@pytest.mark.parametrize("entry_point", ["satukanal crawl", "scrapy crawl"])
def test_no_port_is_open_during_a_crawl(tmp_path: Path, entry_point: str) -> None:
    db = tmp_path / "a.db"
    slow = [Fault("/category/*", "slow", times=None, delay=3)]
    with ReplayServer(faults=slow) as mirror:
        env = environment(SATUKANAL_BASE_URL=mirror.base_url, SATUKANAL_DB=str(db))
        if entry_point == "satukanal crawl":
            command = [sys.executable, "-m", "satukanal_crawler", "crawl", *FAST]
        else:
            command = [sys.executable, "-m", "scrapy", "crawl", "satukanal", *FAST]
        crawl = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not any(r.path.startswith("/category/") for r in mirror.requests) and time.monotonic() < deadline:
                time.sleep(0.1)
            listening = _listening_sockets(_process_tree(crawl.pid))
            assert crawl.poll() is None, "the crawl must still be running when its sockets are looked at"
        finally:
            _, stderr = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, stderr[-2000:]
    assert listening == []
    log = log_text(db) if entry_point == "satukanal crawl" else stderr
    assert "Spider closed (finished)" in log
    assert not [line for line in log.splitlines() if any(marker in line for marker in LISTENING)]
    assert "TelnetConsole" not in log and "RemoteControl" not in log  # not among the enabled extensions
