"""The query deadline and the SERVICE refusal installed into rdflib's SPARQL engine."""

from __future__ import annotations

import time

import pytest

from graph.errors import LimitError, PolicyError
from graph.sparql import select
from graph.store import load_graph


def test_deadline_stops_a_join_that_never_completes_a_match() -> None:
    g = load_graph()
    # Every candidate of the third pattern fails, so no solution ever reaches the
    # caller: the deadline must be checked while candidates are scanned.
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?c ?x ?a }"
    start = time.monotonic()
    with pytest.raises(LimitError, match="timed out"):
        select(g, query, timeout=1.0)
    assert time.monotonic() - start < 5.0


def test_service_inside_an_optional_is_refused() -> None:
    query = "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }"
    with pytest.raises(PolicyError, match="SERVICE"):
        select(load_graph(shipped=False), query)
