"""Parser speed on the portal's article pages, against trafilatura on the same pages, in one run.

    .venv/bin/python bench/parse.py [--rounds 30]

Each article page of the bundled snapshot is parsed `--rounds` times by `parse_article` and by
trafilatura's extraction with metadata (`bare_extraction(with_metadata=True)`, the closest equivalent
of a full record). Per page the median time is taken; the figures are the median over pages, on one
core (the process is pinned to CPU 0 when the platform allows). Target (issue #13): at most 2 ms per page and at
least 5x faster than trafilatura.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satukanal_crawler.parsers import parse_article

PORTAL = Path(__file__).resolve().parents[1] / "satukanal_crawler" / "mirror" / "portal"


def article_pages() -> list[tuple[str, bytes]]:
    manifest = json.loads((PORTAL / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for path, entry in sorted(manifest.items()):
        if "?" in path or not entry.get("content_type", "").startswith("text/html"):
            continue
        html = (PORTAL / entry["file"]).read_bytes()
        if parse_article(html, "https://satukanal.com" + path) is not None:
            pages.append(("https://satukanal.com" + path, html))
    return pages


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="parses of each page per library")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    import trafilatura

    pages = article_pages()
    ours, theirs = [], []
    for url, html in pages:
        ours.append(median_ms(lambda html=html, url=url: parse_article(html, url), args.rounds))
        text = html.decode("utf-8")
        theirs.append(
            median_ms(
                lambda text=text, url=url: trafilatura.bare_extraction(text, url=url, with_metadata=True),
                max(5, args.rounds // 3),
            )
        )
    ours_ms, theirs_ms = statistics.median(ours), statistics.median(theirs)
    print(f"pages: {len(pages)} portal article pages (incl. AMP twins), {args.rounds} rounds each, one core")
    print(f"parse_article        median {ours_ms:6.2f} ms/page   (max {max(ours):.2f})")
    print(f"trafilatura+metadata median {theirs_ms:6.2f} ms/page")
    print(f"speed-up: {theirs_ms / ours_ms:.1f}x")
    print(
        f"targets: <= 2 ms/page {'met' if ours_ms <= 2 else 'NOT met'}; "
        f">= 5x trafilatura {'met' if theirs_ms / ours_ms >= 5 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
