"""`satukanal export`: the articles (or the Baca Juga link graph) as CSV, JSON lines or Parquet, for any tool.

One record per article: the contract record's fields in its order (categories, tags and Baca Juga links as
arrays), then what the archive knows of where it came from (id, aliases, first and last fetch, content hash,
number of revisions, the crawl run that fetched the stored version). Rows are read and written a batch at a
time in publication order (the published_at index, no sort), so memory does not grow with the archive.
Parquet goes through pyarrow, with real list and struct columns, so pandas, DuckDB, Polars and R's arrow read
the arrays as arrays. A file is written beside its name and renamed when complete: an interrupted export leaves
no half file behind.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from satukanal_crawler.cli import EXIT_OK, UsageError
from satukanal_crawler.commands.reading import filters, on_terminal, reading
from satukanal_crawler.parsers import FIELDS as RECORD_FIELDS

BATCH = 2_000
FORMATS = ("csv", "jsonl", "parquet")

_NAMES = "SELECT json_group_array(name) FROM (SELECT t.name FROM {link} x JOIN {table} t ON t.id = x.{table}_id " \
    "WHERE x.articles_id = a.id ORDER BY t.name)"  # fmt: skip
# The SQL of each exported column, and its kind: int, str, list (of strings) or links (list of {url, title}).
ARTICLE_COLUMNS: dict[str, tuple[str, str]] = {
    "url": ("a.url", "str"),
    "wp_post_id": ("a.wp_post_id", "int"),
    "title": ("a.title", "str"),
    "dateline": ("a.dateline", "str"),
    "published_at": ("a.published_at", "str"),
    "modified_at": ("a.modified_at", "str"),
    "reporter": ("a.reporter", "str"),
    "editor": ("a.editor", "str"),
    "author": ("a.author", "str"),
    "categories": (_NAMES.format(link="articles_categories", table="categories"), "list"),
    "tags": (_NAMES.format(link="articles_tags", table="tags"), "list"),
    "summary": ("a.summary", "str"),
    "image_url": ("a.image_url", "str"),
    "body_text": ("a.body_text", "str"),
    "baca_juga": ("SELECT json_group_array(json_object('url', url, 'title', title)) FROM "
                  "(SELECT url, title FROM baca_juga WHERE article_id = a.id ORDER BY position)", "links"),
    # provenance
    "id": ("a.id", "int"),
    "aliases": ("SELECT json_group_array(url) FROM (SELECT url FROM aliases WHERE article_id = a.id ORDER BY url)",
                "list"),
    "first_seen_at": ("a.first_seen_at", "str"),
    "last_seen_at": ("a.last_seen_at", "str"),
    "fetched_at": ("a.fetched_at", "str"),
    "content_hash": ("a.content_hash", "str"),
    "word_count": ("a.word_count", "int"),
    "page_count": ("a.page_count", "int"),
    "revisions": ("SELECT count(*) FROM revisions WHERE article_id = a.id", "int"),
    "run_id": ("SELECT max(id) FROM crawl_runs WHERE started_at <= a.fetched_at", "int"),
}  # fmt: skip
assert list(ARTICLE_COLUMNS)[: len(RECORD_FIELDS)] == list(RECORD_FIELDS), "the contract's fields come first"

# The link graph is the archive's `link_graph` view (schema.py), the one Datasette shows.
LINK_COLUMNS: dict[str, tuple[str, str]] = {
    name: (f"g.{name}", kind) for name, kind in (
        ("source_id", "int"), ("source_url", "str"), ("source_published_at", "str"), ("position", "int"),
        ("title", "str"), ("url", "str"), ("target_url", "str"), ("target_id", "int"), ("target_title", "str"))
}  # fmt: skip


def _select(columns: dict[str, tuple[str, str]], links: bool, where: str) -> str:
    parts = [f"({sql}) AS {name}" if sql.startswith("SELECT") else f"{sql} AS {name}" for name, (sql, _) in
             columns.items()]  # fmt: skip
    if links:
        return (f"SELECT {', '.join(parts)} FROM link_graph g JOIN articles a ON a.id = g.source_id WHERE {where} "
                "ORDER BY a.published_at, a.id, g.position")  # fmt: skip
    return f"SELECT {', '.join(parts)} FROM articles a WHERE {where} ORDER BY a.published_at, a.id"


def records(conn: sqlite3.Connection, args: argparse.Namespace) -> tuple[int, Iterator[list[dict]]]:
    """How many records the export holds, and the records, a batch at a time, arrays decoded."""
    where = filters(conn, args)
    columns = LINK_COLUMNS if args.links else ARTICLE_COLUMNS
    source = "articles a JOIN baca_juga b ON b.article_id = a.id" if args.links else "articles a"
    total = conn.execute(f"SELECT count(*) FROM {source} WHERE {where.sql}", where.params).fetchone()[0]
    arrays = [name for name, (_, kind) in columns.items() if kind in ("list", "links")]

    def batches() -> Iterator[list[dict]]:
        cursor = conn.execute(_select(columns, args.links, where.sql), where.params)
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(BATCH):
            batch = [dict(zip(names, row, strict=True)) for row in rows]
            for record in batch:
                for name in arrays:
                    record[name] = json.loads(record[name])
            yield batch

    return total, batches()


def _arrow_schema(columns: dict[str, tuple[str, str]]):
    import pyarrow as pa

    kinds = {"int": pa.int64(), "str": pa.string(), "list": pa.list_(pa.string()),
             "links": pa.list_(pa.struct([("url", pa.string()), ("title", pa.string())]))}  # fmt: skip
    return pa.schema([(name, kinds[kind]) for name, (_, kind) in columns.items()])


class _Progress:
    """`exported N of M` on stderr, rewritten in place, only on a terminal."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.done = total, what, 0
        self.shown = on_terminal()
        self.started = self.last = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.shown and (now - self.last > 0.2 or self.done == self.total):
            self.last = now
            sys.stderr.write(f"\rexported {self.done:,} of {self.total:,} {self.what}")
            sys.stderr.flush()

    def end(self) -> None:
        if self.shown and self.done:
            sys.stderr.write("\n")


def export(conn: sqlite3.Connection, args: argparse.Namespace, out) -> int:
    """Write the export to `out` (a binary file); returns the number of records."""
    total, batches = records(conn, args)
    columns = LINK_COLUMNS if args.links else ARTICLE_COLUMNS
    progress = _Progress(total, "links" if args.links else "articles")
    try:
        if args.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = _arrow_schema(columns)
            with pq.ParquetWriter(out, schema, compression="zstd") as writer:
                for batch in batches:
                    writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                    progress.add(len(batch))
                if not progress.done:
                    writer.write_table(schema.empty_table())
        else:
            import io

            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
            try:
                if args.format == "csv":
                    writer = csv.writer(text, lineterminator="\n")
                    writer.writerow(columns)
                    arrays = [i for i, (_, kind) in enumerate(columns.values()) if kind in ("list", "links")]
                    for batch in batches:
                        for record in batch:
                            row = list(record.values())
                            for i in arrays:
                                row[i] = json.dumps(row[i], ensure_ascii=False)
                            writer.writerow(row)
                        progress.add(len(batch))
                else:
                    for batch in batches:
                        text.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in batch)
                        progress.add(len(batch))
            finally:
                text.flush()
                text.detach()
    finally:
        progress.end()
    return progress.done


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
        if suffix in ("json", "ndjson"):
            return "jsonl"
        raise UsageError(f"cannot tell the format from {args.out!r}: add --format csv, jsonl or parquet")
    return "csv"


def run(args: argparse.Namespace) -> int:
    args.format = _format(args)
    if args.format == "parquet" and not args.out and sys.stdout.isatty():
        raise UsageError("Parquet is binary: write it to a file with --out FILE.parquet")
    with reading(Path(args.db)) as conn:
        if not args.out:
            sys.stdout.flush()
            count = export(conn, args, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return EXIT_OK
        target = Path(args.out)
        if not target.parent.is_dir():
            raise UsageError(f"--out {args.out}: no folder {target.parent}")
        partial = target.with_name(f".{target.name}.part")
        try:
            with open(partial, "wb") as file:
                count = export(conn, args, file)
            os.replace(partial, target)
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot write it ({exc.strerror or exc})") from None
        finally:
            with suppress(FileNotFoundError):
                partial.unlink()
    print(f"satukanal: exported {count:,} {'links' if args.links else 'articles'} to {target}", file=sys.stderr)
    return EXIT_OK
