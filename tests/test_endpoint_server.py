"""A real SPARQL server (Virtuoso) behind --endpoint: caps, graphs, timeouts and wbsec push.

Uses the session's Virtuoso servers of tests/virtuoso.py: one with the
default cap (10,000 rows), one capped at 100 rows (``ResultSetMaxRows``).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from graph.backends import EndpointBackend, paged_select
from graph.cli import main

from .virtuoso import GRAPH, rounded, DBA, Virtuoso, shipped_nt, virtuoso, virtuoso_capped, virtuoso_servers  # noqa: F401

#: a Virtuoso takes about 20 s to start and load, and a low cap makes the commands page
pytestmark = pytest.mark.slow


def wbsec(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


def on(server: Virtuoso, graph: str = GRAPH) -> tuple[str, ...]:
    return ("--endpoint", server.sparql, "--graph", graph)


def rows(result: Result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.stdout)))[1:]


# --------------------------------------------------------------------------- no silent truncation


def test_a_capped_answer_is_paged_to_every_row(virtuoso_capped: Virtuoso) -> None:
    text = "SELECT ?s ?p ?o WHERE { ?s a wbo:Polity ; ?p ?o } ORDER BY ?s ?p ?o"
    files = wbsec("query", text, "--format", "csv")
    capped = wbsec("query", text, "--format", "csv", *on(virtuoso_capped))
    assert capped.exit_code == 0, capped.stderr
    assert len(rows(files)) > 100  # past the cap
    assert len(rows(capped)) == len(rows(files))
    assert sorted(map(tuple, rows(capped))) == sorted(map(tuple, rows(files)))


def test_a_user_query_past_the_cap_that_cannot_be_paged_exits_5_naming_the_cap(virtuoso_capped: Virtuoso) -> None:
    result = wbsec("query", "SELECT ?a ?b WHERE { ?a a wbo:Polity . ?b a ?y } LIMIT 2000", "--format", "csv",
                   *on(virtuoso_capped))
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "caps answers at 100 rows" in result.stderr and "ResultSetMaxRows" in result.stderr


def test_the_default_cap_of_10000_rows_is_not_a_silent_cut(virtuoso: Virtuoso) -> None:
    # the example: 20,000 rows asked, Virtuoso holds 10,000 back silently
    result = wbsec("query", "SELECT ?a ?b WHERE { ?a a ?x . ?b a ?y } LIMIT 20000", "--format", "csv",
                   *on(virtuoso))
    assert result.exit_code == 5, result.stderr
    assert "caps answers at 10000 rows" in result.stderr


def test_a_graph_answer_at_the_cap_is_refused_not_cut(virtuoso_capped: Virtuoso) -> None:
    result = wbsec("query", "actor-claims", "--format", "nt", *on(virtuoso_capped))
    assert result.exit_code == 5
    assert "caps answers at 100 rows" in result.stderr


def test_paged_select_keeps_the_query_order_and_refuses_what_it_cannot_page() -> None:
    page = paged_select("SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY DESC(?b)", ["a", "b"])
    assert not isinstance(page, str)
    assert page(10, 20).endswith("} } ORDER BY DESC ( ?b ) ?a ?b } } LIMIT 10 OFFSET 20")
    by_text = paged_select('SELECT ?a WHERE { ?a ?p ?b } ORDER BY (COALESCE(STR(?a), ""))  # last', ["a"])
    assert not isinstance(by_text, str)
    assert by_text(5, 0).endswith('ORDER BY ( COALESCE ( STR ( ?a ) , "" ) ) ?a } } LIMIT 5 OFFSET 0')
    assert "LIMIT" in str(paged_select("SELECT ?a WHERE { ?a ?p ?b } LIMIT 5", ["a"]))
    assert "?rank" in str(paged_select("SELECT ?a WHERE { ?a ?p ?rank } ORDER BY ?rank", ["a"]))


# --------------------------------------------------------------------------- which graph


def test_a_graph_without_wbsec_data_is_an_error_naming_the_graphs_that_have_it(virtuoso: Virtuoso) -> None:
    result = wbsec("metrics", "--format", "json", *on(virtuoso, "urn:wbsec:nothing-here"))
    assert result.exit_code == 2
    assert "<urn:wbsec:nothing-here> holds no wbsec data" in result.stderr
    assert f"<{GRAPH}>" in result.stderr
    assert result.stdout == ""


def test_graph_needs_an_endpoint() -> None:
    result = wbsec("metrics", "--graph", GRAPH)
    assert result.exit_code == 2
    assert "--endpoint" in result.stderr


def test_info_on_an_endpoint_counts_classes_and_lists_the_data_graphs(virtuoso: Virtuoso) -> None:
    result = wbsec("info", "--format", "json", *on(virtuoso))
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["triples"] == len([line for line in shipped_nt_lines(virtuoso)])
    counts = {c["id"]: c["count"] for c in info["classes"]}
    assert counts["https://w3id.org/wbsec/def#Polity"] >= 6
    assert GRAPH in info["graphs"]


def shipped_nt_lines(server: Virtuoso) -> list[str]:
    return [line for line in (server.folder / "data.nt").read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- timeouts


def test_every_endpoint_command_takes_timeout_and_graph() -> None:
    for name in ("metrics", "neighbours", "path", "export", "gaps", "viz", "diff", "info", "query"):
        help_text = wbsec(name, "--help").stdout
        assert "--timeout" in help_text and "--graph" in help_text, name


def test_timeout_reaches_the_endpoint(virtuoso: Virtuoso) -> None:
    backend = EndpointBackend(virtuoso.sparql, graph=GRAPH)
    assert backend.timeout == 60.0
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    started = time.monotonic()
    result = wbsec("query", slow, "--timeout", "1", *on(virtuoso))
    assert result.exit_code == 5, result.stderr
    assert time.monotonic() - started < 20


# --------------------------------------------------------------------------- wbsec push


@pytest.fixture()
def writable(virtuoso: Virtuoso) -> Virtuoso:
    """The Virtuoso whose administrator may write through /sparql-graph-crud-auth (digest authentication)."""
    virtuoso.allow_graph_store_writes()
    return virtuoso


def test_push_then_metrics_gives_the_files_answer(writable: Virtuoso, tmp_path: Path) -> None:
    graph = "urn:wbsec:pushed"
    env = {"WBSEC_USER": DBA[0], "WBSEC_PASSWORD": DBA[1], "HOME": str(tmp_path)}
    pushed = wbsec("push", writable.crud_auth, "--graph", graph, "--replace", env=env)
    assert pushed.exit_code == 0, pushed.stderr
    assert "triples in 1 request" in pushed.stderr
    assert DBA[1] not in pushed.stderr + pushed.stdout
    files = wbsec("metrics", "--format", "json")
    remote = wbsec("metrics", "--format", "json", *on(writable, graph))
    assert remote.exit_code == 0, remote.stderr
    assert rounded(json.loads(remote.stdout)) == rounded(json.loads(files.stdout))
    again = wbsec("push", writable.crud_auth, "--graph", graph, "--replace", env=env)  # PUT replaces: same count
    assert again.exit_code == 0
    count = wbsec("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", *on(writable, graph))
    assert int(rows(count)[0][0]) == len(shipped_nt_lines(writable))


def test_push_reads_netrc_and_refuses_without_credentials(writable: Virtuoso, tmp_path: Path) -> None:
    env: dict[str, str | None] = {"HOME": str(tmp_path), "WBSEC_USER": None, "WBSEC_PASSWORD": None}
    refused = wbsec("push", writable.crud_auth, "--graph", "urn:wbsec:nocreds", "--no-shipped", env=env)
    assert refused.exit_code == 3
    assert "HTTP 401" in refused.stderr
    (tmp_path / ".netrc").write_text(f"machine 127.0.0.1 login {DBA[0]} password {DBA[1]}\n", encoding="utf-8")
    (tmp_path / ".netrc").chmod(0o600)
    accepted = wbsec("push", writable.crud_auth, "--graph", "urn:wbsec:netrc", "--no-shipped", env=env)
    assert accepted.exit_code == 0, accepted.stderr
    assert DBA[1] not in accepted.stderr


def test_push_in_chunks_keeps_blank_nodes_together(writable: Virtuoso, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.push import push

    mine = tmp_path / "mine.ttl"
    mine.write_text("@prefix ex: <urn:ex:> .\n" + "".join(f"ex:s{i} ex:p {i} .\n" for i in range(25))
                    + "ex:a ex:q [ ex:r 1 ; ex:t 2 ] .\n", encoding="utf-8")
    monkeypatch.setenv("WBSEC_USER", DBA[0])
    monkeypatch.setenv("WBSEC_PASSWORD", DBA[1])
    report = push(writable.crud_auth, "urn:wbsec:chunks", [mine], shipped=False, replace=True, chunk_triples=10)
    ontology = report.triples - 28
    assert report.requests == -(-(ontology + 25) // 10) + 1
    # the graph holds no wbsec data (only the ontology and mine.ttl): read it without the check
    backend = EndpointBackend(writable.sparql, graph="urn:wbsec:chunks", check=False)
    _cols, found = backend.select("SELECT ?o WHERE { <urn:ex:a> <urn:ex:q>/<urn:ex:r> ?o }", {}, timeout=30,
                                  max_rows=None)
    assert [str(o) for (o,) in found] == ["1"]
    assert backend.triple_count() == report.triples
    with pytest.raises(Exception, match="holds no wbsec data"):
        EndpointBackend(writable.sparql, graph="urn:wbsec:chunks").triple_count()


def test_push_refuses_credentials_in_the_url_and_plain_http_to_another_host(tmp_path: Path) -> None:
    result = wbsec("push", "http://dba:secret@127.0.0.1:1/store", "--graph", "urn:x")
    assert result.exit_code == 2 and "secret" not in result.stderr
    env = {"WBSEC_USER": "u", "WBSEC_PASSWORD": "secret", "HOME": str(tmp_path)}
    result = wbsec("push", "http://192.0.2.1/store", "--graph", "urn:x", "--no-shipped", env=env)
    assert result.exit_code == 3 and "https" in result.stderr and "secret" not in result.stderr



def test_push_to_an_oxigraph_server(tmp_path: Path) -> None:
    """pyoxigraph's ``oxigraph`` binary (a dependency) serves /store; push, then read back."""
    from graph.server import oxigraph_executable

    from .virtuoso import free_port

    exe = oxigraph_executable()
    port = free_port()
    process = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if wbsec("push", f"{base}/store", "--graph", "urn:wbsec:all", "--replace", "--no-shipped").exit_code == 0:
                break
            time.sleep(0.1)
        pushed = wbsec("push", f"{base}/store", "--graph", "urn:wbsec:all", "--replace")
        assert pushed.exit_code == 0, pushed.stderr
        files = wbsec("metrics", "--format", "json")
        remote = wbsec("metrics", "--format", "json", "--endpoint", f"{base}/query", "--graph", "urn:wbsec:all")
        assert remote.exit_code == 0, remote.stderr
        assert rounded(json.loads(remote.stdout)) == rounded(json.loads(files.stdout))
    finally:
        process.terminate()
        process.wait(10)
