"""What the analysts' commands cost on a large archive: export speed and memory, search latency, report time.

    .venv/bin/python bench/analysts.py [--articles 100000] [--keep DIR]

The archive is made of bench/store.py's synthetic articles (the snapshot's records, each with its own URL,
title, dates, tags and Baca Juga links), stored through the real pipelines a slice of 10,000 at a time.
Then, each in its own process as a user runs it:

- `satukanal export` of every article to CSV, JSON lines and Parquet: articles/s, and the process's peak
  memory (max RSS), against the same export of the first tenth of the archive (`--until`): memory that does
  not grow with the number of articles exported is what "streaming" means here;
- `satukanal report` of the whole archive: seconds;
and in this process, as the command runs it after start-up: 100 searches (words, word pairs, phrases, prefixes
from the corpus, as bench/store.py picks them) in the default (stemmed) mode and with `--exact`, median and p95 in
ms, best 20 with snippets and channels.

Targets (issue 14): export at least 5,000 articles/s to CSV and JSON lines, memory independent of the archive's
size; search p95 under 50 ms; report under 30 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store import Run, search_queries, synthetic_items  # noqa: E402 (bench/store.py)

SLICE = 10_000
EXPORT_TARGET = 5_000
SEARCH_P95_TARGET_MS = 50
REPORT_TARGET_S = 30


def build(db: Path, articles: int) -> float:
    started = time.perf_counter()
    for start in range(0, articles, SLICE):
        count = min(SLICE, articles - start)
        Run(db).push(synthetic_items(count, with_pages=False, start=start, total=articles))
    return time.perf_counter() - started


# A child's peak memory counts what it shared with its parent at fork time: this benchmark, which holds the items
# it stored. So a small launcher starts the command and reports its child's peak (RUSAGE_CHILDREN).
LAUNCHER = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(status)
"""


def timed(args: list[str]) -> tuple[float, int]:
    """Seconds and peak memory (KiB) of one `satukanal` process."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-m", "satukanal_crawler", *args],
                            cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"satukanal {' '.join(args)} failed: {result.stderr}")
    return elapsed, int(result.stdout.split()[-1])


def searches(db: Path, exact: bool) -> tuple[float, float]:
    from satukanal_crawler.commands.reading import reading
    from satukanal_crawler.commands.search import compile_query, search

    queries = search_queries(db, 100)
    args = argparse.Namespace(since=None, until=None, channel=[], reporter=None, site=None, limit=20)
    times = []
    with reading(db) as conn:
        search(conn, compile_query("kediri"), args)  # a warm cache, as after the first query
        for text in queries:
            query = compile_query(text, exact=exact)
            started = time.perf_counter()
            search(conn, query, args)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the archive and exports here (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="satukanal-bench-analysts-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "archive.db"
    n = args.articles
    try:
        if not db.exists():
            print(f"building a {n:,}-article archive ({build(db, n):.0f} s)", flush=True)
        tenth = synthetic_items(1, with_pages=False, start=n // 10, total=n)[0].published_at[:10]
        small = n // 10  # about the articles published up to `tenth`'s day (their dates increase with their number)
        print(f"satukanal analysts' benchmark: {n:,} articles in {db} ({db.stat().st_size / 2**20:,.0f} MiB)")
        for fmt in ("csv", "jsonl", "parquet"):
            out = work / f"all.{fmt}"
            seconds, peak = timed(["export", "--db", str(db), "--out", str(out)])
            _, small_peak = timed(["export", "--db", str(db), "--until", tenth, "--out", str(work / f"tenth.{fmt}")])
            rate = n / seconds
            target = f"   target {EXPORT_TARGET:,}/s {'met' if rate >= EXPORT_TARGET else 'NOT met'}" \
                if fmt != "parquet" else ""  # fmt: skip
            size = out.stat().st_size / 2**20
            print(f"  export {fmt:8s} {rate:>8,.0f} articles/s ({seconds:.1f} s with start-up, {size:,.1f} MiB); "
                  f"peak memory {peak / 1024:,.0f} MiB, {small_peak / 1024:,.0f} MiB for the first ~{small:,}"
                  f"{target}")  # fmt: skip
        for exact in (False, True):
            median, p95 = searches(db, exact)
            verdict = "met" if p95 < SEARCH_P95_TARGET_MS else "NOT met"
            print(f"  search {'--exact ' if exact else '(stemmed)'} median {median:.1f} ms, p95 {p95:.1f} ms over 100 "
                  f"queries   target p95 < {SEARCH_P95_TARGET_MS} ms {verdict}")  # fmt: skip
        seconds, peak = timed(["report", "--db", str(db), "--out", str(work / "report.html")])
        verdict = "met" if seconds < REPORT_TARGET_S else "NOT met"
        print(
            f"  report   {seconds:.1f} s, peak memory {peak / 1024:,.0f} MiB   target < {REPORT_TARGET_S} s {verdict}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
