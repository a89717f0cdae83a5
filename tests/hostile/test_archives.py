"""Archives in the wild: a read-only archive (file or directory) works for reading commands and is refused
in one line by a crawl (exit 6); another application's SQLite file is refused in one line and left
untouched. Permission bits mean nothing to root's CAP_DAC_OVERRIDE: as root, the commands run without it
(setpriv), as the owner of files it may not write."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import ReplayServer
from tests.cli import environment
from tests.hostile.mirrors import FAST, crawl


def _without_override(command: list[str]) -> list[str]:
    """`command`, unable to write what its permission bits forbid, even as root."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be tested")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *command]


def _as_user(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = _without_override([sys.executable, "-m", "satukanal_crawler", *args])
    return subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def _archive(directory: Path) -> Path:
    directory.mkdir()
    db = directory / "arsip.db"
    with ReplayServer() as mirror:
        result = crawl(db, mirror.base_url)
    assert result.returncode == 0, result.stderr
    return db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_status_reads_an_archive_in_a_read_only_directory(tmp_path: Path) -> None:
    db = _archive(tmp_path / "terbit")
    for p in db.parent.rglob("*"):
        p.chmod(0o555 if p.is_dir() else 0o444)
    db.parent.chmod(0o555)  # a published data set: nothing here can be written, not even -shm
    before = _digest(db)
    result = _as_user("status", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "articles: 14" in result.stdout and "integrity check: ok" in result.stdout
    assert _digest(db) == before
    assert not db.with_name("arsip.db-wal").exists() and not db.with_name("arsip.db-shm").exists()


def test_a_crawl_refuses_a_read_only_archive_in_one_line(tmp_path: Path) -> None:
    db = _archive(tmp_path / "baca")
    db.parent.chmod(0o777)  # the directory is writable (the lock file goes there); the archive is not
    db.chmod(0o444)
    before = _digest(db)
    with ReplayServer() as mirror:
        result = _as_user("crawl", "--db", str(db), "--base-url", mirror.base_url, *FAST, cwd=tmp_path)
        assert mirror.requests == [], "nothing is fetched for an archive that cannot take it"
    assert result.returncode == 6, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "read-only" in line and str(db) in line
    assert _digest(db) == before


def _foreign(db: Path, user_version: int) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE kontak (nama TEXT, telepon TEXT)")
        conn.execute("INSERT INTO kontak VALUES ('Bu Sari', '0354-123456')")
        conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()


@pytest.mark.parametrize("user_version", [0, 7])
def test_another_applications_database_is_refused_untouched(tmp_path: Path, user_version: int) -> None:
    db = tmp_path / "buku-alamat.sqlite"
    _foreign(db, user_version)
    before = _digest(db)
    with ReplayServer() as mirror:
        result = crawl(db, mirror.base_url)
        assert mirror.requests == []
    assert result.returncode == 6, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "another application" in line and "kontak" in line
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("buku-alamat")) == [
        "buku-alamat.sqlite", "buku-alamat.sqlite.lock"]  # fmt: skip


def test_an_empty_file_is_still_a_new_archive(tmp_path: Path) -> None:
    db = tmp_path / "baru.db"
    db.touch()
    with ReplayServer() as mirror:
        assert crawl(db, mirror.base_url).returncode == 0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone() == (14,)
