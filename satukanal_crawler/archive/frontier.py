"""Reading the frontier while a crawl writes it: what a sitemap listed before, what is still missing.

The frontier is the `url_state` table (docs/schema.md): every article URL the crawl discovered, with its state
(pending, article, non_article, gone, failed, redirect) and where it was found. The crawl's own connection
belongs to its batches; these reads go through a connection of their own, which WAL mode lets read the last
committed state at any time without waiting for the writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# States of a URL that is not (or not yet) an archived article, as `satukanal status` reports them.
UNSETTLED = ("pending", "failed")
MISSING = ("pending", "failed", "non_article", "gone", "redirect")


class FrontierReader:
    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, isolation_level=None)

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
