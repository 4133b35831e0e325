"""One SPARQL engine: the files (in memory) and an Oxigraph store give the same rows, and the W3C answers.

Since every backend evaluates with Oxigraph, the files are compared with the
on-disk store built from the same files: every named query (with its
defaults and the example values its header documents; the order of the
values a GROUP_CONCAT joins is left open by SPARQL, so those cells compare
as sets) and a set of ad-hoc
queries that rdflib's engine answered differently (numeric equality across
datatypes, ``IN``, language tags, ``VALUES`` with ``OPTIONAL``, a filter
comparing a date with a year). A reference check pins the W3C answers on a
tiny fixture, written by hand, so that an engine that agrees with itself
but is wrong still fails. Last, the commands project each view once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph import project, sparql
from graph.backends import MemoryBackend, OxigraphBackend, load_store
from graph.errors import InputError
from graph.store import load_graph

WB = "https://w3id.org/wbsec/id/"

FIXTURE = """\
@prefix wb: <https://w3id.org/wbsec/id/> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

wb:AL ex:pct "44"^^xsd:decimal ; ex:name "Albania"@en, "Shqipëria"@sq ;
      ex:since "2009-04-01"^^xsd:date ; ex:partner wb:ME .
wb:ME ex:pct "80.0"^^xsd:decimal ; ex:name "Montenegro"@en ; ex:since "2017"^^xsd:gYear .
wb:RS ex:pct "44.50"^^xsd:decimal ; ex:name "Serbia", "Srbija"@sr-Latn .
"""
PREFIX = "PREFIX ex: <http://example.org/>\n"

#: Ad-hoc queries, each with the rows W3C SPARQL 1.1 gives on FIXTURE (cells as N-Triples-like text).
REFERENCE: list[tuple[str, str, list[tuple[str | None, ...]]]] = [
    # 44 = "44"^^xsd:decimal and 80 = "80.0"^^xsd:decimal: numeric equality across integer and decimal
    ("in-across-datatypes", "SELECT ?s ?p WHERE { ?s ex:pct ?p FILTER (?p IN (44, 80, 70)) } ORDER BY ?s",
     [(f"<{WB}AL>", "44"), (f"<{WB}ME>", "80.0")]),
    ("numeric-comparison", "SELECT ?s WHERE { ?s ex:pct ?p FILTER (?p > 44) } ORDER BY ?s",
     [(f"<{WB}ME>",), (f"<{WB}RS>",)]),
    ("decimal-equality", "SELECT ?s WHERE { ?s ex:pct ?p FILTER (?p = 44.5) }", [(f"<{WB}RS>",)]),
    # a language-tagged literal is not equal to the plain string with the same text
    ("lang-not-plain", 'SELECT ?s WHERE { ?s ex:name ?n FILTER (?n = "Albania") }', []),
    ("lang-matches", 'SELECT ?s WHERE { ?s ex:name ?n FILTER (LANGMATCHES(LANG(?n), "en")) } ORDER BY ?s',
     [(f"<{WB}AL>",), (f"<{WB}ME>",)]),
    ("lang-tag", "SELECT ?n WHERE { wb:AL ex:name ?n } ORDER BY ?n", [("Albania@en",), ("Shqipëria@sq",)]),
    # a VALUES row without a match in OPTIONAL stays, with the optional cell unbound
    ("values-optional", "SELECT ?x ?p WHERE { VALUES ?x { wb:AL wb:NOPE } OPTIONAL { ?x ex:pct ?p } } ORDER BY ?x",
     [(f"<{WB}AL>", "44"), (f"<{WB}NOPE>", None)]),
    # comparing an xsd:gYear with an xsd:date is a type error: the row is dropped, also under !
    ("date-vs-year", 'SELECT ?s WHERE { ?s ex:since ?d FILTER (?d < "2012-01-01"^^xsd:date) }', [(f"<{WB}AL>",)]),
    ("date-vs-year-negated", 'SELECT ?s WHERE { ?s ex:since ?d FILTER (!(?d < "2012-01-01"^^xsd:date)) }', []),
    # COUNT counts bound values only; GROUP_CONCAT of one value is that value
    ("count-skips-unbound", "SELECT ?s (COUNT(?n) AS ?c) WHERE { ?s ex:pct ?p OPTIONAL { ?s ex:partner ?n } }"
     " GROUP BY ?s ORDER BY ?s", [(f"<{WB}AL>", "1"), (f"<{WB}ME>", "0"), (f"<{WB}RS>", "0")]),
    ("group-concat-one", 'SELECT (GROUP_CONCAT(STR(?n); separator="|") AS ?g) WHERE { wb:AL ex:partner ?n }',
     [(f"{WB}ME",)]),
]

#: Further queries compared between the files and the store only (engine-defined corners included).
PARITY_ONLY = [
    # GROUP_CONCAT and MIN over groups that hold unbound values (an aggregate over an error)
    "SELECT ?s (GROUP_CONCAT(STR(?n); separator='|') AS ?g) (MIN(?n) AS ?m) WHERE { ?s ex:pct ?p "
    "OPTIONAL { ?s ex:partner ?n } } GROUP BY ?s ORDER BY ?s",
    "SELECT (GROUP_CONCAT(?n) AS ?g) (SAMPLE(?n) AS ?one) WHERE { ?s ex:pct ?p OPTIONAL { ?s ex:partner ?n } }",
    "SELECT ?s (SUM(?p) AS ?total) (AVG(?p) AS ?mean) WHERE { ?s ex:pct ?p } GROUP BY ?s ORDER BY ?s",
    "SELECT ?n (LANG(?n) AS ?l) WHERE { ?s ex:name ?n } ORDER BY ?n",
    "SELECT ?s ?d WHERE { ?s ex:since ?d } ORDER BY ?d",
]


def _cell(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal) and node.language:
        return f"{node}@{node.language}"
    return str(node)


def _canonical(node: Node | None) -> object:
    """A cell compared by value: the store keeps ``"80.0"^^xsd:decimal`` as ``"80"``, the files as written."""
    if isinstance(node, Literal):
        return ("literal", (node.language or "").lower(), str(node.datatype or ""), sparql.python_value(node))
    return node


_GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^;()]|\([^()]*\))*?(?:;\s*separator\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?\s*\)\s*AS\s*\?(\w+)",
    re.IGNORECASE)


def _concatenated(text: str) -> dict[str, str]:
    """Column -> separator of every GROUP_CONCAT in ``text`` (whose order of values SPARQL leaves open)."""
    return {m.group(3): m.group(1) if m.group(1) is not None else (m.group(2) if m.group(2) is not None else " ")
            for m in _GROUP_CONCAT.finditer(text)}


def _rows(backend: object, query: str | sparql.NamedQuery, **params: object) -> list[tuple[object, ...]]:
    """The rows by value, sorted; a GROUP_CONCAT cell as the sorted list of its parts."""
    nq = sparql.resolve(query)
    joined = _concatenated(nq.text)
    table = sparql.select(backend, nq, timeout=60, **params)  # type: ignore[arg-type]

    def cell(column: str, node: Node | None) -> object:
        if column in joined and node is not None:
            return ("concat", sorted(str(node).split(joined[column])))
        return _canonical(node)

    return sorted((tuple(cell(c, v) for c, v in zip(table.columns, row)) for row in table.rows), key=repr)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fixture") / "tiny.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(fixture_file: Path) -> MemoryBackend:
    return MemoryBackend(load_graph([fixture_file], shipped=False))


@pytest.fixture(scope="module")
def tiny_store(fixture_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphBackend]:
    directory = tmp_path_factory.mktemp("tiny-store") / "wb.db"
    load_store(directory, [fixture_file], shipped=False)
    backend = OxigraphBackend(directory)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def shipped() -> MemoryBackend:
    return MemoryBackend(load_graph())


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphBackend]:
    directory = tmp_path_factory.mktemp("shipped-store") / "wb.db"
    load_store(directory, [])
    backend = OxigraphBackend(directory)
    yield backend
    backend.close()


# --------------------------------------------------------------------------- the W3C answers


@pytest.mark.parametrize(("name", "query", "expected"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_files_give_the_w3c_answer(tiny: MemoryBackend, name: str, query: str,
                                   expected: list[tuple[str | None, ...]]) -> None:
    table = sparql.select(tiny, PREFIX + query, timeout=60)
    got = [tuple(_cell(c) for c in row) for row in table.rows]
    assert got == expected


@pytest.mark.parametrize(("name", "query", "expected"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_store_gives_the_same_answer_as_the_files(tiny: MemoryBackend, tiny_store: OxigraphBackend, name: str,
                                                  query: str, expected: list[tuple[str | None, ...]]) -> None:
    assert _rows(tiny_store, PREFIX + query) == _rows(tiny, PREFIX + query)


@pytest.mark.parametrize("query", PARITY_ONLY)
def test_corner_cases_agree_between_files_and_store(tiny: MemoryBackend, tiny_store: OxigraphBackend,
                                                    query: str) -> None:
    assert _rows(tiny_store, PREFIX + query) == _rows(tiny, PREFIX + query)


def test_files_keep_the_spelling_of_the_data(tiny: MemoryBackend, tiny_store: OxigraphBackend) -> None:
    query = PREFIX + "SELECT ?p WHERE { ?s ex:pct ?p } ORDER BY ?p"
    assert [str(r[0]) for r in sparql.select(tiny, query)] == ["44", "44.50", "80.0"]
    assert [str(r[0]) for r in sparql.select(tiny_store, query)] == ["44", "44.5", "80"]  # Oxigraph normalises
    tagged = PREFIX + 'SELECT ?n WHERE { wb:RS ex:name ?n FILTER (LANG(?n) != "") }'
    assert [r[0].language for r in sparql.select(tiny, tagged)] == ["sr-Latn"]
    assert [r[0].language for r in sparql.select(tiny_store, tagged)] == ["sr-latn"]


def test_files_load_straight_into_oxigraph(fixture_file: Path, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    from graph.backends import open_backend

    other = tmp_path / "other.ttl"
    other.write_text('@prefix ex: <http://example.org/> .\n_:b ex:pct "44.50"^^<http://www.w3.org/2001/XMLSchema#decimal> ;'
                     ' ex:size "big"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', encoding="utf-8")
    again = tmp_path / "again.ttl"
    again.write_text(other.read_text(encoding="utf-8"), encoding="utf-8")  # the same blank-node label, another file
    backend = open_backend([fixture_file, other, again], shipped=False)
    assert isinstance(backend, MemoryBackend)
    query = PREFIX + "SELECT ?s ?p WHERE { ?s ex:pct ?p } ORDER BY ?p"
    rows = sparql.select(backend, query).rows
    assert [str(p) for _s, p in rows] == ["44", "44.50", "44.50", "44.50", "80.0"]  # the files' spelling
    assert len({s for s, p in rows if str(p) == "44.50"}) == 3  # wb:RS and one blank node per file
    tagged = PREFIX + 'SELECT ?n WHERE { wb:RS ex:name ?n FILTER (LANG(?n) != "") }'
    assert [r[0].language for r in sparql.select(backend, tagged)] == ["sr-Latn"]  # as the file writes it
    assert not backend.graph_loaded  # the queries needed no rdflib parse
    assert "literal 'big' is not a valid http://www.w3.org/2001/XMLSchema#integer" in caplog.text
    assert backend.triple_count() == len(backend.graph)  # the rdflib graph, parsed on demand, holds the same


def test_a_file_oxigraph_refuses_gets_the_loaders_message(tmp_path: Path) -> None:
    from graph.backends import open_backend

    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c d> .\n", encoding="utf-8")
    with pytest.raises(InputError) as oxigraph_path:
        open_backend([bad], shipped=False)
    with pytest.raises(InputError) as rdflib_path:
        load_graph([bad], shipped=False)
    assert str(oxigraph_path.value) == str(rdflib_path.value)


def test_an_rdflib_graph_is_answered_by_the_same_engine(tiny: MemoryBackend) -> None:
    query = PREFIX + "SELECT ?s WHERE { ?s ex:pct ?p FILTER (?p IN (44, 80, 70)) } ORDER BY ?s"
    assert [str(r[0]) for r in sparql.select(tiny.graph, query)] == [f"{WB}AL", f"{WB}ME"]


# --------------------------------------------------------------------------- every named query


def _examples(nq: sparql.NamedQuery) -> list[dict[str, str]]:
    """The declared defaults, then each example value a parameter's header documents ("e.g. wb:RU")."""
    runs: list[dict[str, str]] = [{}]
    for p in nq.params:
        for value in re.findall(r"e\.g\. ((?:wb|wbo):[\w-]+)", p.meaning):
            runs.append({p.name: value})
    return runs


NAMED = [(nq.name, params) for nq in sparql.named_queries() if sparql.kind(nq) == "SELECT"
         for params in _examples(nq)]


@pytest.mark.parametrize(("name", "params"), NAMED, ids=[f"{n}-{'-'.join(p.values()) or 'defaults'}" for n, p in NAMED])
def test_named_query_is_the_same_on_the_files_and_the_store(shipped: MemoryBackend, shipped_store: OxigraphBackend,
                                                            name: str, params: dict[str, str]) -> None:
    files = sparql.select(shipped, name, timeout=120, **params)
    store = sparql.select(shipped_store, name, timeout=120, **params)
    assert files.columns == store.columns
    assert len(files) == len(store)
    assert _rows(shipped, name, **params) == _rows(shipped_store, name, **params)


def test_every_named_query_is_compared() -> None:
    names = {n for n, _p in NAMED}
    selects = {nq.name for nq in sparql.named_queries() if sparql.kind(nq) == "SELECT"}
    assert names == selects and len(names) >= 20
    assert any(p for _n, p in NAMED), "no documented example parameter was found"


# --------------------------------------------------------------------------- the policy check is cheap and exact


def test_policy_check_does_not_need_rdflib_for_ordinary_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_text: str) -> None:
        raise AssertionError("rdflib's parser was used")

    monkeypatch.setattr(sparql, "prepare", refuse)
    checked = sparql.check_query("SELECT ?s WHERE { ?s ?p ?o } # fresh text for the cache\n")
    assert checked.kind == "SELECT"


def test_a_from_in_a_prefixed_name_is_not_refused() -> None:
    text = "PREFIX : <http://example.org/> SELECT * WHERE { ?s :from ?o . ?o :service ?x }"
    assert sparql.check_query(text).kind == "SELECT"


# --------------------------------------------------------------------------- one projection per command


class _Counter:
    """Counts the rule evaluations and node-fact reads of :mod:`graph.project`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rules: list[str] = []
        self.node_reads = 0
        original_rows, original_read = project.rule_rows, project._NodeInfo.read.__func__  # type: ignore[attr-defined]

        def rule_rows(g: object, rule: project.Rule) -> list[project.EdgeRow]:
            self.rules.append(rule.name)
            return original_rows(g, rule)  # type: ignore[arg-type]

        def read(cls: type, g: object) -> object:
            self.node_reads += 1
            return original_read(cls, g)

        monkeypatch.setattr(project, "rule_rows", rule_rows)
        monkeypatch.setattr(project._NodeInfo, "read", classmethod(read))

    def once(self) -> None:
        assert self.rules, "nothing was projected"
        assert len(self.rules) == len(set(self.rules)), f"a rule ran twice: {sorted(self.rules)}"
        assert self.node_reads == 1


@pytest.mark.slow
def test_viz_projects_once(shipped: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.network import explorer

    counter = _Counter(monkeypatch)
    page = explorer(shipped)
    assert page.gaps > 0  # the gap analysis ran, on the same projection
    counter.once()


@pytest.mark.slow
def test_gaps_projects_once(shipped: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.timeline import gap_report_on

    counter = _Counter(monkeypatch)
    gap_report_on(shipped, "csv", draws=10)
    counter.once()


def test_metrics_projects_once(shipped: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.network import ranked_metrics

    counter = _Counter(monkeypatch)
    ranked_metrics(shipped, "polities", metrics=["degree"])
    counter.once()


def test_several_views_share_the_rules(shipped: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _Counter(monkeypatch)
    views = project.projections(shipped, ["actors", "affiliation", "actors"])
    assert list(views) == ["actors", "affiliation"]
    counter.once()
    alone = project.to_networkx(shipped, "affiliation")
    assert project.edge_table(alone) == project.edge_table(views["affiliation"])
    assert list(alone.nodes(data=True)) == list(views["affiliation"].nodes(data=True))


# --------------------------------------------------------------------------- as_of as text


def test_as_of_accepts_an_iso_date_string(shipped: MemoryBackend) -> None:
    import datetime as dt

    text = project.to_networkx(shipped, "actors", as_of="2015-01-01")
    day = project.to_networkx(shipped, "actors", as_of=dt.date(2015, 1, 1))
    assert text.graph["as_of"] == "2015-01-01"
    assert project.edge_table(text) == project.edge_table(day)
    assert text.number_of_edges() < project.to_networkx(shipped, "actors").number_of_edges()


@pytest.mark.parametrize("bad", ["2015-13-01", "yesterday", ""])
def test_a_malformed_as_of_is_a_clear_error(shipped: MemoryBackend, bad: str) -> None:
    with pytest.raises(InputError, match=r"as_of must be an ISO date such as '2015-01-01', not"):
        project.to_networkx(shipped, "actors", as_of=bad)
