"""On a terminal, `satukanal crawl` shows a live progress line instead of Scrapy's log."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from satukanal_crawler.mirror.replay import ReplayServer
from tests.helpers import PORTAL


def test_progress_line_on_a_terminal(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    with ReplayServer(PORTAL) as mirror:
        command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", mirror.base_url,
                   "--db", str(tmp_path / "a.db"), "-s", "AUTOTHROTTLE_ENABLED=False",
                   "-s", "DOWNLOAD_DELAY=0"]  # fmt: skip
        process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=120)
    os.close(primary)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text
    assert "\r" in text and "pages " in text and "articles new 14" in text and "pages/s" in text
    assert "[scrapy" not in text, "Scrapy's log goes to the log file, not the terminal"
    assert "14 new" in text.splitlines()[-1]
