"""No holes: whatever stops a run, and whatever its options, the next complete run leaves no listed article out.

Real `satukanal crawl` processes against a synthetic mirror on loopback: a first run is stopped at many moments
(SIGINT, SIGTERM, SIGKILL of the whole process group), then incremental runs follow until one changes nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from satukanal_crawler.exits import EXIT_SIGINT, EXIT_SIGTERM
from satukanal_crawler.mirror.replay import ReplayServer
from satukanal_crawler.mirror.synth import MirrorInfo, advance_mirror, generate_mirror
from tests.cli import LOOPBACK, command, environment

ARTICLES = 520
POINTS = 21  # moments of the sweep, across the whole first run
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


@dataclass
class Mirror:
    info: MirrorInfo
    server: ReplayServer
    duration: float  # of an uninterrupted first run

    def paths(self) -> set[str]:
        return {urlsplit(url).path for url in self.info.article_urls}


def start(db: Path, base_url: str, *extra: str) -> subprocess.Popen:
    args = ("crawl", "--base-url", base_url, "--db", str(db), *LOOPBACK, "-q", *extra)
    return subprocess.Popen(command(*args), cwd=db.parent, env=environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip


def crawl(db: Path, base_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    process = start(db, base_url, *extra)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def runs(db: Path) -> list[tuple]:
    try:
        return query(db, "SELECT outcome, exit_status FROM crawl_runs ORDER BY id")
    except sqlite3.OperationalError:  # stopped before the archive had its tables
        return []


def archived_paths(db: Path) -> list[str]:
    return [urlsplit(url).path for (url,) in query(db, "SELECT url FROM articles")]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Mirror:
    root = tmp_path_factory.mktemp("mirror")
    info = generate_mirror(root / "site", ARTICLES, seed=7, sitemap_size=60)
    with ReplayServer(root / "site") as server:
        db = root / "reference.db"
        started = time.monotonic()
        result = crawl(db, server.base_url)
        duration = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        assert sorted(archived_paths(db)) == sorted(Mirror(info, server, 0).paths())
        yield Mirror(info, server, duration)


def recover(db: Path, mirror: Mirror) -> list[int]:
    """Incremental runs until one stores nothing new; the requests each made."""
    made = []
    for _ in range(4):
        mirror.server.clear_requests()
        result = crawl(db, mirror.server.base_url)
        assert result.returncode == 0, result.stderr
        made.append(len(mirror.server.requests))
        if " 0 new," in result.stdout or not query(db, "SELECT 1 FROM crawl_runs WHERE stats LIKE '%articles/new%' "
                                                       "AND id = (SELECT max(id) FROM crawl_runs)"):  # fmt: skip
            break
    return made


def test_a_run_stopped_at_any_moment_by_any_signal_loses_nothing(mirror: Mirror, tmp_path: Path) -> None:
    quiet = None  # the requests of an incremental run with nothing to do
    for point in range(POINTS):
        sig = SIGNALS[point % len(SIGNALS)]
        at = 0.3 + (mirror.duration - 0.3) * point / (POINTS - 1)
        db = tmp_path / f"p{point}.db"
        process = start(db, mirror.server.base_url)
        time.sleep(at)
        if process.poll() is None:
            if sig == signal.SIGKILL:
                os.killpg(process.pid, signal.SIGKILL)  # the crawl, its parser and its writer at once
            else:
                process.send_signal(sig)
        _, err = process.communicate(timeout=120)
        expected = {signal.SIGINT: EXIT_SIGINT, signal.SIGTERM: EXIT_SIGTERM, signal.SIGKILL: -9}[sig]
        # -SIGTERM: the signal came before Python set up any handler; a shell (cron) reports it as 143 too.
        allowed = (expected, 0, -signal.SIGTERM) if sig == signal.SIGTERM else (expected, 0)
        assert process.returncode in allowed, f"{sig.name} at {at:.1f}s: {process.returncode} {err[-500:]}"
        left = len(mirror.paths() - set(archived_paths(db))) if db.exists() else ARTICLES
        if sig != signal.SIGKILL and process.returncode == expected and runs(db):
            # Stopped once the run had begun: its record says how (before that, nothing had been written).
            assert runs(db)[-1] == (f"interrupted by {sig.name}", expected), err[-500:]
        made = recover(db, mirror)
        paths = archived_paths(db)
        assert len(paths) == len(set(paths)), "every article once"
        assert set(paths) == mirror.paths(), f"{sig.name} at {at:.1f}s left articles out"
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        assert query(db, "SELECT count(*) FROM url_state WHERE kind IN ('pending', 'failed')") == [(0,)]
        if quiet is None:
            mirror.server.clear_requests()
            assert crawl(db, mirror.server.base_url).returncode == 0
            quiet = len(mirror.server.requests)
        # Recovery fetches what was left (each article once, its AMP twin or old slug at most once more) on top of
        # what any incremental run reads; never the whole mirror again.
        assert made[0] <= quiet + 2 * left + 20, f"{sig.name} at {at:.1f}s: {made} requests for {left} articles left"


def test_a_since_backfill_then_a_plain_run_equals_a_full_crawl(mirror: Mirror, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    times = sorted(query(_reference(mirror), "SELECT published_at FROM articles"))
    since = times[len(times) // 2][0][:10]
    result = crawl(db, mirror.server.base_url, "--since", since)
    assert result.returncode == 0, result.stderr
    stored = query(db, "SELECT published_at FROM articles")
    assert stored and all(p >= f"{since}T00:00:00+07:00" for (p,) in stored), "--since bounds every source"
    assert 0 < len(stored) < ARTICLES
    pending = query(db, "SELECT count(*) FROM url_state WHERE kind = 'pending'")[0][0]
    assert pending > 0, "what --since left out stays pending"
    summary = subprocess.run(command("crawl", "--base-url", mirror.server.base_url, "--db", str(db), *LOOPBACK,
                                     "--since", since), capture_output=True, text=True, env=environment())  # fmt: skip
    assert summary.returncode == 0 and "articles still pending" in summary.stdout, summary.stdout
    wider = crawl(db, mirror.server.base_url, "--since", times[len(times) // 4][0][:10])
    assert wider.returncode == 0
    assert len(query(db, "SELECT 1 FROM articles")) > len(stored), "a wider --since fetches what it adds"
    recover(db, mirror)
    assert sorted(archived_paths(db)) == sorted(mirror.paths())
    assert query(db, "SELECT count(*) FROM url_state WHERE kind = 'pending'") == [(0,)]


def _reference(mirror: Mirror) -> Path:
    return Path(mirror.info.root).parent / "reference.db"


def test_an_article_taken_down_is_marked_gone_and_kept(tmp_path: Path) -> None:
    root = tmp_path / "site"
    info = generate_mirror(root, 40, seed=3, sitemap_size=15)
    db = tmp_path / "a.db"
    with ReplayServer(root) as server:
        assert crawl(db, server.base_url).returncode == 0
        victim = info.article_urls[-2]  # in the newest sitemap, which the next day's post changes
        advance_mirror(root, new=1, modified=0)  # the sitemaps are rebuilt (a new post): their lastmod moves
        manifest = root / "manifest.json"
        import json

        entries = json.loads(manifest.read_text())
        path = urlsplit(victim).path
        entries.pop(path, None)
        manifest.write_text(json.dumps(entries))
        for sitemap in root.glob("site/**/*sitemap*.xml"):
            text = sitemap.read_text()
            if victim in text:
                start_at = text.rfind("<url>", 0, text.index(victim))
                end_at = text.index("</url>", text.index(victim)) + len("</url>")
                sitemap.write_text(text[:start_at] + text[end_at:])
        server.load()
        result = crawl(db, server.base_url)
        assert result.returncode == 0, result.stderr
    rows = query(db, "SELECT gone_at FROM articles WHERE url LIKE ?", f"%{path}")
    assert len(rows) == 1 and rows[0][0], "the article stays, with the date it was seen gone"
    status = subprocess.run(command("status", "--db", str(db)), capture_output=True, text=True, env=environment())
    assert status.returncode == 0
    assert "taken down: 1 archived articles" in status.stdout and path in status.stdout
