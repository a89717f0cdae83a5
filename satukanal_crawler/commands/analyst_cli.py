"""The command lines of the analysts' commands (search, export, show, history, page, report, serve), for cli.py.

Only argparse here: each command's module (and what it imports, pyarrow for one) is loaded when that command
runs, so `satukanal crawl` starts no slower. Each help ends with examples (README "Exit statuses" lists the
statuses; tests/analysts/test_docs.py fails when a command is missing from the README).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from satukanal_crawler.commands.reading import add_filters

DB_HELP = "archive path (default: $SATUKANAL_DB or data/satukanal.db)"
COMMANDS = ("search", "export", "show", "history", "page", "report", "serve")


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def register(sub, date_type) -> None:
    """Add the analysts' subcommands to `satukanal`'s subparsers; each sets `run` for cli.main."""

    def command(name: str, help_: str, *examples: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(
            name, help=help_, description=help_[0].upper() + help_[1:] + ".", epilog=_examples(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        parser.add_argument("--db", help=DB_HELP)
        parser.set_defaults(run=f"satukanal_crawler.commands.{name}:run")
        return parser

    search = command(
        "search", "search the articles, best match first, with a snippet, date, channels and URL",
        "satukanal search --db data/demo.db kebakaran",
        'satukanal search --db data/demo.db "harga cabai" --since 2021-01-01 --channel ekonomi --format csv',
    )  # fmt: skip
    search.add_argument("query", help="words to find (any text; with --fts, an FTS5 expression)")
    mode = search.add_mutually_exclusive_group()
    mode.add_argument("--exact", action="store_true", help="only the words as written, not their other forms")
    mode.add_argument("--fts", action="store_true", help="the query is FTS5 syntax (OR, NOT, NEAR, title:word)")
    add_filters(search, date_type)
    search.add_argument("--limit", type=int, default=20, help="at most this many results (default 20; 0: all)")
    search.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                        help="output format (default: table)")  # fmt: skip

    export = command(
        "export", "export the articles (or the Baca Juga link graph) as CSV, JSON lines or Parquet",
        "satukanal export --db data/demo.db --out articles.parquet",
        "satukanal export --db data/demo.db --channel peristiwa --since 2021-04-01 --format jsonl > peristiwa.jsonl",
        "satukanal export --db data/demo.db --links --out links.csv",
    )  # fmt: skip
    export.add_argument("--format", choices=("csv", "jsonl", "parquet"),
                        help="output format (default: from the --out file's extension, else csv)")  # fmt: skip
    export.add_argument("--out", metavar="FILE", help="write to this file (default: standard output)")
    export.add_argument("--links", action="store_true",
                        help="the Baca Juga links as an edge list (source, target), not the articles")  # fmt: skip
    add_filters(export, date_type)

    ref = "the article: its id, its URL or any URL of it (alias, AMP, shortlink)"
    show = command(
        "show", "print one article as archived, with a line to cite it by",
        "satukanal show --db data/demo.db 3",
        "satukanal show --db data/demo.db https://satukanal.com/?p=2263 --format json",
    )  # fmt: skip
    show.add_argument("article", help=ref)
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    history = command(
        "history", "every version of an article, with a word-level diff between consecutive ones and its cause",
        "satukanal history --db data/demo.db 3",
        "satukanal history --db data/demo.db https://satukanal.com/some-slug/ --format json",
    )  # fmt: skip
    history.add_argument("article", help=ref)
    history.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    page = command(
        "page", "write an article's stored raw page exactly as it was served",
        "satukanal page --db data/demo.db 3 --out page.html",
        "satukanal page --db data/demo.db 3 --list",
        "satukanal page --db data/demo.db 3 --version 1 > first-capture.html",
    )  # fmt: skip
    page.add_argument("article", help=ref)
    page.add_argument("--version", type=int, metavar="N", help="the Nth capture, oldest first (default: the newest)")
    page.add_argument("--page-number", type=int, default=1, metavar="N",
                      help="page N of a multi-page article (default 1)")  # fmt: skip
    page.add_argument("--list", action="store_true", help="list the stored captures instead")
    page.add_argument("--out", metavar="FILE", help="write to this file (default: standard output)")

    report = command(
        "report", "write one self-contained HTML file of charts about the archive, each with its numbers",
        "satukanal report --db data/demo.db --out report.html",
        "satukanal report --db data/satukanal.db --since 2021-01-01 --until 2021-12-31 --out 2021.html",
    )  # fmt: skip
    report.add_argument("--out", metavar="FILE", default="report.html", help="the HTML file (default: report.html)")
    add_filters(report, date_type)

    serve = command(
        "serve", "browse the archive in Datasette, with the project's metadata, facets and canned queries",
        "satukanal serve --db data/demo.db",
        "satukanal serve --db data/satukanal.db --port 8002",
    )  # fmt: skip
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    serve.add_argument("--port", type=int, default=8001, help="port (default: 8001)")


def run(args: argparse.Namespace) -> int:
    """Run the command `args.run` names ("module:function")."""
    module, function = args.run.split(":")
    try:
        return getattr(importlib.import_module(module), function)(args)
    except BrokenPipeError:  # `satukanal export | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's advice: no second error when it flushes stdout at exit
        return 0
