"""Archive write speed, size on disk and full-text search latency, through the real pipelines.

    .venv/bin/python bench/store.py [--items 20000] [--keep DIR]

20,000 synthetic articles, made from the bundled snapshot's expected records (each with its own URL, post id,
title, dates, Baca Juga links to other synthetic articles, the snapshot's categories plus one of 500 tags, and
the body paragraphs in a different order plus one paragraph of its own), go through the article pipelines of
ITEM_PIPELINES exactly as a crawl sends them (validate, unchanged, normalize, dedupe, store; a stand-in
crawler object carries the settings and stats) into a fresh archive with its FTS index. The same items are
then pushed again as a second run, where every one is already archived and unchanged. This is done twice: with
the raw page of each article (the snapshot page's bytes, as the crawler keeps them) and without. Finally 100
full-text queries (words, word pairs, phrases and prefixes from the corpus) run the search query of
docs/schema.md; the median latency is reported. The parsed items are also stored once into an archive without the
stemmed search index (articles_fts_stemmed, dropped before the run), for what that index costs in write speed
and size (its share of the file is measured with SQLite's dbstat).

Full batches are committed by the archive's writer process while the next is gathered, as in a crawl
(SATUKANAL_COMMIT_IN_BACKGROUND; `--foreground` commits in the benchmark's own process instead); the
writer is started before the clock, as a crawl starts it when the spider opens.

Targets: at least 5,000 new items/s with FTS on; at least 20,000 items/s when every item is already
archived and unchanged. They are for parsed items, the first pair of figures. The second pair shows what
keeping each article's raw page adds (it is hashed and zlib-compressed, which alone takes longer per article
than everything else: the compression time per page is printed with it); it has no target. Item construction
is not timed; everything the pipelines do is, the final commit included.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from pipelines.store import StoragePipeline
from satukanal_crawler import dates, settings
from satukanal_crawler.archive.session import close_store
from satukanal_crawler.archive.store import PAGE_ZLIB_LEVEL
from satukanal_crawler.items import ArticleItem, PageCapture

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "satukanal_crawler" / "mirror" / "portal"
EXPECTED = ROOT / "tests" / "fixtures" / "portal" / "expected"
ORIGIN = "https://satukanal.com"
HEADERS = {"Content-Type": ["text/html; charset=UTF-8"], "Server": ["nginx"]}
NEW_TARGET = 5_000
UNCHANGED_TARGET = 20_000
SEARCH_SQL = """
SELECT a.id, a.published_at, a.title, snippet(articles_fts, 1, '[', ']', ' … ', 12) AS excerpt
FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20
"""


def snapshot() -> list[tuple[dict, bytes]]:
    """The snapshot's article records with the raw bytes of their pages."""
    manifest = json.loads((PORTAL / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for path in sorted(EXPECTED.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        out.append((record, (PORTAL / manifest[f"/{path.stem}/"]["file"]).read_bytes()))
    return out


def synthetic_items(
    count: int, *, with_pages: bool, seed: int = 7, start: int = 0, total: int | None = None
) -> list[ArticleItem]:
    """`count` distinct, realistic articles (deterministic for a seed): a fresh list for every run. `start` and
    `total` make the slice [start, start + count) of a larger archive of `total`, built a slice at a time."""
    base = snapshot()
    rng = random.Random(seed + start)
    first = datetime(2019, 1, 1, 6, 0, tzinfo=dates.WIB)
    fetched = "2026-01-05T08:00:00+07:00"
    total = total or count
    items = []
    for i in range(start, start + count):
        record, page = base[i % len(base)]
        record = json.loads(json.dumps(record))
        slug = record["url"].rstrip("/").rsplit("/", 1)[1]
        url = f"{ORIGIN}/{slug}-{i}/"
        paragraphs = record["body_text"].split("\n\n")
        shift = i % len(paragraphs)
        paragraphs = paragraphs[shift:] + paragraphs[:shift]
        paragraphs.insert(1, f"Laporan nomor {i} dari meja redaksi, pembaruan {rng.randrange(10**6)}.")
        published = first + timedelta(minutes=97 * i)
        links = [j for j in (i - 1, i - 7, i + 3) if 0 <= j < total]  # i + 3: a target that arrives later
        base_slugs = [b[0]["url"].rstrip("/").rsplit("/", 1)[1] for b in base]
        record.update(
            url=url,
            wp_post_id=100_000 + i,
            title=f"{record['title']} ({i})",
            published_at=dates.format_wib(published),
            modified_at=dates.format_wib(published + timedelta(hours=2)),
            body_text="\n\n".join(paragraphs),
            tags=[*record["tags"], f"Topik {i % 500}"],
            baca_juga=[{"url": f"{ORIGIN}/{base_slugs[j % len(base)]}-{j}/", "title": f"Berita {j}"} for j in links],
        )
        pages = [PageCapture(url, 200, HEADERS, page, fetched)] if with_pages else []
        items.append(ArticleItem.from_record(record, fetched_at=fetched, source="bench", pages=pages))
    return items


class Run:
    """One crawl's worth of pipeline objects on the archive at `db`."""

    def __init__(self, db: Path, batch_size: int = settings.SATUKANAL_BATCH_SIZE, background: bool = True) -> None:
        self.crawler = get_crawler(settings_dict={"SATUKANAL_DB": str(db), "SATUKANAL_BATCH_SIZE": batch_size,
                                                  "SATUKANAL_COMMIT_IN_BACKGROUND": background})  # fmt: skip
        self.stages = []
        for path, _order in sorted(settings.ITEM_PIPELINES.items(), key=lambda entry: entry[1]):
            try:
                self.stages.append(load_object(path).from_crawler(self.crawler))
            except NotConfigured:
                continue  # the WARC stage, off by default
        self.store = next(stage for stage in self.stages if isinstance(stage, StoragePipeline))
        self.store.open_spider()
        # The archive's writer process (SATUKANAL_COMMIT_IN_BACKGROUND) is ready before the clock starts, as in
        # a crawl, which starts it when the spider opens, seconds before its first batch is full.
        self.store.store.archive.start_writer(wait=True)

    def push(self, items: list[ArticleItem]) -> float:
        """Seconds to take every item through the pipelines, the final commit included."""
        started = time.perf_counter()
        for item in items:
            try:
                for stage in self.stages:
                    item = stage.process_item(item)
            except DropItem:
                pass
        self.store.close_spider()
        elapsed = time.perf_counter() - started
        close_store(self.crawler)
        return elapsed

    def stat(self, name: str) -> int:
        return self.crawler.stats.get_value(f"satukanal/{name}", 0)


def without_stemmed_index(db: Path) -> None:
    """A fresh archive whose stemmed index is dropped: what storing costs with the exact index only."""
    from satukanal_crawler.archive import Archive

    with Archive(db) as archive, archive.transaction() as conn:
        for statement in ("DROP TRIGGER articles_stemmed_ad", "DROP TRIGGER articles_stemmed_au",
                          "DROP TABLE articles_fts_stemmed"):  # fmt: skip
            conn.execute(statement)


def stemmed_share(db: Path) -> int:
    """Bytes of the file that the stemmed index and its FTS5 tables take."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts_stemmed%'").fetchone()[0]
    finally:
        conn.close()


def size_on_disk(db: Path) -> int:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if not p.name.endswith(".lock"))


def search_queries(db: Path, count: int, seed: int = 11) -> list[str]:
    conn = sqlite3.connect(db)
    texts = [r[0] for r in conn.execute("SELECT body_text FROM articles ORDER BY id LIMIT 200")]
    conn.close()
    words = sorted({w.lower() for t in texts for w in t.split() if w.isalpha() and len(w) >= 4})
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        kind = n % 4
        if kind == 0:
            queries.append(rng.choice(words))
        elif kind == 1:
            queries.append(f"{rng.choice(words)} {rng.choice(words)}")
        elif kind == 2:
            text = rng.choice(texts).split()
            at = rng.randrange(max(1, len(text) - 2))
            phrase = " ".join(w for w in text[at : at + 2] if w.isalpha()) or rng.choice(words)
            queries.append(f'"{phrase}"')
        else:
            queries.append(rng.choice(words)[:4] + "*")
    return queries


def fts_latency_ms(db: Path, queries: list[str]) -> tuple[float, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute(SEARCH_SQL, ("kediri",)).fetchall()  # warm the cache, as a running Datasette would be
    times, hits = [], 0
    for query in queries:
        started = time.perf_counter()
        rows = conn.execute(SEARCH_SQL, (query,)).fetchall()
        times.append(time.perf_counter() - started)
        hits += bool(rows)
    conn.close()
    return statistics.median(times) * 1000, hits


def compression_ms(items: list[ArticleItem], rounds: int = 3) -> float:
    """Milliseconds to compress one raw page as the archive does, the best of `rounds` passes."""
    pages = [p.body for i in items[:200] for p in i.pages]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for body in pages:
            zlib.compress(body, PAGE_ZLIB_LEVEL)
        best = min(best, (time.perf_counter() - started) / len(pages))
    return best * 1000


def verdict(value: float, target: float) -> str:
    return f"target {target:,.0f}/s {'met' if value >= target else 'NOT met'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000, help="synthetic articles per run")
    parser.add_argument("--batch-size", type=int, default=settings.SATUKANAL_BATCH_SIZE,
                        help="items per write transaction (default: the project's SATUKANAL_BATCH_SIZE)")  # fmt: skip
    parser.add_argument("--foreground", action="store_true",
                        help="commit in this process (SATUKANAL_COMMIT_IN_BACKGROUND=0)")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="keep the archives in this directory (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="satukanal-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.items
    results = {}
    try:
        for with_pages in (False, True):
            label = "with raw pages" if with_pages else "parsed items"
            db = work / f"{'pages' if with_pages else 'nopages'}.db"
            for path in work.glob(db.name + "*"):
                path.unlink()
            items = synthetic_items(n, with_pages=with_pages)
            body = sum(len(i.body_text.encode()) for i in items) / n
            raw = sum(len(p.body) for i in items for p in i.pages) / n
            first = Run(db, args.batch_size, not args.foreground)
            new_s = first.push(items)
            assert first.stat("articles/new") == n, first.crawler.stats.get_stats()
            size = size_on_disk(db)
            items = synthetic_items(n, with_pages=with_pages)
            second = Run(db, args.batch_size, not args.foreground)
            same_s = second.push(items)
            assert second.stat("articles/unchanged") == n, second.crawler.stats.get_stats()
            packing = compression_ms(items) if with_pages else 0.0
            results[label] = (n / new_s, n / same_s, size / n, body, raw, packing, db)

        exact_db = work / "exact-only.db"
        for path in work.glob(exact_db.name + "*"):
            path.unlink()
        without_stemmed_index(exact_db)
        exact = Run(exact_db, args.batch_size, not args.foreground)
        exact_rate = n / exact.push(synthetic_items(n, with_pages=False))
        stemmed_db = results["parsed items"][-1]
        stemmed_bytes = stemmed_share(stemmed_db)

        names = ", ".join(type(stage).__module__.rsplit(".", 1)[1] for stage in first.stages)
        print(f"satukanal archive benchmark: {n:,} synthetic articles through {names}")
        where = "in this process" if args.foreground else "in the writer process"
        print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {args.batch_size} items per "
              f"transaction committed {where}, synchronous=FULL, archives in {work}")  # fmt: skip
        for label, (new_rate, same_rate, per_article, body, raw, packing, _db) in results.items():
            if raw:
                print(f"\n{label}, as a crawl keeps them (no target; {raw / 1024:.1f} KiB per article, zlib level "
                      f"{PAGE_ZLIB_LEVEL}: {packing:.2f} ms per page on this machine):")  # fmt: skip
            else:
                print(f"\n{label} (mean body_text {body / 1024:.1f} KiB; the targets are for these):")
            new_verdict = "" if raw else verdict(new_rate, NEW_TARGET)
            same_verdict = "" if raw else verdict(same_rate, UNCHANGED_TARGET)
            print(f"  new articles (FTS on):      {new_rate:>9,.0f} items/s   {new_verdict}".rstrip())
            print(f"  already archived, unchanged:{same_rate:>9,.0f} items/s   {same_verdict}".rstrip())
            print(f"  on disk:                    {per_article / 1024:>9,.1f} KiB per article")
        with_rate, _, with_size = results["parsed items"][:3]
        print(f"\nstemmed search index (parsed items): {with_rate:,.0f} new items/s with it, {exact_rate:,.0f} "
              f"without ({(1 - with_rate / exact_rate):.0%} slower); it takes {stemmed_bytes / n / 1024:.1f} KiB per "
              f"article ({stemmed_bytes / (with_size * n):.0%} of the file)")  # fmt: skip
        db = results["with raw pages"][-1]
        queries = search_queries(db, 100)
        median, hits = fts_latency_ms(db, queries)
        print(f"\nfull-text search: median {median:.2f} ms over {len(queries)} queries ({hits} with results) "
              f"on {n:,} articles, best 20 by rank with snippet()")  # fmt: skip
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
