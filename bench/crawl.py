"""Crawl throughput and memory: our full crawl against a bare Scrapy crawl of the same mirror, in one run.

    .venv/bin/python bench/crawl.py [--sizes 1000,5000] [--concurrency 16] [--seed 0] [--keep DIR]
                                    [--setting NAME=VALUE ...]

About 3 minutes on 2 cores with the default sizes.

For each size, a synthetic mirror of that many articles (`satukanal_crawler.mirror.synth`) is generated
in a temporary directory (or under `--keep DIR`, which is left in place) and served on loopback by the
replay server (no faults). Two crawls of it run, each in its own child process, politeness off
(AutoThrottle off, DOWNLOAD_DELAY 0, CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN at
`--concurrency`), robots.txt obeyed:

* ours: `python -m satukanal_crawler crawl` into a fresh archive: discovery, parsing, the pipelines,
  SQLite storage of every record and raw page;
* bare: a Scrapy spider defined in this file that starts from the same entry points (robots.txt, the
  sitemap indexes, the feed, the home page) and follows the same kinds of links (sitemaps, channels and
  their pagination, the posts the sitemaps list), found with a few regular expressions, and neither
  parses the article pages nor stores anything. It is Scrapy's own ceiling on this machine, with the
  replay server as the other end. It runs with the project's framework-level settings
  (`FRAMEWORK_SETTINGS`: user agent, retries, timeouts, CONCURRENT_ITEMS, ...), so that tuning Scrapy in
  `settings.py` moves both crawls and the ratio measures only what ours does with the pages.

`--setting NAME=VALUE` applies a Scrapy setting to both crawls (e.g. `CONCURRENT_ITEMS=10`, or
`ITEM_PIPELINES={}` to see what storing costs).

Rates use Scrapy's `elapsed_time_seconds` (spider open to close, interpreter start-up excluded): pages/s
counts every response, articles/s the articles archived (ours) or the post pages fetched (bare). Peak RSS is
the largest sum, sampled every 20 ms, of the child's RSS and its own children's (our crawl parses in a
worker process: parse_pool.py), or the child's `ru_maxrss` from `os.wait4` if larger. Printed per size, then
the targets: ours at least 85% of the bare pages/s at the largest size (5,000 articles by default; the target
holds at 50,000 too: `--sizes 1000,5000,50000`, about 40 minutes; smaller sizes are printed too), and our peak
RSS at the largest size within 1.5x of that at the smallest. The "cpu s" columns (the child's CPU time, and the
replay server's meanwhile) say whether a crawl was CPU-bound and whether the server kept up. Figures vary by
10-20% from run to run on a
shared machine. Figures only; the exit status is 0 unless a crawl fails.

`--child bare` runs the bare spider in this process (what the benchmark starts); it is not meant to be
called by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from satukanal_crawler.mirror.replay import ReplayServer  # noqa: E402
from satukanal_crawler.mirror.synth import generate_mirror  # noqa: E402

PAGES_TARGET = 0.85  # ours / bare, pages per second (at 5,000 and at 50,000 articles)
RSS_TARGET = 1.5  # peak RSS at the largest size / at the smallest


# -- the bare spider -------------------------------------------------------------------------------------


# Scrapy-level settings the bare crawl takes from the project, so that both crawls run the same framework
# configuration and differ only by what ours does with the pages (its spider, middlewares and pipelines).
FRAMEWORK_SETTINGS = (
    "USER_AGENT", "DEFAULT_REQUEST_HEADERS", "CONCURRENT_ITEMS", "COOKIES_ENABLED", "TELNETCONSOLE_ENABLED",
    "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "RETRY_ENABLED", "RETRY_TIMES", "RETRY_HTTP_CODES",
    "REDIRECT_MAX_TIMES", "DEPTH_PRIORITY", "LOG_LEVEL", "WARN_ON_GENERATOR_RETURN_VALUE",
)  # fmt: skip


def bench_settings(concurrency: int, extra: list[tuple[str, str]]) -> dict[str, object]:
    """Politeness off, robots.txt obeyed, then any --setting: the same for both crawls."""
    settings: dict[str, object] = {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": True,
    }
    settings.update(extra)
    return settings


def run_bare_child(base_url: str, settings: dict[str, object], stats_out: Path, log_file: Path) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Request, Response
    from scrapy.settings import Settings

    host = urlsplit(base_url).netloc
    loc = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>")
    feed_link = re.compile(rb"<link>\s*([^<\s]+)\s*</link>")
    href = re.compile(rb'href="([^"#?]+)"')
    next_link = re.compile(rb'<link rel="next" href="([^"]+)"')
    channel = re.compile(r"^/category/[^/]+/(?:[^/]+/)?$")
    article = re.compile(r"^/(?!category/|tag/|author/|feed/|page/|comments/|wp-|amp/)[^/.]+/$")

    class BareSpider(scrapy.Spider):
        name = "bare"
        allowed_domains: ClassVar[list[str]] = [urlsplit(base_url).hostname or ""]

        async def start(self):
            yield Request(f"{base_url}/robots.txt", callback=self.parse_robots)
            yield Request(f"{base_url}/sitemap_index.xml", callback=self.parse_sitemap)
            yield Request(f"{base_url}/wp-sitemap.xml", callback=self.parse_sitemap, errback=self.ignore)
            yield Request(f"{base_url}/feed/", callback=self.parse_feed)
            yield Request(f"{base_url}/", callback=self.parse_listing)

        def ignore(self, failure) -> None:
            return None

        def _path(self, url: str) -> str | None:
            parts = urlsplit(url)
            return parts.path if parts.netloc == host else None

        def follow(self, url: str, *, listing_ok: bool = True, article_ok: bool = True):
            path = self._path(url)
            if path is None:
                return None
            if path.endswith(".xml"):
                return Request(url, callback=self.parse_sitemap)
            if listing_ok and channel.match(path):
                return Request(url, callback=self.parse_listing)
            if article_ok and article.match(path):
                return Request(url, callback=self.parse_article, priority=10)
            return None

        def parse_robots(self, response: Response):
            for line in response.text.splitlines():
                key, _, value = line.partition(":")
                if key.strip().lower() == "sitemap":
                    request = self.follow(value.strip())
                    if request is not None:
                        yield request

        def parse_sitemap(self, response: Response):
            pages = "page-sitemap" in response.url  # static pages: not articles
            for match in loc.finditer(response.body):
                request = self.follow(match.group(1).decode(), article_ok=not pages)
                if request is not None:
                    yield request

        def parse_feed(self, response: Response):
            for match in feed_link.finditer(response.body):
                request = self.follow(match.group(1).decode(), listing_ok=False)
                if request is not None:
                    yield request

        def parse_listing(self, response: Response):
            for match in href.finditer(response.body):
                url = match.group(1).decode()
                path = self._path(url)
                if path is not None and channel.match(path):
                    yield Request(url, callback=self.parse_listing)
            found = next_link.search(response.body)
            if found:
                yield Request(found.group(1).decode(), callback=self.parse_listing)

        def parse_article(self, response: Response):
            self.crawler.stats.inc_value("bare/articles")
            return None

    project = Settings()
    project.setmodule("satukanal_crawler.settings", priority="project")
    configured = Settings({name: project[name] for name in FRAMEWORK_SETTINGS if name in project})
    configured.update({**settings, "LOG_FILE": str(log_file)}, priority="cmdline")
    process = CrawlerProcess(configured)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: (v if isinstance(v, int | float | str) else str(v)) for k, v in crawler.stats.get_stats().items()}
    stats_out.write_text(json.dumps(stats, indent=1, sort_keys=True), encoding="utf-8")


# -- measuring a child -----------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    pages: int
    articles: int
    elapsed: float  # Scrapy's elapsed_time_seconds
    wall: float  # the child process, start-up included
    peak_rss_mb: float
    cpu: float = 0.0  # user + system seconds of the child
    server_cpu: float = 0.0  # user + system seconds of the replay server (this process) meanwhile

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.elapsed


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("SATUKANAL_")}
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


@dataclass
class Usage:
    wall: float
    peak_rss_mb: float
    cpu: float
    server_cpu: float


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB; 0 when unavailable."""
    parents: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(parents.get(pid, ()))
    return total


class TreeRss(threading.Thread):
    """Samples the summed RSS of a child and its own children (the parser worker) every 20 ms: ru_maxrss
    only gives the largest single process, which would leave the worker out."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))


def run_child(command: list[str], log: Path) -> Usage:
    """Run a child to completion and measure it alone (os.wait4 gives that child's own rusage, its reaped
    children's CPU time included; memory is sampled over the process tree)."""
    started = time.perf_counter()
    server_before = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeRss(proc.pid)
        if sys.platform.startswith("linux"):
            sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        sampler.done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    server_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - server_before
    if proc.returncode != 0:
        raise SystemExit(f"{command[2:4]} exited {proc.returncode}; see {log}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    peak_mb = max(usage.ru_maxrss * scale, sampler.peak_kib * 1024) / 2**20
    return Usage(wall, peak_mb, _cpu(usage), server_cpu)


def run_ours(base_url: str, work: Path, settings: dict[str, object]) -> Result:
    db = work / "ours.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)  # a fresh archive: a full first crawl, never an incremental one
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", base_url, "--db", str(db), "-q"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    usage = run_child(command, work / "ours.out")
    conn = sqlite3.connect(db)
    try:
        stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    return Result("ours", stats["downloader/response_count"], articles, stats["elapsed_time_seconds"], usage.wall,
                  usage.peak_rss_mb, usage.cpu, usage.server_cpu)  # fmt: skip


def run_bare(base_url: str, work: Path, settings: dict[str, object]) -> Result:
    stats_out = work / "bare-stats.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "bare", "--base-url", base_url,
               "--stats-out", str(stats_out), "--settings-json", json.dumps(settings)]  # fmt: skip
    usage = run_child(command, work / "bare.out")
    stats = json.loads(stats_out.read_text(encoding="utf-8"))
    return Result("bare", stats["downloader/response_count"], stats.get("bare/articles", 0),
                  stats["elapsed_time_seconds"], usage.wall, usage.peak_rss_mb, usage.cpu,
                  usage.server_cpu)  # fmt: skip


# -- the benchmark ---------------------------------------------------------------------------------------


def bench_size(size: int, work: Path, settings: dict[str, object], seed: int) -> tuple[Result, Result]:
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = generate_mirror(work / "mirror", size, seed=seed)
    took = time.perf_counter() - started
    print(f"\n{size} articles: mirror of {info.manifest_entries} URLs generated in {took:.1f}s")
    with ReplayServer(info.path) as srv:
        bare = run_bare(srv.base_url, work, settings)
        ours = run_ours(srv.base_url, work, settings)
    print(f"  {'crawl':<5} {'pages':>6} {'articles':>8} {'seconds':>8} {'pages/s':>8} {'articles/s':>10} "
          f"{'peak RSS':>10} {'wall s':>7} {'cpu s':>6} {'server cpu s':>12}")  # fmt: skip
    for r in (ours, bare):
        print(f"  {r.label:<5} {r.pages:>6} {r.articles:>8} {r.elapsed:>8.1f} {r.pages_per_s:>8.1f} "
              f"{r.articles_per_s:>10.1f} {r.peak_rss_mb:>6.1f} MiB {r.wall:>7.1f} {r.cpu:>6.1f} "
              f"{r.server_cpu:>12.1f}")  # fmt: skip
    if ours.articles != info.articles:
        print(f"  WARNING: ours archived {ours.articles} articles, the mirror has {info.articles}")
    print(f"  ours/bare: {ours.pages_per_s / bare.pages_per_s:.0%} of the bare pages/s, "
          f"{ours.articles_per_s / bare.articles_per_s:.0%} of the bare articles/s")  # fmt: skip
    return ours, bare


def _setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name.strip(), val


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/crawl.py", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,5000", help="mirror sizes in articles (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="synthetic mirror seed (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (mirrors, archives, logs)")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE", type=_setting,
                        help="a Scrapy setting for both crawls, e.g. CONCURRENT_ITEMS=10 (repeatable)")  # fmt: skip
    parser.add_argument("--child", choices=["bare"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--stats-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--settings-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "bare":
        settings = json.loads(args.settings_json)
        run_bare_child(args.base_url, settings, args.stats_out, args.stats_out.with_suffix(".log"))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if not sizes or sizes[0] < 15:
        parser.error("--sizes takes a comma-separated list of article counts, each at least 15")
    settings = bench_settings(args.concurrency, args.setting)
    extra = "".join(f"; {name}={value}" for name, value in args.setting)
    print(f"bench/crawl.py: sizes {', '.join(map(str, sizes))}; concurrency {args.concurrency}{extra}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")  # fmt: skip
    results: dict[int, tuple[Result, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="satukanal-bench-") as tmp:
        base = args.keep or Path(tmp)
        for size in sizes:
            results[size] = bench_size(size, base / f"n{size}", settings, args.seed)
    print("\nTargets")
    ours, bare = results[sizes[-1]]
    ratio = ours.pages_per_s / bare.pages_per_s
    others = ", ".join(f"{r[0].pages_per_s / r[1].pages_per_s:.0%} at {size}" for size, r in results.items()
                       if size != sizes[-1])  # fmt: skip
    print(f"  throughput: ours at least {PAGES_TARGET:.0%} of the bare pages/s at {sizes[-1]} articles: {ratio:.0%}: "
          f"{'target met' if ratio >= PAGES_TARGET else 'target NOT met'}"
          + (f" (smaller mirrors: {others})" if others else ""))  # fmt: skip
    if len(sizes) > 1:
        small, large = results[sizes[0]][0], results[sizes[-1]][0]
        ratio = large.peak_rss_mb / small.peak_rss_mb
        bare_ratio = results[sizes[-1]][1].peak_rss_mb / results[sizes[0]][1].peak_rss_mb
        print(f"  memory: our peak RSS at {sizes[-1]} articles within {RSS_TARGET}x of that at {sizes[0]}: "
              f"{large.peak_rss_mb:.1f} / {small.peak_rss_mb:.1f} MiB = {ratio:.2f}x (bare: {bare_ratio:.2f}x): "
              f"{'target met' if ratio <= RSS_TARGET else 'target NOT met'}")  # fmt: skip
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  (benchmark process with the replay server: peak RSS {own / 1024:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
