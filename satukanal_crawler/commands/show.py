"""`satukanal show`: one article as the archive holds it, with a line to cite it by.

The citation names what a reader needs to find the article again and to trust the copy: title, outlet,
reporter, publication date (WIB, as printed on the article), canonical URL, and when the archive fetched the
version shown. `--format json` prints the record `satukanal export` writes for it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from satukanal_crawler.cli import EXIT_OK
from satukanal_crawler.commands.export import ARTICLE_COLUMNS, _select
from satukanal_crawler.commands.reading import find_article, reading

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
OUTLETS = {"satukanal.com": "SATUKANAL.COM"}


def record(conn: sqlite3.Connection, article_id: int) -> dict:
    """The article's export record (export.py's columns)."""
    cursor = conn.execute(_select(ARTICLE_COLUMNS, False, "a.id = ?"), (article_id,))
    names = [d[0] for d in cursor.description]
    out = dict(zip(names, cursor.fetchone(), strict=True))
    for name, (_, kind) in ARTICLE_COLUMNS.items():
        if kind in ("list", "links"):
            out[name] = json.loads(out[name])
    return out


def _day(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def outlet(url: str) -> str:
    host = (urlsplit(url).netloc or url).lower().removeprefix("www.")
    return OUTLETS.get(host, host)


def citation(article: dict) -> str:
    """Reporter. "Title". Outlet, date. URL (archived date)."""
    byline = f"{article['reporter']}. " if article["reporter"] else ""
    return (f"{byline}\"{article['title']}\". {outlet(article['url'])}, {_day(article['published_at'])}. "
            f"{article['url']} (archived {_day(article['fetched_at'])}).")  # fmt: skip


def render(article: dict) -> str:
    fields = [("published", article["published_at"]), ("modified", article["modified_at"]),
              ("dateline", article["dateline"]), ("reporter", article["reporter"]), ("editor", article["editor"]),
              ("author", article["author"]), ("channels", ", ".join(article["categories"])),
              ("tags", ", ".join(article["tags"])), ("url", article["url"]),
              ("aliases", ", ".join(article["aliases"])), ("archived", f"first {article['first_seen_at']}, "
               f"last fetched {article['last_seen_at']}, {article['revisions']} earlier version(s)"),
              ("id", str(article["id"]))]  # fmt: skip
    lines = [article["title"], ""]
    lines += [f"{name + ':':11s}{value}" for name, value in fields if value]
    if article["summary"]:
        lines += ["", article["summary"]]
    lines += ["", article["body_text"]]
    if article["baca_juga"]:
        lines += ["", "Baca Juga:"] + [f"  {link['title']} <{link['url']}>" for link in article["baca_juga"]]
    lines += ["", "cite: " + citation(article)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    with reading(Path(args.db)) as conn:
        article = record(conn, find_article(conn, args.article)["id"])
    if args.format == "json":
        json.dump(article, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(render(article))
    return EXIT_OK
