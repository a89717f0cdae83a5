"""WARC output: every response of a real crawl, exactly as the mirror sent it, readable by warcio."""

from __future__ import annotations

import gzip
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from pipelines.warc import WarcPipeline
from satukanal_crawler.mirror.replay import ReplayServer
from tests.cli import LOOPBACK, satukanal
from tests.helpers import ORIGIN, PORTAL, manifest

ARTICLES = ("/bkd-kabupaten-kediri-siapkan-893-usulan-guru-pppk-2021/",
            "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/")  # fmt: skip
MAX_BYTES = 100_000  # small, so that the crawl's ~260 kB of WARC rotates


class Crawl:
    def __init__(self, tmp: Path, server: ReplayServer, result) -> None:
        self.tmp, self.server, self.result = tmp, server, result
        self.files = sorted((tmp / "warc").glob("*"))
        self.records: list[tuple[str, object, bytes]] = []  # (file name, record, content)
        for path in self.files:
            with path.open("rb") as fh:
                for record in ArchiveIterator(fh):
                    self.records.append((path.name, record, record.content_stream().read()))

    def of_type(self, kind: str):
        return [(r, body) for _name, r, body in self.records if r.rec_type == kind]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("warc")
    with ReplayServer() as server:
        warc = ("-s", "SATUKANAL_WARC=1", "-s", f"SATUKANAL_WARC_MAX_BYTES={MAX_BYTES}")
        result = satukanal("crawl", "--base-url", server.base_url, "--db", str(tmp / "x.db"), *LOOPBACK, *warc, cwd=tmp)
        yield Crawl(tmp, server, result)


def test_the_crawl_succeeds(crawl: Crawl) -> None:
    assert crawl.result.returncode == 0, crawl.result.stderr


def test_one_response_record_per_request_the_mirror_served(crawl: Crawl) -> None:
    served = Counter(r.path for r in crawl.server.requests)
    recorded = Counter()
    for record, _body in crawl.of_type("response"):
        parts = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
        assert f"{parts.scheme}://{parts.netloc}" == crawl.server.base_url
        recorded[parts.path + (f"?{parts.query}" if parts.query else "")] += 1
    assert recorded == served
    # The old slug's 301 is there too, with its Location: the raw exchange, not what the middlewares made of it.
    old, new = (
        "/pemkab-kediri-buka-layanan-adminduk-keliling/",
        "/pemkab-kediri-gelar-layanan-adminduk-keliling-di-26-kecamatan/",
    )
    [redirect] = [r for r, _ in crawl.of_type("response") if r.rec_headers.get_header("WARC-Target-URI").endswith(old)]
    assert redirect.http_headers.get_statuscode() == "301"
    assert redirect.http_headers.get_header("Location") == crawl.server.url(new)


def test_every_response_has_its_request(crawl: Crawl) -> None:
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r, _ in crawl.of_type("response")}
    requests = crawl.of_type("request")
    assert len(requests) == len(responses)
    for request, _body in requests:
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        assert request.rec_headers.get_header("WARC-Target-URI") == response.rec_headers.get_header("WARC-Target-URI")
        assert request.http_headers.protocol == "GET"  # warcio's split of "GET /path HTTP/1.1"
        assert request.http_headers.statusline.endswith(" HTTP/1.1")
        assert request.http_headers.get_header("User-Agent").startswith("satukanal-crawler/")
        assert request.http_headers.get_header("Host") == urlsplit(crawl.server.base_url).netloc


@pytest.mark.parametrize("path", ARTICLES)
def test_article_bodies_are_byte_identical_to_what_the_mirror_served(crawl: Crawl, path: str) -> None:
    [(record, body)] = [(r, b) for r, b in crawl.of_type("response")
                        if r.rec_headers.get_header("WARC-Target-URI") == crawl.server.url(path)]  # fmt: skip
    assert record.http_headers.statusline == "200 OK"
    assert record.http_headers.protocol == "HTTP/1.1"
    assert record.http_headers.get_header("Content-Type") == manifest()[path]["content_type"]
    assert record.http_headers.get_header("Content-Length") == str(len(body))
    original = (PORTAL / manifest()[path]["file"]).read_bytes()
    assert to_origin(crawl.server, body) == original
    assert body != original  # the mirror did rewrite its links, so the comparison above means something
    assert ORIGIN.encode() not in body


def to_origin(server: ReplayServer, body: bytes) -> bytes:
    """Undo the mirror's rewriting (see ReplayServer): its origin, the JSON-escaped one, protocol-relative."""
    base, netloc = server.base_url, urlsplit(server.base_url).netloc
    for mirror, origin in ((base, ORIGIN), (base.replace("/", "\\/"), ORIGIN.replace("/", "\\/")),
                           (f"//{netloc}", f"//{urlsplit(ORIGIN).netloc}")):  # fmt: skip
        body = body.replace(mirror.encode(), origin.encode())
    return body


def test_files_rotate_each_with_a_warcinfo_record(crawl: Crawl) -> None:
    names = [p.name for p in crawl.files]
    assert len(names) >= 2
    assert not [n for n in names if not n.endswith(".warc.gz")]  # no ".open" file left behind
    prefix = names[0].rsplit("-", 1)[0]
    assert names == [f"{prefix}-{n:05d}.warc.gz" for n in range(len(names))]
    for path in crawl.files:
        assert path.stat().st_size < MAX_BYTES + 64_000  # rotated after the first record past the limit
        with gzip.open(path, "rb") as fh:  # each file is a standalone, valid gzip stream
            fh.read()
        with path.open("rb") as fh:
            first = next(iter(ArchiveIterator(fh)))
            assert first.rec_type == "warcinfo"
            assert first.rec_headers.get_header("WARC-Filename") == path.name
            assert b"satukanal-crawler/" in first.content_stream().read()


def test_the_archive_is_the_same_with_warc_on(crawl: Crawl) -> None:
    with sqlite3.connect(crawl.tmp / "x.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (14,)
    conn.close()


def test_off_by_default(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"SATUKANAL_DB": str(tmp_path / "x.db")})
    with pytest.raises(NotConfigured):
        WarcPipeline.from_crawler(crawler)
    with ReplayServer() as server:
        result = satukanal("crawl", "--base-url", server.base_url, "--db", str(tmp_path / "x.db"), *LOOPBACK,
                           cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()
    assert not (tmp_path / "warc").exists()


def test_items_pass_through_untouched(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"SATUKANAL_DB": str(tmp_path / "x.db"), "SATUKANAL_WARC": True})
    pipeline = WarcPipeline.from_crawler(crawler)
    item = {"url": "x"}
    assert pipeline.process_item(item) is item
    pipeline.close_spider()
    assert not (tmp_path / "warc").exists()  # nothing downloaded, no file
