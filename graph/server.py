"""Serve a store read-only over the SPARQL 1.1 Protocol on 127.0.0.1 with the Oxigraph server behind a policy gate.

The SPARQL engine, the protocol (GET and POST, content negotiation, the W3C
result formats) and the YASGUI query page are Oxigraph's own
(``oxigraph serve-read-only`` from the ``oxigraph`` package), bound to a
private loopback port. In front of it a small gate on the public port adds
what the Oxigraph server does not do by itself:

- ``SERVICE`` is refused with 403 before the query reaches Oxigraph, which
  would otherwise fetch whatever URL a query names; ``FROM``/``FROM NAMED``
  and dataset parameters are refused too, as on the command line;
- updates (``/update``, ``update=``, ``application/sparql-update``) get 403;
- the ``Host`` header must name the loopback address and port (DNS rebinding);
- CORS headers only for the one origin given with ``--cors ORIGIN``
  (Oxigraph's own ``--cors`` answers ``*`` to everyone);
- a query that hits the timeout gets 503 with a message: Oxigraph streams
  results and, on timeout, cuts a 200 response short; the gate reads the
  whole answer before it sends a status, so a 200 body is always complete;
- request bodies over 64 KiB get 413, URLs over 8 KiB 414, more concurrent
  queries than the pool holds wait, and past the timeout get 503;
- idle or slow clients are disconnected after a socket timeout.

Ctrl-C or SIGTERM stops Oxigraph and the gate and removes a temporary store.
"""

from __future__ import annotations

import http.client
import http.server
import itertools
import math
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.backends import is_store, load_store
from graph.errors import InputError, OutputError

#: Largest request body the gate accepts (a query, form-encoded or not).
MAX_BODY = 64 * 1024
#: Longest request target (path and query string).
MAX_URL = 8 * 1024
#: Largest answer the gate buffers before it gives up with 503 (add LIMIT to the query).
MAX_RESPONSE = 256 * 1024 * 1024
#: Seconds an idle or slow client may hold a connection.
CLIENT_TIMEOUT = 20.0

_CANCELLED = b"The SPARQL operation has been cancelled"
_QUERY_PATHS = ("/query", "/sparql")
_STATIC_PATHS = ("/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
_FORM = "application/x-www-form-urlencoded"
_SPARQL_QUERY = "application/sparql-query"
_SPARQL_UPDATE = "application/sparql-update"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_WORD = re.compile(
    r"""\#[^\n\r]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+|[A-Za-z_][\w.\-]*:?[\w.\-:%]*|.""",
    re.DOTALL,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class ServeConfig:
    """What ``wbsec serve`` serves and how."""

    port: int = 7878
    store: Path | None = None
    files: Sequence[str | Path] = ()
    shipped: bool = True
    cors: str | None = None
    timeout: float = 30.0
    pool: int = 8
    oxigraph: str | None = None


@dataclass
class Running:
    """A started server: its public URLs and the store it serves."""

    port: int
    store: Path
    temporary: bool
    child: subprocess.Popen[bytes]
    gate: _Gate
    upstream_port: int
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def ui(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def oxigraph_executable(explicit: str | None = None) -> str:
    """The ``oxigraph`` server binary: next to this Python (a virtualenv's bin/), else on PATH."""
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise InputError("the Oxigraph server is not installed: pip install oxigraph (it provides the 'oxigraph' command)")
    return found


def check_origin(origin: str) -> str:
    """``origin`` if it is one exact origin (scheme://host[:port]); ``*`` and paths are refused."""
    if not _ORIGIN.match(origin):
        raise InputError(f"--cors {origin!r}: give one exact origin such as https://example.org or http://localhost:8080")
    return origin


def policy_refusal(query: str) -> str | None:
    """Why the gate refuses ``query`` (SERVICE, FROM), or None; strings, IRIs and comments are skipped.

    ``\\u`` escapes are decoded first, as SPARQL does before parsing, so
    ``\\u0053ERVICE`` is caught too.

    >>> policy_refusal('SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }')
    'SPARQL SERVICE is refused: this endpoint never queries other endpoints'
    >>> policy_refusal('SELECT ?service WHERE { ?service a "SERVICE" }') is None
    True
    """
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    for m in _WORD.finditer(text):
        word = m.group().upper()
        if word == "SERVICE":
            return "SPARQL SERVICE is refused: this endpoint never queries other endpoints"
        if word == "FROM":
            return "SPARQL FROM and FROM NAMED are refused: this endpoint answers from its own store only"
    return None


# --------------------------------------------------------------------------- running


def start(config: ServeConfig) -> Running:
    """Prepare the store, bind the public port, start Oxigraph and the gate; return when both answer."""
    if config.timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    cors = check_origin(config.cors) if config.cors else None
    exe = oxigraph_executable(config.oxigraph)
    public = _bind(config.port)
    temporary = config.store is None
    workdir: Path | None = None
    try:
        if config.store is not None:
            store = Path(config.store)
            if config.files:
                raise InputError("--data cannot be combined with --store; add files with: wbsec load --store DIR FILE...")
            if not is_store(store):
                raise InputError(f"{store}: not an Oxigraph store; create one with: wbsec load --store {store} FILE...")
        else:
            workdir = Path(tempfile.mkdtemp(prefix="wbsec-serve-"))
            store = workdir / "store"
            load_store(store, config.files, shipped=config.shipped)
        upstream_port = _free_port()
        command = [exe, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{upstream_port}",
                   "--timeout-s", str(max(1, math.ceil(config.timeout)))]
        log = tempfile.TemporaryFile()  # Oxigraph names its private port there; shown only if it fails
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    except BaseException:
        public.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    try:
        _wait_for(upstream_port, child, 30.0, log)
        gate = _Gate(public, upstream_port, config, cors)
    except BaseException:
        _stop_child(child)
        public.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    running = Running(public.getsockname()[1], store, temporary, child, gate, upstream_port)
    thread = threading.Thread(target=gate.serve_forever, kwargs={"poll_interval": 0.2}, name="wbsec-gate", daemon=True)
    thread.start()
    running.threads.append(thread)
    return running


def stop(running: Running) -> None:
    """Stop the gate and Oxigraph (SIGTERM, then SIGKILL after 5 s) and remove a temporary store."""
    running.gate.shutdown()
    running.gate.server_close()
    _stop_child(running.child)
    if running.temporary:
        shutil.rmtree(running.store.parent, ignore_errors=True)


def serve(config: ServeConfig, ready: Callable[[Running], None]) -> int:
    """Run until Ctrl-C (exit status 130) or SIGTERM (0); ``ready`` is called once the endpoint answers.

    Returns 1 when Oxigraph stops by itself.
    """
    stopping = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signum)
        stopping.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        running = start(config)
        try:
            ready(running)
            while not stopping.wait(0.5):
                if running.child.poll() is not None:
                    print(f"Error: the Oxigraph server stopped (status {running.child.returncode})", file=sys.stderr)
                    return 1
        finally:
            stop(running)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 130 if received and received[0] == signal.SIGINT else 0


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise InputError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); choose another port") from exc
    sock.listen(128)
    return sock


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, child: subprocess.Popen[bytes], seconds: float, log: Any) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            log.seek(0)
            said = " ".join(log.read(2000).decode("utf-8", "replace").split())
            raise OutputError(f"the Oxigraph server exited at start (status {child.returncode}): {said}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise OutputError(f"the Oxigraph server did not start listening within {seconds:g} s")


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


# --------------------------------------------------------------------------- the gate


class _Gate(http.server.ThreadingHTTPServer):
    """The public listener: checks each request, then relays it to Oxigraph on a pooled connection."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, sock: socket.socket, upstream_port: int, config: ServeConfig, cors: str | None) -> None:
        port = sock.getsockname()[1]
        super().__init__(("127.0.0.1", port), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.server_address = sock.getsockname()
        self.upstream_port = upstream_port
        self.timeout_s = config.timeout
        self.cors = cors
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        self.pool: queue.Queue[http.client.HTTPConnection] = queue.Queue()
        for _ in range(max(1, config.pool)):
            self.pool.put(_Upstream("127.0.0.1", upstream_port, timeout=config.timeout + 10))
        self.ids = itertools.count(1)


class _Upstream(http.client.HTTPConnection):
    """A connection to Oxigraph with Nagle's algorithm off (small requests would wait for delayed ACKs)."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wbsec-serve"
    timeout = CLIENT_TIMEOUT
    server: _Gate

    # -- plumbing --------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body go out at once

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        return None  # one line per request would drown the terminal under load; errors are logged below

    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Request-Id", self.request_id)
        origin = self.headers.get("Origin") if self.headers else None
        if self.server.cors and origin == self.server.cors:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"))

    def handle_one_request(self) -> None:
        self.request_id = f"{os.getpid():x}-{next(self.server.ids):x}"
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, socket.timeout):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (bad request line, 414 for huge lines): plain text, no HTML echo
        self.close_connection = True
        if not hasattr(self, "request_id"):
            self.request_id = "-"
        try:
            self._text(code, message or http.HTTPStatus(code).phrase)
        except OSError:
            pass

    # -- methods ---------------------------------------------------------------
    def do_GET(self) -> None:
        self._guarded(self._get)

    def do_HEAD(self) -> None:
        self._guarded(self._get)

    def do_POST(self) -> None:
        self._guarded(self._post)

    def do_OPTIONS(self) -> None:
        self._guarded(self._options)

    def do_PUT(self) -> None:
        self._guarded(lambda: self._refuse_method())

    do_DELETE = do_PATCH = do_PUT

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            if len(self.path) > MAX_URL:
                self.close_connection = True
                self._text(414, f"the URL is longer than {MAX_URL} bytes; send the query with POST")
                return
            host = (self.headers.get("Host") or "").lower()
            if host not in self.server.hosts:
                self.close_connection = True
                self._text(403, "Host not allowed: use http://127.0.0.1:PORT/ (DNS-rebinding protection)")
                return
            action()
        except (ConnectionError, TimeoutError, socket.timeout):
            self.close_connection = True
        except Exception as exc:  # never drop the connection silently: a generic 500 with a request id
            print(f"wbsec serve: internal error {self.request_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.close_connection = True
            try:
                self._text(500, f"internal error (request id {self.request_id})")
            except OSError:
                pass

    def _refuse_method(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/update" or path == "/store":
            self._text(403, "this endpoint is read-only")
        else:
            self._text(405, f"method {self.command} is not allowed here; use GET or POST")

    def _options(self) -> None:
        origin = self.headers.get("Origin")
        extra = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.server.cors and origin == self.server.cors:
            extra.update({
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
                "Access-Control-Max-Age": "600",
            })
        self._send(204, b"", extra=extra)

    def _get(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/update":
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if parts.path in _QUERY_PATHS:
            fields = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if "update" in fields:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            if not self._query_allowed(fields):
                return
            self._relay(b"", None)
            return
        if parts.path in _STATIC_PATHS or parts.path == "/store":
            self._relay(b"", None)
            return
        self._text(404, f"no such page: {parts.path}; SPARQL queries go to /query")

    def _post(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/update" or parts.path == "/store":
            self._drain_small()
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if parts.path not in _QUERY_PATHS:
            self._drain_small()
            self._text(404 if parts.path not in _STATIC_PATHS else 405, f"cannot POST to {parts.path}")
            return
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._text(411, "send the query with a Content-Length (chunked bodies are not accepted)")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self._text(411, "a POST needs a Content-Length")
            return
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._text(413, f"the request body is over the {MAX_BODY}-byte limit")
            return
        body = self.rfile.read(length)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == _SPARQL_UPDATE:
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if ctype == _FORM:
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                self._text(400, "the form body is not UTF-8")
                return
            if "update" in form:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            query_fields = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if "query" in query_fields:
                self._text(400, "give the query either in the URL or in the body, not both")
                return
            if not self._query_allowed({**query_fields, **form}):
                return
        elif ctype == _SPARQL_QUERY:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                self._text(400, "the query is not UTF-8")
                return
            fields = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if "query" in fields:
                self._text(400, "give the query either in the URL or in the body, not both")
                return
            if not self._query_allowed({**fields, "query": [text]}):
                return
        else:
            self._text(415, f"send the query as {_FORM} or {_SPARQL_QUERY}")
            return
        self._relay(body, self.headers.get("Content-Type"))

    def _drain_small(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _query_allowed(self, fields: dict[str, list[str]]) -> bool:
        queries = fields.get("query", [])
        if len(queries) != 1:
            self._text(400, "give exactly one query parameter" if queries else "missing query parameter")
            return False
        if "default-graph-uri" in fields or "named-graph-uri" in fields:
            self._text(403, "default-graph-uri and named-graph-uri are refused: this endpoint answers from its own store")
            return False
        refusal = policy_refusal(queries[0])
        if refusal:
            self._text(403, refusal)
            return False
        return True

    # -- relaying --------------------------------------------------------------
    def _relay(self, body: bytes, content_type: str | None) -> None:
        server = self.server
        try:
            conn = server.pool.get(timeout=server.timeout_s)
        except queue.Empty:
            self._text(503, f"the server is busy; try again (request id {self.request_id})")
            return
        started = time.monotonic()
        status, headers, payload = 0, {}, b""
        try:
            status, headers, payload = self._exchange(conn, body, content_type)
        except (TimeoutError, socket.timeout):
            conn.close()
            self._text(503, f"the query took longer than {server.timeout_s:g} s and was stopped; narrow it (add LIMIT)")
            return
        except _TooLarge:
            conn.close()
            self._text(503, f"the result is larger than {MAX_RESPONSE} bytes; add LIMIT to the query")
            return
        finally:
            server.pool.put(conn)
        elapsed = time.monotonic() - started
        if status == 200 and (payload.rstrip().endswith(_CANCELLED) or
                              (elapsed >= server.timeout_s and self._is_query())):
            self._text(503, f"the query took longer than {server.timeout_s:g} s and was stopped; narrow it (add LIMIT)")
            return
        extra = {k: v for k, v in headers.items() if k.lower() in ("cache-control", "vary", "allow", "content-disposition")}
        self._send(status, payload, headers.get("content-type", "application/octet-stream"), extra)

    def _is_query(self) -> bool:
        return urllib.parse.urlsplit(self.path).path in _QUERY_PATHS

    def _exchange(self, conn: http.client.HTTPConnection, body: bytes, content_type: str | None
                  ) -> tuple[int, dict[str, str], bytes]:
        """Send the request upstream and read the whole answer, giving up at the gate's own deadline."""
        deadline = time.monotonic() + self.server.timeout_s
        headers = {"Host": f"127.0.0.1:{self.server.upstream_port}"}
        accept = self.headers.get("Accept")
        if accept:
            headers["Accept"] = accept
        if self.command == "POST":
            headers["Content-Type"] = content_type or _FORM
            headers["Content-Length"] = str(len(body))
        method = "GET" if self.command == "HEAD" else self.command
        # Oxigraph drops a kept-alive connection that idles past its --timeout-s (answering the next
        # request on it with a 500), so a connection idle for a while is reopened first
        if time.monotonic() - getattr(conn, "wbsec_used", 0.0) > min(1.0, self.server.timeout_s / 2):
            conn.close()
        for attempt in (1, 2):
            try:
                conn.request(method, self.path, body=body if method == "POST" else None, headers=headers)
                _arm(conn, deadline)
                response = conn.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest):
                conn.close()  # a kept-alive connection Oxigraph closed; reconnect once
                if attempt == 2:
                    raise
        payload = bytearray()
        try:
            while True:
                _arm(conn, deadline)
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                payload += chunk
                if len(payload) > MAX_RESPONSE:
                    raise _TooLarge()
        except http.client.IncompleteRead as exc:
            raise TimeoutError("upstream cut the answer short") from exc
        if response.will_close:
            conn.close()
        conn.wbsec_used = time.monotonic()  # type: ignore[attr-defined]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, bytes(payload)


def _arm(conn: http.client.HTTPConnection, deadline: float) -> None:
    """Let the next socket operation wait only until the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    if conn.sock is not None:
        conn.sock.settimeout(remaining)


class _TooLarge(Exception):
    """The upstream answer exceeded :data:`MAX_RESPONSE`."""
