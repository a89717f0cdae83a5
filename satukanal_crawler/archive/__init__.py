"""The SQLite archive: opening it safely, the crawl state it keeps, and one-line errors.

The archive is the single source of truth for incremental runs (which URLs are articles, which are not,
which failed and how often), so a lost Scrapy job folder never causes a full re-crawl or duplicates.
WAL mode with synchronous=FULL: readers (Datasette, `satukanal status`) never block the crawl, and a
crash or power loss loses at most the transaction in progress.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from satukanal_crawler.archive.schema import SCHEMA_VERSION, index_pending, migrate

__all__ = ["SCHEMA_VERSION", "Archive", "ArchiveError"]


class ArchiveError(Exception):
    """The archive cannot be used (corrupt, locked, unwritable, too new); the message is one line."""


def default_timeout() -> float:
    """Seconds to wait for another process's lock before giving up: $SATUKANAL_DB_TIMEOUT, else 30."""
    try:
        return max(0.0, float(os.environ.get("SATUKANAL_DB_TIMEOUT", "30")))
    except ValueError:
        return 30.0


class Archive:
    """An open archive database."""

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.before_commit: list = []  # writers with queued rows flush them here (ArticleStore.flush)
        self.on_rollback: list = []  # ... and forget them here (ArticleStore.discard)
        timeout = default_timeout() if timeout is None else timeout
        try:
            if readonly:
                if not self.path.exists():
                    raise ArchiveError(f"{self.path}: no archive here (run `satukanal crawl` first)")
                uri = f"file:{self.path.resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = FULL")
                self.migrated_from = migrate(self.conn)
                # Another process's write lock would otherwise surface mid-crawl, after the fetching:
                # find out now (WAL readers never hold it, so only a foreign writer makes this wait). The
                # same transaction indexes rows another program added to `articles` (see index_pending).
                self.conn.execute("BEGIN IMMEDIATE")
                self.commit()
            else:
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except ArchiveError:
            raise
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            raise ArchiveError(describe(self.path, exc)) from exc
        self.db = sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in it lands, or none of it does."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Abandon the transaction in progress, and whatever writers queued for it."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        for hook in self.on_rollback:
            hook()

    def commit(self) -> None:
        """Commit the transaction in progress, with the writes queued for it and its full-text entries."""
        for hook in self.before_commit:
            hook()
        index_pending(self.conn)
        self.conn.execute("COMMIT")

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- crawl state ------------------------------------------------------------------------------

    def known_urls(self) -> dict[str, tuple[int, str | None]]:
        """Every URL that leads to an archived article (canonical and aliases) -> (id, modified_at)."""
        known: dict[str, tuple[int, str | None]] = {}
        for row in self.conn.execute("SELECT id, url, modified_at, published_at FROM articles"):
            known[row["url"]] = (row["id"], row["modified_at"] or row["published_at"])
        for row in self.conn.execute(
            "SELECT a.url AS alias, r.id, r.modified_at, r.published_at "
            "FROM aliases a JOIN articles r ON r.id = a.article_id"
        ):
            known.setdefault(row["alias"], (row["id"], row["modified_at"] or row["published_at"]))
        return known

    def unresolved_link_targets(self) -> list[str]:
        """Baca Juga targets that lead to no archived article yet: a run can stop before it fetches them."""
        rows = self.conn.execute(
            "SELECT DISTINCT target_url FROM baca_juga WHERE target_article_id IS NULL ORDER BY target_url"
        )
        return [row[0] for row in rows]

    def url_states(self, kind: str) -> dict[str, sqlite3.Row]:
        return {row["url"]: row for row in self.conn.execute("SELECT * FROM url_state WHERE kind = ?", (kind,))}


def describe(path: Path, exc: BaseException) -> str:
    """A one-line, actionable description of why an archive could not be used."""
    text = str(exc).strip() or exc.__class__.__name__
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"{path}: the database is locked by another process ({text})"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"{path}: not a usable SQLite archive: {text} (restore it from a backup or move it aside)"
    if isinstance(exc, OSError) or "unable to open" in lowered or "readonly" in lowered:
        return f"{path}: cannot open the archive for writing: {text}"
    return f"{path}: {text}"
