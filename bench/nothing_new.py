"""The cost of an incremental run with nothing new, as the archive grows: what a cron job pays every 30 minutes.

    .venv/bin/python bench/nothing_new.py [--sizes 1000,10000] [--seed 0] [--keep DIR]

For each size, a synthetic mirror of that many articles is generated and served on loopback, crawled once into a
fresh archive (politeness off), then crawled again with nothing changed. Printed for that second run: the time
from the process's start to its first request reaching the mirror (what loading the archive's state costs), the
whole run's wall time, the pages it fetched, and the peak RSS of its process tree (crawl, parser and writer
processes), sampled as bench/crawl.py does. Targets (issue #12): start under 2 s at 100,000 articles, and memory
that does not grow with the archive beyond what the frontier's pending part needs. The first crawl of 100,000
articles takes a quarter of an hour or more on 2 cores. Figures only; exit status 0 unless a crawl fails.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import run_child  # noqa: E402

from satukanal_crawler.mirror.replay import ReplayServer  # noqa: E402
from satukanal_crawler.mirror.synth import generate_mirror  # noqa: E402

FAST = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}  # fmt: skip


def crawl_command(base_url: str, db: Path) -> list[str]:
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", base_url, "--db", str(db), "-q"]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    return command


def bench_size(size: int, work: Path, seed: int) -> dict[str, float]:
    generate_mirror(work / "mirror", size, seed=seed)
    db = work / "archive.db"
    with ReplayServer(work / "mirror") as server:
        run_child(crawl_command(server.base_url, db), work / "first.out")
        server.clear_requests()
        started = time.time()
        usage = run_child(crawl_command(server.base_url, db), work / "again.out")
        requests = server.requests
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    first = min((r.time for r in requests), default=started) - started
    return {"articles": articles, "start_s": first, "wall_s": usage.wall, "pages": len(requests),
            "peak_mib": usage.peak_rss_mb}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate under this folder and leave it there")
    args = parser.parse_args(argv)
    print(f"{'articles':>9} {'start s':>8} {'wall s':>7} {'pages':>6} {'peak MiB':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            work = args.keep / str(size) if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            r = bench_size(size, work, args.seed)
        print(f"{r['articles']:>9} {r['start_s']:>8.2f} {r['wall_s']:>7.2f} {r['pages']:>6} {r['peak_mib']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
