"""bench/analysts.py keeps working as the commands change: a small run completes and prints every figure."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import ROOT


def test_a_small_analysts_benchmark_runs_and_prints_every_figure(tmp_path) -> None:
    result = subprocess.run([sys.executable, "bench/analysts.py", "--articles", "400", "--keep", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for fmt in ("csv", "jsonl", "parquet"):
        assert re.search(rf"export {fmt} +[\d,]+ articles/s .*peak memory [\d,]+ MiB, [\d,]+ MiB for the first ", out)
    assert len(re.findall(r"target 5,000/s (met|NOT met)", out)) == 2
    assert re.search(r"search \(stemmed\) median [\d.]+ ms, p95 [\d.]+ ms over 100 queries", out)
    assert re.search(r"search --exact +median [\d.]+ ms, p95 [\d.]+ ms", out)
    assert re.search(r"report +[\d.]+ s, peak memory [\d,]+ MiB +target < 30 s (met|NOT met)", out)
