"""A throwaway OpenLink Virtuoso for the tests: own ini, own database in a temporary folder, stopped by PID.

Debian's ``virtuoso-opensource`` package gives ``virtuoso-t`` (the server)
and ``isql-vt`` (its SQL shell); ``.ci/run`` installs it. :class:`Virtuoso`
writes a ``virtuoso.ini`` whose every file lives in one folder, starts the
server in the foreground on free 127.0.0.1 ports, bulk-loads N-Triples into a
named graph with ``ld_dir`` + ``rdf_loader_run()`` through ``isql-vt`` and
stops it by its process id. The fixtures start one server per result cap for
the whole session.

A missing Virtuoso skips the tests on a developer machine and fails them
under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci

#: The named graph the tests load the data into.
GRAPH = "urn:wbsec:all"
#: Virtuoso's built-in administrator of a new database (only ever on 127.0.0.1, in a temporary folder).
DBA = ("dba", "dba")

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxClientConnections = 8

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 6
MaxClientConnections = 6
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def executables() -> tuple[str, str] | None:
    """``(virtuoso-t, isql-vt)`` when Debian's virtuoso-opensource is installed."""
    server, shell = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, shell) if server and shell else None


def require_virtuoso() -> tuple[str, str]:
    """The executables, or skip (fail under ``CI=true``, where .ci/run installs them)."""
    found = executables()
    if found is None:
        message = "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    """One Virtuoso starts at a time on this machine (test workers run in parallel).

    Between picking two free ports and binding them a server takes seconds; a second
    server picking the same ports meanwhile would answer the first one's requests.
    Holding this lock until the server answers closes that window.
    """
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "wbsec-tests-virtuoso-start.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Virtuoso:
    """One Virtuoso server with its database in ``folder``; ``max_rows`` is its ``ResultSetMaxRows``."""

    def __init__(self, folder: Path, *, max_rows: int = 10_000) -> None:
        self.server, self.shell = require_virtuoso()
        self.folder = folder
        self.max_rows = max_rows
        self.sql_port = 0
        self.http_port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.writable = False

    @property
    def sparql(self) -> str:
        """The SPARQL endpoint without a graph."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def endpoint(self, graph: str = GRAPH) -> str:
        """The SPARQL endpoint with ``graph`` as its default graph."""
        return f"{self.sparql}?default-graph-uri={urllib.parse.quote(graph, safe='')}"

    @property
    def crud_auth(self) -> str:
        """The Graph Store HTTP Protocol address that takes writes (digest authentication)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def start(self, wait: float = 60.0) -> None:
        """Write the ini, start ``virtuoso-t`` in the foreground and wait until its HTTP port answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with _start_lock():
            self._start(wait)

    def _start(self, wait: float) -> None:
        for _attempt in range(3):
            self.sql_port, self.http_port = free_port(), free_port()
            ini = self.folder / "virtuoso.ini"
            ini.write_text(_INI.format(d=self.folder, sql=self.sql_port, http=self.http_port,
                                       max_rows=self.max_rows), encoding="utf-8")
            log = open(self.folder / "stdout.log", "ab")  # noqa: SIM115 - the child keeps it
            self.process = subprocess.Popen([self.server, "-f", "+configfile", str(ini)], cwd=self.folder,
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and self.process.poll() is None:
                if self._answers():
                    return
                time.sleep(0.3)
            self.stop()
        tail = (self.folder / "virtuoso.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Virtuoso did not start:\n{tail}")

    def _answers(self) -> bool:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        try:
            with urllib.request.urlopen(f"{self.sparql}?{query}", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def isql(self, sql: str) -> str:
        """Run SQL statements through ``isql-vt`` as the administrator; the output, or RuntimeError."""
        done = subprocess.run([self.shell, f"127.0.0.1:{self.sql_port}", *DBA, f"exec={sql}"],
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or "*** Error" in done.stdout or "*** Error" in done.stderr:
            raise RuntimeError(f"isql-vt failed on {sql!r}: {done.stdout[-1500:]} {done.stderr[-1500:]}")
        return done.stdout

    def load(self, nt: bytes, graph: str = GRAPH, name: str = "data.nt") -> None:
        """Bulk-load N-Triples into ``graph``: ``ld_dir`` + ``rdf_loader_run()``, then a checkpoint."""
        (self.folder / name).write_bytes(nt)
        self.isql(f"ld_dir('{self.folder}', '{name}', '{graph}'); rdf_loader_run(); checkpoint;")
        errors = self.isql(f"SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL "
                           f"AND ll_file LIKE '%{name}';")
        if name in errors:
            raise RuntimeError(f"Virtuoso could not load {name}: {errors}")

    def allow_graph_store_writes(self) -> None:
        """Let the administrator write through /sparql-graph-crud-auth (the SPARQL_UPDATE role), once."""
        if not self.writable:
            self.isql('GRANT SPARQL_UPDATE TO "dba";')
            self.writable = True

    def stop(self) -> None:
        """SIGTERM the server by its PID, SIGKILL after 30 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


def shipped_ntriples() -> bytes:
    """``wbsec export --format nt`` of the shipped data, run in-process."""
    from click.testing import CliRunner

    from graph.cli import main

    result = CliRunner().invoke(main, ["export", "--format", "nt"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.fixture(scope="session")
def shipped_nt() -> bytes:
    """The shipped data as N-Triples (one export for the whole session)."""
    return shipped_ntriples()


@pytest.fixture(scope="session")
def virtuoso_servers(tmp_path_factory: pytest.TempPathFactory,
                     shipped_nt: bytes) -> Iterator[Callable[[int], Virtuoso]]:
    """``get(max_rows)``: a Virtuoso holding the shipped data in :data:`GRAPH`, started once per cap."""
    started: dict[int, Virtuoso] = {}

    def get(max_rows: int) -> Virtuoso:
        if max_rows not in started:
            server = Virtuoso(tmp_path_factory.mktemp(f"virtuoso-{max_rows}"), max_rows=max_rows)
            server.start()
            started[max_rows] = server
            server.load(shipped_nt)
        return started[max_rows]

    try:
        yield get
    finally:
        for server in started.values():
            with contextlib.suppress(Exception):
                server.stop()


@pytest.fixture(scope="session")
def virtuoso(virtuoso_servers: Callable[[int], Virtuoso]) -> Virtuoso:
    """A Virtuoso with its default cap (10,000 rows) holding the shipped data in :data:`GRAPH`."""
    return virtuoso_servers(10_000)


@pytest.fixture(scope="session")
def virtuoso_capped(virtuoso_servers: Callable[[int], Virtuoso]) -> Virtuoso:
    """A Virtuoso that cuts every answer at 100 rows (``ResultSetMaxRows = 100``)."""
    return virtuoso_servers(100)


def rounded(value: object) -> object:
    """Floats to 10 significant digits, in nested lists and dicts: sums over ties taken in another order
    (by another engine) differ in the last bits."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value
