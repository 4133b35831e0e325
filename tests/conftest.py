"""Shared pytest fixtures: paths to test data, a private cache directory, a counting loopback listener, a headless browser."""

from __future__ import annotations

import fcntl
import gc
import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TESTS_DIR = Path(__file__).resolve().parent
DATA = TESTS_DIR / "data"


def pytest_configure(config: pytest.Config) -> None:
    """Run CPython's cyclic garbage collector less often in the test processes.

    A test process keeps large graphs alive for its whole life (module fixtures, the per-process
    file caches of ``graph.store``), and with the default thresholds (700, 10, 10) the collector
    walks them again thousands of times: a third of the CPU time of ``test_import``,
    ``test_project`` and ``test_cli_core`` run together (16.8 of 49 CPU-s; 3.7 of 35 with these
    thresholds). Nothing is left uncollected; collections are just fewer and larger.
    """
    gc.set_threshold(50_000, 20, 20)


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The whole session runs with its own ``HOME``, ``XDG_CONFIG_HOME`` and ``MPLCONFIGDIR``.

    Nothing is read from or written to the user's home (chromium profiles, matplotlib's font cache and
    configuration), and matplotlib builds its font cache once per session, not in every subprocess.
    """
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("MPLCONFIGDIR", str(home / "matplotlib"))
        yield home


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ``XDG_CACHE_HOME``: no verdict cached by one test can answer another."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data's static site, built once per test run and read by every test file that needs it.

    An explorer page (``graph.html``) and a gap report stand beside it, so its home page links
    both. Under pytest-xdist each worker has its own temporary directory inside the run's one;
    the site is built there by the first worker to take the lock, and the others wait for it and
    read the same files. Tests only read the site. The build's CPU time is checked here.
    """
    from graph.site import build_site
    from graph.store import SHAPES_FILE, load_graph, parse_file

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    parent = shared / "shipped-site"
    with open(shared / "shipped-site.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (parent / "built").exists():
            parent.mkdir(exist_ok=True)
            (parent / "graph.html").write_text("<!DOCTYPE html><title>explorer</title>", encoding="utf-8")
            (parent / "gaps-report.md").write_text("# gaps\n", encoding="utf-8")
            cpu = time.process_time()
            report = build_site(load_graph(), parent / "site", shapes=parse_file(SHAPES_FILE))
            cpu = time.process_time() - cpu
            print(f"\nsite of the shipped data: {report.pages} pages, {report.files} files, "
                  f"{report.bytes / 1e6:.1f} MB, {report.triples} triples; built in {cpu:.1f} s CPU")
            # the target (under 30 s) is measured by scripts/bench-site on a quiet machine; beside other
            # test workers CPU time runs up to twice as long, so this guard catches regressions, not noise
            assert cpu < 60, f"building the shipped site took {cpu:.1f} s of CPU time (target: under 30 s)"
            (parent / "built").write_text("", encoding="utf-8")
    return parent / "site"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it, and answers HTTP with ``{}``.

    Negative network checks assert ``listener.hits == []`` right after the code under test returns, without
    sleeping: a TCP connection is queued on the listening socket by the kernel once its handshake completes,
    which is before the client's ``connect()`` returns (long before a request could be sent), and reading
    :attr:`hits` first takes every queued connection. So a connection attempted before the check is always
    seen, and an attempt the code never made is never waited for.
    """

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.setblocking(False)
        self.port: int = self._server.getsockname()[1]
        self._hits: list[bytes] = []
        self._lock = threading.Lock()  # held while accepting, so a connection is never taken but not yet recorded
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> list[bytes]:
        """The first bytes of every connection so far (``b""`` while a request is still on its way)."""
        with self._lock:
            while (conn := self._accept()) is not None:
                conn.close()
            return list(self._hits)

    def _accept(self) -> socket.socket | None:
        """Take one queued connection and record it (caller holds the lock); None when the queue is empty."""
        try:
            conn, _addr = self._server.accept()
        except BlockingIOError:
            return None
        self._hits.append(b"")
        return conn

    def _serve(self) -> None:
        while True:
            readable, _, _ = select.select([self._server, self._wake_r], [], [])
            if self._wake_r in readable:
                return
            with self._lock:
                conn = self._accept()
                index = len(self._hits) - 1
            if conn is None:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self._hits[index] = conn.recv(4096)
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n\r\n{}")
                except OSError:
                    pass

    def close(self) -> None:
        self._wake_w.send(b"x")
        self._thread.join(timeout=5)
        for sock in (self._server, self._wake_r, self._wake_w):
            sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener; tests assert ``listener.hits == []`` to prove nothing was fetched."""
    info = Listener()
    try:
        yield info
    finally:
        info.close()


#: Debian's chromium, which the browser tests drive headless through Playwright.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: An init script that records every content-security-policy violation in ``window.__csp``.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def in_ci() -> bool:
    """True under CI (``CI=true``): a missing system tool then fails the tests that need it."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_network_isolation() -> None:
    """Skip where the system cannot start a process without network (no user namespaces), except under
    CI=true, where the isolation is expected (CI machines, like this project's, allow ``unshare --net``)."""
    from graph.server import isolation_prefix

    if isolation_prefix():
        return
    if in_ci():
        pytest.fail("CI=true and 'unshare --net --map-root-user' does not work here: query workers would keep "
                    "the network")
    pytest.skip("this system does not let a user start a process without network; with CI=true this fails")


def require_chromium() -> None:
    """Skip without chromium, except under CI=true, where a missing browser is a failure."""
    if CHROMIUM.exists():
        return
    if in_ci():
        pytest.fail(f"CI=true and {CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium); with CI=true this fails")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless chromium for one test module (see :func:`require_chromium`)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
