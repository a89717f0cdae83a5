"""Reading the frontier while a crawl writes it: what a sitemap listed before, what is still missing.

The frontier is the `url_state` table (docs/schema.md): every article URL the crawl discovered, with its state
(pending, article, non_article, gone, failed, redirect) and where it was found. The crawl's own connection
belongs to its batches; these reads go through a connection of their own, which WAL mode lets read the last
committed state at any time without waiting for the writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# States of a URL that is not (or not yet) an archived article, as `satukanal status` reports them.
UNSETTLED = ("pending", "failed")
MISSING = ("pending", "failed", "non_article", "gone", "redirect")


@dataclass(frozen=True)
class UrlInfo:
    """What the archive knows of one URL, for the spider's decision to fetch it."""

    archived: bool  # it leads to an archived article (its canonical URL or an alias)
    time: str | None  # the time to compare with a sitemap lastmod: the URL's own, else the article's
    kind: str | None  # its state in the frontier (url_state.kind), if it has a row
    redirect_to: str | None
    fetched_at: str | None = None  # when the URL was last fetched (url_state.last_fetched_at)
    attempts: int = 0  # failed: runs in a row it failed; non_article: times it was looked at again


_UNKNOWN = UrlInfo(False, None, None, None)
_LOOKUP = (
    "SELECT j.value, a.id IS NOT NULL OR al.url IS NOT NULL, "
    "CASE WHEN s.kind = 'article' AND s.lastmod IS NOT NULL THEN s.lastmod "
    "ELSE coalesce(a.modified_at, a.published_at, r.modified_at, r.published_at) END, s.kind, s.redirect_to, "
    "s.last_fetched_at, coalesce(s.attempts, 0) "
    "FROM json_each(?) j LEFT JOIN articles a ON a.url = j.value LEFT JOIN aliases al ON al.url = j.value "
    "LEFT JOIN articles r ON r.id = al.article_id LEFT JOIN url_state s ON s.url = j.value"
)
_BATCH = 500
_CACHE_MAX = 50_000


class FrontierReader:
    """The archive's answers about URLs, asked for in batches as listings arrive, never loaded whole: a run's
    memory and start-up do not grow with the archive (only with what it lists, and with what is pending)."""

    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, isolation_level=None)
        self._cache: dict[str, UrlInfo] = {}

    def prefetch(self, urls: Iterable[str]) -> None:
        """Ask about these URLs in a few queries (a listing's worth), ahead of `info` for each."""
        todo = [url for url in dict.fromkeys(urls) if url not in self._cache]
        if len(self._cache) + len(todo) > _CACHE_MAX:
            self._cache.clear()  # what one listing asked about is all a decision needs
        for start in range(0, len(todo), _BATCH):
            chunk = todo[start : start + _BATCH]
            for url in chunk:
                self._cache[url] = _UNKNOWN
            for url, archived, time, kind, redirect_to, fetched_at, attempts in self._conn.execute(
                _LOOKUP, (json.dumps(chunk),)
            ):
                self._cache[url] = UrlInfo(bool(archived), time, kind, redirect_to, fetched_at, attempts)

    def info(self, url: str) -> UrlInfo:
        found = self._cache.get(url)
        if found is None:
            self.prefetch([url])
            found = self._cache[url]
        return found

    def states(self, kind: str) -> list[sqlite3.Row]:
        """The frontier's rows in one state (the pending and the failed are what a run starts from)."""
        conn = self._conn
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute("SELECT * FROM url_state WHERE kind = ? ORDER BY url", (kind,)).fetchall()
        finally:
            conn.row_factory = None

    def listed_in(self, found_in: str, *, kind: str) -> list[str]:
        """URLs first found in the page `found_in` (a sitemap) that are now in state `kind`."""
        rows = self._conn.execute("SELECT url FROM url_state WHERE found_in = ? AND kind = ?", (found_in, kind))
        return [row[0] for row in rows]

    def close(self) -> None:
        self._conn.close()


def pending_count(conn: sqlite3.Connection, max_attempts: int) -> int:
    """Article URLs still to fetch: pending ones, and failed ones with attempts left."""
    return conn.execute(
        "SELECT count(*) FROM url_state WHERE kind = 'pending' OR (kind = 'failed' AND attempts < ?)", (max_attempts,)
    ).fetchone()[0]
