"""Traps have bounds: a chain of ever-new channels, of nested sitemap indexes, a pagination that lists the same
articles for ever. Each bound stops only the trap: the honest articles are archived, and the run's summary and
record say which bound was hit."""

from __future__ import annotations

import json
from pathlib import Path

from satukanal_crawler.mirror.replay import ReplayServer
from tests.helpers import portal_html
from tests.hostile.mirrors import crawl, portal_with, rows

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
HONEST = 14  # the portal snapshot's articles
ARTICLES = [
    "/bkd-kabupaten-kediri-siapkan-893-usulan-guru-pppk-2021/",
    "/harga-cabai-rawit-tembus-rp-90-ribu-pedagang-keluhkan-sepi-pembeli/",
    "/pohon-tumbang-timpa-dua-warung-di-tulungagung/",
]


def home_linking(path: str) -> tuple[int, str, bytes]:
    """The portal's home page with one more link, to where the trap starts."""
    body = portal_html("/").replace(b"</body>", f'<a href="{path}">Kanal</a></body>'.encode())
    return 200, HTML, body


def listing(links: list[str]) -> str:
    anchors = "".join(f'<article><a href="{href}">Berita</a></article>' for href in links)
    return f"<!doctype html><html><head><title>Kanal</title></head><body>{anchors}</body></html>"


def last_run(db: Path) -> tuple[dict, str]:
    stats, outcome = rows(db, "SELECT stats, outcome FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    return json.loads(stats), outcome


def archived(db: Path) -> int:
    return rows(db, "SELECT count(*) FROM articles")[0][0]


def requested(server: ReplayServer, prefix: str) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith(prefix)]


def test_a_chain_of_ever_new_channels_stops_at_its_depth(tmp_path: Path) -> None:
    article = ARTICLES[0]
    pages = {"/": home_linking("/category/jebakan-0/")}
    for n in range(200):  # each channel page links the next, a new channel, and one honest article
        pages[f"/category/jebakan-{n}/"] = (200, HTML, listing([f"/category/jebakan-{n + 1}/", article]))
    with ReplayServer(portal_with(tmp_path, pages)) as server:
        result = crawl(tmp_path / "a.db", server.base_url)
        chain = requested(server, "/category/jebakan-")
    assert result.returncode == 0, result.stderr
    assert len(chain) <= 5, chain
    assert archived(tmp_path / "a.db") == HONEST
    stats, outcome = last_run(tmp_path / "a.db")
    assert stats["satukanal/bounds/channel_depth"] >= 1 and outcome == "ok"
    assert "bounds hit: channel_depth" in result.stdout


def test_a_chain_of_nested_sitemap_indexes_stops_at_its_depth(tmp_path: Path) -> None:
    index = portal_html("/sitemap_index.xml").decode()
    entry = "<sitemap><loc>https://satukanal.com/jebakan-0.xml</loc></sitemap>"
    pages = {"/sitemap_index.xml": (200, XML, index.replace("</sitemapindex>", entry + "</sitemapindex>"))}
    for n in range(200):
        nested = f"<sitemap><loc>https://satukanal.com/jebakan-{n + 1}.xml</loc></sitemap>"
        pages[f"/jebakan-{n}.xml"] = (200, XML, f'<?xml version="1.0"?><sitemapindex {NS}>{nested}</sitemapindex>')
    with ReplayServer(portal_with(tmp_path, pages)) as server:
        result = crawl(tmp_path / "a.db", server.base_url)
        chain = requested(server, "/jebakan-")
    assert result.returncode == 0, result.stderr
    assert len(chain) <= 4, chain
    assert archived(tmp_path / "a.db") == HONEST
    stats, _ = last_run(tmp_path / "a.db")
    assert stats["satukanal/bounds/sitemap_depth"] >= 1
    assert "bounds hit: sitemap_depth" in result.stdout


def test_a_pagination_that_brings_nothing_new_stops(tmp_path: Path) -> None:
    same = ARTICLES
    pages = {"/": home_linking("/category/jebakan/")}
    for n in range(1, 301):  # 300 pages, each listing the same three articles, each with a next page
        path = "/category/jebakan/" if n == 1 else f"/category/jebakan/page/{n}/"
        body = listing(same).replace("</body>", f'<a class="next" href="/category/jebakan/page/{n + 1}/">»</a></body>')
        pages[path] = (200, HTML, body)
    with ReplayServer(portal_with(tmp_path, pages)) as server:
        result = crawl(tmp_path / "a.db", server.base_url)
        trap = requested(server, "/category/jebakan/")
    assert result.returncode == 0, result.stderr
    assert len(trap) <= 7, f"{len(trap)} pages of the same articles read"
    assert archived(tmp_path / "a.db") == HONEST
    stats, _ = last_run(tmp_path / "a.db")
    assert stats["satukanal/bounds/barren_pages"] == 1
    assert "bounds hit: barren_pages 1" in result.stdout


def test_a_page_that_once_looked_like_no_article_is_looked_at_again(tmp_path: Path) -> None:
    """A 200 "server busy" page parses as no article; the sitemap still lists the URL as a post, so a later run
    fetches it again (after SATUKANAL_RECHECK_NON_ARTICLE_DAYS), instead of writing it off for good."""
    busy = '<!doctype html><html><head></head><body><div class="loading"></div></body></html>'  # no title, no text
    victim = ARTICLES[1]
    db = tmp_path / "a.db"
    with ReplayServer(portal_with(tmp_path / "busy", {victim: (200, HTML, busy)})) as server:
        first = crawl(db, server.base_url)
        assert first.returncode == 0, first.stderr
        port = server.port
    assert rows(db, "SELECT kind FROM url_state WHERE url LIKE ?", f"%{victim}") == [("non_article",)]
    assert archived(db) == HONEST - 1
    with ReplayServer(portal_with(tmp_path / "well"), port=port) as server:
        assert crawl(db, server.base_url).returncode == 0  # the same day: not yet due
        assert victim not in requested(server, victim)
        result = crawl(db, server.base_url, "-s", "SATUKANAL_RECHECK_NON_ARTICLE_DAYS=0.000001")
        assert result.returncode == 0, result.stderr
        assert requested(server, victim) == [victim]
    assert archived(db) == HONEST
