"""`satukanal status`: what the archive holds and how the last runs went, for a person or a cron mail."""

from __future__ import annotations

import json
from pathlib import Path

from satukanal_crawler.archive import Archive, ArchiveError, describe
from satukanal_crawler.cli import EXIT_ARCHIVE, EXIT_OK
from satukanal_crawler.terminal import safe

RUNS_SHOWN = 5


def run_status(db: Path) -> int:
    archive = Archive(db, readonly=True)
    try:
        print(report(archive))
        return EXIT_OK if archive.integrity_ok() else EXIT_ARCHIVE
    except Exception as exc:  # a damaged file can fail on any query: report it in one line
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(describe(db, exc)) from exc
    finally:
        archive.close()


def report(archive: Archive) -> str:
    """The status report, each line escaped for a terminal (`terminal.safe`)."""
    conn = archive.conn
    lines = [f"archive: {archive.path}"]
    total, newest, oldest = conn.execute(
        "SELECT count(*), max(published_at), min(published_at) FROM articles"
    ).fetchone()
    aliases = conn.execute("SELECT count(*) FROM aliases").fetchone()[0]
    revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
    lines.append(f"articles: {total} ({aliases} aliases, {revisions} revisions); "
                 f"published {oldest or '-'} .. {newest or '-'}")  # fmt: skip
    lines.append(f"integrity check: {'ok' if archive.integrity_ok() else 'FAILED'}")
    lines.append("")
    lines.append(f"last runs (newest first, up to {RUNS_SHOWN}):")
    rows = conn.execute(
        "SELECT id, started_at, finished_at, outcome, stats, checks FROM crawl_runs ORDER BY id DESC LIMIT ?",
        (RUNS_SHOWN,),
    ).fetchall()
    if not rows:
        lines.append("  (none)")
    for row in rows:
        stats = json.loads(row["stats"] or "{}")
        failed = [c for c in json.loads(row["checks"] or "[]") if not c["ok"]]
        lines.append(
            f"  #{row['id']} {row['started_at']} -> {row['finished_at'] or '(no end: still running or killed)'} "
            f"{row['outcome']}: {stats.get('downloader/response_count', 0)} pages, "
            f"{stats.get('satukanal/articles/new', 0)} new, {stats.get('satukanal/articles/updated', 0)} updated, "
            f"{stats.get('satukanal/urls/failed', 0)} failed"
        )
        for check in failed:
            lines.append(f"      check {check['name']}: {check['detail']}")
    pending = conn.execute("SELECT count(*), max(attempts) FROM url_state WHERE kind = 'failed'").fetchone()
    rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
    lines.append("")
    lines.append(f"pending failures: {pending[0]} URLs to retry (most attempts: {pending[1] or 0}), "
                 f"{rejects} rejected pages")  # fmt: skip
    for row in conn.execute(
        "SELECT url, attempts, error FROM url_state WHERE kind = 'failed' ORDER BY attempts DESC, url LIMIT 5"
    ):
        lines.append(f"  {row['url']} ({row['attempts']}x): {row['error']}")
    lines.append("")
    lines.append("articles per channel:")
    for row in conn.execute(
        "SELECT c.name, count(*) AS n, max(a.published_at) AS newest FROM categories c "
        "JOIN articles_categories ac ON ac.categories_id = c.id JOIN articles a ON a.id = ac.articles_id "
        "GROUP BY c.id ORDER BY n DESC, c.name"
    ):
        lines.append(f"  {row['n']:6d}  {row['name']}  (newest {row['newest']})")
    return "\n".join(map(safe, lines))  # names, URLs and errors come from pages: never raw to a terminal
