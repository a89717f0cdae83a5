"""The replay server: what a crawl test relies on (origin rewriting, 404s, faults, the request log).

Real sockets on 127.0.0.1 and urllib as the client, so the behaviour under test is the one Scrapy
sees over the wire, not a mocked handler.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from satukanal_crawler.mirror.replay import (
    BUNDLED_PORTAL,
    Fault,
    ReplayServer,
    main,
    parse_fault_spec,
)

ORIGIN = "https://satukanal.com"
ARTICLE = "/pesilat-tulungagung-raih-tiga-emas-di-kejuaraan-provinsi/"
REPO_ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# No proxies (the environment may define one) and no redirect following: tests look at raw answers.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


@pytest.fixture
def server():
    with ReplayServer(BUNDLED_PORTAL) as srv:
        yield srv


def site_bytes(relative: str) -> bytes:
    return (BUNDLED_PORTAL / relative).read_bytes()


def rewritten(original: bytes, base: str) -> bytes:
    """What the server must send for a captured body: the three spellings of the origin replaced."""
    return (
        original.replace(ORIGIN.encode(), base.encode())
        .replace(ORIGIN.replace("/", "\\/").encode(), base.replace("/", "\\/").encode())
        .replace(b"//satukanal.com", base.removeprefix("http:").encode())
    )


# -- serving -----------------------------------------------------------------------------------------


def test_article_is_served_with_the_origin_rewritten(server: ReplayServer) -> None:
    status, headers, body = fetch(server.url(ARTICLE))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert int(headers["Content-Length"]) == len(body)
    text = body.decode("utf-8")
    assert f'<link rel="canonical" href="{server.base_url}{ARTICLE}" />' in text
    assert f"<link rel='shortlink' href='{server.base_url}/?p=2405' />" in text
    assert "https://satukanal.com" not in text
    assert body == rewritten(site_bytes("site" + ARTICLE + "index.html"), server.base_url)


def test_json_escaped_and_protocol_relative_origins_are_rewritten(server: ReplayServer) -> None:
    _, _, amp = fetch(server.url(ARTICLE + "amp/"))
    escaped_base = server.base_url.replace("/", "\\/")
    assert escaped_base.encode() + b"\\/wp-content\\/uploads" in amp
    assert b"satukanal.com\\/" not in amp
    _, headers, sitemap = fetch(server.url("/post-sitemap.xml"))
    assert headers["Content-Type"] == "text/xml; charset=UTF-8"
    host = server.base_url.removeprefix("http:")
    assert f'href="{host}/main-sitemap.xsl"'.encode() in sitemap
    assert b"satukanal.com" not in sitemap


def test_redirect_location_is_rewritten(server: ReplayServer) -> None:
    status, headers, body = fetch(server.url("/?p=2405"))
    assert status == 301
    assert headers["Location"] == server.url(ARTICLE)
    assert body == b""
    status, headers, _ = fetch(server.url("/category/advertorial/page/1/"))
    assert (status, headers["Location"]) == (301, server.url("/category/advertorial/"))


def test_unknown_path_is_404_with_the_404_page(server: ReplayServer) -> None:
    status, headers, body = fetch(server.url("/no-such-article/"))
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert body == rewritten(site_bytes("site/_errors/404.html"), server.base_url)
    # A deleted article is a manifest entry with status 404 and the same page.
    status, _, deleted = fetch(server.url("/jadwal-pemadaman-listrik-kediri-pekan-ini/"))
    assert status == 404
    assert deleted == body


def test_query_strings_must_be_in_the_manifest(server: ReplayServer) -> None:
    assert fetch(server.url(ARTICLE + "?utm_source=x"))[0] == 404
    assert fetch(server.url("/?p=999999"))[0] == 404
    tracked = "/diskominfo-jatim-upayakan-peran-media-sosial-dalam-pemerintah-daerah/"
    status, _, body = fetch(server.url(tracked + "?utm_source=satukanal&utm_medium=pilihan_redaksi"))
    assert status == 200
    assert body == fetch(server.url(tracked))[2]


def test_head_sends_headers_only(server: ReplayServer) -> None:
    _, _, body = fetch(server.url("/feed/"))
    status, headers, head_body = fetch(server.url("/feed/"), method="HEAD")
    assert status == 200
    assert headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
    assert int(headers["Content-Length"]) == len(body)
    assert head_body == b""
    assert [(r.method, r.path) for r in server.requests][-1] == ("HEAD", "/feed/")


def test_request_log(server: ReplayServer) -> None:
    fetch(server.url("/robots.txt"), headers={"User-Agent": "SatukanalBot/1.0"})
    fetch(server.url("/?p=2405"))
    fetch(server.url("/missing/"))
    log = server.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/robots.txt", 200),
        ("GET", "/?p=2405", 301),
        ("GET", "/missing/", 404),
    ]
    assert log[0].user_agent == "SatukanalBot/1.0"
    assert all(r.fault is None for r in log)
    assert log[0].time <= log[1].time <= log[2].time <= time.time()
    server.clear_requests()
    assert server.requests == []


def test_percent_encoded_request_is_matched_decoded(server: ReplayServer) -> None:
    status, _, _ = fetch(server.url("/?p%3D2405"))
    assert status == 301
    assert server.requests[-1].path == "/?p=2405"


def test_load_swaps_the_manifest_while_running(server: ReplayServer, tmp_path: Path) -> None:
    assert fetch(server.url(ARTICLE))[0] == 200
    server.load(manifest={"/": {"file": "site/robots.txt", "status": 200, "content_type": "text/plain"}})
    assert fetch(server.url(ARTICLE))[0] == 404
    status, _, body = fetch(server.url("/"))
    assert status == 200 and body.startswith(b"User-agent: *")
    # Another root with its own manifest.json, e.g. the next day of a synthetic mirror.
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "hello.txt").write_text("selamat pagi https://satukanal.com/x/\n", encoding="utf-8")
    manifest = {"/hello/": {"file": "site/hello.txt", "status": 200, "content_type": "text/plain; charset=UTF-8"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    server.load(tmp_path)
    assert fetch(server.url("/hello/"))[2] == f"selamat pagi {server.base_url}/x/\n".encode()
    assert fetch(server.url("/"))[0] == 404


# -- faults ------------------------------------------------------------------------------------------


def test_error_fault_then_recovery() -> None:
    with ReplayServer(BUNDLED_PORTAL, faults=[Fault("/feed/", "error", times=2)]) as srv:
        assert [fetch(srv.url("/feed/"))[0] for _ in range(3)] == [500, 500, 200]
        assert fetch(srv.url("/robots.txt"))[0] == 200
        assert [(r.status, r.fault) for r in srv.requests][:3] == [(500, "error"), (500, "error"), (200, None)]


def test_faults_are_counted_per_url() -> None:
    with ReplayServer(BUNDLED_PORTAL, faults=[Fault("/category/*", "error")]) as srv:
        first = [fetch(srv.url(p))[0] for p in ("/category/olahraga/", "/category/peristiwa/")]
        again = [fetch(srv.url(p))[0] for p in ("/category/olahraga/", "/category/peristiwa/")]
        assert (first, again) == ([500, 500], [200, 200])
        srv.set_faults([Fault("/category/olahraga/", "error", times=None)])
        assert [fetch(srv.url("/category/olahraga/"))[0] for _ in range(3)] == [500, 500, 500]


def test_unavailable_fault_sends_retry_after() -> None:
    with ReplayServer(BUNDLED_PORTAL, faults=[Fault("/sitemap_index.xml", "unavailable", retry_after=7)]) as srv:
        status, headers, _ = fetch(srv.url("/sitemap_index.xml"))
        assert (status, headers["Retry-After"]) == (503, "7")
        status, headers, _ = fetch(srv.url("/sitemap_index.xml"))
        assert status == 200 and headers["Retry-After"] is None


def test_status_fault() -> None:
    faults = [Fault("/?p=*", "status", status=429, retry_after=2), Fault("/robots.txt", "status", status=403)]
    with ReplayServer(BUNDLED_PORTAL, faults=faults) as srv:
        status, headers, _ = fetch(srv.url("/?p=2405"))
        assert (status, headers["Retry-After"]) == (429, "2")
        assert fetch(srv.url("/?p=2405"))[0] == 301
        status, headers, _ = fetch(srv.url("/robots.txt"))
        assert (status, headers["Retry-After"]) == (403, None)


def test_drop_fault_truncates_the_body() -> None:
    with ReplayServer(BUNDLED_PORTAL, faults=[Fault(ARTICLE, "drop")]) as srv:
        full = len((BUNDLED_PORTAL / "site" / ARTICLE.strip("/") / "index.html").read_bytes())
        request = urllib.request.Request(srv.url(ARTICLE))
        with _OPENER.open(request, timeout=10) as response:
            assert response.status == 200
            assert int(response.headers["Content-Length"]) > full // 2
            with pytest.raises(http.client.IncompleteRead) as caught:
                response.read()
        assert 0 < len(caught.value.partial) < int(response.headers["Content-Length"])
        status, headers, body = fetch(srv.url(ARTICLE))
        assert status == 200 and len(body) == int(headers["Content-Length"])
        assert [r.fault for r in srv.requests] == ["drop", None]


def test_slow_fault_delays_the_response() -> None:
    with ReplayServer(BUNDLED_PORTAL, faults=[Fault("/robots.txt", "slow", delay=0.3)]) as srv:
        began = time.monotonic()
        assert fetch(srv.url("/robots.txt"))[0] == 200
        slow = time.monotonic() - began
        began = time.monotonic()
        fetch(srv.url("/robots.txt"))
        fast = time.monotonic() - began
        assert slow >= 0.3 > fast
        assert [r.fault for r in srv.requests] == ["slow", None]


def test_slow_fault_combines_with_another_fault() -> None:
    faults = [Fault("/feed/", "slow", delay=0.2), Fault("/feed/", "error")]
    with ReplayServer(BUNDLED_PORTAL, faults=faults) as srv:
        began = time.monotonic()
        assert fetch(srv.url("/feed/"))[0] == 500
        assert time.monotonic() - began >= 0.2


def test_stop_does_not_wait_for_slow_responses_or_idle_connections() -> None:
    srv = ReplayServer(BUNDLED_PORTAL, faults=[Fault("/feed/", "slow", delay=20)]).start()
    idle = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    slow = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        idle.request("GET", "/robots.txt")
        idle.getresponse().read()  # keep-alive connection left open
        slow.request("GET", "/feed/")
        time.sleep(0.1)
        began = time.monotonic()
        srv.stop()
        assert time.monotonic() - began < 5
    finally:
        idle.close()
        slow.close()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "error", "times": 0},
        {"kind": "slow", "delay": 120},
        {"kind": "status", "status": 42},
        {"kind": "unavailable", "retry_after": -1},
    ],
)
def test_fault_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Fault("/x/", **kwargs)  # type: ignore[arg-type]


def test_constructor_validation(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        ReplayServer(BUNDLED_PORTAL, host="0.0.0.0")
    with pytest.raises(ValueError, match="location"):
        ReplayServer(BUNDLED_PORTAL, manifest={"/a/": {"status": 301}})
    with pytest.raises(FileNotFoundError):
        ReplayServer(tmp_path / "missing")
    srv = ReplayServer(BUNDLED_PORTAL)
    with pytest.raises(RuntimeError):
        _ = srv.base_url


# -- command line ------------------------------------------------------------------------------------


def test_parse_fault_spec() -> None:
    assert parse_fault_spec("/feed/:error:2") == Fault("/feed/", "error", times=2)
    assert parse_fault_spec("/category/*:unavailable=5") == Fault("/category/*", "unavailable", retry_after=5)
    assert parse_fault_spec("/?p=*:status=429:*") == Fault("/?p=*", "status", status=429, times=None)
    assert parse_fault_spec("/*:slow=0.5:3") == Fault("/*", "slow", delay=0.5, times=3)


@pytest.mark.parametrize(
    "argv",
    [["--fault", "/feed/"], ["--fault", "/feed/:boom"], ["--port", "99999"], ["--host", "10.0.0.1"], ["/nonexistent"]],
)
def test_cli_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    last_line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "error:" in last_line


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "satukanal_crawler.mirror.replay", "--fault", "/feed/:error"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert fetch(base_url + "/feed/")[0] == 500
        status, _, body = fetch(base_url + "/robots.txt")
        assert status == 200 and f"Sitemap: {base_url}/sitemap_index.xml".encode() in body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
