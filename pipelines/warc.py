"""Optional stage: every downloaded response, exactly as received, into rotating WARC files.

Off by default (`SATUKANAL_WARC`). WARC is the format web archivists replay (pywb, OpenWayback) and
deposit, so the crawl can be handed to an archive institution as it is. Each HTTP exchange becomes a
`request` record plus a `response` record (status line, headers and body as the server sent them), in
gzip WARC files under `<archive dir>/warc/`:

    satukanal-20261126T100754Z-00000.warc.gz

A file being written carries the suffix `.open` (the Heritrix convention), renamed when it is complete.
A new file starts when the current one exceeds `SATUKANAL_WARC_MAX_BYTES`; each file opens with a
`warcinfo` record naming the software and the crawl.

The records are taken from Scrapy's `response_downloaded` signal, which fires as soon as the download
handler has the response and before any downloader middleware sees it. `response_received` (after the
middlewares) would be too late: by then HttpCompressionMiddleware has decoded a gzip body and dropped
its Content-Encoding header, and the redirects and retried errors that the middlewares consumed never
reach it at all. What no Scrapy signal keeps: the reason phrase of the status line (the standard phrase
for the code is written), the original case of header names, and chunked framing (the body is written
de-chunked; WARC readers accept both).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from satukanal_crawler import __version__

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1024**3  # 1 GiB, the usual size of archival WARC files
OPEN_SUFFIX = ".open"


def _headers(headers) -> list[tuple[str, str]]:
    """Scrapy Headers -> (name, value) pairs in received order, one pair per repeated header."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


class WarcPipeline:
    """Writes WARC files; items pass through untouched."""

    def __init__(self, crawler, directory: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.max_bytes = max_bytes
        self.sequence = 0
        self.file = None
        self.path: Path | None = None
        self.writer: WARCWriter | None = None
        self.prefix = f"satukanal-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("SATUKANAL_WARC", False):
            raise NotConfigured  # no message: Scrapy would log a warning on every ordinary run
        max_bytes = settings.getint("SATUKANAL_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        if max_bytes <= 0:
            raise NotConfigured(f"SATUKANAL_WARC_MAX_BYTES must be positive, got {max_bytes}")
        directory = Path(settings.get("SATUKANAL_DB")).parent / "warc"
        pipeline = cls(crawler, directory, max_bytes)
        crawler.signals.connect(pipeline.response_downloaded, signal=signals.response_downloaded)
        return pipeline

    def process_item(self, item):
        return item

    def close_spider(self) -> None:
        self._close_file()

    # -- writing ----------------------------------------------------------------------------------

    def response_downloaded(self, response, request, spider=None) -> None:
        """Write the exchange right away: the headers object is changed in place by later middlewares."""
        try:
            self._write(request, response)
        except OSError as exc:  # a full disk must not stop the crawl; the archive itself is the priority
            logger.error("could not write WARC record for %s: %s", response.url, exc)
            self.crawler.stats.inc_value("satukanal/warc/errors")

    def _write(self, request, response) -> None:
        writer = self._writer()
        protocol = getattr(response, "protocol", None) or "HTTP/1.1"
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        http_headers = StatusAndHeaders(f"{response.status} {phrase}".strip(), _headers(response.headers),
                                        protocol=protocol)  # fmt: skip
        ip = getattr(response, "ip_address", None)
        warc_headers = {"WARC-IP-Address": str(ip)} if ip is not None else {}
        record = writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body), length=len(response.body),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )  # fmt: skip

        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = _headers(request.headers)
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers.insert(0, ("Host", parts.netloc))
        request_http = StatusAndHeaders(f"{request.method} {target} {protocol}", request_headers,
                                        is_http_request=True)  # fmt: skip
        body = request.body or b""
        request_record = writer.create_warc_record(request.url, "request", payload=BytesIO(body), length=len(body),
                                                   http_headers=request_http)  # fmt: skip
        # The response first, then its request (WARC-Concurrent-To: the response's record id).
        writer.write_request_response_pair(request_record, record)
        self.crawler.stats.inc_value("satukanal/warc/records", 2)
        if self.file.tell() >= self.max_bytes:
            self._close_file()

    def _writer(self) -> WARCWriter:
        if self.writer is not None:
            return self.writer
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}-{self.sequence:05d}.warc.gz"
        self.sequence += 1
        self.path = self.directory / name
        self.file = open(self.path.with_name(name + OPEN_SUFFIX), "wb")  # noqa: SIM115 (closed on rotation)
        self.writer = WARCWriter(self.file, gzip=True, warc_version="1.1")
        settings = self.crawler.settings
        info = {
            "software": f"satukanal-crawler/{__version__} (Scrapy)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": settings.get("SATUKANAL_BASE_URL"),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "hostname": self.writer.hostname,
        }
        self.writer.write_record(self.writer.create_warcinfo_record(name, info))
        self.crawler.stats.inc_value("satukanal/warc/files")
        return self.writer

    def _close_file(self) -> None:
        if self.file is None:
            return
        self.file.close()
        os.replace(self.path.with_name(self.path.name + OPEN_SUFFIX), self.path)
        self.file = self.writer = self.path = None
