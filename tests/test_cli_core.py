"""The foundation commands (validate, info, export) and the CLI's error and exit-code contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from graph.cli import main
from graph.store import load_graph, same_graph
from tests.conftest import DATA, Listener

STORE = DATA / "store"
ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def shipped_triples() -> int:
    """The number of triples of the ontology and the shipped data, loaded once per module (tests only read it)."""
    return len(load_graph())


def test_help_lists_every_command_with_help_text() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    group = main
    ctx = group.make_context("wbsec", [], resilient_parsing=True)
    names = group.list_commands(ctx)
    assert {"validate", "info", "export"} <= set(names)
    for name in names:
        assert name in result.output
        command = group.get_command(ctx, name)
        assert command is not None and command.help, f"wbsec {name} has no help text"
        sub = invoke(name, "--help")
        assert sub.exit_code == 0 and "Usage: " in sub.output


@pytest.mark.slow
def test_validate_shipped_data_conforms() -> None:
    result = invoke("validate")
    assert result.exit_code == 0, result.output


def test_validate_reports_violations_with_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad-claim.ttl"
    bad.write_text(
        "@prefix wb: <https://w3id.org/wbsec/id/> .\n@prefix wbo: <https://w3id.org/wbsec/def#> .\n"
        "wb:test-coop a wbo:BilateralCooperation ; wbo:party wb:AL .\n"
    )
    result = invoke("validate", "--no-shipped", "--data", str(bad))
    assert result.exit_code == 1
    assert "test-coop" in result.output


def test_bad_input_is_one_line_with_file_and_line_and_exit_2() -> None:
    result = CliRunner().invoke(main, ["validate", "--data", str(STORE / "bad.ttl")])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"Error: {STORE / 'bad.ttl'}:1: Turtle syntax error (objectList expected)"]


def test_policy_refusal_exits_3() -> None:
    result = CliRunner().invoke(main, ["info", "--data", str(STORE / "laughs.rdf")])
    assert result.exit_code == 3
    assert "DTD" in result.stderr


@pytest.mark.slow
def test_info_text_and_json(shipped_triples: int) -> None:
    text = invoke("info", "--no-validate")
    assert text.exit_code == 0
    assert text.output.startswith("triples: ")
    data = json.loads(invoke("info", "--format", "json").output)
    assert data["conforms"] is True
    assert data["triples"] == shipped_triples
    counts = {c["id"]: c["count"] for c in data["classes"]}
    assert counts["https://w3id.org/wbsec/def#Polity"] >= 16
    assert {s["id"] for s in data["sources"]} >= {
        "https://w3id.org/wbsec/id/euractiv-2023-tirana-panel",
        "https://w3id.org/wbsec/id/fes-2023-future-is-cooperative",
    }


@pytest.fixture(scope="module")
def with_good() -> Graph:
    """The ontology, the shipped data and ``good.ttl``, loaded once per module (tests only read it)."""
    return load_graph([STORE / "good.ttl"])


@pytest.mark.parametrize("fmt,rdflib_fmt", [("ttl", "turtle"), ("nt", "nt"), ("trig", "trig"), ("jsonld", "json-ld"), ("xml", "xml")])
@pytest.mark.slow
def test_export_round_trips_by_isomorphism(fmt: str, rdflib_fmt: str, tmp_path: Path, with_good: Graph) -> None:
    target = tmp_path / f"out.{fmt}"
    result = invoke("export", "--format", fmt, "--output", str(target), "--data", str(STORE / "good.ttl"))
    assert result.exit_code == 0
    expected = with_good
    if fmt == "trig":
        ds = Dataset()
        ds.parse(target, format="trig")
        back = Graph()
        for s, p, o, _c in ds.quads((None, None, None, None)):
            back.add((s, p, o))
    else:
        back = Graph().parse(target, format=rdflib_fmt)
    assert same_graph(expected, back)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.slow
def test_export_to_stdout_is_deterministic(shipped_triples: int) -> None:
    first = invoke("export", "--format", "nt").output
    second = invoke("export", "--format", "nt").output
    assert first == second and first.count("\n") == shipped_triples


def test_failed_export_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.rdf"
    target.write_text("previous")
    result = CliRunner().invoke(
        main, ["export", "--format", "xml", "--output", str(target), "--data", str(STORE / "control.ttl")]
    )
    assert result.exit_code == 4
    assert "XML 1.0" in result.stderr
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.rdf"]


@pytest.mark.parametrize("command", [["export"], ["metrics"], ["gaps"], ["query", "members"], ["viz"]])
def test_an_output_that_cannot_be_written_exits_4_before_any_work(command: list[str], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.backends
    import graph.store

    def no_work(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the data were read although the output cannot be written")

    monkeypatch.setattr(graph.store, "load_graph", no_work)
    monkeypatch.setattr(graph.store, "load_files_shared", no_work)
    monkeypatch.setattr(graph.backends, "open_backend", no_work)
    for target, why in ((tmp_path, "is a directory, not a file"), (tmp_path / "nope" / "out.txt", "does not exist")):
        result = CliRunner().invoke(main, [*command, "--output", str(target)])
        assert result.exit_code == 4, result.output
        assert result.stderr == f"Error: {target}: {why}\n" if why.startswith("is") else why in result.stderr


def test_exported_turtle_loads_into_oxigraph_with_the_same_triples(tmp_path: Path, shipped_triples: int) -> None:
    import pyoxigraph

    target = tmp_path / "all.ttl"
    assert invoke("export", "--format", "ttl", "--output", str(target)).exit_code == 0
    store = pyoxigraph.Store()
    store.load(path=str(target), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == shipped_triples


def _wbsec(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "graph", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_python_dash_m_graph_runs() -> None:
    result = _wbsec("--help")
    assert result.returncode == 0 and "validate" in result.stdout


def test_entry_point_refuses_remote_context_with_no_request(tmp_path: Path, listener: Listener) -> None:
    doc = tmp_path / "remote.jsonld"
    doc.write_text(f'{{"@context": "{listener.url}/ctx", "@id": "http://example.org/a", "http://example.org/p": "x"}}')
    result = _wbsec("info", "--no-validate", "--data", str(doc))
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Error: {doc}: remote JSON-LD contexts are disabled ({listener.url}/ctx); inline the context in the file"
    ]
    assert listener.hits == []


def test_tests_never_touch_the_users_cache(private_cache: Path, private_home: Path) -> None:
    """The conformance verdict of ``wbsec info`` lands in the test's own cache, and home is the session's own."""
    assert Path.home() == private_home and os.environ["MPLCONFIGDIR"].startswith(str(private_home))
    assert invoke("info", "--format", "json", "--no-shipped", "--data", str(STORE / "good.ttl")).exit_code == 0
    assert list((private_cache / "wbsec" / "conformance").iterdir())


RDF_EXPORTS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "jsonld": "JSON_LD", "xml": "RDF_XML"}


def _oxigraph_terms(data: bytes, fmt: str) -> set[str]:
    """The quads pyoxigraph reads from ``data``, blank nodes canonically labelled, as exact N-Quads strings."""
    import pyoxigraph

    ds = pyoxigraph.Dataset(pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, RDF_EXPORTS[fmt])))
    ds.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in ds}


#: Data with literals that writers respell (decimals, doubles, language tags) for the exact-term export tests.
_LITERAL_DATA = ("--data", str(STORE / "literals.ttl"), "--data", str(STORE / "good.ttl"))


@pytest.fixture(scope="module")
def turtle_terms() -> set[str]:
    """The Turtle export of the shipped data with :data:`_LITERAL_DATA`, read by pyoxigraph, once per module."""
    return _oxigraph_terms(invoke("export", "--format", "ttl", *_LITERAL_DATA).stdout_bytes, "ttl")


@pytest.fixture(scope="module")
def literal_data_triples() -> int:
    """The number of triples :data:`_LITERAL_DATA` loads with the ontology and the shipped data, once per module."""
    return len(load_graph([STORE / "literals.ttl", STORE / "good.ttl"]))


@pytest.mark.parametrize("fmt", ["nt", "trig", "jsonld", "xml"])
@pytest.mark.slow
def test_every_rdf_export_is_exact_term_isomorphic_with_the_turtle_export(fmt: str, turtle_terms: set[str],
                                                                          literal_data_triples: int) -> None:
    """Read by pyoxigraph (not by the writer's own library), each export holds the Turtle export's terms exactly."""
    other = invoke("export", "--format", fmt, *_LITERAL_DATA).stdout_bytes
    expected = turtle_terms
    assert _oxigraph_terms(other, fmt) == expected
    assert '"68"^^<http://www.w3.org/2001/XMLSchema#decimal>' in " ".join(expected)
    assert '"1.5"^^<http://www.w3.org/2001/XMLSchema#double>' in " ".join(expected)
    assert len(expected) == literal_data_triples


@pytest.mark.slow
def test_trig_export_is_in_the_default_graph(shipped_triples: int) -> None:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(invoke("export", "--format", "trig").stdout_bytes, format=pyoxigraph.RdfFormat.TRIG)
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
    assert int(count.value) == shipped_triples == len(store)


def test_jsonld_export_is_compacted_with_the_published_context() -> None:
    from graph.namespaces import PREFIXES

    published = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert published == {"@context": dict(sorted(PREFIXES.items()))}
    doc = json.loads(invoke("export", "--format", "jsonld", "--data", str(STORE / "literals.ttl")).stdout)
    assert doc["@context"] == published["@context"]
    figure = next(n for n in doc["@graph"] if n["@id"] == "http://example.org/figure")
    assert {"@value": "68", "@type": "xsd:decimal"} in figure["http://example.org/share"]
    actor = next(n for n in doc["@graph"] if n["@id"] == "wb:AL")
    assert "wbo:Polity" in actor["@type"]


@pytest.mark.parametrize("fmt", ["nt", "ttl", "trig", "jsonld", "xml"])
def test_an_ill_typed_literal_is_one_warning_line_in_every_export_format(
        fmt: str, caplog: pytest.LogCaptureFixture) -> None:
    """The reader reports it once; writing and reading the export back add no rdflib traceback or warning."""
    import logging
    import warnings

    data = STORE / "illtyped.ttl"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with caplog.at_level(logging.WARNING, logger="rdflib"):
            result = invoke("export", "--no-shipped", "--data-only", "--data", str(data), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"Warning: {data}: literal '12,5' is not a valid http://www.w3.org/2001/XMLSchema#decimal"]
    assert [r.getMessage()[:60] for r in caplog.records if r.name.startswith("rdflib")] == []
    shown = [w for w in caught if not issubclass(w.category, DeprecationWarning)]  # Python hides those from users
    assert [str(w.message)[:60] for w in shown] == []
