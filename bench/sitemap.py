"""A 120,000-URL sitemap: how long before the first entry, how long for all, and the memory it costs.

    .venv/bin/python bench/sitemap.py [--urls 120000] [--old]

Each run is one fresh process: it builds the sitemap in memory (URLs like the portal's, each with a
lastmod), then reads every entry with `parse_sitemap` (streaming lxml iterparse) and prints the time to
the first entry, the time for all of them and the peak growth of the resident set over what it was with
the body built (sampled every 5 ms from /proc: Linux only). `--old` reads it the way the crawler did
before (Scrapy's `Sitemap`: the whole tree at once, then a list of entries) for comparison.
Target: the first entry in under 0.1 s, memory growth a small fraction of the body's size.
"""

from __future__ import annotations

import argparse
import threading
import time

from satukanal_crawler import dates
from satukanal_crawler.parsers.listing import parse_sitemap


def _sitemap(n: int) -> bytes:
    urls = "".join(f"<url><loc>https://satukanal.com/pemkab-kediri-salurkan-bantuan-warga-desa-{i}/</loc>"
                   f"<lastmod>2021-04-08T07:35:12+00:00</lastmod></url>\n" for i in range(n))  # fmt: skip
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"\n{urls}</urlset>").encode()  # fmt: skip


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


class _PeakRss(threading.Thread):
    """Samples the resident set every 5 ms (ru_maxrss would still hold the peak of building the body)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_mib()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_mib())
            time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=120_000)
    parser.add_argument("--old", action="store_true", help="Scrapy's Sitemap, as before (for comparison)")
    args = parser.parse_args()
    body = _sitemap(args.urls)
    before = _rss_mib()
    sampler = _PeakRss()
    sampler.start()
    started = time.perf_counter()
    if args.old:
        from scrapy.utils.sitemap import Sitemap

        entries = iter([(e.get("loc"), dates.parse_w3c(e.get("lastmod"))) for e in Sitemap(body)])
    else:
        _, entries = parse_sitemap(body)
    next(entries)
    first = time.perf_counter() - started
    count = 1 + sum(1 for _ in entries)
    total = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    print(f"{'Scrapy Sitemap (before)' if args.old else 'parse_sitemap (streaming)'}: {count} entries, "
          f"body {len(body) / 2**20:.1f} MiB; first entry after {first:.3f}s, all after {total:.2f}s; "
          f"peak RSS +{sampler.peak - before:.0f} MiB over the body")  # fmt: skip


if __name__ == "__main__":
    main()
