"""SHACL-SPARQL constraints run on rdflib's engine inside pySHACL: they may not reach the network."""

from __future__ import annotations

import pytest
from rdflib import Graph

from graph.errors import GraphError
from graph.validate import validate

DATA = """
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:name "a" .
"""

def shapes(select: str) -> Graph:
    """A shapes graph with one SHACL-SPARQL constraint on ex:Thing whose query is ``select``."""
    return Graph().parse(data=f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "a thing without a name" ; sh:select \"\"\"{select}\"\"\" ] .
""", format="turtle")


NAMELESS = "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/name> ?n } }"


def test_a_shapes_service_clause_fetches_nothing(listener) -> None:  # type: ignore[no-untyped-def]
    data = Graph().parse(data=DATA, format="turtle")
    with pytest.raises(GraphError, match="SERVICE"):
        validate(data, shapes(f"SELECT $this WHERE {{ SERVICE <{listener.url}/sparql> {{ $this ?p ?o }} }}"))
    assert listener.hits == []


def test_local_sparql_constraints_still_run() -> None:
    data = Graph().parse(data=DATA, format="turtle")
    assert validate(data, shapes(NAMELESS)).conforms
    nameless = Graph().parse(data="@prefix ex: <http://example.org/> . ex:b a ex:Thing .", format="turtle")
    report = validate(nameless, shapes(NAMELESS))
    assert not report.conforms
    assert [v.message for v in report.violations] == ["a thing without a name"]


def test_validate_hardens_rdflib() -> None:
    import rdflib.plugins.sparql as rsparql

    validate(Graph())
    assert rsparql.SPARQL_LOAD_GRAPHS is False


def test_a_shapes_from_clause_fetches_nothing(listener) -> None:  # type: ignore[no-untyped-def]
    data = Graph().parse(data=DATA, format="turtle")
    try:
        validate(data, shapes(f"SELECT $this FROM <{listener.url}/graph.ttl> WHERE {{ $this ?p ?o }}"))
    except GraphError:
        pass  # refused: as good as not fetched
    assert listener.hits == []
