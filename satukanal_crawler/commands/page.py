"""`satukanal page`: an article's raw page exactly as the portal served it, from the archive (no network).

The `pages` table keeps every distinct body of each page of an article (zlib-compressed, bytes as received, in
the charset the page declares), so a researcher can see what the parser saw, cite the page as it was, or open it
in a browser years after the portal changed it. Captures are numbered per page in the order the archive first
stored them: version 1 is the oldest, the default the newest.
"""

from __future__ import annotations

import argparse
import os
import sys
import zlib
from pathlib import Path

from satukanal_crawler.cli import EXIT_OK, UsageError
from satukanal_crawler.commands.reading import find_article, reading


def captures(conn, article_id: int, page_number: int) -> list:
    return conn.execute(
        "SELECT id, url, page_number, status, content_type, fetched_at, body_sha256, body FROM pages "
        "WHERE article_id = ? AND page_number = ? ORDER BY id",
        (article_id, page_number),
    ).fetchall()


def run(args: argparse.Namespace) -> int:
    with reading(Path(args.db)) as conn:
        article = find_article(conn, args.article)
        rows = captures(conn, article["id"], args.page_number)
        if not rows:
            pages = conn.execute("SELECT count(DISTINCT page_number) FROM pages WHERE article_id = ?",
                                 (article["id"],)).fetchone()[0]  # fmt: skip
            if pages:
                raise UsageError(f"article {article['id']} has no page {args.page_number} (it has {pages})")
            raise UsageError(f"article {article['id']} has no stored page (archived without raw pages)")
    if args.list:
        print(f"article {article['id']}: {article['title']}")
        for number, row in enumerate(rows, 1):
            size = len(zlib.decompress(row["body"]))
            print(
                f"  version {number}: fetched {row['fetched_at']}, HTTP {row['status']}, {size:,} bytes, "
                f"{row['content_type'] or 'no content type'}, sha256 {row['body_sha256'][:12]}, {row['url']}"
            )
        return EXIT_OK
    if args.version is not None and not 1 <= args.version <= len(rows):
        raise UsageError(f"--version {args.version}: page {args.page_number} of article {article['id']} has "
                         f"versions 1 to {len(rows)} (see --list)")  # fmt: skip
    row = rows[(args.version or len(rows)) - 1]
    body = zlib.decompress(row["body"])
    if args.out:
        target = Path(args.out)
        try:
            partial = target.with_name(f".{target.name}.part")
            partial.write_bytes(body)
            os.replace(partial, target)
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot write it ({exc.strerror or exc})") from None
        print(f"satukanal: wrote {len(body):,} bytes fetched {row['fetched_at']} from {row['url']} to {target}",
              file=sys.stderr)  # fmt: skip
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    return EXIT_OK
