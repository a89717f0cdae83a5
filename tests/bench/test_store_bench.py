"""bench/store.py keeps working as the pipelines change: a small run completes and prints every figure.

Only that it runs and reports; the figures themselves are the benchmark's business, not a test's.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import ROOT


def test_a_small_store_benchmark_runs_and_prints_every_figure(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "bench/store.py", "--items", "300", "--batch-size", "100", "--keep", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"parsed items .*\n  new articles \(FTS on\): +[\d,]+ items/s   target 5,000/s (met|NOT met)", out)
    assert re.search(r"unchanged: +[\d,]+ items/s   target 20,000/s", out)
    assert re.search(r"with raw pages, .*zlib level 6: [\d.]+ ms per page", out)
    assert len(re.findall(r"on disk: +[\d.]+ KiB per article", out)) == 2
    assert re.search(
        r"stemmed search index \(parsed items\): [\d,]+ new items/s with it, [\d,]+ without "
        r"\(-?\d+% slower\); it takes [\d.]+ KiB per article \(\d+% of the file\)",
        out,
    )
    assert re.search(r"full-text search: median [\d.]+ ms over 100 queries \(\d+ with results\) on 300 articles", out)
