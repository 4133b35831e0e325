"""wbsec serve: a read-only SPARQL 1.1 endpoint on 127.0.0.1 that SPARQLWrapper, browsers and curl can use."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import Listener

ROOT = Path(__file__).resolve().parent.parent
WBSEC = Path(sys.executable).parent / "wbsec"
ORIGIN = "https://analyst.example"


@dataclass
class Served:
    process: subprocess.Popen[str]
    endpoint: str
    store: Path

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.endpoint).port or 0)


def _start(*args: str) -> Served:
    process = subprocess.Popen(
        [str(WBSEC), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    endpoint = process.stdout.readline().strip()
    message = process.stderr.readline()
    if not endpoint.startswith("http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"wbsec serve did not start: {endpoint!r} {message!r} {process.stderr.read()}")
    store = Path(re.search(r"Serving (\S+) read-only", message).group(1))  # type: ignore[union-attr]
    return Served(process, endpoint, store)


def _stop(served: Served, signum: int = signal.SIGTERM) -> int:
    if served.process.poll() is None:
        served.process.send_signal(signum)
    try:
        return served.process.wait(15)
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(5)


def _oxigraph_children(store: Path) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--wbsec-serve-worker" in cmdline and str(store).encode() in cmdline:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    s = _start("--timeout", "2", "--cors", ORIGIN)
    try:
        yield s
    finally:
        _stop(s)


def _request(served: Served, method: str, target: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _form(query: str) -> bytes:
    return urllib.parse.urlencode({"query": query}).encode()


# --------------------------------------------------------------------------- SPARQLWrapper


def test_sparqlwrapper_select_gets_json(served: Served) -> None:
    client = SPARQLWrapper(served.endpoint)
    client.setQuery("""
        PREFIX wbo: <https://w3id.org/wbsec/def#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?p ?label WHERE { ?p a wbo:Polity ; wbo:region ?r ; skos:prefLabel ?label } ORDER BY ?p
    """)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["head"]["vars"] == ["p", "label"]
    rows = [(b["p"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    assert ("https://w3id.org/wbsec/id/AL", "Albania") in rows
    assert len(rows) == 6


def test_sparqlwrapper_ask_gets_a_boolean(served: Served) -> None:
    client = SPARQLWrapper(served.endpoint)
    client.setReturnFormat(JSON)
    client.setQuery("ASK { <https://w3id.org/wbsec/id/AL> ?p ?o }")
    assert client.query().convert() == {"head": {}, "boolean": True}
    client.setQuery("ASK { <https://w3id.org/wbsec/id/Atlantis> ?p ?o }")
    assert client.query().convert()["boolean"] is False


def test_sparqlwrapper_update_is_refused(served: Served) -> None:
    client = SPARQLWrapper(served.endpoint.replace("/query", "/update"))
    client.setMethod(POST)
    client.setQuery("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(Exception) as info:
        client.query()
    assert "403" in str(info.value) or "read-only" in str(info.value)
    status, _h, body = _request(served, "POST", "/query", b"update=DROP+ALL",
                                {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"read-only" in body
    status, _h, _b = _request(served, "POST", "/query", b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403
    count = SPARQLWrapper(served.endpoint)
    count.setReturnFormat(JSON)
    count.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count.query().convert()["results"]["bindings"][0]["n"]["value"]) > 1000  # nothing was dropped


@pytest.mark.filterwarnings("ignore:.*query type:RuntimeWarning")  # SPARQLWrapper cannot classify the typo
def test_sparqlwrapper_malformed_query_gets_400_with_a_message(served: Served) -> None:
    client = SPARQLWrapper(served.endpoint)
    client.setReturnFormat(JSON)
    client.setQuery("SELEC ?x WHERE { ?x ?y ?z }")
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    assert "1:" in str(info.value)  # the position Oxigraph reports
    status, headers, body = _request(served, "GET", "/query?" + urllib.parse.urlencode({"query": "SELECT * {"}))
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert b"Traceback" not in body and b"/tmp/" not in body


# --------------------------------------------------------------------------- the gate's policy


def test_service_and_from_are_refused_with_403(served: Served, listener: Listener) -> None:
    url = listener.url
    for query in (f"SELECT * WHERE {{ SERVICE <{url}/s> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ \\u0053ERVICE <{url}/s> {{ ?s ?p ?o }} }}",
                  f"SELECT * FROM <{url}/g> WHERE {{ ?s ?p ?o }}"):
        status, _h, body = _request(served, "POST", "/query", _form(query),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 403, body
    assert listener.hits == []


def test_policy_check_skips_strings_iris_comments_and_variables(served: Served) -> None:
    ok = 'SELECT ?service WHERE { ?service <urn:x:SERVICE> "SERVICE FROM" } # SERVICE'
    status, _h, body = _request(served, "POST", "/query", _form(ok), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    status, _h, _b = _request(served, "POST", "/query", _form("select * where { service <http://x/> { ?s ?p ?o } }"),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403


def test_host_header_must_be_loopback(served: Served) -> None:
    target = "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    status, _h, _b = _request(served, "GET", target, headers={"Host": "evil.example"})
    assert status == 403
    status, _h, _b = _request(served, "GET", target, headers={"Host": f"localhost:{served.port}"})
    assert status == 200


def test_cors_only_for_the_named_origin(served: Served) -> None:
    target = "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    _s, headers, _b = _request(served, "GET", target, headers={"Origin": "https://evil.example"})
    assert not [k for k in headers if k.startswith("access-control-")]
    _s, headers, _b = _request(served, "GET", target, headers={"Origin": ORIGIN})
    assert headers["access-control-allow-origin"] == ORIGIN
    status, headers, _b = _request(served, "OPTIONS", "/query",
                                   headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and not [k for k in headers if k.startswith("access-control-")]


def test_timeout_is_503_never_a_cut_200(served: Served) -> None:
    started = time.monotonic()
    status, _h, body = _request(served, "POST", "/query",
                                _form("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 503 and b"longer than 2 s" in body
    assert time.monotonic() - started < 3.5
    status, _h, _b = _request(served, "GET", "/query?" + urllib.parse.urlencode({"query": "ASK {}"}))
    assert status == 200  # and the server keeps answering


def test_limits_and_methods(served: Served) -> None:
    big = _form("ASK { " + "?s ?p ?o . " * 8000 + "}")
    status, _h, _b = _request(served, "POST", "/query", big, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    status, _h, _b = _request(served, "GET", "/query?query=" + "x" * 9000)
    assert status == 414
    status, _h, _b = _request(served, "PUT", "/query", b"")
    assert status == 405
    status, _h, _b = _request(served, "POST", "/query", b"ASK {}", {"Content-Type": "text/plain"})
    assert status == 415
    status, _h, _b = _request(served, "GET", "/query?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400
    status, _h, body = _request(served, "GET", "/")
    assert status == 200 and b"yasgui" in body.lower()


# --------------------------------------------------------------------------- stopping


def test_ctrl_c_stops_everything_and_removes_the_temporary_store() -> None:
    s = _start()
    children = _oxigraph_children(s.store)
    assert len(children) == 1
    assert _stop(s, signal.SIGINT) == 130
    assert not s.store.parent.exists()
    assert _oxigraph_children(s.store) == []


def test_sigterm_exits_0_and_keeps_a_given_store(tmp_path: Path) -> None:
    from graph.backends import load_store

    db = tmp_path / "db"
    load_store(db, [])
    s = _start("--store", str(db))
    assert _stop(s, signal.SIGTERM) == 0
    assert db.is_dir() and _oxigraph_children(db) == []


def test_port_in_use_is_an_input_error() -> None:
    s = _start()
    try:
        result = subprocess.run([str(WBSEC), "serve", "--port", str(s.port)], capture_output=True, text=True,
                                timeout=60, cwd=ROOT)
        assert result.returncode == 2
        assert "cannot listen on 127.0.0.1" in result.stderr
    finally:
        _stop(s)
