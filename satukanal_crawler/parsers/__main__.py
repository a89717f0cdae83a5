"""`python -m satukanal_crawler.parsers FILE URL`: print one page's record as JSON (or `null`)."""

from __future__ import annotations

import argparse
import json
import sys

from satukanal_crawler.parsers import parse_article


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m satukanal_crawler.parsers",
        description="Parse one saved page into the contract's article record (JSON), or null.",
    )
    parser.add_argument("file", help="saved HTML page ('-' for standard input)")
    parser.add_argument("url", help="the URL the page was fetched from")
    parser.add_argument("--assume-article", action="store_true", help="skip the article/non-article decision")
    parser.add_argument("--content-type", help="the HTTP Content-Type header the page was served with")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    record = parse_article(data, args.url, assume_article=args.assume_article, content_type=args.content_type)
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
