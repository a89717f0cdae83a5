"""Sitemaps as they come: gzipped, garbage, bombs, entity tricks and huge ones. `parse_sitemap` refuses
what is not a sitemap in one exception (the spider logs it in one line and records the URL as failed),
inflates a `.xml.gz` within a size limit, and reads entries streaming."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import ReplayServer
from satukanal_crawler.parsers.listing import InvalidSitemap, SitemapEntry, parse_feed, parse_sitemap
from tests.helpers import portal_html
from tests.hostile.mirrors import crawl, log_text, portal_with, rows

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(n: int, start: int = 0) -> bytes:
    urls = "".join(f"<url><loc>https://satukanal.com/berita-kediri-{i}/</loc><lastmod>2021-04-08T07:35:12+00:00"
                   f"</lastmod></url>\n" for i in range(start, start + n))  # fmt: skip
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>\n{urls}</urlset>'.encode()


def _random_bytes(size: int, seed: int = 17) -> bytes:
    return random.Random(seed).randbytes(size)


def test_plain_and_gzipped_sitemaps_give_the_same_entries() -> None:
    body = portal_html("/post-sitemap.xml")
    kind, entries = parse_sitemap(body)
    plain = list(entries)
    assert kind == "urlset" and len(plain) == 8
    assert plain[0].lastmod is not None and plain[0].url.startswith("https://satukanal.com/")
    kind, entries = parse_sitemap(gzip.compress(body))
    assert kind == "urlset" and list(entries) == plain


def test_a_sitemap_index_lists_its_sitemaps() -> None:
    kind, entries = parse_sitemap(portal_html("/sitemap_index.xml"))
    assert kind == "sitemapindex"
    assert [e.url.rsplit("/", 1)[1] for e in entries] == [
        "post-sitemap.xml", "post-sitemap2.xml", "page-sitemap.xml", "category-sitemap.xml"]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_random_bytes(200 * 1024), "not XML"),
        (b"\x1f\x8b" + _random_bytes(50 * 1024), "broken gzip"),
        (b"<!DOCTYPE html><html><body><h1>Server sedang sibuk</h1></body></html>", "root element is 'html'"),
        (b"", "not XML"),
        (gzip.compress(b"<urlset>" + b" " * (3 * 1024 * 1024) + b"</urlset>"), "gzip inflates beyond"),
    ],
    ids=["random-200k", "random-gzip", "html", "empty", "gzip-bomb"],
)
def test_what_is_not_a_sitemap_is_refused_in_one_exception(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidSitemap, match=reason):
        parse_sitemap(body, max_size=1024 * 1024)


def test_entities_are_never_expanded_nor_files_read(tmp_path: Path) -> None:
    secret = tmp_path / "rahasia.txt"
    secret.write_text("kata-sandi-redaksi", encoding="utf-8")
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">{lol}'
            f'<!ENTITY xxe SYSTEM "file://{secret}">]><urlset {NS}>'
            f"<url><loc>https://satukanal.com/a/&xxe;</loc></url><url><loc>https://satukanal.com/b/&l9;</loc></url>"
            f"</urlset>").encode()  # fmt: skip
    kind, entries = parse_sitemap(body)
    urls = [e.url for e in entries]
    assert kind == "urlset"
    assert not any("kata-sandi" in u or "lol" in u for u in urls), urls
    assert all(len(u) < 100 for u in urls)


def test_a_truncated_sitemap_gives_the_entries_before_the_break() -> None:
    body = _urlset(50)
    kind, entries = parse_sitemap(body[: len(body) // 2])
    got = list(entries)
    assert kind == "urlset" and 10 < len(got) < 50
    assert got[:2] == [SitemapEntry("https://satukanal.com/berita-kediri-0/", "2021-04-08T14:35:12+07:00"),
                       SitemapEntry("https://satukanal.com/berita-kediri-1/", "2021-04-08T14:35:12+07:00")]  # fmt: skip


def test_a_huge_sitemap_is_read_lazily() -> None:
    """120,000 URLs: the kind is known and the first entry comes before the rest is parsed (the spider
    yields requests as it reads); bench/sitemap.py measures the time and memory."""
    body = _urlset(120_000)
    kind, entries = parse_sitemap(body)
    assert kind == "urlset"
    assert next(entries).url == "https://satukanal.com/berita-kediri-0/"
    count = 1 + sum(1 for _ in entries)
    assert count == 120_000


def test_a_crawl_survives_garbage_and_reads_gzipped_sitemaps(tmp_path: Path) -> None:
    """The sitemap index answers 200 KB of random bytes: one log line, a failed URL, no callback crash;
    wp-sitemap.xml lists the posts as `.xml.gz` files, from which every article is archived."""
    index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>'
             "<sitemap><loc>https://satukanal.com/post-sitemap.xml.gz</loc></sitemap>"
             "<sitemap><loc>https://satukanal.com/post-sitemap2.xml.gz</loc></sitemap></sitemapindex>")  # fmt: skip
    pages = {"/sitemap_index.xml": (200, "text/xml; charset=UTF-8", _random_bytes(200 * 1024)),
             "/wp-sitemap.xml": (200, "text/xml; charset=UTF-8", index)}  # fmt: skip
    root = portal_with(tmp_path, pages)
    with ReplayServer(root) as mirror:
        base = mirror.base_url
        # Gzip bodies are not rewritten by the mirror: their URLs are on the mirror's origin already.
        gz = {path + ".gz": (200, "application/x-gzip",
                             gzip.compress(portal_html(path).replace(b"https://satukanal.com", base.encode())))
              for path in ("/post-sitemap.xml", "/post-sitemap2.xml")}  # fmt: skip
        mirror.load(portal_with(tmp_path / "gz", {**pages, **gz}))
        result = crawl(tmp_path / "a.db", base, "--sources", "sitemaps")
    assert "Traceback" not in result.stderr
    log = log_text(tmp_path / "a.db")
    assert "Spider error" not in log and "Traceback" not in log
    lines = [line for line in log.splitlines() if "invalid sitemap" in line]
    assert len(lines) == 1 and f"{base}/sitemap_index.xml: not XML" in lines[0]
    failed = rows(tmp_path / "a.db", "SELECT url, error FROM url_state WHERE kind = 'failed'")
    assert (f"{base}/sitemap_index.xml", "invalid sitemap: not XML") in failed
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM articles") == [(14,)]


def test_a_gzipped_feed_reads_as_the_plain_one_and_a_bomb_as_nothing() -> None:
    feed = portal_html("/feed/")
    plain = parse_feed(feed, "https://satukanal.com/")
    assert len(plain) >= 10
    assert parse_feed(gzip.compress(feed), "https://satukanal.com/") == plain
    bomb = gzip.compress(b"<rss>" + b" " * (3 * 1024 * 1024) + b"</rss>")
    assert parse_feed(bomb, "https://satukanal.com/", max_size=1024 * 1024) == []
