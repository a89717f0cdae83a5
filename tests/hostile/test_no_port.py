"""A cron job opens no port: Scrapy's telnet console stays off in both entry points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from satukanal_crawler.mirror.replay import ReplayServer
from tests.cli import environment
from tests.helpers import ROOT
from tests.hostile.mirrors import FAST, crawl, log_text


def test_satukanal_crawl_opens_no_telnet_console(tmp_path: Path) -> None:
    with ReplayServer() as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert result.returncode == 0, result.stderr
    log = log_text(tmp_path / "a.db")
    assert "Spider closed" in log  # the log is the run's, and complete
    assert "Telnet console listening" not in log
    assert "scrapy.extensions.telnet.TelnetConsole" not in log  # not among the enabled extensions


def test_scrapy_crawl_opens_no_telnet_console(tmp_path: Path) -> None:
    with ReplayServer() as mirror:
        env = environment(SATUKANAL_BASE_URL=mirror.base_url, SATUKANAL_DB=str(tmp_path / "a.db"))
        result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "satukanal", *FAST], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Spider closed (finished)" in result.stderr
    assert "Telnet console listening" not in result.stderr
    assert "scrapy.extensions.telnet.TelnetConsole" not in result.stderr
