"""Long analysts' commands show progress to a person at a terminal, and nothing on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from tests.cli import command, environment, satukanal


def on_a_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    primary, secondary = pty.openpty()
    process = subprocess.Popen(command(*args), cwd=cwd, env=environment(), stdin=secondary, stdout=secondary,
                               stderr=secondary, close_fds=True)  # fmt: skip
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
    return process.returncode, output.decode("utf-8", "replace")


def test_export_progress(demo: Path, tmp_path: Path) -> None:
    status, text = on_a_terminal("export", "--db", str(demo), "--out", str(tmp_path / "a.csv"), cwd=tmp_path)
    assert status == 0, text
    assert "\rexported 14 of 14 articles" in text and "exported 14 articles to" in text
    piped = satukanal("export", "--db", str(demo), "--out", str(tmp_path / "b.csv"), cwd=tmp_path)
    assert piped.stderr == f"satukanal: exported 14 articles to {tmp_path / 'b.csv'}\n"


def test_report_progress(demo: Path, tmp_path: Path) -> None:
    status, text = on_a_terminal("report", "--db", str(demo), "--out", str(tmp_path / "r.html"), cwd=tmp_path)
    assert status == 0, text
    assert "\rreport: step 1 of 10" in text and "\rreport: step 10 of 10" in text


def test_reparse_progress(demo_copy: Path, tmp_path: Path) -> None:
    status, text = on_a_terminal("reparse", "--db", str(demo_copy), cwd=tmp_path)
    assert status == 0, text
    assert "\rre-parsed 14 of 14 articles" in text and "14 unchanged" in text
    piped = satukanal("reparse", "--db", str(demo_copy), cwd=tmp_path)
    assert "re-parsed 14 of" not in piped.stderr + piped.stdout
