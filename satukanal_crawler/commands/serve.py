"""`satukanal serve`: Datasette on an archive, with the project's metadata, whatever the file is called.

Datasette applies a metadata file's database section by the database's name, which is the file's stem; the
project's metadata (datasette/metadata.json) describes `satukanal`, the default archive. So the section is bound
here to the archive being served (`demo` for data/demo.db), written to a temporary file, and Datasette is
started with it and with settings for an archive of long texts:

- cells are cut at TRUNCATE characters in HTML tables (a body is thousands), the full text a click away;
- arbitrary and canned queries return up to MAX_ROWS rows (Datasette's default is 1,000) and Datasette says when
  a result is cut; the link graph is a view (`link_graph`), whose CSV streams every row;
- queries may run SQL_TIME_LIMIT ms, facets FACET_TIME_LIMIT ms (an archive of 100,000 articles needs more than
  Datasette's defaults for a facet over a view).
Datasette opens the archive read-only, so it can stay open during a crawl.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from satukanal_crawler.cli import EXIT_OK
from satukanal_crawler.commands.reading import reading

METADATA = Path(__file__).resolve().parents[2] / "datasette" / "metadata.json"
TRUNCATE = 300
MAX_ROWS = 50_000
SQL_TIME_LIMIT = 10_000
FACET_TIME_LIMIT = 2_000


def metadata_for(db: Path) -> dict:
    """The project's metadata, its database section bound to `db`'s name in Datasette."""
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    [section] = metadata["databases"].values()
    metadata["databases"] = {db.stem: section}
    return metadata


def command(db: Path, metadata: Path, host: str, port: int) -> list[str]:
    settings = {"truncate_cells_html": TRUNCATE, "max_returned_rows": MAX_ROWS, "sql_time_limit_ms": SQL_TIME_LIMIT,
                "facet_time_limit_ms": FACET_TIME_LIMIT}  # fmt: skip
    out = [sys.executable, "-m", "datasette", "serve", str(db), "--metadata", str(metadata), "--host", host,
           "--port", str(port)]  # fmt: skip
    for name, value in settings.items():
        out += ["--setting", name, str(value)]
    return out


def run(args: argparse.Namespace) -> int:
    db = Path(args.db)
    with reading(db):  # exists, is an archive, and is at the current schema version (the views are there)
        pass
    with tempfile.TemporaryDirectory(prefix="satukanal-serve-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(db), ensure_ascii=False), encoding="utf-8")
        print(f"satukanal: serving {db} at http://{args.host}:{args.port}/{db.stem} (Ctrl-C stops it)",
              file=sys.stderr)  # fmt: skip
        try:
            return subprocess.run(command(db, metadata, args.host, args.port), check=False).returncode or EXIT_OK
        except KeyboardInterrupt:
            return EXIT_OK
