"""What the analysts' commands share: opening an archive to read it, the article filters, finding one article.

They only read, so a crawl can run meanwhile (WAL). An archive of an older schema version is upgraded first, as
any crawler upgrades it when it opens it; after that it is opened read-only.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from satukanal_crawler.archive import Archive, ArchiveError, describe
from satukanal_crawler.archive.schema import SCHEMA_VERSION, current_version
from satukanal_crawler.cli import UsageError
from satukanal_crawler.urls import canonicalize_url


@contextmanager
def reading(db: Path) -> Iterator[sqlite3.Connection]:
    """The archive's connection, read-only; a query that fails on a damaged file is an ArchiveError (one line)."""
    if not db.exists():
        demo = Path("data/demo.db")
        hint = f"; `make crawl` made {demo}: --db {demo}" if demo.exists() and db != demo else ""
        raise ArchiveError(f"{db}: no archive here (run `satukanal crawl` first, or name one with --db{hint})")
    probe = Archive(db, readonly=True)
    try:
        outdated = current_version(probe.conn) < SCHEMA_VERSION
    except sqlite3.Error as exc:
        raise ArchiveError(describe(db, exc)) from exc
    finally:
        probe.close()
    if outdated:
        Archive(db).close()  # the upgrade, in one transaction
    archive = Archive(db, readonly=True)
    try:
        yield archive.conn
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(describe(db, exc)) from exc
    finally:
        archive.close()


def add_filters(parser: argparse.ArgumentParser, date_type) -> None:
    """The article filters every analysts' command takes."""
    parser.add_argument("--since", type=date_type, metavar="YYYY-MM-DD", help="published on or after this date")
    parser.add_argument("--until", type=date_type, metavar="YYYY-MM-DD", help="published on or before this date")
    parser.add_argument("--channel", action="append", default=[], metavar="NAME",
                        help="in this channel (category name or slug; repeat for any of several)")  # fmt: skip
    parser.add_argument("--reporter", metavar="NAME", help="reporter's name contains this (any case)")
    parser.add_argument("--site", metavar="HOST", help="articles of this site only (host name, e.g. satukanal.com)")


@dataclass
class Filters:
    """The filters as one SQL condition on `articles a`, with its parameters."""

    conditions: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "1"


def filters(conn: sqlite3.Connection, args: argparse.Namespace) -> Filters:
    """The SQL for the filters given; a channel the archive does not have is a UsageError naming those it has."""
    out = Filters()
    if args.since:
        out.conditions.append("a.published_at >= ?")
        out.params.append(args.since)
    if args.until:  # published_at starts with the date in WIB: everything before the next day
        out.conditions.append("a.published_at < ?")
        out.params.append((date.fromisoformat(args.until) + timedelta(days=1)).isoformat())
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    if args.channel:
        known = conn.execute("SELECT id, name, slug FROM categories ORDER BY name").fetchall()
        ids = []
        for wanted in args.channel:
            match = [row["id"] for row in known if wanted.casefold() in (row["name"].casefold(), row["slug"])]
            if not match:
                names = ", ".join(row["name"] for row in known) or "none yet"
                raise UsageError(f"no channel {wanted!r} in the archive (channels: {names})")
            ids += match
        marks = ", ".join("?" * len(ids))
        out.conditions.append(f"a.id IN (SELECT articles_id FROM articles_categories WHERE categories_id IN ({marks}))")
        out.params += ids
    if args.reporter:
        out.conditions.append("a.reporter LIKE ? ESCAPE '\\'")
        out.params.append("%" + args.reporter.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if args.site:
        host = urlsplit(args.site if "//" in args.site else f"//{args.site}").netloc.lower().removeprefix("www.")
        if not host:
            raise UsageError(f"--site takes a host name such as satukanal.com, got {args.site!r}")
        ends = ("/", ":") if ":" not in host else ("/",)  # any port, unless one is given
        patterns = [f"{scheme}://{www}{host}{end}%" for scheme in ("https", "http") for www in ("", "www.")
                    for end in ends]  # fmt: skip
        out.conditions.append("(" + " OR ".join("a.url LIKE ?" for _ in patterns) + ")")
        out.params += patterns
    return out


def find_article(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """The article a user names by id, canonical URL or any alias (a tracking or AMP variant included)."""
    row = None
    if ref.isdigit():
        row = conn.execute("SELECT * FROM articles WHERE id = ?", (int(ref),)).fetchone()
    else:
        for url in dict.fromkeys([ref, canonicalize_url(ref)]):
            row = conn.execute(
                "SELECT * FROM articles WHERE url = ? OR id = (SELECT article_id FROM aliases WHERE url = ?)",
                (url, url),
            ).fetchone()
            if row is not None:
                break
    if row is None:
        raise UsageError(f"no article {ref!r} in the archive (give its id, its URL or one of its aliases)")
    return row


def on_terminal(stream=None) -> bool:
    """Progress is shown only to a person: on a terminal, never on a pipe or in a file."""
    return (stream or sys.stderr).isatty()
