"""graph.sparql: the named questions, parameter binding, static refusals, limits and thread safety."""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib.namespace
from rdflib import Graph, Literal, URIRef

from graph import sparql
from graph.backends import MemoryBackend
from graph.errors import InputError, LimitError, PolicyError
from graph.namespaces import ORG, PREFIXES, SKOS, WB, WBO
from graph.namespaces import compact
from graph.store import QUERIES_DIR, load_graph

from .conftest import DATA, Listener

FIXTURE = DATA / "queries" / "fixture.ttl"
XSD = rdflib.namespace.Namespace(str(rdflib.namespace.XSD))  # an open namespace: pytest probes module attributes
NAMES = [q.name for q in sparql.named_queries()]
#: The questions that take seconds each on the curated data are marked slow.
SLOW_QUERIES = {"pairs-without-cooperation", "instruments-per-pair"}
NAMED_PARAMS = [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_QUERIES else n for n in NAMES]


@pytest.fixture(scope="module")
def shipped() -> Graph:
    return load_graph()


@pytest.fixture(scope="module")
def shipped_stores(shipped: Graph) -> tuple[MemoryBackend, MemoryBackend]:
    """Two in-memory stores, each filled from the shipped graph on its own (once per module, not per query)."""
    return MemoryBackend(shipped), MemoryBackend(shipped)


@pytest.fixture(scope="module")
def small() -> Graph:
    return load_graph([FIXTURE], shipped=False, ontology=False)


def cells(g: Graph, table: sparql.Table) -> list[tuple[str | None, ...]]:
    """Rows as compact text: wb:AL for IRIs, the lexical form for literals."""
    return [tuple(None if v is None else compact(g, v) for v in row) for row in table.rows]


# --------------------------------------------------------------------------- the shipped questions


def test_there_are_at_least_22_named_questions() -> None:
    assert len(NAMES) >= 22
    for required in ("members", "affiliations", "bilateral-cooperation", "pairs-without-cooperation", "posts",
                     "initiatives", "survey-by-indicator", "survey-by-area", "threat-across-surveys",
                     "statements-by-stance", "recommendations", "claims-by-source", "provenance-coverage",
                     "timeline", "most-affiliated", "outside-actors-in-initiatives"):
        assert required in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_shipped_query_has_a_complete_header(name: str) -> None:
    q = sparql.named_query(name)
    assert q.title and q.description, f"{name}: '# title:' and '# description:' lines"
    assert q.description.endswith("."), name
    text = q.text
    kind = sparql.kind(q)
    if kind != "ASK":  # ORDER BY means nothing for a yes/no answer
        assert re.search(r"^ORDER BY ", text, re.M), f"{name} needs ORDER BY"
    for p in q.params:
        assert p.meaning, f"{name}: parameter {p.name} needs a meaning after the dash"
        assert p.default is not None or not p.required
        assert re.search(rf"\?{p.name}\b", text), f"{name}: parameter {p.name} is not a variable of the query"
    # PREFIX lines make a file usable in other tools; they must agree with graph.namespaces
    for prefix, iri in re.findall(r"^PREFIX\s+([\w-]*):\s*<([^>]*)>", text, re.M):
        assert PREFIXES.get(prefix) == iri, f"{name}: PREFIX {prefix}: <{iri}>"


@pytest.mark.parametrize("name", NAMED_PARAMS)
def test_shipped_query_answers_on_the_shipped_data(shipped_stores: tuple[MemoryBackend, MemoryBackend],
                                                  name: str) -> None:
    result = sparql.run(shipped_stores[0], name, timeout=60)
    if isinstance(result, bool):
        assert result is True
    else:
        assert len(result) > 0, f"{name} returns nothing on ontology/data"


@pytest.mark.parametrize("name", NAMED_PARAMS)
def test_shipped_query_is_deterministic(shipped_stores: tuple[MemoryBackend, MemoryBackend], name: str) -> None:
    first, second = (sparql.run(store, name) for store in shipped_stores)  # two stores filled apart
    if isinstance(first, sparql.Table):
        assert isinstance(second, sparql.Table) and first.rows == second.rows
    else:
        assert first == second or (isinstance(first, Graph) and set(first) == set(second))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- rows on the hand-built fixture

# name -> (params, columns, rows); cells are compact IRIs or lexical forms, checked by hand against fixture.ttl
EXPECTED: dict[str, tuple[dict[str, str], tuple[str, ...], list[tuple[str | None, ...]]]] = {
    "affiliations": ({}, ("organisation", "organisationLabel", "role", "via", "since", "until", "asOf", "reported",
                          "source", "locator"), [
        ("wb:BerlinProcess", "Berlin Process", "wbo:Participant", None, None, None, None, "2023", "wb:s2", "para. 2"),
        ("wb:NATO", "NATO", "wbo:Partner", "wb:PfP", None, None, None, "2023", "wb:s1", "p. 2"),
    ]),
    "agreement-parties": ({}, ("agreement", "party", "partyLabel", "framework"), [
        ("wb:ag1", "wb:AL", "Albania", "wb:BerlinProcess"),
        ("wb:ag1", "wb:XK", "Kosovo", "wb:BerlinProcess"),
        ("wb:ag1", "wb:RS", "Serbia", "wb:BerlinProcess"),
    ]),
    "agreements": ({}, ("agreement", "agreementLabel", "framework", "date", "parties"), [
        ("wb:ag1", "ID card agreement", "wb:BerlinProcess", "2022-11-03", "3"),
    ]),
    "bilateral-cooperation": ({}, ("partner", "partnerLabel", "domain", "status", "agreements", "saidBy", "source",
                                   "locator", "cooperation"), [
        ("wb:AL", "Albania", "wbo:SecurityCooperation", "wbo:AgreementsSigned", "5", "wb:pat", "wb:s2", "para. 4", "wb:c1"),
        ("wb:RS", "Serbia", "wbo:SecurityCooperation", "wbo:NoProgress", None, None, "wb:s2", "para. 5", "wb:c2"),
    ]),
    "bodies": ({"parent": "wb:AL"}, ("body", "bodyLabel", "directParent"), [
        ("wb:gov-al", "Government of Albania", "wb:AL"),
        ("wb:ministry-al", "Ministry of Albania", "wb:gov-al"),
    ]),
    "claims-by-source": ({"source": "wb:sv1"}, ("type", "claim", "claimLabel", "how", "locator", "evidence"), [
        ("qb:Observation", "wb:o1", None, "prov:hadPrimarySource", "p. 7", "60.5% fear Russia"),
        ("qb:Observation", "wb:o2", None, "prov:hadPrimarySource", "p. 7", "30% fear war"),
    ]),
    "concepts": ({}, ("concept", "conceptLabel", "definition", "uses"), [
        ("wbo:Terrorism", "terrorism", None, "2"),
        ("wbo:War", "war", "Armed conflict.", "1"),
        ("wbo:Corruption", "corruption", None, "0"),
    ]),
    "euro-atlantic-status": ({}, ("polity", "polityLabel", "nato", "natoVia", "eu"), [
        ("wb:AL", "Albania", "wbo:Member", None, "wbo:NegotiatingCandidate"),
        ("wb:XK", "Kosovo", "wbo:Aspirant", None, None),
        ("wb:RS", "Serbia", "wbo:Partner", "wb:PfP", None),
    ]),
    "incident-reactions": ({}, ("date", "incident", "incidentLabel", "target", "stance", "speaker", "onBehalfOf",
                                "accused", "statement"), [
        ("2023-09-24", "wb:inc1", "Attack", "wb:ministry-al", "wbo:Accuses", "wb:kim", "wb:XK", "wb:RS", "wb:st2"),
        ("2023-09-24", "wb:inc1", "Attack", "wb:ministry-al", "wbo:Condemns", "wb:pat", "wb:AL", None, "wb:st1"),
    ]),
    "initiatives": ({}, ("initiative", "initiativeLabel", "status", "since", "pillarOf", "pillar", "hostedBy",
                         "supportedBy", "partOf"), [
        ("wb:BerlinProcess", "Berlin Process", None, None, None, None, None, None, None),
        ("wb:IISG", "IISG", "wbo:Active", "2017", None, "wb:WBCTi", "wb:RCC", "wb:EU", None),
        ("wb:PfP", "Partnership for Peace", None, None, None, None, None, None, "wb:NATO"),
        ("wb:WBCTi", "WBCTi", None, None, "wb:IISG", None, None, None, None),
    ]),
    "meeting-participants": ({}, ("date", "meeting", "meetingLabel", "location", "participant"), [
        ("2023-10-14", "wb:mt1", "Forum", "Tirana", "wb:EU"),
        ("2023-10-14", "wb:mt1", "Forum", "Tirana", "wb:pat"),
    ]),
    "members": ({}, ("member", "memberLabel", "role", "via", "since", "until", "asOf", "reported", "source",
                     "locator"), [
        ("wb:AL", "Albania", "wbo:Member", None, None, None, None, "2023", "wb:s1", "p. 1"),
        ("wb:RS", "Serbia", "wbo:Partner", "wb:PfP", None, None, None, "2023", "wb:s1", "p. 2"),
        ("wb:XK", "Kosovo", "wbo:Aspirant", None, None, None, None, "2023", "wb:s1", None),
    ]),
    "most-affiliated": ({}, ("actor", "actorLabel", "organisations", "records"), [
        ("wb:AL", "Albania", "3", "3"),
        ("wb:RS", "Serbia", "2", "2"),
        ("wb:XK", "Kosovo", "1", "1"),
        ("wb:pat", "Pat One", "1", "1"),
    ]),
    "outside-actors-in-initiatives": ({}, ("actor", "actorLabel", "initiatives", "asMember", "asHost", "asBacker",
                                           "atMeetings"), [
        ("wb:EU", "European Union", "2", "0", "0", "1", "1"),
        ("wb:RCC", "Regional Cooperation Council", "1", "0", "1", "0", "0"),
    ]),
    "landscape-coverage": ({}, ("bodies", "memberships", "datedMemberships", "instruments", "multilateral",
                                "pairsWithInstruments", "conflicts", "sources", "official",
                                "internationalOrganisation", "news", "research", "reference"), [
        ("6", "6", "2", "1", "0", "3", "0", "3", "0", "0", "0", "0", "0"),
    ]),
    "instruments-per-pair": ({}, ("a", "b", "instruments", "datedInstruments", "first", "last", "domains"), [
        ("wb:AL", "wb:RS", "1", "1", "2022", "2022", ""),
        ("wb:AL", "wb:XK", "1", "1", "2022", "2022", ""),
        ("wb:RS", "wb:XK", "1", "1", "2022", "2022", ""),
    ]),
    "pairs-without-cooperation": ({}, ("a", "aLabel", "b", "bLabel", "sharedAgreements", "sharedAffiliations"), [
        ("wb:AL", "Albania", "wb:RS", "Serbia", "1", "2"),
    ]),
    "perceptions-of-actors": ({}, ("about", "area", "indicator", "percentage", "survey", "observation"), [
        ("wb:AL", "wb:RS", "wbo:FavourableOpinion", "20", "wb:sv1", "wb:o4"),
        ("wb:RU", "wb:AL", "wbo:ThreatPerception", "60.5", "wb:sv1", "wb:o1"),
    ]),
    "posts": ({}, ("holder", "holderName", "role", "organisation", "polity", "post", "source", "locator"), [
        ("wb:pat", "Pat One", "wbo:Minister", "wb:ministry-al", "wb:AL", "wb:m7", "wb:s2", "para. 3"),
        (None, None, "wbo:SpecialRepresentative", "wb:EU", None, "wb:post-eu-sr", "wb:s1", "p. 4"),
    ]),
    "recommendations": ({}, ("addressee", "recommendation", "recommendationLabel", "by", "presentedBy", "source",
                             "locator"), [
        ("wb:AL", "wb:r2", "Talk to each other", "wb:kim", "wb:pat", "wb:s1", "p. 6"),
        ("wb:EU", "wb:r1", "Fund counter-terrorism", "wb:pat", None, "wb:s2", "para. 10"),
        ("wb:RS", "wb:r2", "Talk to each other", "wb:kim", "wb:pat", "wb:s1", "p. 6"),
    ]),
    "relayed-figures": ({}, ("primary", "relayedIn", "claim", "locator"), [
        ("wb:sv1", "wb:s1", "wb:o1", "p. 7"),
        ("wb:sv1", "wb:s1", "wb:o2", "p. 7"),
    ]),
    "sources": ({}, ("source", "kind", "title", "publisher", "issued", "claims", "relayedClaims"), [
        ("wb:s1", "wbo:Source", "Paper One", "wb:EU", "2023", "11", "0"),
        ("wb:s2", "wbo:Source", "Report Two", None, "2023", "11", "0"),
        ("wb:sv1", "wbo:Survey", "Survey One", "wb:RCC", "2022", "0", "2"),
    ]),
    "statements-by-actor": ({}, ("statement", "statementLabel", "stance", "about", "target", "speaker", "occasion",
                                 "source", "locator"), [
        ("wb:st2", "Kim accuses Serbia", "wbo:Accuses", "wb:inc1", "wb:RS", "wb:kim", None, "wb:s2", "para. 9"),
    ]),
    "statements-by-stance": ({}, ("stance", "speaker", "onBehalfOf", "target", "about", "occasion", "date",
                                  "statement", "source", "locator"), [
        ("wbo:Accuses", "wb:kim", "wb:XK", "wb:RS", "wb:inc1", None, "2023-09-30", "wb:st2", "wb:s2", "para. 9"),
        ("wbo:Condemns", "wb:pat", "wb:AL", "wb:inc1", "wb:inc1", "wb:mt1", "2023-10-14", "wb:st1", "wb:s2", "para. 8"),
    ]),
    "successions": ({}, ("date", "original", "resulting", "originalStatus", "event", "source", "locator"), [
        ("2007", "wb:StabilityPact", "wb:RCC", "wbo:Dissolved", "wb:ch1", "wb:s1", "p. 5"),
    ]),
    "survey-by-area": ({}, ("indicator", "about", "percentage", "survey", "period", "observation", "locator"), [
        ("wbo:ThreatPerception", "wb:RU", "60.5", "wb:sv1", "2022", "wb:o1", "p. 7"),
        ("wbo:ThreatPerception", "wbo:War", "30.0", "wb:sv1", "2022", "wb:o2", "p. 7"),
    ]),
    "survey-by-indicator": ({}, ("area", "about", "percentage", "survey", "period", "observation", "locator"), [
        ("wb:AL", "wb:RU", "60.5", "wb:sv1", "2022", "wb:o1", "p. 7"),
        ("wb:AL", "wbo:War", "30.0", "wb:sv1", "2022", "wb:o2", "p. 7"),
    ]),
    "threat-across-surveys": ({}, ("survey", "publisher", "area", "period", "indicator", "answer", "percentage",
                                   "observation"), [
        ("wb:sv1", "wb:RCC", "wb:AL", "2022", "wbo:ThreatPerception", "wbo:War", "30.0", "wb:o2"),
        ("wb:sv1", "wb:RCC", "wb:WesternBalkans", "2021", "wbo:NegativeImpactOnSecurity", "wb:war-or-instability",
         "40", "wb:o3"),
    ]),
    "threat-coverage": ({}, ("threat", "threatLabel", "figures", "statements", "recommendations", "initiatives"), [
        ("wbo:War", "war", "1", "0", "0", "0"),
        ("wbo:Terrorism", "terrorism", "0", "0", "1", "1"),
    ]),
    "timeline": ({}, ("date", "kind", "what", "whatLabel", "location", "framework"), [
        ("2007", "org:ChangeEvent", "wb:ch1", None, None, None),
        ("2022-11-03", "wbo:Agreement", "wb:ag1", "ID card agreement", None, "wb:BerlinProcess"),
        ("2023-09-24", "wbo:Incident", "wb:inc1", "Attack", "Somewhere", None),
        ("2023-10-14", "wbo:Meeting", "wb:mt1", "Forum", "Tirana", "wb:BerlinProcess"),
    ]),
    "provenance-coverage": ({}, ("type", "claims", "withSource", "withLocator", "withQuote", "firstWithoutLocator"), [
        ("qb:Observation", "4", "4", "4", "4", None),
        ("org:ChangeEvent", "1", "1", "1", "1", None),
        ("org:Membership", "7", "7", "6", "5", str(WB.m3)),
        ("org:Post", "1", "1", "1", "1", None),
        ("wbo:Agreement", "1", "1", "1", "1", None),
        ("wbo:BilateralCooperation", "2", "2", "2", "2", None),
        ("wbo:Incident", "1", "1", "1", "1", None),
        ("wbo:Meeting", "1", "1", "1", "0", None),
        ("wbo:Recommendation", "2", "2", "2", "1", None),
        ("wbo:Statement", "2", "2", "2", "2", None),
    ]),
    "wikidata-links": ({}, ("thing", "thingLabel", "wikidata"), [
        ("wb:AL", "Albania", "wd:Q222"),
    ]),
}
NOT_TABLES = {"is-member", "actor-claims"}  # checked by their own tests below


def test_every_shipped_query_is_checked_on_the_fixture() -> None:
    assert sorted(set(EXPECTED) | NOT_TABLES) == sorted(NAMES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rows_on_the_fixture(small: Graph, name: str) -> None:
    params, columns, rows = EXPECTED[name]
    table = sparql.select(small, name, **params)
    assert tuple(table.columns) == columns
    assert cells(small, table) == rows


def test_is_member_answers_yes_and_no(small: Graph) -> None:
    assert sparql.ask(small, "is-member") is True  # defaults: wb:AL wbo:Member of wb:NATO
    assert sparql.ask(small, "is-member", actor=WB.RS) is False  # RS is a partner
    assert sparql.ask(small, "is-member", actor=WB.RS, role=WBO.Partner) is True
    assert sparql.ask(small, "is-member", actor="wb:XK", role="wbo:Aspirant") is True


def test_actor_claims_gathers_what_names_the_actor(small: Graph) -> None:
    out = sparql.construct(small, "actor-claims")  # default wb:XK
    assert (WB.XK, SKOS.prefLabel, Literal("Kosovo", lang="en")) in out
    assert (WB.m3, ORG.role, WBO.Aspirant) in out  # XK's membership, all of it
    assert (WB.c1, WBO.agreementCount, Literal("5", datatype=XSD.nonNegativeInteger)) in out
    assert (WB.st2, WBO.stance, WBO.Accuses) in out  # said on behalf of XK
    assert not set(out.triples((WB.m1, None, None)))  # AL's NATO membership does not name XK
    assert len(sparql.construct(small, "actor-claims", actor=WB.RU)) > 0


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("wb:NATO", "IRI", WB.NATO),
        ("<https://example.org/x>", "IRI", URIRef("https://example.org/x")),
        ("https://example.org/x", "IRI", URIRef("https://example.org/x")),
        ("urn:isbn:123", "IRI", URIRef("urn:isbn:123")),
        ("wbo:Member", "term", WBO.Member),
        ("Albania", "term", Literal("Albania")),
        ("12", "term", Literal("12")),  # undeclared: text stays text
        ("foo:bar", "term", Literal("foo:bar")),  # not a known prefix: text
        ("12", "integer", Literal("12", datatype=XSD.integer)),
        ("-3", "integer", Literal("-3", datatype=XSD.integer)),
        ("12.5", "decimal", Literal("12.5", datatype=XSD.decimal)),
        ("2023-10-14", "date", Literal("2023-10-14", datatype=XSD.date)),
        ("2022", "year", Literal("2022", datatype=XSD.gYear)),
        ('x" || true || "', "string", Literal('x" || true || "')),
    ],
)
def test_parameter_text_becomes_the_declared_term(text: str, kind: str, expected: object) -> None:
    assert sparql.term(text, kind) == expected
    assert type(sparql.term(text, kind)) is type(expected)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("javascript:alert(1)", "IRI", "unknown prefix 'javascript'"),
        ("<javascript:alert(1)>", "IRI", "scheme 'javascript' is not allowed"),
        ("<file:///etc/passwd>", "IRI", "scheme 'file' is not allowed"),
        ("<http://a b>", "IRI", "whitespace"),
        ("https://x/a>b", "IRI", "whitespace or one of"),
        ("wb:x y", "IRI", "whitespace"),
        ("foo:bar", "IRI", "unknown prefix 'foo'"),
        ("Albania", "IRI", "is not an IRI"),
        ("12,5", "decimal", "not a decimal"),
        ("1e3", "integer", "not an integer"),
        ("2023-13-01", "date", "not a date"),
        ("23", "year", "not a year"),
    ],
)
def test_bad_parameter_values_are_refused_before_any_query(text: str, kind: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        sparql.term(text, kind)


def test_named_query_parameters_defaults_and_names(small: Graph) -> None:
    assert len(sparql.select(small, "members")) == 3  # default org=wb:NATO
    assert cells(small, sparql.select(small, "members", org=WB.EU))[0][:3] == ("wb:AL", "Albania",
                                                                               "wbo:NegotiatingCandidate")
    assert len(sparql.select(small, "members", org="wb:EU")) == 1  # text converted by the declared type
    with pytest.raises(InputError, match="has no parameter 'organisation'"):
        sparql.select(small, "members", organisation=WB.EU)
    with pytest.raises(InputError, match="is not an IRI"):
        sparql.select(small, "members", org="NATO")
    # an optional parameter left out matches everything; given, it narrows
    assert len(sparql.select(small, "statements-by-stance")) == 2
    assert cells(small, sparql.select(small, "statements-by-stance", stance=WBO.Condemns))[0][7] == "wb:st1"


def test_required_parameter_must_be_given(small: Graph) -> None:
    q = sparql.query_from_text(
        "# title: t\n# param: who (IRI) required — the actor\nSELECT ?o WHERE { ?who ?p ?o } ORDER BY ?o"
    )
    with pytest.raises(InputError, match="needs a value for who"):
        sparql.select(small, q)
    assert len(sparql.select(small, q, who=WB.pat)) > 0


def test_ad_hoc_parameter_must_be_a_variable_of_the_query(small: Graph) -> None:
    with pytest.raises(InputError, match=r"the query has no variable \?nope"):
        sparql.select(small, "SELECT ?s WHERE { ?s a wbo:Polity }", nope="x")


def test_python_values_become_typed_literals(small: Graph) -> None:
    q = "SELECT ?o WHERE { ?o wbo:percentage ?p FILTER (?p > ?min) } ORDER BY ?o"
    assert cells(small, sparql.select(small, q, min=Decimal("35"))) == [("wb:o1",), ("wb:o3",)]
    assert cells(small, sparql.select(small, q, min=50)) == [("wb:o1",)]


def test_header_line_errors_name_the_line() -> None:
    with pytest.raises(InputError, match=r"q:2: bad header line"):
        sparql.query_from_text("# title: t\n# param: org IRI default wb:NATO\nSELECT * WHERE {}", name="q")
    with pytest.raises(InputError, match=r"q:2: unknown parameter type 'thing'"):
        sparql.query_from_text("# title: t\n# param: org (thing) default x — y\nSELECT * WHERE {}", name="q")
    with pytest.raises(InputError, match=r"default of org"):
        sparql.query_from_text("# title: t\n# param: org (IRI) default NATO — y\nSELECT * WHERE {}", name="q")


def test_unknown_query_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown query 'memberz'.*members"):
        sparql.named_query("memberz")


# --------------------------------------------------------------------------- injection and bound variables

NEEDLE_QUERY = "SELECT ?s WHERE { ?s foaf:name ?n FILTER (?n = ?needle) } ORDER BY ?s"
PAYLOAD = 'x" || true || "'


def test_injection_payload_matches_nothing(small: Graph) -> None:
    assert len(sparql.select(small, NEEDLE_QUERY, needle=PAYLOAD)) == 0
    assert len(sparql.select(small, NEEDLE_QUERY, needle=Literal(PAYLOAD))) == 0
    assert cells(small, sparql.select(small, NEEDLE_QUERY, needle="Pat One")) == [("wb:pat",)]


def test_negative_control_string_formatting_would_be_injected(small: Graph) -> None:
    # what wbsec never does: paste the value into the text; then the payload matches every name
    pasted = 'SELECT ?s WHERE { ?s foaf:name ?n FILTER (?n = "%s") } ORDER BY ?s' % PAYLOAD
    assert len(sparql.select(small, pasted)) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # inside BIND
        ("SELECT ?m ?o WHERE { ?m org:organization ?x . BIND (?org AS ?o) FILTER (?x = ?o) } ORDER BY ?m",
         [("wb:m1", "wb:NATO"), ("wb:m2", "wb:NATO"), ("wb:m3", "wb:NATO")]),
        # inside a function in FILTER
        ("SELECT ?m WHERE { ?m org:organization ?x FILTER (STR(?x) = STR(?org)) } ORDER BY ?m",
         [("wb:m1",), ("wb:m2",), ("wb:m3",)]),
        # inside a subquery
        ("SELECT ?m WHERE { { SELECT ?m WHERE { ?m org:organization ?org } } } ORDER BY ?m",
         [("wb:m1",), ("wb:m2",), ("wb:m3",)]),
        # inside FILTER NOT EXISTS
        ("SELECT ?a WHERE { ?a wbo:region wb:WesternBalkans FILTER NOT EXISTS { ?m org:member ?a ; org:organization ?org } }"
         " ORDER BY ?a", []),
        # in a COALESCE default
        ("SELECT ?o WHERE { BIND (COALESCE(?org, wb:EU) AS ?o) }", [("wb:NATO",)]),
        # projected by SELECT *
        ("SELECT * WHERE { wb:m1 org:organization ?org }", [("wb:NATO",)]),
        # grouped on
        ("SELECT ?org (COUNT(?m) AS ?n) WHERE { ?m org:organization ?org } GROUP BY ?org", [("wb:NATO", "3")]),
    ],
)
def test_bound_variable_is_bound_everywhere(small: Graph, query: str, expected: list[tuple[str, ...]]) -> None:
    assert cells(small, sparql.select(small, query, org=WB.NATO)) == expected


def test_unbound_optional_parameter_leaves_coalesce_default(small: Graph) -> None:
    q = sparql.query_from_text("# param: org (IRI) optional — o\nSELECT ?o WHERE { BIND (COALESCE(?org, wb:EU) AS ?o) }")
    assert cells(small, sparql.select(small, q)) == [("wb:EU",)]


# --------------------------------------------------------------------------- refused before evaluation


@pytest.mark.parametrize(
    "where",
    [
        "SERVICE <{url}/sparql> {{ ?s ?p ?o }}",
        "?s ?p ?o OPTIONAL {{ SERVICE <{url}/sparql> {{ ?s ?q ?x }} }}",
        "{{ ?s ?p ?o }} UNION {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "?s ?p ?o FILTER EXISTS {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "{{ SELECT ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
    ],
)
def test_service_anywhere_is_refused_without_a_request(small: Graph, listener: Listener, where: str) -> None:
    query = "SELECT * WHERE { " + where.format(url=listener.url) + " }"
    with pytest.raises(PolicyError, match="SERVICE .* is refused"):
        sparql.select(small, query)
    assert listener.hits == []


def test_from_and_from_named_are_refused(small: Graph, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:x:secret> <urn:x:is> 'the secret' .\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"FROM <file://.*secret.ttl> is refused"):
        sparql.select(small, f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}")
    with pytest.raises(PolicyError, match="FROM NAMED"):
        sparql.select(small, "SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(PolicyError, match="FROM"):
        sparql.ask(small, f"ASK FROM <{secret.as_uri()}> {{ ?s ?p ?o }}")


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", InputError, r"SPARQL Update \(INSERT DATA\) is not allowed"),
        ("DELETE WHERE { ?s ?p ?o }", InputError, r"SPARQL Update \(DELETE WHERE\) is not allowed"),
        ("CLEAR ALL", InputError, "is not allowed"),
        ("LOAD <http://127.0.0.1:9/x.ttl>", PolicyError, "LOAD is refused"),
        ("LOAD <file:///etc/hostname> INTO GRAPH <urn:g>", PolicyError, "LOAD is refused"),
    ],
)
def test_updates_are_refused_and_change_nothing(small: Graph, text: str, error: type, message: str) -> None:
    before = len(small)
    with pytest.raises(error, match=message):
        sparql.run(small, text)
    assert len(small) == before


def test_syntax_error_names_line_and_column(small: Graph) -> None:
    with pytest.raises(InputError, match=r"line 3, column 3"):
        sparql.select(small, "SELECT ?s\nWHERE {\n  ?s ?p \n}")


def test_unknown_prefix_is_named(small: Graph) -> None:
    with pytest.raises(InputError, match="unknown prefix 'foo'"):
        sparql.select(small, "SELECT ?s WHERE { ?s foo:bar ?o }")


def test_wrong_query_kind_for_the_call(small: Graph) -> None:
    with pytest.raises(InputError, match="is a ASK query|is an ASK query|ASK query; this call needs SELECT"):
        sparql.select(small, "is-member")
    with pytest.raises(InputError, match="needs CONSTRUCT or DESCRIBE"):
        sparql.construct(small, "members")


def test_oversized_query_text_is_refused() -> None:
    with pytest.raises(PolicyError, match="limit"):
        sparql.query_from_text("#" * (sparql.MAX_QUERY_BYTES + 1))


# --------------------------------------------------------------------------- limits


CROSS = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"


def test_cross_product_stops_at_the_timeout(shipped: Graph) -> None:
    backend = MemoryBackend(shipped)
    assert backend.store is not None  # the copy into Oxigraph is not part of the query's time
    started = time.monotonic()
    with pytest.raises(LimitError, match="timed out after 1 s"):
        sparql.select(backend, CROSS, timeout=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 4.0, f"stopped after {elapsed:.2f} s"


def test_timeout_covers_materialising_rows(shipped: Graph) -> None:
    # no ORDER BY: rdflib yields lazily, so the deadline must hold while rows are collected
    with pytest.raises(LimitError):
        sparql.select(shipped, "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=0.5)


def test_max_rows_is_a_limit_not_a_truncation(small: Graph) -> None:
    assert len(sparql.select(small, "members", max_rows=3)) == 3
    with pytest.raises(LimitError, match="more than 2 rows"):
        sparql.select(small, "members", max_rows=2)
    with pytest.raises(LimitError, match="more than 10 triples"):
        sparql.construct(small, "actor-claims", max_rows=10)


def test_records_are_typed_python_values(small: Graph) -> None:
    rec = sparql.select(small, "members", org=WB.EU).records()[0]
    assert rec["member"] == WB.AL and isinstance(rec["member"], URIRef)
    assert rec["since"] == date(2020, 3, 25)
    assert rec["reported"] == 2023  # xsd:gYear -> int
    assert rec["until"] is None
    figures = sparql.select(small, "survey-by-indicator").records()
    assert [f["percentage"] for f in figures] == [Decimal("60.5"), Decimal("30.0")]
    counts = sparql.select(small, "most-affiliated").records()
    assert counts[0]["organisations"] == 3


@pytest.mark.slow
def test_concurrent_parsing_gives_the_serial_answers(small: Graph) -> None:
    texts = [sparql.named_query(n).text + f"\n# variant {i}\n" for i, n in enumerate(sorted(EXPECTED))]
    serial = [cells(small, sparql.select(small, sparql.query_from_text(t), timeout=60)) for t in texts]
    sparql._parsed.clear()
    sparql._checked.clear()
    results: dict[int, list[tuple[str | None, ...]]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = cells(small, sparql.select(small, sparql.query_from_text(texts[i]), timeout=60))
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert [results[i] for i in range(len(texts))] == serial


def test_queries_dir_is_the_shipped_one() -> None:
    assert QUERIES_DIR.is_dir() and (QUERIES_DIR / "members.rq").is_file()
