"""Exit statuses at the edges, each from a real process: both entry points, bad settings, the lock by any name."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import Fault, ReplayServer
from tests.cli import LOOPBACK, ROOT, command, environment, satukanal
from tests.helpers import PORTAL


def scrapy_crawl(*settings: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "scrapy", "crawl", "satukanal", *LOOPBACK]
    for setting in settings:
        args += ["-s", setting]
    return subprocess.run(args, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=timeout)


def last_line(stderr: str) -> str:
    """`scrapy crawl` logs Scrapy's start-up lines to stderr first, as it always does; the refusal is the last."""
    assert "Traceback" not in stderr
    return stderr.strip().splitlines()[-1]


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def wait_for_lock(db: Path, timeout: float = 30) -> None:
    lock = Path(f"{os.path.realpath(db)}.lock")
    deadline = time.monotonic() + timeout
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)


@pytest.fixture
def slow_mirror():
    with ReplayServer(PORTAL, faults=[Fault("/*", "slow", times=None, delay=0.3)]) as mirror:
        yield mirror


@pytest.mark.parametrize("first", ["satukanal", "scrapy"])
def test_the_two_entry_points_share_one_lock(tmp_path: Path, slow_mirror: ReplayServer, first: str) -> None:
    db = tmp_path / "a.db"
    if first == "satukanal":
        args = command("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, "-q")
    else:
        args = [sys.executable, "-m", "scrapy", "crawl", "satukanal", *LOOPBACK, "-s", f"SATUKANAL_DB={db}",
                "-s", f"SATUKANAL_BASE_URL={slow_mirror.base_url}"]  # fmt: skip
    running = subprocess.Popen(args, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_lock(db)
        if first == "satukanal":
            second = scrapy_crawl(f"SATUKANAL_DB={db}", f"SATUKANAL_BASE_URL={slow_mirror.base_url}")
        else:
            second = satukanal("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, cwd=tmp_path)
    finally:
        running.wait(timeout=120)
    assert running.returncode == 0
    assert second.returncode == 3, second.stderr[-2000:]
    assert "another run holds the archive lock" in second.stderr and f"pid {running.pid}" in second.stderr


def test_scrapy_crawl_records_its_run_with_version_settings_and_exit_status(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ReplayServer(PORTAL) as mirror:
        result = scrapy_crawl(f"SATUKANAL_DB={db}", f"SATUKANAL_BASE_URL={mirror.base_url}")
    assert result.returncode == 0, result.stderr[-2000:]
    conn = sqlite3.connect(db)
    try:
        outcome, status, version, settings = conn.execute(
            "SELECT outcome, exit_status, version, settings FROM crawl_runs"
        ).fetchone()
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 14
    finally:
        conn.close()
    assert (outcome, status) == ("ok", 0)
    assert version
    recorded = json.loads(settings)
    assert recorded["SATUKANAL_DB"] == str(db) and recorded["DOWNLOAD_DELAY"] in ("0", 0)
    assert list((tmp_path / "logs").glob("crawl-*.log")), "the run's log goes beside the archive"


def test_scrapy_crawl_outside_the_project_folder_refuses(tmp_path: Path) -> None:
    data = ROOT / "data"
    before = set(data.iterdir())
    result = scrapy_crawl(cwd=data)
    assert result.returncode == 2
    assert "project's folder" in last_line(result.stderr)
    assert set(data.iterdir()) == before, "nothing created under data/"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("SATUKANAL_BATCH_SIZE=lots", "SATUKANAL_BATCH_SIZE='lots': expected a whole number"),
        ("DOWNLOAD_DELAY=soon", "DOWNLOAD_DELAY='soon': expected a number"),
        ("SATUKANAL_WARC=maybe", "SATUKANAL_WARC='maybe': expected true or false"),
        ("SATUKANAL_BATCH_SIZ=5", "unknown setting SATUKANAL_BATCH_SIZ"),
    ],
)
def test_a_bad_setting_is_one_line_and_status_2(tmp_path: Path, setting: str, message: str) -> None:
    result = satukanal("crawl", "--demo", "--db", str(tmp_path / "a.db"), "-s", setting, cwd=tmp_path)
    assert result.returncode == 2
    assert message in one_line(result.stderr)
    assert not (tmp_path / "a.db").exists()
    scrapy = scrapy_crawl(setting, f"SATUKANAL_DB={tmp_path / 'b.db'}")
    assert scrapy.returncode == 2
    assert message in last_line(scrapy.stderr)


def test_demo_with_a_base_url_is_refused(tmp_path: Path) -> None:
    result = satukanal("crawl", "--demo", "--base-url", "http://127.0.0.1:1", "--db", str(tmp_path / "a.db"),
                       cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "--demo" in one_line(result.stderr)


def test_reparse_without_an_archive_refuses_and_creates_nothing(tmp_path: Path) -> None:
    result = satukanal("reparse", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert "no archive here" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = satukanal("crawl", "--demo", "--db", str(db), "-q", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return db


def test_status_into_a_closed_pipe_is_not_an_unusable_archive(demo_archive: Path) -> None:
    shell = f"set -o pipefail; {' '.join(command('status', '--db', str(demo_archive)))} | head -1"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=environment(), timeout=60)
    assert result.stdout.startswith("archive: ")
    assert result.returncode in (0, 141), result.stderr
    assert "unusable" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_the_lock_holds_for_the_archive_under_any_name(tmp_path: Path, slow_mirror: ReplayServer, link: str) -> None:
    db = tmp_path / "a.db"
    assert satukanal("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, "-q",
                     "--sources", "feeds", cwd=tmp_path).returncode == 0  # fmt: skip
    other = tmp_path / "other" / "b.db"
    other.parent.mkdir()
    (os.symlink if link == "symlink" else os.link)(db, other)
    running = subprocess.Popen(
        command("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, "-q"),
        cwd=tmp_path,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_lock(db)
        second = satukanal("crawl", "--base-url", slow_mirror.base_url, "--db", str(other), *LOOPBACK, cwd=tmp_path)
    finally:
        running.wait(timeout=120)
    assert second.returncode == 3, second.stderr[-2000:]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_foreign_write_lock_mid_crawl_ends_6_and_the_next_run_completes(tmp_path: Path, slow_mirror) -> None:
    """Another program holds the archive's write lock longer than SATUKANAL_DB_TIMEOUT while the crawl stores: the
    batch is rolled back, the run says `storage failed` with status 6 (never 0), and the next run fetches it."""
    db = tmp_path / "a.db"
    args = command("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, "-q",
                   "-s", "SATUKANAL_BATCH_SIZE=2", "-s", "SATUKANAL_COMMIT_IN_BACKGROUND=0")  # fmt: skip
    running = subprocess.Popen(args, cwd=tmp_path, env=environment(SATUKANAL_DB_TIMEOUT="0.5"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for the first stored articles, then lock the archive for 3 s
            try:
                with sqlite3.connect(db, timeout=0) as conn:
                    if conn.execute("SELECT count(*) FROM articles").fetchone()[0]:
                        break
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        blocker = sqlite3.connect(db, isolation_level=None, timeout=10)
        blocker.execute("BEGIN IMMEDIATE")
        time.sleep(3)
        blocker.execute("ROLLBACK")
        blocker.close()
        _, err = running.communicate(timeout=120)
    finally:
        if running.poll() is None:
            running.kill()
    assert running.returncode == 6, err[-2000:]
    assert "storage failed" in err
    conn = sqlite3.connect(db)
    try:
        outcome, status = conn.execute("SELECT outcome, exit_status FROM crawl_runs ORDER BY id DESC").fetchone()
    finally:
        conn.close()
    assert outcome.startswith("storage failed") and status == 6
    again = satukanal("crawl", "--base-url", slow_mirror.base_url, "--db", str(db), *LOOPBACK, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 14
    finally:
        conn.close()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 400 KiB file system: the portal's 14 raw pages alone need more."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_never_a_success(small_disk: Path) -> None:
    db = small_disk / "a.db"
    with ReplayServer(PORTAL) as mirror:
        result = satukanal("crawl", "--base-url", mirror.base_url, "--db", str(db), *LOOPBACK, "-q",
                           cwd=small_disk.parent)  # fmt: skip
    assert result.returncode == 6, result.stderr[-2000:]
    assert "storage failed" in result.stderr or "cannot" in result.stderr
    assert "Traceback" not in result.stderr
