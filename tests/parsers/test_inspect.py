"""`satukanal inspect FILE|URL`, run as a user runs it: the record, each field's source, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from satukanal_crawler.parsers import FIELDS, parse_page
from satukanal_crawler.parsers.article import SOURCES
from tests.helpers import ORIGIN, PORTAL, article_paths, expected_record, manifest, portal_html

SEED = "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "satukanal_crawler", "inspect", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback server answering the portal's seed page at /seed/ and 404 elsewhere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/seed/":
                body = portal_html(SEED)
                self.send_response(200)
                self.send_header("Content-Type", manifest()[SEED]["content_type"])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_file_json_gives_the_record_and_a_source_per_field() -> None:
    result = run(str(PORTAL / manifest()[SEED]["file"]), "--url", ORIGIN + SEED, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["record"] == expected_record(SEED)
    assert set(out["sources"]) == set(FIELDS)
    assert out["sources"]["wp_post_id"] == "shortlink"
    assert out["sources"]["body_text"] == "theme container"
    assert out["sources"]["published_at"] in {"meta", "json-ld"}


def test_url_is_fetched_once_and_shown_as_a_table(server: str) -> None:
    result = run(server + "/seed/")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["field", "source", "value"]
    assert [line.split()[0] for line in lines[1:]] == list(FIELDS)
    assert "Diskominfo Jatim" in result.stdout


def test_unreachable_url_and_http_errors_are_one_line_with_status_4(server: str) -> None:
    for target in (server + "/missing/", "http://127.0.0.1:9/"):
        result = run(target)
        assert result.returncode == 4
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_missing_file_is_status_2(tmp_path) -> None:
    result = run(str(tmp_path / "nope.html"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope.html" in result.stderr


def test_non_article_says_so() -> None:
    result = run(str(PORTAL / manifest()["/redaksi/"]["file"]), "--url", ORIGIN + "/redaksi/")
    assert result.returncode == 0
    assert "not an article" in result.stdout


def test_control_characters_from_the_page_are_escaped(tmp_path) -> None:
    page = portal_html(SEED).replace(b"<h1", b"<h1 data-x=1", 1)
    page = page.replace(b"Diskominfo Jatim Upayakan", b"Diskominfo \x1b[31mJatim Upayakan", 1)
    path = tmp_path / "page.html"
    path.write_bytes(page)
    result = run(str(path), "--url", ORIGIN + SEED)
    assert result.returncode == 0
    assert "\x1b" not in result.stdout


def test_every_source_named_on_the_portal_is_documented() -> None:
    for path in article_paths():
        parsed = parse_page(portal_html(path), ORIGIN + path, with_sources=True)
        for name, source in parsed.sources.items():
            assert source is None or source in SOURCES, (path, name, source)
            assert (source is None) == (parsed.record[name] in (None, "", [])), (path, name)
