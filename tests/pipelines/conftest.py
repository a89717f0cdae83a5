"""The article pipelines in their settings order, on a fresh archive, without a crawl.

Items are built from the bundled snapshot's expected records, the way the spider builds them
(`ArticleItem` plus the raw page), so each stage is tested on realistic input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from pipelines import publish
from pipelines.store import StoragePipeline
from satukanal_crawler import settings
from satukanal_crawler.archive import Archive
from satukanal_crawler.archive.session import close_store
from satukanal_crawler.items import ArticleItem, PageCapture
from tests.helpers import ORIGIN, expected_record, portal_html

FETCHED = "2026-01-05T08:00:00+07:00"
HTML = {"Content-Type": ["text/html; charset=UTF-8"]}

# Two snapshot articles: BKD's only Baca Juga link points at the old slug of the Adminduk article,
# which redirects (301) to that article's current URL.
BKD = "bkd-kabupaten-kediri-siapkan-893-usulan-guru-pppk-2021"
ADMINDUK = "pemkab-kediri-gelar-layanan-adminduk-keliling-di-26-kecamatan"
ADMINDUK_OLD_URL = f"{ORIGIN}/pemkab-kediri-buka-layanan-adminduk-keliling/"
CABAI = "harga-cabai-rawit-tembus-rp-90-ribu-pedagang-keluhkan-sepi-pembeli"


def article(slug: str, **changes) -> ArticleItem:
    """A fresh item for a snapshot article, as the spider yields it; `changes` override record fields."""
    record = expected_record(f"/{slug}/")
    assert record is not None, slug
    record.update(changes)
    page = PageCapture(record["url"], 200, HTML, portal_html(f"/{slug}/"), FETCHED)
    return ArticleItem.from_record(record, fetched_at=FETCHED, source="test", pages=[page])


class Chain:
    """The stages of ITEM_PIPELINES in their order (validate, unchanged, normalize, dedupe, store; WARC
    only when enabled), storage last."""

    def __init__(self, db: Path, **overrides) -> None:
        self.crawler = get_crawler(settings_dict={"SATUKANAL_DB": str(db), **overrides})
        self.stages = []
        for path, _order in sorted(settings.ITEM_PIPELINES.items(), key=lambda entry: entry[1]):
            try:
                self.stages.append(load_object(path).from_crawler(self.crawler))
            except NotConfigured:
                continue
        assert isinstance(self.stages[-1], StoragePipeline)
        self.stages[-1].open_spider()
        self.db = db
        self.closed = False

    def stage(self, cls):
        return next(stage for stage in self.stages if isinstance(stage, cls))

    def push_through(self, item, last):
        """The item after the stages up to `last` (a class) included, as the crawl sends it."""
        for stage in self.stages:
            item = stage.process_item(item)
            if isinstance(stage, last):
                return item
        raise AssertionError(f"{last.__name__} is not in ITEM_PIPELINES")

    def push(self, item):
        """The item after the last stage, or None when a stage dropped it."""
        try:
            for stage in self.stages:
                item = stage.process_item(item)
        except DropItem:
            return None
        return item

    def stats(self, prefix: str = "satukanal/") -> dict[str, int]:
        publish(self.crawler)  # what the stats say once the stages' counts are in (at the next commit)
        return {k[len(prefix) :]: v for k, v in self.crawler.stats.get_stats().items() if k.startswith(prefix)}

    def close(self) -> None:
        if not self.closed:
            self.stages[-1].close_spider()
            close_store(self.crawler)
            self.closed = True

    def query(self, sql: str, *params) -> list[tuple]:
        """Read what the archive holds (committing the batch in progress first)."""
        if not self.closed:
            self.stages[-1].commit()
        with Archive(self.db, readonly=True) as archive:
            return [tuple(row) for row in archive.conn.execute(sql, params)]


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    pipeline = Chain(tmp_path / "archive.db")
    yield pipeline
    pipeline.close()
