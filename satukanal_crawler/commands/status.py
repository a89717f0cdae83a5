"""`satukanal status`: what the archive holds and how the last runs went, for a person or a cron mail."""

from __future__ import annotations

import json
from pathlib import Path

from satukanal_crawler.archive import Archive, ArchiveError, describe
from satukanal_crawler.cli import EXIT_ARCHIVE, EXIT_OK
from satukanal_crawler.terminal import safe

RUNS_SHOWN = 5


def run_status(db: Path, *, missing: bool = False) -> int:
    archive = Archive(db, readonly=True)
    try:
        print(missing_report(archive) if missing else report(archive))
        return EXIT_OK if archive.integrity_ok() else EXIT_ARCHIVE
    except Exception as exc:  # a damaged file can fail on any query: report it in one line
        if isinstance(exc, ArchiveError | BrokenPipeError):  # a closed pipe is the reader's choice, not damage
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
    lines.extend(coverage(conn))
    lines.append("")
    lines.append("articles per channel:")
    for row in conn.execute(
        "SELECT c.name, count(*) AS n, max(a.published_at) AS newest FROM categories c "
        "JOIN articles_categories ac ON ac.categories_id = c.id JOIN articles a ON a.id = ac.articles_id "
        "GROUP BY c.id ORDER BY n DESC, c.name"
    ):
        lines.append(f"  {row['n']:6d}  {row['name']}  (newest {row['newest']})")
    return "\n".join(map(safe, lines))  # names, URLs and errors come from pages: never raw to a terminal


def coverage(conn) -> list[str]:
    """What the archive lacks: the frontier's URLs that are not archived articles, by state and source; the URLs
    that failed, with their last error; the articles taken down; the sources not yet settled."""
    lines = [""]
    by_state: dict[str, dict[str, int]] = {}
    for kind, source, n in conn.execute(
        "SELECT kind, coalesce(source, '-'), count(*) FROM url_state WHERE kind IN ('pending', 'failed', "
        "'non_article', 'gone') GROUP BY 1, 2"
    ):
        by_state.setdefault(kind, {})[source] = n
    missing = sum(by_state.get("pending", {}).values()) + sum(by_state.get("failed", {}).values())
    lines.append(f"frontier: {missing} article URLs discovered and not archived yet "
                 f"(list them: satukanal status --missing)")  # fmt: skip
    for kind, label in (("pending", "pending"), ("failed", "failed"), ("non_article", "not articles"),
                        ("gone", "gone (404/410)")):  # fmt: skip
        sources = by_state.get(kind)
        if sources:
            detail = ", ".join(f"{source} {n}" for source, n in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])))
            lines.append(f"  {label}: {sum(sources.values())} ({detail})")
    failed = conn.execute(
        "SELECT count(*), max(attempts), sum(attempts >= ?) FROM url_state WHERE kind = 'failed'", (_max_attempts(),)
    ).fetchone()
    rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
    lines.append(f"failures: {failed[0]} URLs (most attempts: {failed[1] or 0}; {failed[2] or 0} given up), "
                 f"{rejects} rejected pages")  # fmt: skip
    for row in conn.execute(
        "SELECT url, attempts, error FROM url_state WHERE kind = 'failed' ORDER BY attempts DESC, url LIMIT 5"
    ):
        lines.append(f"  {row['url']} ({row['attempts']}x): {row['error']}")
    gone = conn.execute("SELECT count(*) FROM articles WHERE gone_at IS NOT NULL").fetchone()[0]
    lines.append(f"taken down: {gone} archived articles now answer 404/410 (kept in the archive)")
    for row in conn.execute(
        "SELECT url, gone_at FROM articles WHERE gone_at IS NOT NULL ORDER BY gone_at DESC, url LIMIT 5"
    ):
        lines.append(f"  {row['url']} (gone since {row['gone_at']})")
    unsettled = conn.execute(
        "SELECT found_in, count(*) AS n FROM url_state WHERE kind IN ('pending', 'failed') AND found_in IS NOT NULL "
        "GROUP BY found_in ORDER BY n DESC, found_in"
    ).fetchall()
    if unsettled:
        lines.append(f"sources not settled: {len(unsettled)} pages listed articles not archived yet")
        for row in unsettled[:5]:
            lines.append(f"  {row['found_in']}: {row['n']}")
    return lines


MISSING_COLUMNS = ("state", "source", "url", "found_in", "discovered_at", "attempts", "error")


def missing_report(archive: Archive) -> str:
    """Every URL the crawl discovered that is not an archived article, one per line, tab-separated (with a header):
    for a researcher's record of what the archive lacks, and why."""
    rows = archive.conn.execute(
        "SELECT kind, coalesce(source, ''), url, coalesce(found_in, ''), coalesce(discovered_at, ''), attempts, "
        "coalesce(error, '') FROM url_state WHERE kind IN ('pending', 'failed', 'non_article', 'gone') "
        "AND NOT (kind = 'gone' AND article_id IS NOT NULL) "
        "ORDER BY CASE kind WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 WHEN 'gone' THEN 2 ELSE 3 END, url"
    )
    lines = ["\t".join(MISSING_COLUMNS)]
    lines.extend("\t".join(safe(" ".join(str(v).split())) for v in row) for row in rows)  # page text, escaped
    return "\n".join(lines)


def _max_attempts() -> int:
    from satukanal_crawler.settings import SATUKANAL_MAX_URL_ATTEMPTS

    return SATUKANAL_MAX_URL_ATTEMPTS
