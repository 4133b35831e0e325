"""wbsec serve speaks the SPARQL 1.1 Protocol and HTTP as other tools expect: Allow, Vary, a Service Description,
Turtle for CONSTRUCT by default, a gate that decides on the parsed query, and a read-only Graph Store GET."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from graph.server import choose_media, negotiate
from tests.conftest import Listener
from tests.test_serve import Served, _request, _start, _stop

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    s = _start("--timeout", "10")
    try:
        yield s
    finally:
        _stop(s)


def _get(served: Served, query: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept} if accept else {}
    return _request(served, "GET", "/query?" + urllib.parse.urlencode({"query": query}), headers=headers)


def _triples(served: Served) -> int:
    status, _h, body = _get(served, COUNT, "application/sparql-results+json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# --------------------------------------------------------------------------- the gate decides on the parsed query


@pytest.mark.parametrize("word", ["from", "service", "load", "named"])
def test_prefixed_names_that_spell_keywords_pass(served: Served, word: str) -> None:
    query = f"PREFIX : <http://example.org/> SELECT * WHERE {{ ?s :{word} ?o }}"
    for method in ("GET", "POST"):
        if method == "GET":
            status, _h, body = _get(served, query)
        else:
            status, _h, body = _request(served, "POST", "/query", urllib.parse.urlencode({"query": query}).encode(),
                                        FORM)
        assert status == 200, (method, body)
        assert sorted(json.loads(body)["head"]["vars"]) == ["o", "s"]


def test_real_service_from_load_and_updates_are_still_refused(served: Served, listener: Listener) -> None:
    refused = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}/s> {{ ?s ?p ?o }} }}",
        f"PREFIX : <http://example.org/> SELECT * FROM <{listener.url}/g> WHERE {{ ?s :from ?o }}",
        f"SELECT * FROM NAMED <{listener.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    for query in refused:
        status, _h, body = _get(served, query)
        assert status == 403, (query, body)
    for update in (f"LOAD <{listener.url}/x>", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"):
        status, _h, _b = _request(served, "POST", "/query", update.encode(), {"Content-Type": "application/sparql-update"})
        assert status == 403
        status, _h, _b = _get(served, update)
        assert status in (400, 403)  # an update is not a query: refused, never run
    assert listener.hits == []


# --------------------------------------------------------------------------- content types, Vary, Allow


def test_construct_without_accept_or_with_any_type_is_turtle(served: Served) -> None:
    query = "CONSTRUCT WHERE { ?s a ?c } LIMIT 5"
    for accept in (None, "*/*", "text/*"):
        status, headers, body = _get(served, query, accept)
        assert status == 200
        assert headers["content-type"].split(";")[0] == "text/turtle", accept
        assert len(Graph().parse(data=body.decode(), format="turtle")) == 5
    status, headers, _b = _get(served, query, "application/n-triples")
    assert headers["content-type"] == "application/n-triples"


def test_every_answer_whose_format_depends_on_accept_says_vary(served: Served) -> None:
    for query, accept in (("ASK {}", None), ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv"),
                          ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", None)):
        status, headers, _b = _get(served, query, accept)
        assert status == 200 and "accept" in headers["vary"].lower()
    status, headers, _b = _get(served, "ASK {}", "application/pdf")
    assert status == 406 and "accept" in headers["vary"].lower()
    status, headers, _b = _request(served, "GET", "/query")
    assert status == 200 and "accept" in headers["vary"].lower()


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/query", "GET, HEAD, POST, OPTIONS"),
    ("DELETE", "/sparql", "GET, HEAD, POST, OPTIONS"),
    ("POST", "/", "GET, HEAD, OPTIONS"),
    ("POST", "/store", "GET, HEAD, OPTIONS"),
    ("PUT", "/store", "GET, HEAD, OPTIONS"),
    ("DELETE", "/store", "GET, HEAD, OPTIONS"),
    ("PATCH", "/yasgui.min.js", "GET, HEAD, OPTIONS"),
])
def test_every_405_names_the_allowed_methods(served: Served, method: str, path: str, allow: str) -> None:
    status, headers, _b = _request(served, method, path, b"x", {"Content-Type": "text/turtle"})
    assert status == 405
    assert headers["allow"] == allow
    status, headers, _b = _request(served, "OPTIONS", path)
    assert status == 204 and headers["allow"] == allow


# --------------------------------------------------------------------------- the Service Description


def test_get_query_without_a_query_is_a_service_description(served: Served) -> None:
    status, headers, body = _request(served, "GET", "/query")
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    g = Graph().parse(data=body.decode(), format="turtle")
    service = g.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert g.value(service, SD.endpoint) == URIRef(served.endpoint)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = {str(f).rsplit("/", 1)[-1] for f in g.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "N-Triples", "JSON-LD"} <= formats
    default_graph = g.value(g.value(service, SD.defaultDataset), SD.defaultGraph)
    assert g.value(default_graph, VOID.triples) == Literal(_triples(served), datatype=XSD.integer)
    assert not list(g.objects(service, SD.feature))  # no federation, no update claimed


def test_service_description_is_negotiated(served: Served) -> None:
    for accept, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        status, headers, body = _request(served, "GET", "/sparql", headers={"Accept": accept})
        assert status == 200 and headers["content-type"] == accept
        g = Graph().parse(data=body.decode(), format=fmt)
        assert g.value(predicate=RDF.type, object=SD.Service) is not None
    status, _h, _b = _request(served, "GET", "/query", headers={"Accept": "application/pdf"})
    assert status == 406
    status, _h, _b = _request(served, "HEAD", "/query")
    assert status == 200


def test_post_without_a_query_is_still_an_error(served: Served) -> None:
    status, _h, body = _request(served, "POST", "/query", b"", FORM)
    assert status == 400 and b"missing query" in body


# --------------------------------------------------------------------------- the Graph Store Protocol, read-only


def test_store_default_graph_is_the_whole_store_as_turtle(served: Served) -> None:
    status, headers, body = _request(served, "GET", "/store?default")
    assert status == 200
    assert headers["content-type"] == "text/turtle; charset=utf-8" and "accept" in headers["vary"].lower()
    assert len(Graph().parse(data=body.decode(), format="turtle")) == _triples(served)
    status, headers, head = _request(served, "HEAD", "/store?default", headers={"Accept": "application/n-triples"})
    assert status == 200 and head == b"" and headers["content-type"] == "application/n-triples"
    assert int(headers["content-length"]) > 0


@pytest.mark.parametrize(("target", "status"), [
    ("/store", 400),
    ("/store?default&graph=urn:x", 404),
    ("/store?graph=" + urllib.parse.quote("https://w3id.org/wbsec/id/"), 404),
])
def test_store_asks_for_the_default_graph(served: Served, target: str, status: int) -> None:
    got, _h, _b = _request(served, "GET", target)
    assert got == status


# --------------------------------------------------------------------------- negotiation rules


def test_negotiation_defaults_and_specificity() -> None:
    assert negotiate(None, "DESCRIBE") == ("text/turtle", "TURTLE")
    assert negotiate("*/*", "CONSTRUCT") == ("text/turtle", "TURTLE")
    assert negotiate("*/*", "SELECT") == ("application/sparql-results+json", "JSON")
    offers = ["text/html", "text/turtle", "application/ld+json"]
    assert choose_media(None, offers) == "text/html"
    assert choose_media("text/turtle;q=0.9, text/html;q=0.8", offers) == "text/turtle"
    assert choose_media("*/*;q=0.1, application/ld+json", offers) == "application/ld+json"
    assert choose_media("text/*, text/html;q=0", offers) == "text/turtle"  # the exact range wins over text/*
    assert choose_media("text/html;q=0", offers) is None
