"""Running the real `satukanal` command in a subprocess, as cron and users do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The mirror is ours, on loopback: no politeness delays, short back-off.
LOOPBACK = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", "SATUKANAL_BACKOFF_BASE=0.05")  # fmt: skip


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "satukanal_crawler", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUKANAL_")}
    return {**env, **extra}


def satukanal(*args: str, cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), cwd=cwd, env=environment(**env), capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
