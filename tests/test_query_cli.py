"""``wbsec query``: named questions, files, stdin, output formats, refusals, limits and atomic output."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from graph.cli import main
from graph.sparql import named_queries

from .conftest import DATA, Listener

FIXTURE = DATA / "queries" / "fixture.ttl"
FORMULA = DATA / "queries" / "formula.ttl"
WBSEC = Path(sys.executable).parent / "wbsec"
SMALL = ("--no-shipped", "--data", str(FIXTURE))
CELLS = 'SELECT ?s ?c WHERE { ?s rdfs:comment ?c FILTER (CONTAINS(STR(?s), "/cell-")) } ORDER BY ?s'
CROSS = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["query", *args], input=stdin, catch_exceptions=False)


def run_wbsec(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real entry point, which installs the audit hook (no outbound connections).

    The hash seed is left random, as for a user: a pinned seed would hide set-ordering bugs.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    return subprocess.run([str(WBSEC), *args], capture_output=True, text=True, timeout=timeout, env=env)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --------------------------------------------------------------------------- choosing a query


def test_list_shows_every_named_question_with_its_parameters() -> None:
    result = invoke("--list")
    assert result.exit_code == 0
    for q in named_queries():
        assert q.name in result.output and q.title in result.output
    assert "--param org=wb:NATO  [IRI]" in result.output
    assert "--param stance=… (optional)  [IRI]" in result.output
    listed = json.loads(invoke("--list", "--format", "json").output)
    members = next(item for item in listed if item["name"] == "members")
    assert members["params"] == [{"name": "org", "type": "IRI", "default": "wb:NATO", "required": False,
                                  "meaning": "the organisation or initiative, e.g. wb:EU, wb:NATO, wb:BerlinProcess"}]


def test_named_query_with_a_parameter_prints_csv_when_piped() -> None:
    result = invoke("members", "--param", "org=wb:BerlinProcess", *SMALL)
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert rows[0] == ["member", "memberLabel", "role", "via", "since", "until", "asOf", "reported", "source",
                       "locator"]
    assert [r[1] for r in rows[1:]] == ["Albania", "Serbia"]
    assert rows[1][2] == "https://w3id.org/wbsec/def#Participant" and rows[1][6] == "2022-11-03"


def test_query_from_a_file_honours_its_header(tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text(
        "# title: Persons by name\n# param: name (string) default \"Pat One\" — the name\n"
        "SELECT ?p WHERE { ?p foaf:name ?name } ORDER BY ?p\n",
        encoding="utf-8",
    )
    assert csv_rows(invoke("--file", str(q), *SMALL).stdout) == [["p"], ["https://w3id.org/wbsec/id/pat"]]
    assert csv_rows(invoke("--file", str(q), "-p", "name=Kim Two", *SMALL).stdout)[1:] == [
        ["https://w3id.org/wbsec/id/kim"]]


def test_query_text_and_stdin() -> None:
    text = "SELECT ?p WHERE { ?p a wbo:Polity ; wbo:region wb:WesternBalkans } ORDER BY ?p"
    expected = [["p"]] + [[f"https://w3id.org/wbsec/id/{c}"] for c in ("AL", "RS", "XK")]
    assert csv_rows(invoke(text, *SMALL).stdout) == expected
    assert csv_rows(invoke("-", *SMALL, stdin=text).stdout) == expected


def test_exactly_one_query_source() -> None:
    assert invoke(*SMALL).exit_code == 2
    assert invoke("members", "--list").exit_code == 2
    assert invoke("members", "--file", str(FIXTURE)).exit_code == 2


def test_unknown_query_name_is_a_usage_error() -> None:
    result = invoke("memberz", *SMALL)
    assert result.exit_code == 2
    assert "unknown query 'memberz'" in result.stderr and "members" in result.stderr


def test_bad_param_syntax_is_a_usage_error() -> None:
    result = invoke("members", "--param", "org", *SMALL)
    assert result.exit_code == 2 and "KEY=VALUE" in result.stderr


# --------------------------------------------------------------------------- output formats


def test_table_shows_labels_beside_iris() -> None:
    result = invoke("SELECT ?p ?role WHERE { ?m org:member ?p ; org:role ?role ; org:organization wb:NATO } ORDER BY ?p",
                    "--format", "table", *SMALL)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["p", "role"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split("  ")[0] == "wb:AL (Albania)"
    assert "wbo:Member" in lines[2]
    # a query that selects ?memberLabel itself gets the bare name in ?member
    table = invoke("members", "--format", "table", *SMALL).stdout.splitlines()
    assert table[2].startswith("wb:AL   Albania")


def test_markdown_table() -> None:
    out = invoke("agreements", "--format", "md", *SMALL).stdout
    assert out.splitlines() == [
        "| agreement | agreementLabel | framework | date | parties |",
        "|---|---|---|---|---|",
        "| wb:ag1 | ID card agreement | wb:BerlinProcess (Berlin Process) | 2022-11-03 | 3 |",
    ]


def test_sheet_cells_cannot_run_as_formulas() -> None:
    result = invoke(CELLS, "--format", "sheet", "--no-shipped", "--data", str(FORMULA))
    assert result.exit_code == 0
    cells = {row[0].rsplit("/", 1)[1]: row[1] for row in csv_rows(result.stdout)[1:]}
    assert cells == {
        "cell-at": "'@SUM(1+1)*cmd|' /C calc'!A0",
        "cell-cr": "'\r=1+1",
        "cell-decimal": "12.50",
        "cell-eq": "'=HYPERLINK(\"http://evil.example\",\"click\")",
        "cell-lang": "Albanie",
        "cell-minus": "'-2+3+cmd|' /C calc'!A0",
        "cell-number": "-5",  # a plain number stays a number
        "cell-plain": 'Albania, "the" country\nsecond line',
        "cell-plus": "'+cmd|' /C calc'!A0",
        "cell-tab": "'\t=1+1",
    }
    assert result.stdout_bytes.startswith(b"s,c\r\n")  # RFC 4180 line ends


def test_csv_is_w3c_sparql_csv_with_every_cell_unaltered() -> None:
    result = invoke(CELLS, "--format", "csv", "--no-shipped", "--data", str(FORMULA))
    assert result.exit_code == 0
    cells = {row[0].rsplit("/", 1)[1]: row[1] for row in csv_rows(result.stdout)[1:]}
    assert cells["cell-eq"] == '=HYPERLINK("http://evil.example","click")'
    assert cells["cell-tab"] == "\t=1+1"
    assert cells["cell-plain"] == 'Albania, "the" country\nsecond line'
    assert result.stdout_bytes.startswith(b"s,c\r\n")


def test_tsv_is_w3c_sparql_tsv() -> None:
    lines = invoke(CELLS, "--format", "tsv", "--no-shipped", "--data", str(FORMULA)).stdout.split("\n")
    assert lines[0] == "?s\t?c"
    cells = dict(line.split("\t") for line in lines[1:] if line)
    base = "<https://w3id.org/wbsec/id/"
    assert cells[base + "cell-plain>"] == '"Albania, \\"the\\" country\\nsecond line"'
    assert cells[base + "cell-tab>"] == '"\\t=1+1"'
    assert cells[base + "cell-decimal>"] == '"12.50"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert cells[base + "cell-lang>"].endswith('"@fr')
    assert len(lines) == 12  # header, 10 rows, final newline


def test_tsv_reads_back_with_rdflib_and_pyoxigraph() -> None:
    """Both SPARQL toolkits parse the TSV and see the JSON's terms, types and languages.

    (Neither parses SPARQL CSV, which the W3C calls lossy; the CSV test above reads it as RFC 4180.)
    """
    import io

    import pyoxigraph
    from rdflib.query import Result

    query = ('SELECT ?s ?c ?none WHERE { ?s rdfs:comment ?c FILTER (CONTAINS(STR(?s), "/cell-")) '
             "OPTIONAL { ?s wbo:about ?none } } ORDER BY ?s")
    args = ("--no-shipped", "--data", str(FORMULA))
    out = invoke(query, "--format", "tsv", *args).stdout
    expected = [(b["s"]["value"], b["c"]["value"], b["c"].get("xml:lang"), b["c"].get("datatype"))
                for b in json.loads(invoke(query, "--format", "json", *args).stdout)["results"]["bindings"]]
    assert len(expected) == 10
    parsed = list(Result.parse(io.StringIO(out), format="tsv"))
    assert [(str(r[0]), str(r[1]), r[1].language, str(r[1].datatype) if r[1].datatype else None)
            for r in parsed] == expected
    assert all(r[2] is None for r in parsed)
    ox = list(pyoxigraph.parse_query_results(out.encode("utf-8"), format=pyoxigraph.QueryResultsFormat.TSV))
    assert [(row["s"].value, row["c"].value, row["c"].language) for row in ox] == [e[:3] for e in expected]


def test_json_is_w3c_sparql_results() -> None:
    query = ('SELECT ?s ?c ?none WHERE { ?s rdfs:comment ?c FILTER (CONTAINS(STR(?s), "/cell-")) '
             "OPTIONAL { ?s wbo:about ?none } } ORDER BY ?s")
    data = json.loads(invoke(query, "--format", "json", "--no-shipped", "--data", str(FORMULA)).stdout)
    assert set(data) == {"head", "results"}
    assert data["head"] == {"vars": ["s", "c", "none"]}
    bindings = data["results"]["bindings"]
    assert len(bindings) == 10
    for b in bindings:
        assert set(b) <= set(data["head"]["vars"]) and "none" not in b  # unbound: left out
        for term in b.values():
            assert term["type"] in {"uri", "literal", "bnode"} and isinstance(term["value"], str)
            if term["type"] == "uri":
                assert set(term) == {"type", "value"}
            else:
                assert not ("datatype" in term and "xml:lang" in term)
    by = {b["s"]["value"].rsplit("/", 1)[1]: b["c"] for b in bindings}
    assert by["cell-lang"] == {"type": "literal", "value": "Albanie", "xml:lang": "fr"}
    assert by["cell-decimal"] == {"type": "literal", "value": "12.50",
                                  "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    assert by["cell-plain"] == {"type": "literal", "value": 'Albania, "the" country\nsecond line'}
    assert bindings[0]["s"] == {"type": "uri", "value": "https://w3id.org/wbsec/id/cell-at"}


def test_ask_prints_true_or_false_and_exits_0() -> None:
    yes = invoke("is-member", *SMALL)
    no = invoke("is-member", "--param", "actor=wb:RS", *SMALL)
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    assert (no.exit_code, no.stdout) == (0, "false\n")
    assert json.loads(invoke("is-member", "--format", "json", *SMALL).stdout) == {"head": {}, "boolean": True}


def test_construct_prints_rdf_in_the_chosen_format() -> None:
    from rdflib import Graph

    ttl = invoke("actor-claims", "--param", "actor=wb:RU", *SMALL)
    assert ttl.exit_code == 0 and ttl.stdout.startswith("@prefix")
    nt = invoke("actor-claims", "--param", "actor=wb:RU", "--format", "nt", *SMALL).stdout
    assert nt.splitlines() == sorted(nt.splitlines())
    jsonld = invoke("actor-claims", "--param", "actor=wb:RU", "--format", "jsonld", *SMALL).stdout
    graphs = [Graph().parse(data=ttl.stdout, format="turtle"), Graph().parse(data=nt, format="nt"),
              Graph().parse(data=jsonld, format="json-ld")]
    assert len(graphs[0]) > 0 and all(set(g) == set(graphs[0]) for g in graphs)
    as_json = invoke("actor-claims", "--param", "actor=wb:RU", "--format", "json", *SMALL).stdout
    assert as_json == jsonld and '"@context"' in as_json  # the JSON of a graph is JSON-LD
    wrong = invoke("actor-claims", "--format", "csv", *SMALL)
    assert wrong.exit_code == 2 and "ttl, nt or jsonld" in wrong.stderr
    assert invoke("members", "--format", "ttl", *SMALL).exit_code == 2


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "members.csv"
    result = invoke("members", "--output", str(target), *SMALL)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == invoke("members", *SMALL).stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["members.csv"]


# --------------------------------------------------------------------------- parameters are terms, not text


def test_injection_payload_as_a_parameter_matches_nothing() -> None:
    query = "SELECT ?p WHERE { ?p foaf:name ?n FILTER (?n = ?needle) } ORDER BY ?p"
    hit = invoke(query, "--param", "needle=Pat One", *SMALL)
    assert csv_rows(hit.stdout) == [["p"], ["https://w3id.org/wbsec/id/pat"]]
    payload = invoke(query, "--param", 'needle=x" || true || "', *SMALL)
    assert payload.exit_code == 0 and csv_rows(payload.stdout) == [["p"]]


@pytest.mark.parametrize("value", ["javascript:alert(1)", "<http://a b>", "wb:NATO>", "<file:///etc/passwd>"])
def test_bad_iri_parameter_exits_2_before_running(value: str) -> None:
    result = invoke("members", "--param", f"org={value}", *SMALL)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: parameter org:")


# --------------------------------------------------------------------------- refusals


def test_service_to_a_loopback_listener_makes_no_request(listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
    result = invoke(query, *SMALL)
    assert result.exit_code == 3
    assert "SERVICE" in result.stderr and result.stdout == ""
    assert listener.hits == []


def test_service_refused_through_the_real_entry_point(listener: Listener) -> None:
    query = f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{listener.url}/sparql> {{ ?s ?q ?x }} }} }}"
    proc = run_wbsec("query", query, *SMALL)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("Error: SPARQL SERVICE") and proc.stdout == ""
    assert listener.hits == []


def test_from_a_local_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "the-secret-value" .\n', encoding="utf-8")
    for query in (f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        result = invoke(query, *SMALL)
        assert result.exit_code == 3, result.stderr
        assert "the-secret-value" not in result.stdout + result.stderr
    proc = run_wbsec("query", f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}", *SMALL)
    assert proc.returncode == 3 and "the-secret-value" not in proc.stdout + proc.stderr


def test_updates_are_refused() -> None:
    insert = invoke("INSERT DATA { <urn:a> <urn:b> <urn:c> }", *SMALL)
    assert insert.exit_code == 2 and "read-only" in insert.stderr
    load = invoke("LOAD <http://127.0.0.1:9/data.ttl>", *SMALL)
    assert load.exit_code == 3 and "LOAD is refused" in load.stderr


def test_syntax_error_gives_line_and_column() -> None:
    result = invoke("SELECT ?s\nWHERE {\n  ?s ?p \n}", *SMALL)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: SPARQL syntax error at line 3, column 3")
    assert invoke("SELECT ?s WHERE { ?s nope:x ?o }", *SMALL).stderr.startswith("Error: unknown prefix 'nope'")


# --------------------------------------------------------------------------- limits


def test_timeout_stops_a_cross_product_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    started = time.monotonic()
    result = invoke(CROSS, "--timeout", "1", "--output", str(target), *SMALL)  # 1,476 triples: 3e9 rows
    elapsed = time.monotonic() - started
    assert result.exit_code == 5
    assert "timed out after 1 s" in result.stderr
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temp files either
    assert elapsed < 10  # loading the small fixture plus about one second of query


def test_max_rows_exceeded_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    result = invoke("members", "--max-rows", "2", "--output", str(target), *SMALL)
    assert result.exit_code == 5 and "more than 2 rows" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert invoke("members", "--max-rows", "3", *SMALL).exit_code == 0


def test_timeout_through_the_real_entry_point(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    proc = run_wbsec("query", CROSS, "--timeout", "1", "--output", str(target), *SMALL)
    assert proc.returncode == 5, proc.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_stdin_must_be_utf8() -> None:
    result = CliRunner().invoke(main, ["query", "-", *SMALL], input=b"SELECT * WHERE { ?s ?p \xff }")
    assert result.exit_code == 2 and "not UTF-8 at byte 23" in result.stderr


def test_help_is_written_for_analysts() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for text in ("--list", "--param", "--format", "--timeout", "--max-rows", "--output", "--data", "SERVICE"):
        assert text in result.output


def test_readme_examples_show_real_output() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### query"):readme.index("### metrics")]
    blocks = section.split("```console\n$ wbsec query ")[1:]
    assert len(blocks) == 3
    for block in blocks:
        body = block[: block.index("```")]
        lines = body.splitlines()
        # the command runs up to the line that ends with its last argument; the rest is output
        end = next(i for i, line in enumerate(lines) if "--format table" in line or "--param" in line)
        command = "\n".join(lines[: end + 1])
        expected = "\n".join(lines[end + 1:]) + "\n"
        args = shlex.split(command)
        result = invoke(*args)
        assert result.exit_code == 0, command
        assert result.stdout == expected, f"README output of 'wbsec query {command[:40]}…' is stale"
