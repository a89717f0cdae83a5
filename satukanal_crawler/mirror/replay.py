"""Replay HTTP server: serves a captured (or synthetic) mirror of the portal on loopback.

The crawler must be testable without the live portal, so a mirror is a directory of pages plus a
``manifest.json`` that says, for every URL the portal answers, which file to send with which status
and content type (or where a 301 points). The manifest key is the path plus the query string exactly
as a client requests it, decoded (``"/?p=2334"``); anything else is a 404, like WordPress answers for
unknown slugs and like the portal does for query strings it does not know.

The pages hold absolute ``https://satukanal.com`` links, so the server rewrites that origin to its own
base URL in text bodies and in ``Location`` headers; a crawl then never leaves the loopback mirror.

Tests also need the portal's bad days: :class:`Fault` injects 500s, 503s with ``Retry-After``, 403/429s,
responses cut off mid-body, and slow responses, counted per URL, so retry and back-off logic can be
asserted against :attr:`ReplayServer.requests`, the log of every request served.

Only the standard library is used so the server also runs where Scrapy is not installed.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import html
import ipaddress
import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlsplit

__all__ = [
    "BUNDLED_PORTAL",
    "DEFAULT_ORIGIN",
    "FAULT_KINDS",
    "MAX_DELAY",
    "Fault",
    "ReplayServer",
    "RequestRecord",
    "main",
    "parse_fault_spec",
]

DEFAULT_ORIGIN = "https://satukanal.com"
#: The reference snapshot bundled with the package (site/ + manifest.json).
BUNDLED_PORTAL = Path(__file__).resolve().with_name("portal")
FAULT_KINDS = ("error", "unavailable", "drop", "slow", "status")
#: Upper bound for a "slow" delay: a test must never hang on a typo such as delay=300.
MAX_DELAY = 30.0

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for the URLs matching ``path_pattern``.

    ``path_pattern`` is an :func:`fnmatch.fnmatchcase` pattern on the decoded path plus query, e.g.
    ``"/feed/"``, ``"/category/*"`` or ``"/?p=*"``. ``times`` is how many requests *per URL* the
    fault hits before that URL behaves normally again (``None``: every request), because a crawler's
    retry budget is per request, and a test wants "this page fails twice, then works".

    Kinds:

    * ``error``: answer 500.
    * ``unavailable``: answer 503 with ``Retry-After: retry_after`` (1 when not given).
    * ``status``: answer ``status`` (e.g. 403, 429), with ``Retry-After`` only when ``retry_after`` is set.
    * ``drop``: send the real headers, including the full ``Content-Length``, then only the first half
      of the body, then close the connection (a truncated download).
    * ``slow``: delay the response by ``delay`` seconds (at most :data:`MAX_DELAY`); the response itself
      is the normal one, or the one of another matching fault.
    """

    path_pattern: str
    kind: str
    times: int | None = 1
    status: int = 429
    retry_after: int | None = None
    delay: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if not self.path_pattern:
            raise ValueError("fault path pattern is empty")
        if self.times is not None and self.times < 1:
            raise ValueError(f"fault times must be >= 1 or None (every request), got {self.times}")
        if not 100 <= self.status <= 599:
            raise ValueError(f"fault status must be an HTTP status code, got {self.status}")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError(f"Retry-After must be >= 0 seconds, got {self.retry_after}")
        if not 0 <= self.delay <= MAX_DELAY:
            raise ValueError(f"slow delay must be between 0 and {MAX_DELAY:g} seconds, got {self.delay}")

    def matches(self, target: str) -> bool:
        """Whether this fault applies to the decoded path+query ``target``."""
        return fnmatch.fnmatchcase(target, self.path_pattern)


@dataclass(frozen=True)
class RequestRecord:
    """One served request, as the crawler's tests want to see it.

    ``path`` is the decoded path plus query (the manifest key form), ``status`` the status actually
    sent (a fault's status when one fired), ``fault`` the kind of the fault that shaped the response
    (``None`` for a normal one), ``time`` the wall-clock time (``time.time()``) the request was read.
    """

    method: str
    path: str
    status: int
    user_agent: str | None
    time: float
    fault: str | None = None


@dataclass(frozen=True)
class _Mirror:
    """Root directory plus manifest, swapped as one object so a request never sees half of a load()."""

    root: Path
    manifest: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class _Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _validate_manifest(manifest: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Reject malformed manifests up front: a typo should fail the test setup, not show up as a 500."""
    checked: dict[str, dict[str, Any]] = {}
    for key, entry in manifest.items():
        if not isinstance(key, str) or not key.startswith("/"):
            raise ValueError(f"{source}: manifest key {key!r} is not a path starting with '/'")
        if not isinstance(entry, Mapping) or not isinstance(entry.get("status"), int):
            raise ValueError(f"{source}: manifest entry {key!r} has no integer 'status'")
        if entry["status"] in _REDIRECT_STATUSES:
            if not isinstance(entry.get("location"), str):
                raise ValueError(f"{source}: redirect {key!r} has no 'location'")
        elif not isinstance(entry.get("file"), str):
            raise ValueError(f"{source}: manifest entry {key!r} has no 'file'")
        checked[key] = dict(entry)
    return checked


def _is_text(content_type: str) -> bool:
    """Text bodies get the origin rewritten; binary ones (images) must be sent untouched."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return (
        mime.startswith("text/")
        or mime.endswith("/xml")
        or mime.endswith("+xml")
        or mime.endswith("/json")
        or mime.endswith("+json")
        or mime == "application/javascript"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _simple_page(status: int, detail: str = "") -> bytes:
    """A minimal nginx-style error body, for statuses the mirror has no page for."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    title = f"{status} {phrase}"
    extra = f"<p>{html.escape(detail)}</p>" if detail else ""
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        f"{extra}<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that joins its handler threads on close and can cut open connections.

    Handler threads are not daemons so that ``server_close()`` waits for them: a test that stops the
    server must not leave a thread writing to a socket afterwards (ResourceWarnings are errors here).
    Idle keep-alive connections would block that join, so :meth:`ReplayServer.stop` shuts them down.
    """

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], replay: ReplayServer, ipv6: bool) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.replay = replay
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Registered here, in the accepting thread, so stop() cannot miss a connection whose handler
        # thread has not started yet.
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up (Scrapy cancels, tests read half a body, stop() cuts idle connections):
        # that is normal traffic for a replay server, not a traceback on stderr.
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    # An idle keep-alive connection gives its thread back after this long at the latest.
    timeout = 60
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.replay.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _target(self) -> str:
        """The manifest key for this request: decoded path plus query, no fragment."""
        raw = self.path
        if not raw.startswith("/"):  # absolute-form request target (proxy style)
            parts = urlsplit(raw)
            raw = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = raw.partition("?")
        return unquote(path) + (f"?{unquote(query)}" if query else "")

    def _serve(self, *, head: bool) -> None:
        replay = self.server.replay
        target = self._target()
        terminal, delay = replay._take_faults(target)
        if delay > 0:
            replay._stopping.wait(delay)
        response = replay._respond(target)
        fault_kind = terminal.kind if terminal else ("slow" if delay > 0 else None)
        if terminal is not None and terminal.kind != "drop":
            response = replay._fault_response(terminal)
        replay._log(
            RequestRecord(
                method=self.command,
                path=target,
                status=response.status,
                user_agent=self.headers.get("User-Agent"),
                time=time.time(),
                fault=fault_kind,
            )
        )
        dropping = terminal is not None and terminal.kind == "drop"
        body = response.body
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        # A dropped body still announces its full length, so the client notices the truncation.
        self.send_header("Content-Length", str(max(len(body), 1) if dropping else len(body)))
        if dropping:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head:
            return
        self.wfile.write(body[: len(body) // 2] if dropping else body)
        self.wfile.flush()


class ReplayServer:
    """Serve a mirror directory on loopback, in a background thread.

    ``root`` holds the files the manifest names (``site/...``); ``manifest`` is a path, an already
    loaded dict, or ``None`` for ``root / "manifest.json"``. ``origin`` is the site the pages were
    captured from; it is rewritten to :attr:`base_url` in text bodies and redirects. ``port=0`` picks
    a free port. ``not_found_file`` (relative to ``root``) is the body of every 404 for an unknown URL.

    Use it as a context manager (``with ReplayServer(root) as srv: ...``) or call :meth:`start` and
    :meth:`stop`. Binding is refused on anything but a loopback address: a mirror is a test fixture,
    never a public web server.
    """

    def __init__(
        self,
        root: Path | str = BUNDLED_PORTAL,
        *,
        manifest: Path | str | Mapping[str, Any] | None = None,
        origin: str = DEFAULT_ORIGIN,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: list[Fault] | None = None,
        not_found_file: str | None = "site/_errors/404.html",
        verbose: bool = False,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"refusing to bind {host!r}: the replay server only listens on loopback")
        if not 0 <= port <= 65535:
            raise ValueError(f"port out of range: {port}")
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"origin must look like 'https://host', got {origin!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host = host
        self.verbose = verbose
        self.not_found_file = not_found_file
        self._requested_port = port
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._faults: tuple[Fault, ...] = tuple(faults or ())
        self._fault_hits: dict[tuple[int, str], int] = {}
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._replacements: tuple[tuple[bytes, bytes], ...] = ()
        self._mirror = self._read_mirror(Path(root), manifest)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and start serving in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            raise RuntimeError("replay server already started")
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self._requested_port), self, ipv6=":" in self.host)
        self._httpd = httpd
        self._replacements = self._make_replacements()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replay-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections, wake slow responses and join every thread."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with httpd.connections_lock:
            open_connections = list(httpd.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if thread is not None:
            thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (only known once started)."""
        if self._httpd is None:
            raise RuntimeError("replay server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: what replaces the origin in everything served."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute mirror URL for a path such as ``/feed/``."""
        return self.base_url + path

    def to_origin(self, text: str) -> str:
        """Map mirror URLs in ``text`` back to the origin, to compare with origin-based fixtures."""
        return text.replace(self.base_url, self.origin)

    # -- mirror, faults, log -------------------------------------------------------------------

    def load(
        self,
        root: Path | str | None = None,
        manifest: Path | str | Mapping[str, Any] | None = None,
    ) -> None:
        """Swap the served mirror while running (e.g. to the "next day" state of a synthetic mirror).

        ``root`` defaults to the current root; ``manifest`` to ``root / "manifest.json"`` re-read from
        disk. Requests in flight finish on the old mirror; the next request sees the new one. Fault
        counters and the request log are kept.
        """
        self._mirror = self._read_mirror(Path(root) if root is not None else self._mirror.root, manifest)

    def set_faults(self, faults: list[Fault] | None) -> None:
        """Replace the faults and reset their per-URL counters."""
        with self._lock:
            self._faults = tuple(faults or ())
            self._fault_hits.clear()

    @property
    def faults(self) -> tuple[Fault, ...]:
        return self._faults

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot (copy) of every request served so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the request log (e.g. between the first and the incremental crawl)."""
        with self._lock:
            self._requests.clear()

    @property
    def root(self) -> Path:
        return self._mirror.root

    @property
    def manifest(self) -> Mapping[str, Mapping[str, Any]]:
        return self._mirror.manifest

    # -- internals (called from handler threads) -------------------------------------------------

    def _read_mirror(self, root: Path, manifest: Path | str | Mapping[str, Any] | None) -> _Mirror:
        if not root.is_dir():
            raise FileNotFoundError(f"mirror directory not found: {root}")
        if manifest is None or isinstance(manifest, (str, Path)):
            manifest_path = Path(manifest) if manifest is not None else root / "manifest.json"
            with manifest_path.open(encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, Mapping):
                raise ValueError(f"{manifest_path}: manifest is not a JSON object")
            return _Mirror(root, _validate_manifest(data, str(manifest_path)))
        return _Mirror(root, _validate_manifest(manifest, "manifest"))

    def _make_replacements(self) -> tuple[tuple[bytes, bytes], ...]:
        netloc = urlsplit(self.origin).netloc
        base = self.base_url
        base_netloc = urlsplit(base).netloc
        # Order matters: the full origin first, so the protocol-relative rule only sees what is left.
        pairs = [
            (self.origin, base),
            (self.origin.replace("/", "\\/"), base.replace("/", "\\/")),
            (f"//{netloc}", f"//{base_netloc}"),
        ]
        return tuple((old.encode(), new.encode()) for old, new in pairs)

    def _rewrite(self, data: bytes) -> bytes:
        for old, new in self._replacements:
            data = data.replace(old, new)
        return data

    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def _take_faults(self, target: str) -> tuple[Fault | None, float]:
        """Consume this request's share of the faults: the first terminal one plus any slow ones."""
        terminal: Fault | None = None
        delay = 0.0
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.matches(target):
                    continue
                if fault.kind != "slow" and terminal is not None:
                    continue
                key = (index, target)
                hits = self._fault_hits.get(key, 0)
                if fault.times is not None and hits >= fault.times:
                    continue
                self._fault_hits[key] = hits + 1
                if fault.kind == "slow":
                    delay = max(delay, fault.delay)
                else:
                    terminal = fault
        return terminal, delay

    def _fault_response(self, fault: Fault) -> _Response:
        headers: list[tuple[str, str]] = [("Content-Type", "text/html; charset=UTF-8")]
        if fault.kind == "error":
            status = 500
        elif fault.kind == "unavailable":
            status = 503
            headers.append(("Retry-After", str(fault.retry_after if fault.retry_after is not None else 1)))
        else:
            status = fault.status
            if fault.retry_after is not None:
                headers.append(("Retry-After", str(fault.retry_after)))
        return _Response(status, tuple(headers), _simple_page(status))

    def _not_found(self, mirror: _Mirror) -> _Response:
        body = b""
        if self.not_found_file:
            try:
                body = self._rewrite((mirror.root / self.not_found_file).read_bytes())
            except OSError:
                body = b""
        return _Response(404, (("Content-Type", "text/html; charset=UTF-8"),), body or _simple_page(404))

    def _respond(self, target: str) -> _Response:
        mirror = self._mirror
        entry = mirror.manifest.get(target)
        if entry is None:
            return self._not_found(mirror)
        status = int(entry["status"])
        if status in _REDIRECT_STATUSES:
            location = self._rewrite(str(entry["location"]).encode()).decode()
            headers = (("Content-Type", "text/html; charset=UTF-8"), ("Location", location))
            return _Response(status, headers, b"")
        content_type = str(entry.get("content_type") or "application/octet-stream")
        try:
            body = (mirror.root / entry["file"]).read_bytes()
        except OSError as exc:
            # A manifest naming a missing file is a broken fixture: say so loudly but keep serving.
            headers = (("Content-Type", "text/html; charset=UTF-8"),)
            return _Response(500, headers, _simple_page(500, str(exc)))
        if _is_text(content_type):
            body = self._rewrite(body)
        return _Response(status, (("Content-Type", content_type),), body)


# -- command line ---------------------------------------------------------------------------------


def parse_fault_spec(spec: str) -> Fault:
    """Parse ``PATTERN:KIND[=VALUE][:TIMES]`` into a :class:`Fault`.

    VALUE is the Retry-After seconds for ``unavailable``, the status for ``status`` and the delay in
    seconds for ``slow``. TIMES is a count per URL or ``*`` for every request. Examples:
    ``/feed/:error:2``, ``/category/*:unavailable=5``, ``/?p=*:status=429:*``, ``/*:slow=0.5:*``.
    """
    head, sep, last = spec.rpartition(":")
    if not sep or not head:
        raise argparse.ArgumentTypeError(f"bad fault {spec!r}: expected PATTERN:KIND[=VALUE][:TIMES]")
    times: int | None = 1
    if last == "*" or last.isdigit():
        times = None if last == "*" else int(last)
        head, sep, last = head.rpartition(":")
        if not sep or not head:
            raise argparse.ArgumentTypeError(f"bad fault {spec!r}: expected PATTERN:KIND[=VALUE][:TIMES]")
    kind, has_value, value = last.partition("=")
    kwargs: dict[str, Any] = {}
    try:
        if has_value:
            if kind == "status":
                kwargs["status"] = int(value)
            elif kind == "unavailable":
                kwargs["retry_after"] = int(value)
            elif kind == "slow":
                kwargs["delay"] = float(value)
            else:
                raise ValueError(f"fault kind {kind!r} takes no value")
        return Fault(head, kind, times=times, **kwargs)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad fault {spec!r}: {exc}") from None


def _loopback_host(value: str) -> str:
    if not _is_loopback(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a loopback address")
    return value


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {port}")
    return port


def main(argv: list[str] | None = None) -> int:
    """Serve a mirror until Ctrl-C; print the base URL on stdout, one line, once it is listening."""
    parser = argparse.ArgumentParser(
        prog="python -m satukanal_crawler.mirror.replay",
        description="Serve a captured portal mirror (site/ + manifest.json) on a loopback port.",
    )
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=BUNDLED_PORTAL,
        help="mirror directory holding manifest.json (default: the bundled reference snapshot)",
    )
    parser.add_argument("--port", type=_port, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--host", type=_loopback_host, default="127.0.0.1", help="loopback address")
    parser.add_argument("--origin", default=DEFAULT_ORIGIN, help="origin to rewrite (default: %(default)s)")
    parser.add_argument(
        "--fault",
        action="append",
        type=parse_fault_spec,
        default=[],
        metavar="PATTERN:KIND[=VALUE][:TIMES]",
        help="inject a fault (kinds: " + ", ".join(FAULT_KINDS) + "); repeatable",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if not (args.directory / "manifest.json").is_file():
        parser.error(f"{args.directory}: no manifest.json in this directory")
    try:
        server = ReplayServer(
            args.directory,
            origin=args.origin,
            host=args.host,
            port=args.port,
            faults=args.fault,
            verbose=args.verbose,
        ).start()
    except (OSError, ValueError) as exc:
        print(f"replay: cannot serve {args.directory}: {exc}", file=sys.stderr)
        return 1
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
