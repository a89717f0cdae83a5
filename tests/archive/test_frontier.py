"""What the spider asks the archive about listed URLs: answered from the database in batches, never loaded whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from satukanal_crawler.archive.frontier import FrontierReader, pending_count
from satukanal_crawler.items import DiscoveryItem, UrlStateItem
from tests.helpers import ORIGIN
from tests.pipelines.conftest import ADMINDUK, BKD, Chain, article


def test_the_reader_knows_canonical_urls_aliases_and_states(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    chain = Chain(db)
    bkd = article(BKD)
    bkd.aliases = [f"{ORIGIN}/bkd-siapkan-usulan-guru/"]  # an old slug that redirected here
    chain.push(bkd)
    chain.push(
        UrlStateItem(f"{ORIGIN}/tentang-kami/", "non_article", status=200, fetched_at="2026-01-05T08:00:00+07:00")
    )
    chain.push(
        DiscoveryItem(f"{ORIGIN}/feed/", "feed", [(f"{ORIGIN}/berita-baru/", None, "2026-01-05T07:00:00+07:00")])
    )
    chain.close()
    reader = FrontierReader(db)
    try:
        urls = [bkd.url, f"{ORIGIN}/bkd-siapkan-usulan-guru/", f"{ORIGIN}/tentang-kami/", f"{ORIGIN}/berita-baru/",
                f"{ORIGIN}/belum-pernah-terlihat/"]  # fmt: skip
        reader.prefetch(urls)
        canonical, alias, static, fresh, unknown = (reader.info(url) for url in urls)
    finally:
        reader.close()
    assert canonical.archived and canonical.time == (bkd.modified_at or bkd.published_at)
    assert alias.archived and alias.time == canonical.time, "an alias leads to the article and its time"
    assert not static.archived and static.kind == "non_article"
    assert not fresh.archived and fresh.kind == "pending"
    assert not unknown.archived and unknown.kind is None


def test_pending_counts_what_is_left_to_fetch(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    chain = Chain(db)
    chain.push(article(BKD))  # its Baca Juga target (ADMINDUK's old slug) is now pending
    for _ in range(2):
        chain.push(UrlStateItem(f"{ORIGIN}/rusak/", "failed", error="HTTP 500", fetched_at="2026-01-05T08:00:00+07:00"))
    chain.push(article(ADMINDUK))
    chain.close()
    conn = sqlite3.connect(db)
    try:
        pending = conn.execute("SELECT count(*) FROM url_state WHERE kind = 'pending'").fetchone()[0]
        assert pending_count(conn, max_attempts=5) == pending + 1
        assert pending_count(conn, max_attempts=2) == pending, "a URL that used its attempts is not pending"
    finally:
        conn.close()
