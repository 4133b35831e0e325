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

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "reached a remote service" ;
        sh:select \"\"\"SELECT $this WHERE {{ SERVICE <{url}/sparql> {{ $this ?p ?o }} }}\"\"\" ;
    ] .
"""

LOCAL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "a thing without a name" ;
        sh:select \"\"\"SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/name> ?n } }\"\"\" ;
    ] .
"""


def test_a_shapes_service_clause_fetches_nothing(listener) -> None:  # type: ignore[no-untyped-def]
    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=SHAPES.format(url=listener.url), format="turtle")
    with pytest.raises(GraphError, match="SERVICE"):
        validate(data, shapes)
    assert listener.hits == []


def test_local_sparql_constraints_still_run() -> None:
    data = Graph().parse(data=DATA, format="turtle")
    assert validate(data, Graph().parse(data=LOCAL, format="turtle")).conforms
    nameless = Graph().parse(data="@prefix ex: <http://example.org/> . ex:b a ex:Thing .", format="turtle")
    report = validate(nameless, Graph().parse(data=LOCAL, format="turtle"))
    assert not report.conforms
    assert [v.message for v in report.violations] == ["a thing without a name"]


def test_validate_hardens_rdflib() -> None:
    import rdflib.plugins.sparql as rsparql

    validate(Graph())
    assert rsparql.SPARQL_LOAD_GRAPHS is False


def test_a_shapes_from_clause_fetches_nothing(listener) -> None:  # type: ignore[no-untyped-def]
    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=SHAPES.replace("WHERE {{ SERVICE <{url}/sparql> {{ $this ?p ?o }} }}",
                                               "FROM <{url}/graph.ttl> WHERE {{ $this ?p ?o }}")
                           .format(url=listener.url), format="turtle")
    try:
        validate(data, shapes)
    except GraphError:
        pass  # refused: as good as not fetched
    assert listener.hits == []
