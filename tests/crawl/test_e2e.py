"""End-to-end crawls: the real `satukanal crawl`, in a subprocess, against a loopback replay mirror with faults.

What is checked, on the archive (sqlite3) and on the mirror's request log:

* the bundled portal snapshot: exactly its 14 articles, each row equal to the contract record of
  `tests/fixtures/portal/expected` (categories, tags and Baca Juga from their tables), no other rows,
  shortlinks and the old slug as aliases;
* politeness: nothing robots.txt disallows, nothing off the mirror (every proxied host lands in a trap,
  and Scrapy's own request count equals what the mirror served), no URL more often than its retries
  allow, Retry-After honoured;
* a synthetic mirror: a complete first crawl (re-post, renamed slugs, sitemap-only legacy posts), then
  the "next day" (new and edited articles), where the incremental run fetches and changes exactly
  those within a request bound, then an unchanged day that fetches no article page and changes nothing.

Faults (a first-request 500, 503s with Retry-After, a connection dropped mid-body, a slow answer) are on
in every run. Nothing here reads anything outside the repository and the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import socketserver
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from protego import Protego

from satukanal_crawler.mirror.replay import Fault, ReplayServer, RequestRecord
from satukanal_crawler.mirror.synth import MirrorInfo, advance_mirror, generate_mirror
from satukanal_crawler.parsers import FIELDS
from satukanal_crawler.settings import RETRY_TIMES, USER_AGENT
from tests.helpers import EXPECTED, PORTAL, manifest

ROOT = Path(__file__).resolve().parents[2]
# Politeness off (the mirror is ours, on loopback), short exponential backoff; Retry-After still counts.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "SATUKANAL_BACKOFF_BASE": "0.05",
}
ROBOTS_DISALLOWED_MARKERS = ("replytocom=", "/wp-admin/", "?s=", "/search/")
NON_ARTICLE_PREFIXES = ("/redaksi/", "/kontak/", "/pedoman-media-siber/", "/tag/", "/author/", "/category/", "/feed/")


# -- infrastructure ------------------------------------------------------------------------------------


class _TrapHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(65537).decode("latin-1").strip()
        if line:
            with self.server.lock:  # type: ignore[attr-defined]
                self.server.seen.append(line)  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class _TrapServer(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True


class OffsiteTrap:
    """The crawl's HTTP(S) proxy for every host but loopback: answers 403 and records the request line.

    A crawl that leaves the mirror (the live origin, a CDN, a share button) shows up in `seen` instead of
    reaching the network.
    """

    def __init__(self) -> None:
        self.server = _TrapServer(("127.0.0.1", 0), _TrapHandler)
        self.server.seen = []  # type: ignore[attr-defined]
        self.server.lock = threading.Lock()  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def seen(self) -> list[str]:
        with self.server.lock:  # type: ignore[attr-defined]
            return list(self.server.seen)  # type: ignore[attr-defined]

    def __enter__(self) -> OffsiteTrap:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def crawl_env(trap: OffsiteTrap) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("SATUKANAL_")}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[name] = trap.url
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


@dataclass
class Run:
    """One crawl: the requests the mirror served during it and the stats the crawl recorded."""

    requests: list[RequestRecord]
    stats: dict[str, Any]
    output: str

    @property
    def paths(self) -> Counter[str]:
        return Counter(r.path for r in self.requests)


def run_crawl(srv: ReplayServer, db: Path, trap: OffsiteTrap, *args: str) -> Run:
    before = len(srv.requests)
    settings = [arg for name, value in LOOPBACK_SETTINGS.items() for arg in ("-s", f"{name}={value}")]
    command = [sys.executable, "-m", "satukanal_crawler", "crawl", "--base-url", srv.base_url, "--db", str(db),
               *settings, *args]  # fmt: skip
    proc = subprocess.run(command, cwd=ROOT, env=crawl_env(trap), capture_output=True, text=True, timeout=180)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"crawl exited {proc.returncode}:\n{output[-4000:]}"
    with sqlite3.connect(db) as conn:
        stats_json, outcome = conn.execute("SELECT stats, outcome FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    assert outcome == "ok", output  # finished, and every monitoring check passed
    return Run(srv.requests[before:], json.loads(stats_json), output)


def archived(db: Path, srv: ReplayServer) -> dict[str, dict[str, Any]]:
    """Every article row as its contract record, URLs mapped back to the origin, keyed by URL."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        records = {}
        for row in conn.execute("SELECT * FROM articles ORDER BY id"):
            record = {name: row[name] for name in FIELDS if name not in ("categories", "tags", "baca_juga")}
            record["categories"] = sorted(r[0] for r in conn.execute(
                "SELECT c.name FROM articles_categories ac JOIN categories c ON c.id = ac.categories_id "
                "WHERE ac.articles_id = ?", (row["id"],)))  # fmt: skip
            record["tags"] = sorted(r[0] for r in conn.execute(
                "SELECT t.name FROM articles_tags at JOIN tags t ON t.id = at.tags_id WHERE at.articles_id = ?",
                (row["id"],)))  # fmt: skip
            record["baca_juga"] = [{"url": r[0], "title": r[1]} for r in conn.execute(
                "SELECT url, title FROM baca_juga WHERE article_id = ? ORDER BY position", (row["id"],))]  # fmt: skip
            record = json.loads(srv.to_origin(json.dumps(record, ensure_ascii=False)))
            records[record["url"]] = {name: record[name] for name in FIELDS}
        return records
    finally:
        conn.close()


def expected_record(path: Path) -> dict[str, Any]:
    record = json.loads(path.read_text(encoding="utf-8"))
    record["categories"] = sorted(record["categories"])
    record["tags"] = sorted(record["tags"])
    return {name: record[name] for name in FIELDS}


def query(db: Path, sql: str, *params: Any) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def aliases(db: Path, srv: ReplayServer) -> dict[str, str]:
    """alias URL -> canonical URL of its article, both mapped back to the origin."""
    rows = query(db, "SELECT al.url, a.url FROM aliases al JOIN articles a ON a.id = al.article_id")
    return {srv.to_origin(alias): srv.to_origin(url) for alias, url in rows}


def snapshot(db: Path) -> dict[str, list]:
    """Everything an article is in the archive, row for row (for "nothing else changed")."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        articles = [dict(row) for row in conn.execute("SELECT * FROM articles ORDER BY id")]
    finally:
        conn.close()
    return {
        "articles": articles,
        "aliases": query(db, "SELECT url, article_id, reason FROM aliases ORDER BY url"),
        "baca_juga": query(db, "SELECT * FROM baca_juga ORDER BY article_id, position"),
        "categories": query(db, "SELECT * FROM articles_categories ORDER BY articles_id, categories_id"),
        "tags": query(db, "SELECT * FROM articles_tags ORDER BY articles_id, tags_id"),
        "revisions": query(db, "SELECT * FROM revisions ORDER BY id"),
    }


def assert_polite(run: Run, srv: ReplayServer, trap: OffsiteTrap, robots_txt: str, faults: list[Fault]) -> None:
    """robots.txt obeyed, nothing off the mirror, retries within budget and exactly where faults were."""
    # Nothing off the mirror: no proxied (non-loopback) request, and every request Scrapy's downloader
    # sent is one the mirror served (a request to another loopback port would break the equality).
    assert trap.seen == []
    assert run.stats.get("downloader/request_count") == len(run.requests), run.paths
    robots = Protego.parse(robots_txt)
    disallowed = sorted(p for p in run.paths if not robots.can_fetch(srv.url(p), USER_AGENT))
    assert disallowed == []
    assert not [p for p in run.paths if any(marker in p for marker in ROBOTS_DISALLOWED_MARKERS)]
    assert all(r.method == "GET" and r.user_agent == USER_AGENT for r in run.requests)
    # Retry budget: robots.txt twice at most (Scrapy's robots middleware and the spider's sitemap
    # discovery), a faulted URL exactly once per fault hit plus the attempt that succeeds, others once.
    faulted = {}
    for fault in faults:
        if fault.kind != "slow":
            for path in run.paths:
                if fault.matches(path):
                    faulted[path] = faulted.get(path, 0) + (fault.times or RETRY_TIMES)
    for path, count in run.paths.items():
        assert count <= (2 if path == "/robots.txt" else 1 + RETRY_TIMES), (path, count)
        if path in faulted:
            assert count == 1 + faulted[path], (path, count)
            assert [r.status for r in run.requests if r.path == path][-1] < 400, path
        elif path != "/robots.txt":
            assert count == 1, (path, count)
    # Retry-After is honoured: the retry of a 503 (or a 429) comes no sooner than the server asked.
    for fault in faults:
        if fault.kind == "slow" or (fault.kind != "unavailable" and fault.retry_after is None):
            continue
        for path in (p for p in run.paths if fault.matches(p)):
            times = [r.time for r in run.requests if r.path == path]
            waited = times[1] - times[0]
            assert waited >= (fault.retry_after if fault.retry_after is not None else 1) - 0.05, (path, waited)


@pytest.fixture(scope="module")
def trap() -> Iterator[OffsiteTrap]:
    with OffsiteTrap() as offsite:
        yield offsite


# -- the bundled portal snapshot -----------------------------------------------------------------------

PORTAL_FAULTS = [
    Fault("/ribuan-lansia-ikuti-vaksinasi-covid-19-tahap-kedua/", "error"),  # first request: 500
    Fault("/post-sitemap.xml", "unavailable", retry_after=1),  # 503, Retry-After: 1
    Fault("/category/straight-news/page/2/", "unavailable", retry_after=1),
    Fault("/turnamen-voli-antar-desa-di-pare-diikuti-32-tim/", "drop"),  # body cut off mid-way
    Fault("/pohon-tumbang-timpa-dua-warung-di-tulungagung/", "slow", delay=1.5),
    Fault("/feed/", "slow", delay=0.5),
]


@dataclass
class PortalCrawl:
    db: Path
    srv: ReplayServer
    run: Run
    records: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def portal_crawl(tmp_path_factory: pytest.TempPathFactory, trap: OffsiteTrap) -> Iterator[PortalCrawl]:
    db = tmp_path_factory.mktemp("portal") / "archive.db"
    with ReplayServer(PORTAL, faults=PORTAL_FAULTS) as srv:
        run = run_crawl(srv, db, trap)
        yield PortalCrawl(db, srv, run, archived(db, srv))


def test_portal_every_article_exactly_once_with_its_contract_record(portal_crawl: PortalCrawl) -> None:
    expected = {}
    for path in sorted(EXPECTED.glob("*.json")):
        record = expected_record(path)
        expected[record["url"]] = record
    assert len(expected) == 14
    assert sorted(portal_crawl.records) == sorted(expected)
    for url, record in expected.items():
        got = portal_crawl.records[url]
        for name in FIELDS:
            assert got[name] == record[name], (url, name)
    rows = query(portal_crawl.db, "SELECT count(*), count(DISTINCT wp_post_id), count(DISTINCT content_hash) "
                                  "FROM articles")  # fmt: skip
    assert rows == [(14, 14, 14)]
    assert portal_crawl.run.stats.get("satukanal/articles/new") == 14


def test_portal_no_non_article_rows(portal_crawl: PortalCrawl) -> None:
    srv = portal_crawl.srv
    urls = [srv.to_origin(u) for (u,) in query(portal_crawl.db, "SELECT url FROM articles")]
    for url in urls:
        path = url.removeprefix("https://satukanal.com")
        assert not path.startswith(NON_ARTICLE_PREFIXES), url
        assert "?" not in url and "#" not in url and not path.rstrip("/").endswith("/amp"), url
    # The crawl did meet non-article pages (static pages via the page sitemap), and kept them out.
    non_articles = {srv.to_origin(u) for (u,) in query(portal_crawl.db,
                    "SELECT url FROM url_state WHERE kind IN ('non_article', 'gone')")}  # fmt: skip
    assert non_articles.isdisjoint(urls)
    assert query(portal_crawl.db, "SELECT count(*) FROM rejects") == [(0,)]


def test_portal_aliases(portal_crawl: PortalCrawl) -> None:
    srv, run = portal_crawl.srv, portal_crawl.run
    found = aliases(portal_crawl.db, srv)
    articles = set(portal_crawl.records)
    redirects = {path: entry["location"] for path, entry in manifest().items() if entry["status"] in (301, 308)}
    # WordPress shortlinks of every article.
    shortlinks = {p: loc for p, loc in redirects.items() if p.startswith("/?p=") and loc in articles}
    assert len(shortlinks) == 14
    for path, target in shortlinks.items():
        assert found.get("https://satukanal.com" + path) == target, path
    # The old slug (linked from a Baca Juga and feeds) 301s to the renamed article: the crawl follows it.
    old = "/pemkab-kediri-buka-layanan-adminduk-keliling/"
    assert old in run.paths
    assert found["https://satukanal.com" + old] == redirects[old]
    # Any other URL the crawl fetched that leads to an article (redirects, the tracking-parameter copy,
    # AMP twins) is an alias of that article, never a row of its own.
    tracked = "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/"
    others = {**{p: loc for p, loc in redirects.items() if loc in articles},
              f"{tracked}?utm_source=satukanal&utm_medium=pilihan_redaksi": "https://satukanal.com" + tracked,
              f"{tracked}amp/": "https://satukanal.com" + tracked,
              "/pesilat-tulungagung-raih-tiga-emas-di-kejuaraan-provinsi/amp/":
                  "https://satukanal.com/pesilat-tulungagung-raih-tiga-emas-di-kejuaraan-provinsi/"}  # fmt: skip
    for path, target in others.items():
        if path in run.paths:
            assert found.get("https://satukanal.com" + path) == target, path
    assert set(found.values()) <= articles


def test_portal_crawl_is_polite_and_survives_the_faults(portal_crawl: PortalCrawl, trap: OffsiteTrap) -> None:
    run = portal_crawl.run
    robots_txt = (PORTAL / manifest()["/robots.txt"]["file"]).read_text(encoding="utf-8")
    assert_polite(run, portal_crawl.srv, trap, robots_txt, PORTAL_FAULTS)
    fired = Counter(r.fault for r in run.requests if r.fault)
    assert fired == {"error": 1, "unavailable": 2, "drop": 1, "slow": 2}
    assert run.stats.get("satukanal/errors/failed") is None  # every fault was retried into a success
    # The deleted article linked from a Baca Juga is remembered as gone, not as an article.
    gone = query(portal_crawl.db, "SELECT url FROM url_state WHERE kind = 'gone'")
    assert [portal_crawl.srv.to_origin(u) for (u,) in gone] == [
        "https://satukanal.com/jadwal-pemadaman-listrik-kediri-pekan-ini/"
    ]


# -- a synthetic mirror, over three days -----------------------------------------------------------------

SYNTH_ARTICLES = 120
NEW, MODIFIED = 3, 2


def origin_path(url: str) -> str:
    return url.removeprefix("https://satukanal.com")


@dataclass
class Synthetic:
    db: Path
    srv: ReplayServer
    day0: MirrorInfo
    run0: Run
    faults0: list[Fault]
    after0: dict[str, list]
    day1: MirrorInfo | None = None
    run1: Run | None = None
    faults1: list[Fault] | None = None
    after1: dict[str, list] | None = None
    run2: Run | None = None
    after2: dict[str, list] | None = None
    run3: Run | None = None
    after3: dict[str, list] | None = None
    reparse_output: str = ""
    after_reparse: dict[str, list] | None = None


def robots_of(info: MirrorInfo) -> str:
    return (info.path / "site" / "robots.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, trap: OffsiteTrap) -> Iterator[Synthetic]:
    base = tmp_path_factory.mktemp("synthetic")
    info = generate_mirror(base / "mirror", SYNTH_ARTICLES, seed=7)
    sitemap_only = origin_path(info.sitemap_only[0])
    renamed_target = origin_path(next(iter(info.renamed.values())))
    original = origin_path(next(iter(info.reposts.values())))
    faults = [
        Fault(sitemap_only, "drop"),  # the only way to this article fails once
        Fault(renamed_target, "error"),
        # The first published copy answers late, so the re-post is (almost surely) archived before it:
        # the harder order, where the original must take over the row without making a revision.
        Fault(original, "slow", delay=3.0),
        Fault("/category/peristiwa/page/2/", "unavailable", retry_after=1),
        Fault("/post-sitemap.xml", "status", status=429, retry_after=1),
        Fault("/", "slow", delay=1.0),
    ]
    db = base / "archive.db"
    with ReplayServer(info.path, faults=faults) as srv:
        run = run_crawl(srv, db, trap)
        yield Synthetic(db, srv, info, run, faults, snapshot(db))


@pytest.fixture(scope="module")
def next_day(synthetic: Synthetic, trap: OffsiteTrap) -> Synthetic:
    info = advance_mirror(synthetic.day0.path, new=NEW, modified=MODIFIED)
    synthetic.srv.load()
    faults = [
        Fault(origin_path(info.new_urls[0]), "error"),
        Fault("/feed/", "unavailable", retry_after=1),
    ]
    synthetic.srv.set_faults(faults)
    synthetic.day1, synthetic.faults1 = info, faults
    synthetic.run1 = run_crawl(synthetic.srv, synthetic.db, trap)
    synthetic.after1 = snapshot(synthetic.db)
    return synthetic


@pytest.fixture(scope="module")
def unchanged_day(next_day: Synthetic, trap: OffsiteTrap) -> Synthetic:
    next_day.srv.set_faults([Fault("/category/straight-news/", "error")])
    next_day.run2 = run_crawl(next_day.srv, next_day.db, trap)
    next_day.after2 = snapshot(next_day.db)
    return next_day


@pytest.fixture(scope="module")
def full_recrawl(unchanged_day: Synthetic, trap: OffsiteTrap) -> Synthetic:
    # The re-post answers late, so its page is the article's newest capture (what `reparse` reads next).
    repost = origin_path(next(iter(unchanged_day.day0.reposts)))
    unchanged_day.srv.set_faults([Fault(repost, "slow", delay=2.0)])
    unchanged_day.run3 = run_crawl(unchanged_day.srv, unchanged_day.db, trap, "--full")
    unchanged_day.after3 = snapshot(unchanged_day.db)
    return unchanged_day


def article_paths(info: MirrorInfo) -> set[str]:
    """Every path that serves (or redirects to) an article page: what a discovery-only run never fetches."""
    urls = [*info.post_urls, *info.renamed, *info.amp, *info.shortlinks, *info.deleted]
    return {origin_path(u) for u in urls}


def test_synthetic_first_crawl_is_complete(synthetic: Synthetic) -> None:
    info, srv = synthetic.day0, synthetic.srv
    records = archived(synthetic.db, srv)
    assert len(records) == info.articles == SYNTH_ARTICLES
    assert sorted(records) == sorted(info.article_urls)  # every article exactly once (url is UNIQUE)
    for url in info.article_urls:
        expected = expected_record(info.expected_path(url))
        for name in FIELDS:
            assert records[url][name] == expected[name], (url, name)
    assert query(synthetic.db, "SELECT count(DISTINCT wp_post_id), count(DISTINCT content_hash) FROM articles") == [
        (SYNTH_ARTICLES, SYNTH_ARTICLES)
    ]
    found = aliases(synthetic.db, srv)
    assert info.reposts and info.renamed and info.sitemap_only
    for repost, original in info.reposts.items():
        assert found.get(repost) == original  # the later copy is an alias of the first published
    for old, new in info.renamed.items():
        assert found.get(old) == new
    for url in info.sitemap_only:
        assert url in records
    for shortlink, url in info.shortlinks.items():
        assert found.get(shortlink) == info.reposts.get(url, url)
    assert set(found.values()) <= set(records)
    # A first crawl of an empty archive revises nothing, whatever order the re-post and its original came in.
    assert query(synthetic.db, "SELECT count(*) FROM revisions") == [(0,)]
    stats = synthetic.run0.stats
    assert stats.get("satukanal/articles/new") == SYNTH_ARTICLES
    assert stats.get("satukanal/articles/updated") is None


def test_synthetic_first_crawl_is_polite(synthetic: Synthetic, trap: OffsiteTrap) -> None:
    run = synthetic.run0
    assert_polite(run, synthetic.srv, trap, robots_of(synthetic.day0), synthetic.faults0)
    assert {r.fault for r in run.requests} == {None, "drop", "error", "unavailable", "status", "slow"}
    # Every post page (the re-post included) was fetched once, and nothing the mirror does not serve.
    for url in synthetic.day0.post_urls:
        assert origin_path(url) in run.paths, url
    assert not [r.path for r in run.requests if r.status == 404 and r.path not in
                {origin_path(u) for u in synthetic.day0.deleted} | {"/wp-sitemap.xml"}]  # fmt: skip


def test_next_day_adds_and_updates_exactly_what_changed(next_day: Synthetic) -> None:
    info, srv = next_day.day1, next_day.srv
    assert info is not None and next_day.after1 is not None and next_day.run1 is not None
    assert len(info.new_urls) == NEW and len(info.modified_urls) == MODIFIED
    records = archived(next_day.db, srv)
    assert sorted(records) == sorted(info.article_urls)
    assert len(records) == SYNTH_ARTICLES + NEW
    for url in [*info.new_urls, *info.modified_urls]:
        expected = expected_record(info.expected_path(url))
        for name in FIELDS:
            assert records[url][name] == expected[name], (url, name)
    stats = next_day.run1.stats
    assert stats.get("satukanal/articles/new") == NEW
    assert stats.get("satukanal/articles/updated") == MODIFIED
    assert stats.get("satukanal/articles/unchanged") is None
    # One revision per edited article, holding what it said before; none for anything else.
    ids = dict(query(next_day.db, "SELECT url, id FROM articles"))
    modified_ids = {ids[url.replace("https://satukanal.com", srv.base_url)] for url in info.modified_urls}
    revised = query(next_day.db, "SELECT article_id, body_text FROM revisions ORDER BY article_id")
    assert sorted(a for a, _ in revised) == sorted(modified_ids)
    before = {row["id"]: row for row in next_day.after0["articles"]}
    after = {row["id"]: row for row in next_day.after1["articles"]}
    for article_id, body in revised:
        assert body == before[article_id]["body_text"] != after[article_id]["body_text"]
    # Untouched articles: row for row identical (not even last_seen_at moved), links and terms too.
    changed = modified_ids
    assert set(before) <= set(after)
    for article_id, row in before.items():
        if article_id not in changed:
            assert after[article_id] == row, article_id
    for table in ("baca_juga", "categories", "tags"):
        old = [r for r in next_day.after0[table] if r[0] not in changed]
        new = [r for r in next_day.after1[table] if r[0] in before and r[0] not in changed]
        assert new == old, table
    assert set(next_day.after0["aliases"]) <= set(next_day.after1["aliases"])


def test_next_day_fetches_little(next_day: Synthetic, trap: OffsiteTrap) -> None:
    info, run = next_day.day1, next_day.run1
    assert info is not None and run is not None and next_day.faults1 is not None
    assert_polite(run, next_day.srv, trap, robots_of(info), next_day.faults1)
    # Article pages fetched: exactly the new and the edited ones (the faulted one twice).
    fetched = {p for p in run.paths if p in article_paths(info)}
    assert fetched == {origin_path(u) for u in [*info.new_urls, *info.modified_urls]}
    # The bound: the fixed entry points (robots.txt twice, two sitemap indexes, the feed, the home page),
    # every sitemap, page 1 of every channel plus at most one more page (paging stops at the first page
    # whose articles are all archived), the changed articles, and one extra attempt per fault.
    manifest_paths = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    sitemaps = [p for p in manifest_paths if p.endswith(".xml") and p != "/sitemap_index.xml"]
    channels = [p for p in manifest_paths if p.startswith("/category/") and "/page/" not in p and "/feed/" not in p]
    bound = 6 + len(sitemaps) + 2 * len(channels) + NEW + MODIFIED + len(next_day.faults1)
    assert bound < 45
    assert len(run.requests) <= bound, sorted(run.paths)
    # Far fewer than the first crawl, which fetched every page.
    assert len(run.requests) * 4 < len(next_day.run0.requests)


def test_unchanged_day_fetches_no_article_and_changes_nothing(unchanged_day: Synthetic, trap: OffsiteTrap) -> None:
    run, info = unchanged_day.run2, unchanged_day.day1
    assert run is not None and info is not None
    assert_polite(run, unchanged_day.srv, trap, robots_of(info), [Fault("/category/straight-news/", "error")])
    assert [p for p in run.paths if p in article_paths(info)] == []
    assert all(not p.startswith("/?p=") for p in run.paths)
    assert unchanged_day.after2 == unchanged_day.after1
    stats = run.stats
    for outcome in ("new", "updated", "unchanged", "alias"):
        assert stats.get(f"satukanal/articles/{outcome}") is None, outcome


def test_full_recrawl_of_an_unchanged_mirror_changes_no_content(full_recrawl: Synthetic) -> None:
    run, info = full_recrawl.run3, full_recrawl.day1
    assert run is not None and info is not None and full_recrawl.after2 is not None
    assert full_recrawl.after3 is not None
    # Every post page fetched again, the re-post included: each is "unchanged", the re-post an alias.
    for url in info.post_urls:
        assert origin_path(url) in run.paths, url
    stats = run.stats
    assert stats.get("satukanal/articles/unchanged") == SYNTH_ARTICLES + NEW
    assert stats.get("satukanal/articles/alias") == len(info.reposts)
    assert stats.get("satukanal/articles/new") is None and stats.get("satukanal/articles/updated") is None
    # Only the fetch bookkeeping moved: same URLs, same content, no revision, the same aliases.
    moving = {"last_seen_at", "fetched_at"}
    before = [{k: v for k, v in row.items() if k not in moving} for row in full_recrawl.after2["articles"]]
    after = [{k: v for k, v in row.items() if k not in moving} for row in full_recrawl.after3["articles"]]
    assert after == before
    for table in ("aliases", "baca_juga", "categories", "tags", "revisions"):
        assert full_recrawl.after3[table] == full_recrawl.after2[table], table


@pytest.fixture(scope="module")
def reparsed(full_recrawl: Synthetic, trap: OffsiteTrap) -> Synthetic:
    command = [sys.executable, "-m", "satukanal_crawler", "reparse", "--db", str(full_recrawl.db)]
    proc = subprocess.run(command, cwd=ROOT, env=crawl_env(trap), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    full_recrawl.reparse_output = proc.stdout
    full_recrawl.after_reparse = snapshot(full_recrawl.db)
    return full_recrawl


def test_reparse_after_the_crawls_changes_nothing(reparsed: Synthetic) -> None:
    # Rebuilding every article from its stored pages with the same parser is a no-op, re-posts included
    # (the re-post's page is stored with the article it copies, and is the newest capture here).
    assert f"{SYNTH_ARTICLES + NEW} unchanged" in reparsed.reparse_output, reparsed.reparse_output
    assert reparsed.after_reparse == reparsed.after3
