"""Headless Chromium (Debian's `chromium`, which .ci/run installs) for what a page renders, not only its HTML."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")


def rendered_dom(url: str, *, wait_ms: int = 3000) -> str:
    """The page's DOM after its scripts ran, as Chromium serialises it."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="satukanal-chromium-") as profile:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={profile}", f"--virtual-time-budget={wait_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
