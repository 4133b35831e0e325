"""Serve a store read-only over the SPARQL 1.1 Protocol on 127.0.0.1, every query checked by the CLI's policy.

One public listener on 127.0.0.1 (the gate) and a few worker processes that
each open the store read-only with pyoxigraph. The gate talks to the workers
over pipes they inherit; no other port is open while the server runs, so
nothing else on the machine can reach the query engine. What the gate does:

- every query is parsed and checked by :func:`graph.sparql.check_query`, the
  same parser and policy as ``wbsec query``: ``SERVICE``, ``FROM``,
  ``FROM NAMED``, ``LOAD`` and updates are refused (403) on the parsed query,
  and the worker receives exactly the text that was checked;
- updates (``/update``, ``update=``, ``application/sparql-update``) get 403;
- the ``Host`` header must name the loopback address and port (DNS
  rebinding); a request whose ``Origin`` is not this server or the one
  ``--cors`` origin gets 403, whatever its method and content type, and so
  does a browser request marked ``Sec-Fetch-Site: cross-site`` without one;
- CORS headers only for the one origin given with ``--cors ORIGIN``;
- results are built completely before the status is sent: a query past the
  timeout gets 503 and its worker is killed (so a runaway ``REGEX`` stops
  too), never a cut-short 200;
- malformed HTTP gets its status (400, 411, 413, 414, 431, 505), duplicate
  ``Host`` or ``Content-Length`` 400, and a client must send its request
  line and headers within ``--header-timeout`` seconds (:data:`HEADER_TIMEOUT`
  by default);
- SIGTERM stops accepting, lets running queries finish for
  :data:`SHUTDOWN_GRACE` seconds and answers the rest with 503.

Besides the endpoint (and its Service Description at ``GET /query`` with no
query), the gate answers ``GET /store?default`` (the SPARQL 1.1 Graph Store
Protocol, read-only) and, when a :class:`PageSource` is given, the pages of
the published site: ``/id/NAME`` and ``/def`` by content negotiation (HTML
for browsers; Turtle, JSON-LD or N-Triples for programs), and every file of
the site at its own path (``/id/NAME.ttl``, ``/index.html``, ``/assets/...``).

The YASGUI query page comes from the ``oxigraph`` server binary: its four
files are read once at start from a short-lived ``oxigraph serve`` process on
an empty in-memory store, inside a network namespace of its own where the
system allows it (else its loopback port is open for that moment only).
"""

from __future__ import annotations

import http.client
import http.server
import itertools
import json
import os
import queue
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graph.backends import is_store, load_store
from graph.errors import GraphError, InputError, OutputError, PolicyError
from graph.sparql import check_query

#: Largest request body the gate accepts (a query, form-encoded or not).
MAX_BODY = 64 * 1024
#: Longest request target (path and query string).
MAX_URL = 8 * 1024
#: Largest answer a worker builds before it gives up with 503 (add LIMIT to the query).
MAX_RESPONSE = 256 * 1024 * 1024
#: Seconds an idle keep-alive client may hold a connection between requests.
CLIENT_TIMEOUT = 20.0
#: Seconds a client has to send its whole request line, headers and body.
HEADER_TIMEOUT = 10.0
#: Seconds running queries may still finish after SIGTERM before they get 503.
SHUTDOWN_GRACE = 2.0
#: Memory a query worker may use beyond what it holds once the store is open.
WORKER_MEMORY = 1 << 30

_QUERY_PATHS = ("/query", "/sparql")
_STATIC_PATHS = ("/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
_FORM = "application/x-www-form-urlencoded"
_SPARQL_QUERY = "application/sparql-query"
_SPARQL_UPDATE = "application/sparql-update"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_WORKER_FLAG = "--wbsec-serve-worker"
#: A path the page source may answer: segments of letters, digits, '.', '_' and '-' (no '..', no empty
#: segment, no segment starting with '.'), or the dataset description at ``/.well-known/void`` (RFC 8615).
_PAGE_PATH = re.compile(r"^(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$|^/\.well-known/void$")
_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_WHOLE_GRAPH = "CONSTRUCT WHERE { ?s ?p ?o }"

#: Media types a SELECT/ASK answer can take, and pyoxigraph's QueryResultsFormat for each.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
#: Media types a CONSTRUCT/DESCRIBE answer can take, and pyoxigraph's RdfFormat for each.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
    "application/n-quads": "N_QUADS",
    "application/trig": "TRIG",
    "text/plain": "N_TRIPLES",
}
_CANONICAL = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
              "CSV": "text/csv", "TSV": "text/tab-separated-values"}
#: The W3C format IRI (http://www.w3.org/ns/formats/) of each pyoxigraph format, for the Service Description.
_FORMAT_IRIS = {"JSON": "SPARQL_Results_JSON", "XML": "SPARQL_Results_XML", "CSV": "SPARQL_Results_CSV",
                "TSV": "SPARQL_Results_TSV", "TURTLE": "Turtle", "N_TRIPLES": "N-Triples", "RDF_XML": "RDF_XML",
                "JSON_LD": "JSON-LD", "N_QUADS": "N-Quads", "TRIG": "TriG"}


class PageFile(Protocol):
    """One file of the published site: its bytes, media type and (for a page) its Content-Security-Policy."""

    @property
    def body(self) -> bytes: ...

    @property
    def media_type(self) -> str: ...

    @property
    def csp(self) -> str | None: ...


class PageSource(Protocol):
    """What the gate asks for the site's pages (:class:`graph.site.SiteFiles` is one)."""

    def representations(self, path: str) -> Mapping[str, str] | None:
        """Media type -> site path of each representation of the resource at ``path`` (``id/AL``), best first."""
        ...

    def file(self, path: str) -> PageFile | None:
        """The file at site ``path`` (``id/AL.ttl``, ``index.html``), or None."""
        ...


@dataclass(frozen=True)
class ServeConfig:
    """What ``wbsec serve`` serves and how (``pool``: worker processes, i.e. queries run at once)."""

    port: int = 7878
    store: Path | None = None
    files: Sequence[str | Path] = ()
    shipped: bool = True
    cors: str | None = None
    timeout: float = 30.0
    #: Seconds a client has to send its request line and headers (a slow client is disconnected).
    header_timeout: float = HEADER_TIMEOUT
    pool: int = 4
    oxigraph: str | None = None
    #: Makes the page source from the served store's directory, once, at the first page request (None: no pages).
    pages: Callable[[Path], PageSource] | None = None


@dataclass
class Running:
    """A started server: its public URLs and the store it serves."""

    port: int
    store: Path
    temporary: bool
    gate: _Gate
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def ui(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def home(self) -> str:
        """The published site's home page (answered only when the server has a page source)."""
        return f"http://127.0.0.1:{self.port}/index.html"

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the live query workers."""
        return self.gate.workers.pids()


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


def negotiate(accept: str | None, kind: str) -> tuple[str, str] | None:
    """The (media type, pyoxigraph format name) to answer a ``kind`` query with, or None (406).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", "SELECT")
    ('application/sparql-results+json', 'JSON')
    >>> negotiate(None, "CONSTRUCT")
    ('text/turtle', 'TURTLE')
    >>> negotiate("application/foo", "ASK") is None
    True
    """
    table = GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES
    media = choose_media(accept, list(table))
    if media is None:
        return None
    fmt = table[media]
    if table is RESULT_TYPES:
        media = _CANONICAL[fmt]
    elif media == "text/plain":
        media = "application/n-triples"
    return media, fmt


def choose_media(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the ``Accept`` header prefers, or None when it accepts none of them (406).

    Each offer takes the q value of the most specific range that matches it
    (RFC 9110: ``text/turtle`` over ``text/*`` over ``*/*``). The highest q
    wins; between equal q values, the offer matched by the more specific
    range, then by the earlier range in the header, then the earlier offer.
    Without ``Accept`` the first offer wins.

    >>> choose_media("text/html,application/xhtml+xml,*/*;q=0.8", ["text/html", "text/turtle"])
    'text/html'
    >>> choose_media("text/*;q=0.5, text/turtle", ["text/html", "text/turtle"])
    'text/turtle'
    >>> choose_media("text/csv, */*", ["application/json", "text/csv"])
    'text/csv'
    >>> choose_media("application/pdf", ["text/html", "text/turtle"]) is None
    True
    """
    if not offers:
        return None
    if not accept or not accept.strip():
        return offers[0]
    ranges = _accept_ranges(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for position, offer in enumerate(offers):
        match = _range_for(offer, ranges)
        if match is None or match[2] <= 0:
            continue
        key = (match[2], match[0], match[1], -position)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header, lower-cased, in order, each with its q value (0 to 1).

    A q value that is not a number counts as 0; empty items are left out.

    >>> _accept_ranges("text/HTML;level=1;q=0.7, , */*;q=x")
    [('text/html', 0.7), ('*/*', 0.0)]
    """
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in parts[1:]:
            if param.lower().startswith("q="):
                try:
                    q = min(max(float(param[2:]), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if parts[0]:
            ranges.append((parts[0].lower(), q))
    return ranges


def _range_for(offer: str, ranges: Sequence[tuple[str, float]]) -> tuple[int, int, float] | None:
    """How the most specific range of ``ranges`` matching ``offer`` does: (specificity, -place, q), or None.

    Specificity is 2 for the exact type, 1 for ``type/*``, 0 for ``*/*``;
    between equally specific ranges the earlier one in the header counts.

    >>> _range_for("text/turtle", [("*/*", 0.1), ("text/*", 0.5), ("text/turtle", 0.9)])
    (2, -2, 0.9)
    """
    major = offer.split("/", 1)[0] + "/*"
    match: tuple[int, int, float] | None = None
    for place, (media, q) in enumerate(ranges):
        level = 2 if media == offer else 1 if media == major else 0 if media == "*/*" else -1
        if level >= 0 and (match is None or level > match[0]):
            match = (level, -place, q)
    return match


def service_description(endpoint: str, triples: int | None, fmt: str) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint at ``endpoint``, in pyoxigraph's RdfFormat ``fmt``.

    It names the endpoint, the language (SPARQL 1.1 Query; no update, no
    federation), every result format the endpoint answers in, and the
    default dataset with its number of triples (``void:triples``).

    >>> b"sd:SPARQL11Query" in service_description("http://127.0.0.1:7878/query", 3, "TURTLE")
    True
    """
    import pyoxigraph as ox

    sd = "http://www.w3.org/ns/sparql-service-description#"
    void = "http://rdfs.org/ns/void#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, graph = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")

    def n(ns: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(ns + local)

    triples_out = [
        ox.Triple(service, rdf_type, n(sd, "Service")),
        ox.Triple(service, n(sd, "endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, n(sd, "supportedLanguage"), n(sd, "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "Read-only: updates, SERVICE, FROM, FROM NAMED and LOAD are refused (403).", language="en")),
    ]
    formats = sorted({_FORMAT_IRIS[f] for f in (*RESULT_TYPES.values(), *GRAPH_TYPES.values())})
    triples_out += [ox.Triple(service, n(sd, "resultFormat"), n("http://www.w3.org/ns/formats/", f))
                    for f in formats]
    triples_out += [
        ox.Triple(service, n(sd, "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, n(sd, "Dataset")),
        ox.Triple(dataset, n(sd, "defaultGraph"), graph),
        ox.Triple(graph, rdf_type, n(sd, "Graph")),
    ]
    if triples is not None:
        triples_out.append(ox.Triple(graph, n(void, "triples"), ox.Literal(
            str(triples), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    data: bytes = ox.serialize(triples_out, format=getattr(ox.RdfFormat, fmt),
                               prefixes={"sd": sd, "void": void, "formats": "http://www.w3.org/ns/formats/"})
    return data


# --------------------------------------------------------------------------- running


def start(config: ServeConfig) -> Running:
    """Prepare the store, bind the public port, start the workers and the gate; return once they answer."""
    if config.timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    cors = check_origin(config.cors) if config.cors else None
    exe = oxigraph_executable(config.oxigraph)
    public = _bind(config.port)
    temporary = config.store is None
    workdir: Path | None = None
    workers: _Workers | None = None
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
        static = _static_files(exe)
        workers = _Workers(store, max(1, config.pool))
        gate = _Gate(public, config, cors, workers, static, store)
    except BaseException:
        if workers is not None:
            workers.close()
        public.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    running = Running(public.getsockname()[1], store, temporary, gate)
    thread = threading.Thread(target=gate.serve_forever, kwargs={"poll_interval": 0.2}, name="wbsec-gate", daemon=True)
    thread.start()
    running.threads.append(thread)
    watchdog = threading.Thread(target=gate.watch_clients, name="wbsec-watchdog", daemon=True)
    watchdog.start()
    running.threads.append(watchdog)
    return running


def stop(running: Running, grace: float = SHUTDOWN_GRACE) -> None:
    """Stop accepting, let running queries finish for ``grace`` seconds, answer the rest 503, clean up."""
    gate = running.gate
    gate.draining.set()
    gate.shutdown()
    gate.socket.close()
    gate.wait_idle(grace)
    gate.workers.close()  # queries still running now are cut: their handlers answer 503
    gate.wait_idle(5.0)
    gate.stopped.set()
    gate.server_close()
    if running.temporary:
        shutil.rmtree(running.store.parent, ignore_errors=True)


def serve(config: ServeConfig, ready: Callable[[Running], None]) -> int:
    """Run until Ctrl-C (exit status 130) or SIGTERM (0); ``ready`` is called once the endpoint answers."""
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
            stopping.wait()
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


def _static_files(exe: str) -> dict[str, tuple[str, bytes]]:
    """The query page's files, read once from the ``oxigraph`` binary's own server on an empty store.

    Where :func:`isolation_prefix` works, that short-lived server runs in an
    empty network namespace of its own (with only its loopback), so no port
    opens on this machine at all; elsewhere it listens on a free loopback
    port for the moment it takes to read four files.
    """
    prefix = isolation_prefix()
    if prefix:
        result = subprocess.run(
            [*prefix, sys.executable, "-c",
             "import sys; from graph.server import static_main; sys.exit(static_main(sys.argv[1:]))", exe],
            capture_output=True, timeout=60, env=_child_env(),
        )
        if result.returncode == 0:
            import base64

            listed = json.loads(result.stdout)
            return {path: (ctype, base64.b64decode(body)) for path, (ctype, body) in listed.items()}
    return _fetch_static(exe)


def static_main(argv: Sequence[str]) -> int:
    """Entry point run inside a new network namespace: bring its loopback up, print the page's files as JSON."""
    import base64
    import fcntl

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, siocgifflags, request)[:18])[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))
    files = _fetch_static(argv[0])
    print(json.dumps({path: (ctype, base64.b64encode(body).decode("ascii")) for path, (ctype, body) in files.items()}))
    return 0


def _child_env() -> dict[str, str]:
    """This environment, with the directory holding the ``graph`` package first on the Python path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _fetch_static(exe: str) -> dict[str, tuple[str, bytes]]:
    """The query page's files from an ``oxigraph serve`` on an empty in-memory store and a free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = tempfile.TemporaryFile()
    child = subprocess.Popen([exe, "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", "1"],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 30.0
        files: dict[str, tuple[str, bytes]] = {}
        while not files:
            if child.poll() is not None:
                log.seek(0)
                said = " ".join(log.read(2000).decode("utf-8", "replace").split())
                raise OutputError(f"the Oxigraph server exited at start (status {child.returncode}): {said}")
            try:
                for path in _STATIC_PATHS:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    try:
                        conn.request("GET", path)
                        response = conn.getresponse()
                        files[path] = (response.getheader("Content-Type") or "application/octet-stream", response.read())
                    finally:
                        conn.close()
            except OSError:
                files.clear()
                if time.monotonic() > deadline:
                    raise OutputError("the Oxigraph server did not start listening within 30 s") from None
                time.sleep(0.05)  # polling a child that has no readiness signal
        return files
    finally:
        _stop_child(child)
        log.close()


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


# --------------------------------------------------------------------------- the workers


class _Died(Exception):
    """The worker process ended (killed at the deadline or at shutdown) before it answered."""


class _Worker:
    """One query process: pyoxigraph on the store, read-only, spoken to over its stdin and stdout."""

    def __init__(self, store: Path) -> None:
        env = _child_env()
        self.log = tempfile.TemporaryFile()  # the worker's own complaints, shown only if it fails to start
        self.process = subprocess.Popen(
            [*isolation_prefix(), sys.executable, "-c",
             "import sys; from graph.server import worker_main; sys.exit(worker_main(sys.argv[1:]))",
             _WORKER_FLAG, str(store), str(MAX_RESPONSE)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        try:
            header, _body = self._receive(time.monotonic() + 60.0)
        except (_Died, TimeoutError, ValueError, struct.error) as exc:
            self.kill()
            said = self._stderr()
            raise OutputError(f"{store}: the query worker could not open the store ({said or exc})") from None
        if header.get("status") != "ready":
            self.kill()
            raise OutputError(f"{store}: the query worker could not open the store ({header.get('error')})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, text: str, kind: str, fmt: str, deadline: float) -> tuple[dict[str, Any], bytes]:
        """Send one checked query; the answer, or TimeoutError (the worker is then killed) or _Died."""
        request = json.dumps({"query": text, "kind": kind, "format": fmt}).encode("utf-8")
        try:
            self.stdin.write(struct.pack(">I", len(request)) + request)
            self.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise _Died() from exc
        try:
            return self._receive(deadline)
        except TimeoutError:
            self.kill()
            raise

    def _receive(self, deadline: float) -> tuple[dict[str, Any], bytes]:
        (size,) = struct.unpack(">I", self._read(4, deadline))
        header = json.loads(self._read(size, deadline))
        (length,) = struct.unpack(">Q", self._read(8, deadline))
        return header, self._read(length, deadline)

    def _read(self, n: int, deadline: float) -> bytes:
        try:
            fd = self.stdout.fileno()
        except ValueError as exc:  # closed by kill() at shutdown, from another thread, between two reads
            raise _Died() from exc
        out = bytearray()
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while len(out) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the query ran past the deadline")
            if not poller.poll(remaining * 1000):
                continue
            try:
                chunk = os.read(fd, min(n - len(out), 1 << 20))
            except OSError as exc:
                raise _Died() from exc
            if not chunk:
                raise _Died()
            out += chunk
        return bytes(out)

    def _stderr(self) -> str:
        try:
            self.log.seek(0)
            lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
            return " ".join(lines[-1].split())[:300] if lines else ""
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.log):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


_ISOLATION: list[list[str]] = []


def isolation_prefix() -> list[str]:
    """``unshare --net --map-root-user`` where this system lets a user start a process without network.

    Defence in depth: the policy already refuses SERVICE before a worker sees
    a query; a worker in its own empty network namespace could not reach
    any host even if a query slipped through. Empty where unavailable
    (no ``unshare``, user namespaces disabled, not Linux).
    """
    if not _ISOLATION:
        found = shutil.which("unshare")
        prefix = [found, "--net", "--map-root-user"] if found else []
        if prefix:
            try:
                probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
                if probe.returncode != 0:
                    prefix = []
            except (OSError, subprocess.TimeoutExpired):
                prefix = []
        _ISOLATION.append(prefix)
    return list(_ISOLATION[0])


class _Workers:
    """A fixed number of worker slots; a slot whose worker died is refilled by the next request that takes it."""

    def __init__(self, store: Path, size: int) -> None:
        self.store = store
        self.closed = False
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        first = [_Worker(store)]  # fails fast (and clearly) when the store cannot be opened
        self._all.extend(first)
        self._slots.put(first[0])
        for _ in range(size - 1):
            self._slots.put(None)

    def take(self, timeout: float) -> _Worker | None:
        """A live worker, or None when all are busy for ``timeout`` seconds."""
        try:
            worker = self._slots.get(timeout=timeout)
        except queue.Empty:
            return None
        if worker is None or not worker.alive():
            try:
                worker = self._spawn()
            except BaseException:
                self._slots.put(None)
                raise
        return worker

    def give_back(self, worker: _Worker) -> None:
        self._slots.put(worker if worker.alive() else None)

    def _spawn(self) -> _Worker:
        with self._lock:
            if self.closed:
                raise _Died()
        worker = _Worker(self.store)
        with self._lock:
            self._all = [w for w in self._all if w.alive()] + [worker]
            if self.closed:
                worker.kill()
                raise _Died()
        return worker

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.alive()]

    def close(self) -> None:
        with self._lock:
            self.closed = True
            workers = list(self._all)
        for worker in workers:
            worker.kill()


class _CappedOutput:
    """A write-only buffer that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.overflow = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.overflow = True
            raise OSError("answer too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


def _limit_memory(extra: int) -> None:
    """Let this process grow by at most ``extra`` bytes of address space (where /proc and rlimits exist).

    A query that builds a huge string (nested CONCATs) then fails to allocate
    and the worker ends; the gate answers 503 and starts another.
    """
    try:
        import resource

        with open("/proc/self/statm", "rb") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = used + extra
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        return  # no limit on this system: the timeout still ends the query


def worker_main(argv: Sequence[str]) -> int:
    """Entry point of a query worker: answer length-prefixed JSON requests on stdin until it closes."""
    import pyoxigraph

    if len(argv) != 3 or argv[0] != _WORKER_FLAG:
        print("usage: worker_main --wbsec-serve-worker STORE MAX_BYTES", file=sys.stderr)
        return 2
    store_path, limit = argv[1], int(argv[2])
    out = sys.stdout.buffer
    source = sys.stdin.buffer

    def reply(header: dict[str, Any], body: bytes = b"") -> None:
        data = json.dumps(header).encode("utf-8")
        out.write(struct.pack(">I", len(data)) + data + struct.pack(">Q", len(body)) + body)
        out.flush()

    try:
        store = pyoxigraph.Store.read_only(store_path)
    except OSError as exc:
        reply({"status": "failed", "error": " ".join(str(exc).split())[:300]})
        return 1
    _limit_memory(WORKER_MEMORY)
    reply({"status": "ready"})
    while True:
        head = source.read(4)
        if len(head) < 4:
            return 0
        (size,) = struct.unpack(">I", head)
        request = json.loads(source.read(size))
        kind, fmt = request["kind"], request["format"]
        try:
            result = store.query(request["query"])
        except SyntaxError as exc:
            reply({"status": 400, "error": f"Oxigraph cannot parse the query: {' '.join(str(exc).split())[:500]}"})
            continue
        except (OSError, ValueError, RuntimeError) as exc:
            reply({"status": 400, "error": f"the query failed: {' '.join(str(exc).split())[:500]}"})
            continue
        sink = _CappedOutput(limit)
        try:
            if kind in ("CONSTRUCT", "DESCRIBE"):
                result.serialize(output=sink, format=getattr(pyoxigraph.RdfFormat, fmt))
            else:
                result.serialize(output=sink, format=getattr(pyoxigraph.QueryResultsFormat, fmt))
        except (OSError, ValueError, RuntimeError) as exc:
            if sink.overflow:
                reply({"status": 503, "error": f"the result is larger than {limit} bytes; add LIMIT to the query"})
            else:
                reply({"status": 400, "error": f"the query failed: {' '.join(str(exc).split())[:500]}"})
            continue
        reply({"status": 200}, b"".join(sink.parts))


# --------------------------------------------------------------------------- the gate


class _Gate(http.server.ThreadingHTTPServer):
    """The public listener: checks each request, then hands the checked query to a worker."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, sock: socket.socket, config: ServeConfig, cors: str | None, workers: _Workers,
                 static: dict[str, tuple[str, bytes]], store: Path) -> None:
        port = sock.getsockname()[1]
        super().__init__(("127.0.0.1", port), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.server_address = sock.getsockname()
        self.timeout_s = config.timeout
        self.header_timeout = config.header_timeout
        self.cors = cors
        self.workers = workers
        self.static = static
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts} | ({cors} if cors else set())
        self.ids = itertools.count(1)
        self.draining = threading.Event()
        self.stopped = threading.Event()
        self._active = 0
        self._idle = threading.Condition()
        self._reading: dict[socket.socket, float] = {}
        self._reading_lock = threading.Lock()
        self.store = store
        self.triples: int | None = None  # counted at the first Service Description request
        self._pages_factory = config.pages
        self._pages: PageSource | None = None
        self._pages_error: str | None = None
        self._pages_lock = threading.Lock()

    def pages(self) -> PageSource | None:
        """The page source, made at the first call (others wait); None without one; GraphError if it failed."""
        if self._pages_factory is None:
            return None
        with self._pages_lock:
            if self._pages is None and self._pages_error is None:
                try:
                    self._pages = self._pages_factory(self.store)
                except GraphError as exc:
                    self._pages_error = " ".join(str(exc).split())
            if self._pages_error is not None:
                raise GraphError(self._pages_error)
            return self._pages

    # requests in progress, for draining at shutdown
    def begin(self) -> None:
        with self._idle:
            self._active += 1

    def end(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    def wait_idle(self, seconds: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout=seconds)

    # slow clients: a request must be read completely within header_timeout seconds
    def reading(self, conn: socket.socket) -> None:
        with self._reading_lock:
            self._reading[conn] = time.monotonic() + self.header_timeout

    def read_done(self, conn: socket.socket) -> None:
        with self._reading_lock:
            self._reading.pop(conn, None)

    def watch_clients(self) -> None:
        """Disconnect clients that take longer than ``header_timeout`` to send a request (one byte at a time)."""
        while not self.stopped.wait(0.5):
            now = time.monotonic()
            with self._reading_lock:
                late = [c for c, deadline in self._reading.items() if deadline < now]
                for conn in late:
                    del self._reading[conn]
            for conn in late:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


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
        headers = getattr(self, "headers", None)
        origin = headers.get("Origin") if headers is not None else None
        extra = dict(extra or {})
        vary = [extra.pop("Vary")] if "Vary" in extra else []
        if self.server.cors and origin == self.server.cors:
            self.send_header("Access-Control-Allow-Origin", origin)
            vary.append("Origin")
        if vary:
            self.send_header("Vary", ", ".join(vary))
        if self.close_connection or self.server.draining.is_set():
            self.close_connection = True
            self.send_header("Connection", "close")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"))

    def handle_one_request(self) -> None:
        self.request_id = f"{os.getpid():x}-{next(self.server.ids):x}"
        self.server.reading(self.connection)
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, socket.timeout, ValueError):
            self.close_connection = True
        finally:
            self.server.read_done(self.connection)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (bad request line or version, huge lines, too many headers):
        # a status line even for a request that looked like HTTP/0.9, plain text, no echo of the request
        self.close_connection = True
        if not hasattr(self, "request_id"):
            self.request_id = "-"
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        hints = {414: f"; the limit is {MAX_URL} bytes, send long queries with POST",
                 431: "; send fewer or shorter headers", 505: "; use HTTP/1.1"}
        try:
            self._text(code, http.HTTPStatus(code).phrase + hints.get(code, ""))
        except (OSError, ValueError):
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
        self.server.begin()
        try:
            if self._admissible():
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
        finally:
            self.server.end()

    def _admissible(self) -> bool:
        """Checks every request passes before its method is looked at; answers and returns False if not."""
        if self.server.draining.is_set():
            self.close_connection = True
            self._text(503, "the server is shutting down")
            return False
        if len(self.path) > MAX_URL:
            self.close_connection = True
            self._text(414, f"the URL is longer than {MAX_URL} bytes; send the query with POST")
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            self.close_connection = True
            self._text(400, "give exactly one Host header")
            return False
        if hosts[0].strip().lower() not in self.server.hosts:
            self.close_connection = True
            self._text(403, "Host not allowed: use http://127.0.0.1:PORT/ (DNS-rebinding protection)")
            return False
        origins = self.headers.get_all("Origin") or []
        if self.command != "OPTIONS":
            if len(origins) > 1 or (origins and origins[0].strip() not in self.server.origins):
                self._drain_small()
                self._text(403, "cross-site request refused: the Origin is not this server (nor the --cors origin)")
                return False
            site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
            if not origins and site in ("cross-site", "same-site"):
                self._drain_small()
                self._text(403, "cross-site request refused (Sec-Fetch-Site)")
                return False
        return True

    def _refuse_method(self) -> None:
        self._drain_small()
        path = urllib.parse.urlsplit(self.path).path
        if path == "/update":
            self._text(403, "this endpoint is read-only")
        else:
            self._not_allowed(path)

    def _not_allowed(self, path: str) -> None:
        """405 with the ``Allow`` header of ``path``."""
        allow = _allowed(path)
        self._send(405, f"method {self.command} is not allowed on {path}; use {allow}\n".encode("utf-8"),
                   extra={"Allow": allow})

    def _options(self) -> None:
        origin = self.headers.get("Origin")
        extra = {"Allow": _allowed(urllib.parse.urlsplit(self.path).path)}
        if self.server.cors and origin == self.server.cors:
            extra.update({
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
                "Access-Control-Max-Age": "600",
            })
        self._send(204, b"", extra=extra)

    def _get(self) -> None:
        self.server.read_done(self.connection)
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/update":
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if parts.path in _QUERY_PATHS:
            fields = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if "update" in fields:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            if "query" not in fields:
                self._service_description(parts.path)
                return
            self._answer(fields)
            return
        if parts.path in _STATIC_PATHS:
            content_type, body = self.server.static[parts.path]
            self._send(200, body, content_type, {"Cache-Control": "no-cache"})
            return
        if parts.path == "/store":
            self._graph_store(urllib.parse.parse_qs(parts.query, keep_blank_values=True))
            return
        if _PAGE_PATH.match(parts.path) and self._page(parts.path[1:]):
            return
        self._text(404, f"no such page: {parts.path}; SPARQL queries go to /query")

    def _post(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/update":
            self._drain_small()
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        if parts.path not in _QUERY_PATHS:
            self._drain_small()
            if parts.path in _STATIC_PATHS or parts.path == "/store" or _PAGE_PATH.match(parts.path):
                self._not_allowed(parts.path)
            else:
                self._text(404, f"cannot POST to {parts.path}: no such endpoint; SPARQL queries go to /query")
            return
        body = self._body()
        if body is None:
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == _SPARQL_UPDATE:
            self._text(403, "this endpoint is read-only: updates are refused")
            return
        query_fields = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        if ctype == _FORM:
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                self._text(400, "the form body is not UTF-8")
                return
            if "update" in form:
                self._text(403, "this endpoint is read-only: updates are refused")
                return
            if "query" in query_fields:
                self._text(400, "give the query either in the URL or in the body, not both")
                return
            self._answer({**query_fields, **form})
        elif ctype == _SPARQL_QUERY:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                self._text(400, "the query is not UTF-8")
                return
            if "query" in query_fields:
                self._text(400, "give the query either in the URL or in the body, not both")
                return
            self._answer({**query_fields, "query": [text]})
        else:
            self._text(415, f"send the query as {_FORM} or {_SPARQL_QUERY}")

    def _body(self) -> bytes | None:
        """The request body (Content-Length given once, at most MAX_BODY), or None after answering."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._text(411, "send the query with a Content-Length (chunked bodies are not accepted)")
            return None
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self.close_connection = True
            self._text(411, "a POST needs a Content-Length")
            return None
        if len(lengths) > 1 or not lengths[0].strip().isdigit():
            self.close_connection = True
            self._text(400, "give exactly one Content-Length, a number of bytes")
            return None
        length = int(lengths[0])
        if length > MAX_BODY:
            self.close_connection = True
            self._text(413, f"the request body is over the {MAX_BODY}-byte limit")
            return None
        body = self.rfile.read(length)
        self.server.read_done(self.connection)
        if len(body) < length:
            self.close_connection = True
            raise ConnectionError("the client sent less than its Content-Length")
        return body

    def _drain_small(self) -> None:
        lengths = self.headers.get_all("Content-Length") or []
        length = int(lengths[0]) if len(lengths) == 1 and lengths[0].strip().isdigit() else -1
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length != 0 or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
        self.server.read_done(self.connection)

    # -- answering -------------------------------------------------------------
    def _answer(self, fields: dict[str, list[str]]) -> None:
        queries = fields.get("query", [])
        if len(queries) != 1:
            self._text(400, "give exactly one query parameter" if queries else "missing query parameter")
            return
        if "default-graph-uri" in fields or "named-graph-uri" in fields:
            self._text(403, "default-graph-uri and named-graph-uri are refused: this endpoint answers from its own store")
            return
        try:
            checked = check_query(queries[0])
        except PolicyError as exc:
            self._text(403, " ".join(str(exc).split()))
            return
        except GraphError as exc:
            self._text(400, " ".join(str(exc).split()))
            return
        chosen = negotiate(self.headers.get("Accept"), checked.kind)
        if chosen is None:
            self._send(406, b"no acceptable result format; accept e.g. application/sparql-results+json "
                            b"(SELECT, ASK) or text/turtle (CONSTRUCT, DESCRIBE)\n",
                       extra={"Vary": "Accept"})
            return
        media, fmt = chosen
        payload = self._from_worker(checked.text, checked.kind, fmt)
        if payload is not None:
            self._send(200, payload, _with_charset(media), {"Vary": "Accept"})

    def _from_worker(self, text: str, kind: str, fmt: str) -> bytes | None:
        """The answer to a checked query in format ``fmt``, or None after answering the client with the error."""
        server = self.server
        deadline = time.monotonic() + server.timeout_s
        try:
            worker = server.workers.take(server.timeout_s)
        except _Died:
            worker = None
        if worker is None:
            self._text(503, f"the server is busy; try again (request id {self.request_id})")
            return None
        try:
            header, payload = worker.ask(text, kind, fmt, deadline)
        except TimeoutError:
            self._text(503, f"the query took longer than {server.timeout_s:g} s and was stopped; narrow it (add LIMIT)")
            return None
        except _Died:
            worker.kill()
            if server.draining.is_set():
                self._text(503, "the server is shutting down; the query was stopped")
            else:
                self._text(503, f"the query stopped its worker (out of memory?); narrow it "
                                f"(request id {self.request_id})")
            return None
        finally:
            server.workers.give_back(worker)
        status = int(header["status"])
        if status != 200:
            self._text(status, str(header.get("error", "")))
            return None
        return payload

    def _service_description(self, path: str) -> None:
        """``GET /query`` without a query: the SPARQL 1.1 Service Description (Turtle unless Accept asks otherwise)."""
        chosen = negotiate(self.headers.get("Accept"), "CONSTRUCT")
        if chosen is None:
            self._send(406, b"the Service Description is RDF: accept text/turtle, application/n-triples or "
                            b"application/ld+json\n", extra={"Vary": "Accept"})
            return
        media, fmt = chosen
        server = self.server
        if server.triples is None:
            counted = self._from_worker(_COUNT_TRIPLES, "SELECT", "JSON")
            if counted is None:
                return
            server.triples = int(json.loads(counted)["results"]["bindings"][0]["n"]["value"])
        host = (self.headers.get("Host") or "").strip().lower()  # one of self.server.hosts: checked already
        body = service_description(f"http://{host}{path}", server.triples, fmt)
        self._send(200, body, _with_charset(media), {"Vary": "Accept"})

    def _graph_store(self, fields: dict[str, list[str]]) -> None:
        """The SPARQL 1.1 Graph Store Protocol, read-only: ``GET /store?default`` gives the default graph."""
        if "graph" in fields:
            self._text(404, "no such graph: this store serves its default graph only (GET /store?default)")
            return
        if set(fields) != {"default"} or len(fields["default"]) != 1:
            self._text(400, "ask for the default graph: GET /store?default (the Graph Store Protocol, read-only)")
            return
        chosen = negotiate(self.headers.get("Accept"), "CONSTRUCT")
        if chosen is None:
            self._send(406, f"no acceptable RDF format; accept one of {', '.join(GRAPH_TYPES)}\n".encode("utf-8"),
                       extra={"Vary": "Accept"})
            return
        media, fmt = chosen
        payload = self._from_worker(_WHOLE_GRAPH, "CONSTRUCT", fmt)
        if payload is not None:
            self._send(200, payload, _with_charset(media), {"Vary": "Accept"})

    def _page(self, path: str) -> bool:
        """Answer a request for the site's file or resource at ``path``; False when the site has none (404)."""
        try:
            source = self.server.pages()
        except GraphError as exc:
            self._text(503, f"the pages are not available: {exc}")
            return True
        if source is None:
            return False
        variants = source.representations(path)
        if variants is None:
            found = source.file(path)
            if found is None:
                return False
            self._send_file(found, {"Cache-Control": "no-cache"})
            return True
        offers = list(variants)
        chosen = choose_media(self.headers.get("Accept"), offers)
        links = ", ".join(f'</{variants[m]}>; rel="alternate"; type="{m}"' for m in offers if m != chosen)
        if chosen is None:
            self._send(406, f"/{path} is available as {', '.join(offers)}\n".encode("utf-8"),
                       extra={"Vary": "Accept", "Link": links})
            return True
        found = source.file(variants[chosen])
        if found is None:
            return False
        self._send_file(found, {"Vary": "Accept", "Content-Location": "/" + variants[chosen], "Link": links,
                                "Cache-Control": "no-cache"})
        return True

    def _send_file(self, found: PageFile, extra: dict[str, str]) -> None:
        if found.csp:
            extra["Content-Security-Policy"] = found.csp + "; frame-ancestors 'none'"
            extra["Referrer-Policy"] = "no-referrer"
        self._send(200, found.body, found.media_type, extra)


def _allowed(path: str) -> str:
    """The methods the gate answers on ``path`` (its ``Allow`` header)."""
    return "GET, HEAD, POST, OPTIONS" if path in _QUERY_PATHS else "GET, HEAD, OPTIONS"


def _with_charset(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith("text/") else media
