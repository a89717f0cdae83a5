"""`satukanal reparse`: rebuild every article from its stored raw pages with the current parser.

No network: the `pages` table holds each fetched response as received. Items are built exactly as the
spider builds them (`assemble`) and go through the same normalisation and storage code, so the result
equals what a fresh crawl of the same pages would store; what changed is kept as revisions with
cause "reparse".
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import Counter
from pathlib import Path

from pipelines.normalize import normalise
from pipelines.validate import problems
from satukanal_crawler import dates
from satukanal_crawler.archive import Archive
from satukanal_crawler.archive.store import ArticleStore, fingerprint
from satukanal_crawler.assemble import assemble
from satukanal_crawler.cli import EXIT_LOCKED, EXIT_OK
from satukanal_crawler.exits import UsageError
from satukanal_crawler.items import PageCapture
from satukanal_crawler.lock import ArchiveLock, LockHeld
from satukanal_crawler.parsers import parse_page

BATCH = 200


def latest_pages(archive: Archive, article_id: int) -> list[PageCapture]:
    """The newest stored capture of each page of an article, in page order.

    Pages of a re-post (a later copy under another URL, kept as an alias) are stored with the article
    they copy but are not its pages: read as the article, they would move it to the re-post's URL.
    """
    chosen: dict[int, PageCapture] = {}
    for row in archive.conn.execute(
        "SELECT url, status, headers, fetched_at, page_number, body FROM pages WHERE article_id = ? "
        "AND url NOT IN (SELECT url FROM aliases WHERE article_id = ? AND reason = 'repost') "
        "ORDER BY page_number, fetched_at DESC, id DESC",
        (article_id, article_id),
    ):
        if row["page_number"] not in chosen:
            chosen[row["page_number"]] = PageCapture(
                row["url"], row["status"], json.loads(row["headers"]), zlib.decompress(row["body"]),
                row["fetched_at"], row["page_number"],
            )  # fmt: skip
    return [chosen[n] for n in sorted(chosen)]


def run_reparse(db: Path, *, quiet: bool = False) -> int:
    if not db.is_file():
        raise UsageError(f"{db}: no archive here (reparse rebuilds an existing archive; run `satukanal crawl` first)")
    try:
        lock = ArchiveLock(db).acquire()
    except LockHeld as exc:
        print(f"satukanal: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    try:
        with Archive(db) as archive:
            counts = reparse(archive)
    finally:
        lock.release()
    if not quiet:
        print(
            f"satukanal: re-parsed {sum(counts.values())} articles from stored pages: "
            + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        )
    return EXIT_OK


def reparse(archive: Archive) -> Counter[str]:
    store = ArticleStore(archive)
    counts: Counter[str] = Counter()
    try:
        _reparse_all(store, archive, counts)
    finally:
        store.close()
    return counts


def _reparse_all(store: ArticleStore, archive: Archive, counts: Counter[str]) -> None:
    rows = archive.conn.execute("SELECT id, fetched_at FROM articles ORDER BY id").fetchall()
    progress = sys.stderr.isatty()  # a person is watching; nothing on a pipe or in cron's mail
    for start in range(0, len(rows), BATCH):
        with archive.transaction():
            for row in rows[start : start + BATCH]:
                counts[_reparse_one(store, archive, row["id"], row["fetched_at"])] += 1
        if progress:
            sys.stderr.write(f"\rre-parsed {min(start + BATCH, len(rows)):,} of {len(rows):,} articles")
            sys.stderr.flush()
    if progress and rows:
        sys.stderr.write("\n")


def _reparse_one(store: ArticleStore, archive: Archive, article_id: int, fetched_at: str) -> str:
    captures = latest_pages(archive, article_id)
    if not captures:
        return "without stored pages"
    parts = []
    for capture in captures:
        parsed = parse_page(capture.body, capture.url, assume_article=True, content_type=capture.content_type)
        if parsed is None:
            return "unparseable"
        parts.append((parsed.record, parsed.body_html, capture))
    item = assemble(parts, source="reparse")
    item.fingerprint = fingerprint(item)  # of the parse, as a crawl takes it (pipelines/unchanged.py)
    normalise(item)
    if problems(item):
        return "invalid (kept as stored)"
    item.pages = []  # the raw pages are what we read: nothing new to store
    item.fetched_at = fetched_at
    item.article_id, item.match_reason = article_id, "url"
    return store.save(item, dates.now_wib(), cause="reparse")
