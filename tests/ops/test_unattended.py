"""What cron relies on, with real processes: locking, exit statuses, monitoring, recovery, --quiet."""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import Fault, ReplayServer
from tests.helpers import PORTAL

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "SATUKANAL_BACKOFF_BASE=0.01",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]  # fmt: skip
FIRE = "/kebakaran-gudang-mebel-di-kota-kediri-kerugian-ditaksir-ratusan-juta/"


def crawl(db: Path, base_url: str, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", base_url, "--db", str(db), *FAST]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=timeout)


def articles(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT url FROM articles")}


def last_run(db: Path) -> sqlite3.Row:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()


def test_quiet_run_prints_nothing_on_success(tmp_path: Path) -> None:
    with ReplayServer(PORTAL) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert len(articles(tmp_path / "a.db")) == 14
    assert last_run(tmp_path / "a.db")["outcome"] == "ok"
    assert last_run(tmp_path / "a.db")["exit_status"] == 0
    assert list((tmp_path / "logs").glob("crawl-*.log")), "the Scrapy log goes to a file beside the archive"


def test_a_second_run_on_the_same_archive_exits_at_once(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    slow = [Fault("/*", "slow", times=None, delay=0.3)]
    with ReplayServer(PORTAL, faults=slow) as mirror:
        first = subprocess.Popen(
            [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", mirror.base_url, "--db", str(db),
             *FAST, "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            lock = Path(f"{db}.lock")
            deadline = time.monotonic() + 30
            while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            second = crawl(db, mirror.base_url)
            waited = time.monotonic() - started
        finally:
            first.wait(timeout=120)
            first.stdout.close()
            first.stderr.close()
    assert second.returncode == 3
    assert waited < 15, "the second run must not wait for the first"
    line = second.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert re.search(rf"pid {first.pid}\b", line) and "started 20" in line
    assert first.returncode == 0
    assert len(articles(db)) == 14


def test_closed_port_is_reported_unreachable(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but never listening: connections are refused
        result = crawl(tmp_path / "a.db", f"http://127.0.0.1:{port}", "-s", "RETRY_TIMES=0")
    assert result.returncode == 4
    assert "unreachable" in result.stderr and "Traceback" not in result.stderr
    assert last_run(tmp_path / "a.db")["outcome"] == "unreachable"
    assert last_run(tmp_path / "a.db")["exit_status"] == 4


def _changed_markup_mirror(tmp_path: Path) -> Path:
    """The portal after a redesign: bylines under a new label, no datelines in leads."""
    root = tmp_path / "mirror"
    shutil.copytree(PORTAL, root)
    for page in (root / "site").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        html = re.sub(r"\b(Pewarta|Reporter|Penulis|Wartawan|Jurnalis)(\s*(?:&nbsp;)?\s*:)", r"Kontributor\2", html)
        html = re.sub(r"(?i)(>|\s|^)satukanal\.com((?:</a>|</strong>)?\s*,)", r"\1Satu Kanal\2", html)
        page.write_text(html, encoding="utf-8")
    return root


def test_changed_markup_fails_a_monitoring_check(tmp_path: Path) -> None:
    with ReplayServer(_changed_markup_mirror(tmp_path)) as mirror:
        result = crawl(tmp_path / "a.db", mirror.base_url)
    assert result.returncode == 5, result.stderr
    assert "field_coverage" in result.stderr and "reporter" in result.stderr
    run = last_run(tmp_path / "a.db")
    assert run["outcome"] == "check failed: field_coverage"
    assert run["exit_status"] == 5
    failed = [c for c in json.loads(run["checks"]) if not c["ok"]]
    assert [c["name"] for c in failed] == ["field_coverage"]
    assert len(articles(tmp_path / "a.db")) == 14, "a failed check never costs the archive its articles"


def test_a_channel_that_stops_listing_articles_fails_the_run(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    root = tmp_path / "mirror"
    shutil.copytree(PORTAL, root)
    with ReplayServer(root) as mirror:
        for _ in range(3):
            assert crawl(db, mirror.base_url, "--sources", "channels").returncode == 0
        page = root / "site" / "category" / "olahraga" / "index.html"
        html = page.read_text(encoding="utf-8")
        html = re.sub(r'<main id="main".*?</main>', '<main id="main" class="site-main"></main>', html, flags=re.S)
        page.write_text(html, encoding="utf-8")
        result = crawl(db, mirror.base_url, "--sources", "channels")
    assert result.returncode == 5, result.stderr
    assert "channels_yield" in result.stderr and "/category/olahraga/" in result.stderr


def test_a_failed_url_is_retried_by_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    down = [Fault(FIRE, "error", times=None)]
    with ReplayServer(PORTAL, faults=down) as mirror:
        fire = mirror.base_url + FIRE
        first = crawl(db, mirror.base_url, "-s", "RETRY_TIMES=1")
        assert first.returncode == 0, first.stderr
        assert fire not in articles(db)
        with sqlite3.connect(db) as conn:
            kind, attempts = conn.execute("SELECT kind, attempts FROM url_state WHERE url = ?", (fire,)).fetchone()
        assert (kind, attempts) == ("failed", 1)
        mirror.set_faults([])  # the outage is over
        mirror.clear_requests()
        second = crawl(db, mirror.base_url, "--sources", "feeds")
        fetched = [r.path for r in mirror.requests]
    assert second.returncode == 0, second.stderr
    assert fire in articles(db)
    assert FIRE in fetched
    assert json.loads(last_run(db)["stats"])["satukanal/retried_failed_urls"] == 1
    assert len(articles(db)) == 14


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2021-02-30"], "--since"),
        (["--sources", "feeds,rss"], "--sources"),
        (["--base-url", "ftp://example"], "--base-url"),
        (["--no-such-option"], "unrecognized"),
        (["-s", "NOEQUALS"], "NAME=VALUE"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "satukanal_crawler", "crawl", "--db", str(tmp_path / "a.db"), *args],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_unwritable_db_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--demo", "--db", str(blocker / "a.db")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode in (2, 6)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(blocker) in result.stderr


def test_status_reports_runs_checks_and_integrity(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ReplayServer(PORTAL) as mirror:
        crawl(db, mirror.base_url, "-q")
    result = subprocess.run([sys.executable, "-m", "satukanal_crawler", "status", "--db", str(db)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0
    out = result.stdout
    assert "articles: 14" in out and "integrity check: ok" in out
    assert "#1" in out and " ok: " in out
    assert "Straight News" in out and "failures: 0 URLs" in out and "frontier: 0 article URLs" in out
