"""`python -m satukanal_crawler.parsers FILE URL`: one JSON object (or null), errors in one line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ORIGIN, PORTAL, expected_record, manifest

SEED = "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "satukanal_crawler.parsers", *args], capture_output=True, text=True)


def test_prints_the_record_as_json() -> None:
    result = run(str(PORTAL / manifest()[SEED]["file"]), ORIGIN + SEED)
    assert result.returncode == 0
    assert json.loads(result.stdout) == expected_record(SEED)


def test_prints_null_for_a_non_article() -> None:
    result = run(str(PORTAL / manifest()["/redaksi/"]["file"]), ORIGIN + "/redaksi/")
    assert result.returncode == 0
    assert json.loads(result.stdout) is None


def test_missing_file_is_one_line_and_nonzero(tmp_path) -> None:
    result = run(str(tmp_path / "nope.html"), ORIGIN + "/x/")
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "nope.html" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_arguments_exit_2() -> None:
    result = run()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
