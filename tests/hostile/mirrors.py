"""Hostile variants of the bundled portal snapshot, served by the replay server on 127.0.0.1 only."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.helpers import PORTAL

# The mirror is ours, on loopback: no politeness delays, short back-off.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "SATUKANAL_BACKOFF_BASE=0.01",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")  # fmt: skip


def portal_with(tmp_path: Path, pages: dict[str, tuple[int, str, bytes | str]] | None = None,
                redirects: dict[str, tuple[int, str]] | None = None) -> Path:  # fmt: skip
    """A copy of the portal where `pages` (path -> (status, content type, body)) and `redirects`
    (path -> (status, location)) replace or add what the manifest says."""
    root = tmp_path / "mirror"
    shutil.copytree(PORTAL, root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for number, (path, (status, content_type, body)) in enumerate((pages or {}).items()):
        file = f"site/_hostile/{number}.bin"
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_bytes(body.encode() if isinstance(body, str) else body)
        manifest[path] = {"file": file, "status": status, "content_type": content_type}
    for path, (status, location) in (redirects or {}).items():
        manifest[path] = {"status": status, "location": location}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def crawl(db: Path, base_url: str, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `satukanal crawl`, as cron runs it."""
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", base_url, "--db", str(db), *FAST]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=timeout, check=False)


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def log_text(db: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in sorted((db.parent / "logs").glob("*.log"))
    )
