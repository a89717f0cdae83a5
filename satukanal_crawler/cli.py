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

EXIT_OK = 0
EXIT_CRAWL_ERROR = 1  # unexpected failure inside the crawl (a bug): details in the log
EXIT_USAGE = 2  # bad arguments or configuration
EXIT_LOCKED = 3  # another run holds the archive's lock
EXIT_UNREACHABLE = 4  # the site was unreachable or blocked: nothing fetched
EXIT_CHECK_FAILED = 5  # the run finished but a monitoring check failed
EXIT_ARCHIVE = 6  # the archive is unusable (corrupt, unwritable, too new)

DEMO_PORT = 8765


class UsageError(Exception):
    """Bad arguments or configuration; the message is one line."""


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

    status = sub.add_parser("status", help="what the archive holds and how the last runs went")
    status.add_argument("--db", help="archive path (default: $SATUKANAL_DB or data/satukanal.db)")

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

            return run_status(Path(args.db or default_db()))
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
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
