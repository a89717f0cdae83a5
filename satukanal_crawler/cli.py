"""The `satukanal` command (also `python -m satukanal_crawler`): crawl, re-parse, status, inspect.

Errors a user can act on (bad arguments, an unusable archive) are one line on stderr and a distinct
exit status (README: "Exit statuses"), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from satukanal_crawler.archive import ArchiveError
from satukanal_crawler.exits import (  # noqa: F401  (re-exported: the commands import them from here)
    EXIT_ARCHIVE,
    EXIT_CHECK_FAILED,
    EXIT_CRAWL_ERROR,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    UsageError,
)

DEMO_PORT = 8765


def _since(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name.strip(), val


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as argparse does, without the usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="satukanal", description="Archive crawler for SATUKANAL.COM.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    crawl = sub.add_parser("crawl", help="crawl the portal (or the bundled offline mirror) into the archive")
    crawl.add_argument("--base-url", help="portal origin (default: $SATUKANAL_BASE_URL or https://satukanal.com)")
    crawl.add_argument("--db", help="archive path (default: $SATUKANAL_DB or data/satukanal.db)")
    crawl.add_argument("--full", action="store_true", help="re-crawl everything, not only what is new or changed")
    crawl.add_argument("--since", type=_since, metavar="YYYY-MM-DD",
                       help="only articles published since this date")  # fmt: skip
    crawl.add_argument("--sources", default="feeds,channels,sitemaps",
                       help="discovery sources, comma-separated (default: feeds,channels,sitemaps)")  # fmt: skip
    crawl.add_argument("--demo", action="store_true",
                       help="crawl the bundled offline mirror (no network; archive data/demo.db)")  # fmt: skip
    crawl.add_argument("-s", "--set", dest="settings", type=_setting, action="append", default=[],
                       metavar="NAME=VALUE", help="override a Scrapy setting, as with `scrapy crawl -s`")  # fmt: skip
    crawl.add_argument("-q", "--quiet", action="store_true", help="print nothing on success (for cron)")

    reparse = sub.add_parser("reparse", help="rebuild every article from the stored raw pages (no network)")
    reparse.add_argument("--db", help="archive path (default: $SATUKANAL_DB or data/satukanal.db)")
    reparse.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    status = sub.add_parser("status", help="what the archive holds and lacks, and how the last runs went",
                            epilog="example: satukanal status --db data/demo.db --missing > missing.tsv")  # fmt: skip
    status.add_argument("--db", help="archive path (default: $SATUKANAL_DB or data/satukanal.db)")
    status.add_argument("--missing", action="store_true",
                        help="list every discovered URL that is not an archived article, tab-separated")  # fmt: skip

    inspect = sub.add_parser(
        "inspect",
        help="one page's record and the signal each field came from (no archive touched)",
        description="Parse one page (a saved file, or a URL fetched with one GET) into the article record "
        "and show, for each field, the signal it came from: json-ld, meta, a theme class or markup, "
        "visible text, or the library fallback.",
        epilog="example: satukanal inspect https://satukanal.com/some-article/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inspect.add_argument("target", metavar="FILE|URL", help="a saved HTML page, or an http(s) URL to fetch")
    inspect.add_argument("--url", help="the page's URL, for a saved FILE (resolves relative links)")
    inspect.add_argument("--assume-article", action="store_true", help="skip the article/non-article decision")
    inspect.add_argument("--json", action="store_true", help="print {record, sources} as JSON")

    from satukanal_crawler.commands import analyst_cli  # search, export, show, history, page, report, serve

    analyst_cli.register(sub, _since)
    return parser


def default_db() -> str:
    return os.environ.get("SATUKANAL_DB", "data/satukanal.db")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "crawl":
            from satukanal_crawler.commands.crawl import run_crawl

            return run_crawl(args)
        if args.command == "reparse":
            from satukanal_crawler.commands.reparse import run_reparse

            return run_reparse(Path(args.db or default_db()), quiet=args.quiet)
        if args.command == "status":
            from satukanal_crawler.commands.status import run_status

            return run_status(Path(args.db or default_db()), missing=args.missing)
        if getattr(args, "run", None):  # the analysts' commands (commands/analyst_cli.py)
            from satukanal_crawler.commands import analyst_cli

            args.db = args.db or default_db()
            return analyst_cli.run(args)
        if args.command == "inspect":
            from satukanal_crawler.commands.inspect import InspectError, run_inspect

            try:
                return run_inspect(
                    args.target,
                    args.url,
                    assume_article=args.assume_article,
                    as_json=args.json,
                    usage_status=EXIT_USAGE,
                    unreachable_status=EXIT_UNREACHABLE,
                )
            except InspectError as exc:
                print(f"satukanal: error: {exc}", file=sys.stderr)
                return exc.status
    except UsageError as exc:
        print(f"satukanal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as exc:
        print(f"satukanal: error: {exc}", file=sys.stderr)
        return EXIT_ARCHIVE
    except KeyboardInterrupt:
        print("satukanal: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except BrokenPipeError:  # `satukanal status | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush does not fail again
        return EXIT_PIPE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
