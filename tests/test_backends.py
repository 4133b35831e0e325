"""Backends: the same questions on rdflib, an Oxigraph store and a remote endpoint; wbsec load; scripts/synth."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from graph import sparql
from graph.backends import (
    EndpointBackend,
    MemoryBackend,
    OxigraphBackend,
    inject_values,
    is_store,
    load_store,
    sparql_term,
)
from graph.cli import main
from graph.errors import InputError, LimitError, PolicyError
from graph.namespaces import WB
from graph.project import to_networkx
from graph.server import oxigraph_executable
from graph.store import load_graph
from tests.conftest import DATA, Listener

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT / "scripts" / "synth"
STORE_DATA = DATA / "store"


def _synth(tmp: Path, size: str = "2k", seed: int = 1) -> Path:
    out = tmp / f"synth-{size}-{seed}.nt"
    subprocess.run([sys.executable, str(SYNTH), size, "--seed", str(seed), "-o", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def synth_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synth(tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, synth_file: Path) -> Path:
    directory = tmp_path_factory.mktemp("store") / "wb.db"
    load_store(directory, [synth_file])
    return directory


@pytest.fixture(scope="module")
def memory(synth_file: Path) -> MemoryBackend:
    return MemoryBackend(load_graph([synth_file]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(store_dir: Path) -> Iterator[EndpointBackend]:
    """A local ``oxigraph serve`` over a copy of the store, on a free loopback port; stopped at the end."""
    import shutil

    copy = store_dir.parent / "served.db"
    shutil.copytree(store_dir, copy)
    port = _free_port()
    child = subprocess.Popen(
        [oxigraph_executable(), "serve", "--location", str(copy), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert child.poll() is None and time.monotonic() < deadline, "oxigraph serve did not start"
                time.sleep(0.05)
        yield EndpointBackend(f"http://127.0.0.1:{port}/query", timeout=20)
    finally:
        child.terminate()
        child.wait(10)


# --------------------------------------------------------------------------- synthetic data


def test_synth_is_deterministic_and_sized(tmp_path: Path) -> None:
    a = _synth(tmp_path, "3k", 5)
    again = tmp_path / "again.nt"
    subprocess.run([sys.executable, str(SYNTH), "3k", "--seed", "5", "-o", str(again)], check=True, capture_output=True)
    other = _synth(tmp_path, "3k", 6)
    assert a.read_bytes() == again.read_bytes()
    assert a.read_bytes() != other.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert 3000 <= len(lines) < 3200


@pytest.mark.slow
def test_synth_data_conform_to_the_shapes_with_and_without_the_curated_data(synth_file: Path) -> None:
    from graph.validate import validate

    path = synth_file
    alone = validate(load_graph([path], shipped=False))
    assert alone.conforms, alone.violations[:3]
    assert not [v for v in alone.violations if v.severity == "Violation"]
    merged = validate(load_graph([path]))
    assert merged.conforms, merged.violations[:3]


def test_synth_has_hubs(synth_file: Path) -> None:
    from collections import Counter

    org = "<http://www.w3.org/ns/org#organization>"
    counts = Counter(line.split()[2] for line in synth_file.read_text(encoding="utf-8").splitlines() if f" {org} " in line)
    top = counts.most_common(1)[0][1]
    median = sorted(counts.values())[len(counts) // 2]
    assert top >= 5 * sum(counts.values()) / len(counts)  # preferential attachment: a few big hubs ...
    assert top >= 10 * median  # ... and a long tail of small organisations


# --------------------------------------------------------------------------- the same rows everywhere


def test_named_query_gives_the_same_rows_on_rdflib_oxigraph_and_a_remote_endpoint(
    memory: MemoryBackend, store_dir: Path, endpoint: EndpointBackend
) -> None:
    store = OxigraphBackend(store_dir)
    for name, params in [("members", {}), ("members", {"org": "wb:EU"}), ("posts", {}), ("initiatives", {})]:
        on_rdflib = sparql.select(memory, name, **params)
        on_store = sparql.select(store, name, **params)
        on_endpoint = sparql.select(endpoint, name, **params)
        assert on_rdflib.rows, name
        assert on_rdflib.columns == on_store.columns == on_endpoint.columns
        assert on_rdflib.rows == on_store.rows == on_endpoint.rows, name
    assert sparql.ask(memory, "is-member") == sparql.ask(store, "is-member") == sparql.ask(endpoint, "is-member")


def test_a_plain_rdflib_graph_still_works(memory: MemoryBackend) -> None:
    assert sparql.select(memory.graph, "members").rows == sparql.select(memory, "members").rows


def test_injection_payload_matches_nothing_on_every_backend(
    memory: MemoryBackend, store_dir: Path, endpoint: EndpointBackend
) -> None:
    query = "SELECT ?s WHERE { ?s skos:prefLabel ?label } ORDER BY ?s"
    for backend in (memory, OxigraphBackend(store_dir), endpoint):
        assert sparql.select(backend, query, label='nomatch" || true || "').rows == []
        assert sparql.select(backend, query, label='x" } ?s ?p ?o { "').rows == []
        hit = sparql.select(backend, query, label=Literal("Albania", lang="en")).rows
        assert hit == [(WB.AL,)]


def test_service_and_from_are_refused_before_any_backend_is_asked(
    store_dir: Path, listener: Listener
) -> None:
    remote = EndpointBackend(listener.url + "/sparql", timeout=2)
    for backend in (OxigraphBackend(store_dir), remote):
        with pytest.raises(PolicyError, match="SERVICE"):
            sparql.select(backend, f"SELECT * WHERE {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}")
        with pytest.raises(PolicyError, match="FROM"):
            sparql.select(backend, f"SELECT * FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}")
        with pytest.raises(InputError, match="not allowed"):
            sparql.run(backend, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert listener.hits == []


def test_projection_is_the_same_on_rdflib_and_oxigraph(memory: MemoryBackend, store_dir: Path) -> None:
    from graph.project import edge_table

    a = to_networkx(memory, "actors")
    b = to_networkx(OxigraphBackend(store_dir), "actors")
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert [t[:3] for t in edge_table(a)] == [t[:3] for t in edge_table(b)]


def test_oxigraph_query_past_its_timeout_is_a_limit_error(store_dir: Path) -> None:
    store = OxigraphBackend(store_dir)
    started = time.monotonic()
    with pytest.raises(LimitError, match="timed out after 0.5 s"):
        sparql.select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.5)
    assert time.monotonic() - started < 3


def test_max_rows_is_an_error_not_a_cut(store_dir: Path) -> None:
    with pytest.raises(LimitError, match="more than 5 rows"):
        sparql.select(OxigraphBackend(store_dir), "SELECT ?s WHERE { ?s ?p ?o }", max_rows=5)


def test_endpoint_that_never_answers_times_out() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: list[socket.socket] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            held.append(conn)  # read nothing, answer nothing
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        remote = EndpointBackend(f"http://127.0.0.1:{server.getsockname()[1]}/sparql", timeout=1)
        started = time.monotonic()
        with pytest.raises(LimitError, match="did not answer within 1 s"):
            sparql.select(remote, "SELECT * WHERE { ?s ?p ?o }")
        assert time.monotonic() - started < 3
    finally:
        for conn in held:
            conn.close()
        server.close()


def test_endpoint_redirect_and_bad_urls_are_refused(listener: Listener) -> None:
    with pytest.raises(InputError, match="http:// or https://"):
        EndpointBackend("file:///etc/passwd")
    with pytest.raises(InputError, match="http:// or https://"):
        EndpointBackend("ftp://127.0.0.1/sparql")


def test_unreachable_endpoint_names_the_url() -> None:
    remote = EndpointBackend(f"http://127.0.0.1:{_free_port()}/sparql", timeout=2)
    with pytest.raises(InputError, match="cannot reach the endpoint"):
        sparql.select(remote, "SELECT * WHERE { ?s ?p ?o }")


# --------------------------------------------------------------------------- parameters as text


def test_values_block_opens_the_outer_where_group() -> None:
    org = {"org": URIRef("https://w3id.org/wbsec/id/NATO")}
    text = 'PREFIX select: <urn:x:>\n# SELECT { not here\nSELECT ?m (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?m ?p "{" }'
    assert inject_values(text, org).endswith('WHERE { VALUES (?org) { (<https://w3id.org/wbsec/id/NATO>) }  ?m ?p "{" }')
    short = inject_values("CONSTRUCT WHERE { ?s ?p ?org }", org)
    assert short == "CONSTRUCT { ?s ?p ?org } WHERE { VALUES (?org) { (<https://w3id.org/wbsec/id/NATO>) }  ?s ?p ?org }"
    long = inject_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?org }", org)
    assert long.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES")


def test_terms_are_serialised_strictly() -> None:
    assert sparql_term(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert sparql_term(Literal("x", lang="sr-Latn")) == '"x"@sr-Latn'
    with pytest.raises(InputError):
        sparql_term(URIRef("http://a> } ?s ?p ?o { <http://b"))
    with pytest.raises(InputError):
        sparql_term(Literal("1", datatype=URIRef("http://x> . <y")))


# --------------------------------------------------------------------------- wbsec load


def test_load_creates_a_store_with_the_ontology_and_curated_data(tmp_path: Path, synth_file: Path) -> None:
    report = load_store(tmp_path / "db", [synth_file])
    assert report.created and is_store(tmp_path / "db")
    assert report.triples_after == len(load_graph([synth_file]))
    assert OxigraphBackend(tmp_path / "db").triple_count() == report.triples_after


def test_a_failed_load_leaves_the_store_unchanged(tmp_path: Path, synth_file: Path) -> None:
    db = tmp_path / "db"
    load_store(db, [STORE_DATA / "good.ttl"], shipped=False)
    before = sorted(str(q) for q in __import__("pyoxigraph").Store.read_only(str(db)))
    with pytest.raises(InputError, match=r"bad\.ttl:1: Turtle syntax error"):
        load_store(db, [synth_file, STORE_DATA / "bad.ttl"])
    after = sorted(str(q) for q in __import__("pyoxigraph").Store.read_only(str(db)))
    assert before == after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db"]  # no half-loaded copy left behind


@pytest.mark.slow
def test_big_files_stream_in_batches_with_blank_nodes_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bounded-memory path (files over the small-file size, a few quads per batch) loads the same graph."""
    import graph.backends as backends

    load_store(tmp_path / "db", [], shipped=False)  # the ontology, loaded as usual (in batches of 3 it took 6 s)
    monkeypatch.setattr(backends, "_SMALL_FILE", 0)
    monkeypatch.setattr(backends, "_BATCH", 3)
    lines = [f'<https://example.org/s{i}> <https://example.org/p> "{i}" .' for i in range(10)]
    lines += [f"_:shared <https://example.org/q> <https://example.org/s{i}> ." for i in range(7)]
    (tmp_path / "a.nt").write_text("\n".join(lines) + "\n")
    (tmp_path / "b.nt").write_text("_:shared <https://example.org/q> <https://example.org/s0> .\n")
    report = load_store(tmp_path / "db", [tmp_path / "a.nt", tmp_path / "b.nt"], shipped=False)
    tbox = len(load_graph([], shipped=False))
    assert report.triples_after == tbox + 18
    blank = "SELECT ?b (COUNT(*) AS ?n) WHERE { ?b <https://example.org/q> ?o FILTER isBlank(?b) } GROUP BY ?b ORDER BY ?n"
    counts = [int(row[1]) for row in sparql.select(OxigraphBackend(tmp_path / "db"), blank).rows]
    assert counts == [1, 7]  # one blank node per file, whole across the batches of a.nt
    (tmp_path / "c.nt").write_text("\n".join(lines[:8]) + "\n<https://example.org/broken> .\n")
    with pytest.raises(InputError, match=r"c\.nt:9: N-Triples syntax error"):
        load_store(tmp_path / "db", [tmp_path / "c.nt"])
    assert OxigraphBackend(tmp_path / "db").triple_count() == report.triples_after


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("laughs.rdf", PolicyError, "DTD"),
        ("xxe.rdf", PolicyError, "DTD"),
        ("file-context.jsonld", PolicyError, "remote JSON-LD contexts"),
        ("import-context.jsonld", PolicyError, "@import"),
        ("space-iri.ttl", InputError, r"space-iri\.ttl:\d+: Turtle syntax error"),
        ("latin1.ttl", InputError, "Turtle syntax error"),
    ],
)
def test_load_refuses_what_the_hardened_parser_refuses(tmp_path: Path, name: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        load_store(tmp_path / "db", [STORE_DATA / name], shipped=False)
    assert not (tmp_path / "db").exists()


def test_load_refuses_urls_big_files_and_foreign_directories(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="only local files"):
        load_store(tmp_path / "db", ["http://127.0.0.1:9/data.ttl"])
    with pytest.raises(PolicyError, match="over the 10-byte limit"):
        load_store(tmp_path / "db", [STORE_DATA / "good.ttl"], max_bytes=10)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty and holds no Oxigraph store"):
        load_store(tmp_path / "mine", [STORE_DATA / "good.ttl"])
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_blank_nodes_stay_distinct_per_file(tmp_path: Path) -> None:
    load_store(tmp_path / "db", [STORE_DATA / "bnode1.jsonld", STORE_DATA / "bnode2.jsonld"], shipped=False)
    rows = sparql.select(OxigraphBackend(tmp_path / "db"), "SELECT DISTINCT ?b WHERE { ?b ?p ?o FILTER isBlank(?b) }")
    assert len(rows.rows) == 2


# --------------------------------------------------------------------------- the command line


def test_cli_load_then_query_the_store(tmp_path: Path, synth_file: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "db"
    result = runner.invoke(main, ["load", "--store", str(db), str(synth_file)])
    assert result.exit_code == 0, result.output
    assert "created" in result.stderr
    on_store = runner.invoke(main, ["query", "members", "--store", str(db), "--format", "csv"])
    in_memory = runner.invoke(main, ["query", "members", "--data", str(synth_file), "--format", "csv"])
    assert on_store.exit_code == 0, on_store.output
    assert on_store.stdout == in_memory.stdout
    both = runner.invoke(main, ["query", "members", "--store", str(db), "--data", str(synth_file)])
    assert both.exit_code == 2 and "cannot be combined" in both.stderr
    bad = runner.invoke(main, ["load", "--store", str(db), str(STORE_DATA / "laughs.rdf")])
    assert bad.exit_code == 3 and bad.stderr.startswith("Error: ")


def test_a_store_is_asked_for_node_facts_and_provenance_once_per_page(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """viz projects twice more for the gap analysis and resolves --focus; the CONSTRUCTs are not repeated."""
    from graph.network import explorer

    asked: list[str] = []
    construct = sparql.construct

    def counting(g: object, query: object, **kwargs: object) -> object:
        asked.append(str(query))
        return construct(g, query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sparql, "construct", counting)
    page = explorer(OxigraphBackend(store_dir), focus="Kosovo")
    assert page.nodes > 1 and len(asked) == 2 and len(set(asked)) == 2


@pytest.mark.slow
def test_cli_reads_a_remote_endpoint(endpoint: EndpointBackend, synth_file: Path) -> None:
    result = CliRunner().invoke(main, ["query", "members", "--endpoint", endpoint.url, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"https://w3id.org/wbsec/id/AL"' in result.stdout
    for args in (["gaps", "--format", "csv"], ["viz", "--view", "polities", "-o", "-"]):
        remote = CliRunner().invoke(main, [*args, "--endpoint", endpoint.url])
        in_memory = CliRunner().invoke(main, [*args, "--data", str(synth_file)])
        assert remote.exit_code == 0, (args, remote.output)
        assert remote.stdout == in_memory.stdout, args  # the gap scores and the page (with provenance) alike


@pytest.mark.slow
def test_network_commands_read_a_store_like_the_files(store_dir: Path, synth_file: Path) -> None:
    runner = CliRunner()
    for args in (["metrics", "--metric", "degree", "--top", "5", "--format", "csv"],
                 ["neighbours", "Albania", "--format", "csv"],
                 ["path", "Albania", "Serbia", "--format", "json"],
                 ["export", "--view", "polities", "--format", "csv"],
                 ["gaps", "--format", "json"],
                 ["viz", "--focus", "Kosovo", "-o", "-"]):
        on_store = runner.invoke(main, [*args, "--store", str(store_dir)])
        in_memory = runner.invoke(main, [*args, "--data", str(synth_file)])
        assert on_store.exit_code == 0, (args, on_store.output)
        assert on_store.stdout == in_memory.stdout, args
    refused = runner.invoke(main, ["export", "--store", str(store_dir)])
    assert refused.exit_code == 2 and "network views only" in refused.stderr


def test_the_same_unchanged_files_share_one_store_and_an_edited_file_gets_a_new_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from graph.backends import MemoryBackend

    data = tmp_path / "one.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "12,5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
                    encoding="utf-8")
    first = MemoryBackend.from_files([data])
    caplog.clear()
    second = MemoryBackend.from_files([data])
    assert second.store is first.store
    assert caplog.text.count("is not a valid") == 1  # warned again, as a fresh load would
    assert MemoryBackend.from_files([data, data]).store is not first.store  # other files, other store
    data.write_text('<http://example.org/a> <http://example.org/p> "12.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
                    encoding="utf-8")
    edited = MemoryBackend.from_files([data])
    assert edited.store is not first.store
    ask = "ASK { ?s ?p 12.5 }"
    assert edited.ask(ask, {}, timeout=None) and not first.ask(ask, {}, timeout=None)


def test_a_missing_file_is_reported_even_after_its_files_were_loaded(tmp_path: Path) -> None:
    from graph.backends import MemoryBackend

    data = tmp_path / "one.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n", encoding="utf-8")
    MemoryBackend.from_files([data])
    data.unlink()
    with pytest.raises(InputError, match="one.ttl: no such file"):
        MemoryBackend.from_files([data])
