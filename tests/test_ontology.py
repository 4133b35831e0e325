"""The TBox (ontology/wbsec.ttl) defines the public vocabulary, and graph.namespaces matches it."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from graph.namespaces import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    QB,
    RDF,
    RDFS,
    SKOS,
    WBO,
    bind_prefixes,
)
from graph import namespaces as ns  # XSD and SCHEMA via the module: pytest probes module globals
from graph.store import TBOX_FILE

# Every wbo: term named in the vocabulary contract (the project's public RDF API).
# None of these may be renamed or dropped.
VOCABULARY_TERMS = [
    # classes
    "Actor", "Polity", "Initiative", "Region", "BilateralCooperation", "Agreement", "Event",
    "Incident", "Meeting", "Statement", "Recommendation", "Survey", "Source",
    # properties
    "asOf", "via", "region", "party", "agreementCount", "cooperationStatus", "domain", "framework",
    "pillarOf", "hostedBy", "supportedBy", "lifecycleStatus", "addresses", "location",
    "participant", "target", "speaker", "onBehalfOf", "stance", "about", "recommendedBy",
    "addressedTo", "concerns", "indicator", "percentage", "locator", "evidence",
    # code lists and concepts named in the contract
    "ThreatScheme", "Member", "Partner", "Aspirant", "Candidate", "NegotiatingCandidate",
    "Participant", "Minister", "DeputyMinister", "ResearchDirector", "SpecialRepresentative",
    "NoProgress", "SecurityCooperation", "Active", "Proposed", "Dissolved",
    "Condemns", "Accuses", "Supports", "CallsFor", "Opposes",
]

# Code lists and the concepts each must hold (the data team may add more).
CODE_LISTS: dict[str, list[str]] = {
    "RoleScheme": [
        "Member", "Partner", "Aspirant", "Candidate", "NegotiatingCandidate", "StatusUndecided",
        "Participant", "Minister", "DeputyMinister", "ResearchDirector", "SpecialRepresentative",
        "IndependentConsultant", "Author", "Speaker", "Host",
    ],
    "CooperationStatusScheme": ["NoProgress", "StrongCooperation", "AgreementsSigned"],
    "StanceScheme": ["Condemns", "Accuses", "Supports", "CallsFor", "Opposes"],
    "LifecycleScheme": ["Active", "Proposed", "Dissolved"],
    "DomainScheme": [
        "SecurityCooperation", "BorderSecurity", "CounterTerrorism", "SeriousCrime", "Cybersecurity",
        "Reconciliation", "RuleOfLaw", "InvestmentScreening", "MediaAndDisinformation",
        "EconomicIntegration",
    ],
    "ThreatScheme": [
        "Corruption", "OrganisedCrime", "Cybercrime", "Terrorism", "ViolentExtremism", "War",
        "PoliticalInstability", "Migration", "NaturalDisasters", "Pandemics", "ClimateChange",
        "EnvironmentalDegradation", "EconomicCrisis", "PovertyAndSocialExclusion", "DrugTrafficking",
        "ViolenceAndVandalism", "Disinformation", "FinancialCrime", "ArmsControl",
    ],
    "IndicatorScheme": [
        "ThreatPerception", "MostSeriousThreat", "SecondMostSeriousThreat", "NegativeImpactOnSecurity",
        "SupportForRegionalCooperation", "SupportForInitiative", "SupportForBilateralCooperation",
        "LackOfCooperationHarmsRelations", "CooperationPriorityArea", "FavourableOpinion",
        "UnfavourableOpinion", "HighlyUnfavourableOpinion", "ResponsibilityForTensions",
        "ObstacleToReconciliation", "PriorityPartner", "BestRelations", "NeedForAllies",
        "ConcernPersonalSecurityDomestic", "ConcernPersonalSecurityInternational",
        "ExpectSecurityToImprove", "ExpectSecurityToWorsen", "WarRussiaWestPossible", "WarWillNotExpand",
    ],
}

SUBCLASS_AXIOMS = [
    (WBO.Actor, PROV.Agent),
    (WBO.Polity, ORG.Organization),
    (WBO.Polity, WBO.Actor),
    (WBO.Initiative, ORG.OrganizationalCollaboration),
    (WBO.Survey, QB.DataSet),
    (WBO.Survey, WBO.Source),
    (WBO.Incident, WBO.Event),
    (WBO.Meeting, WBO.Event),
    (WBO.BilateralCooperation, PROV.Entity),
    (WBO.Agreement, PROV.Entity),
    (WBO.Statement, PROV.Entity),
    (WBO.Recommendation, PROV.Entity),
    (WBO.Source, PROV.Entity),
]
SUBPROPERTY_AXIOMS = [
    (WBO.pillarOf, ORG.subOrganizationOf),
    (WBO.speaker, PROV.wasAttributedTo),
    (WBO.onBehalfOf, PROV.wasAttributedTo),
    (WBO.party, PROV.wasAttributedTo),
]

ONTOLOGY = URIRef(str(WBO).rstrip("#"))
WBO_NS = str(WBO)


@pytest.fixture(scope="module")
def tbox() -> Graph:
    return Graph().parse(TBOX_FILE, format="turtle")


def _wbo_subjects(g: Graph) -> set[str]:
    return {str(s)[len(WBO_NS):] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(WBO_NS)}


def _wbo_mentions(g: Graph) -> set[str]:
    return {str(t)[len(WBO_NS):] for t in g.all_nodes() if isinstance(t, URIRef) and str(t).startswith(WBO_NS)}


def _english(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return [str(o) for o in g.objects(s, p) if isinstance(o, Literal) and o.language == "en" and str(o).strip()]


def _documented(g: Graph, term: URIRef) -> bool:
    if (term, RDF.type, SKOS.Concept) in g or (term, RDF.type, SKOS.ConceptScheme) in g:
        return len(_english(g, term, SKOS.prefLabel)) == 1 and len(_english(g, term, SKOS.definition)) == 1
    return len(_english(g, term, RDFS.label)) == 1 and len(_english(g, term, RDFS.comment)) == 1


def test_tbox_parses_with_rdflib_and_oxigraph(tbox: Graph) -> None:
    quads = list(pyoxigraph.parse(path=str(TBOX_FILE), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(tbox) > 500
    assert len(quads) == len(tbox)


def test_tbox_has_no_owl_imports(tbox: Graph) -> None:
    assert list(tbox.triples((None, OWL.imports, None))) == []


def test_ontology_header(tbox: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in tbox
    assert tbox.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert _english(tbox, ONTOLOGY, DCTERMS.title)
    assert _english(tbox, ONTOLOGY, DCTERMS.description)
    assert tbox.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    created = tbox.value(ONTOLOGY, DCTERMS.created)
    assert isinstance(created, Literal) and created.datatype == ns.XSD.date


@pytest.mark.parametrize("name", VOCABULARY_TERMS)
def test_vocabulary_term_is_defined_and_documented(tbox: Graph, name: str) -> None:
    term = URIRef(WBO_NS + name)
    assert name in _wbo_subjects(tbox), f"wbo:{name} is not declared in wbsec.ttl"
    assert _documented(tbox, term), f"wbo:{name} lacks one English label and one English comment/definition"


def test_every_local_term_is_declared_and_documented(tbox: Graph) -> None:
    undocumented = sorted(n for n in _wbo_mentions(tbox) if not _documented(tbox, URIRef(WBO_NS + n)))
    assert undocumented == []


def test_every_local_term_has_a_kind(tbox: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, SKOS.Concept, SKOS.ConceptScheme}
    untyped = sorted(n for n in _wbo_mentions(tbox) if not kinds & set(tbox.objects(URIRef(WBO_NS + n), RDF.type)))
    assert untyped == []


@pytest.mark.parametrize("scheme_name", sorted(CODE_LISTS))
def test_code_list(tbox: Graph, scheme_name: str) -> None:
    scheme = URIRef(WBO_NS + scheme_name)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in tbox
    members = {str(c)[len(WBO_NS):] for c in tbox.subjects(SKOS.inScheme, scheme)}
    assert set(CODE_LISTS[scheme_name]) <= members
    for name in sorted(members):
        concept = URIRef(WBO_NS + name)
        assert (concept, RDF.type, SKOS.Concept) in tbox, name
        assert (concept, SKOS.topConceptOf, scheme) in tbox, name
        assert (scheme, SKOS.hasTopConcept, concept) in tbox, name
        assert _documented(tbox, concept), name


def test_each_concept_is_in_exactly_one_code_list(tbox: Graph) -> None:
    for concept in tbox.subjects(RDF.type, SKOS.Concept):
        assert len(list(tbox.objects(concept, SKOS.inScheme))) == 1, concept


@pytest.mark.parametrize(("sub", "sup"), SUBCLASS_AXIOMS, ids=lambda t: str(t).rsplit("/", 1)[-1])
def test_class_alignment(tbox: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in tbox


@pytest.mark.parametrize(("sub", "sup"), SUBPROPERTY_AXIOMS, ids=lambda t: str(t).rsplit("/", 1)[-1])
def test_property_alignment(tbox: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in tbox


def test_datatype_ranges(tbox: Graph) -> None:
    assert tbox.value(WBO.percentage, RDFS.range) == ns.XSD.decimal
    assert tbox.value(WBO.agreementCount, RDFS.range) == ns.XSD.nonNegativeInteger
    assert tbox.value(WBO.asOf, RDFS.range) == ns.XSD.date
    assert tbox.value(WBO.locator, RDFS.range) == ns.XSD.string


def test_external_terms_only_get_labels(tbox: Graph) -> None:
    """W3C terms are declared for display only: no axioms that change their meaning."""
    allowed = {RDF.type, RDFS.label, RDFS.isDefinedBy}
    external = {s for s in tbox.subjects() if isinstance(s, URIRef) and not str(s).startswith(WBO_NS) and s != ONTOLOGY}
    assert external, "expected labels for the W3C terms we use"
    extra = sorted((str(s), str(p)) for s in external for p in tbox.predicates(s) if p not in allowed)
    assert extra == []


def test_namespace_class_matches_tbox(tbox: Graph) -> None:
    in_python = set(WBO.__annotations__)
    in_tbox = _wbo_mentions(tbox)
    assert sorted(in_tbox - in_python) == [], "declared in wbsec.ttl but missing from WBO"
    assert sorted(in_python - in_tbox) == [], "listed in WBO but not declared in wbsec.ttl"


def test_misspelt_term_raises() -> None:
    assert str(WBO.BilateralCooperation) == "https://w3id.org/wbsec/def#BilateralCooperation"
    with pytest.raises(AttributeError):
        WBO.BilateralCooperaton  # noqa: B018  (misspelt on purpose)
    with pytest.raises(AttributeError):
        WBO.Party  # noqa: B018  (the property is wbo:party)


def test_prefixes_cover_the_contract() -> None:
    assert PREFIXES["wbo"] == str(WBO)
    assert PREFIXES["wb"] == "https://w3id.org/wbsec/id/"
    assert PREFIXES["schema"] == str(ns.SCHEMA) == "https://schema.org/"
    assert PREFIXES["foaf"] == str(FOAF)
    assert {"wbo", "wb", "org", "prov", "skos", "qb", "sdmx-dimension", "foaf", "dcterms", "schema",
            "wd", "rdf", "rdfs", "owl", "xsd", "sh"} <= set(PREFIXES)
    assert len(set(PREFIXES.values())) == len(PREFIXES)


def test_bind_prefixes_binds_every_prefix() -> None:
    g = Graph(bind_namespaces="rdflib")
    assert bind_prefixes(g) is g
    bound = {prefix: str(ns) for prefix, ns in g.namespaces()}
    assert {p: bound.get(p) for p in PREFIXES} == PREFIXES
    g.add((URIRef(PREFIXES["wb"] + "AL"), RDF.type, WBO.Polity))
    assert "wb:AL a wbo:Polity" in g.serialize(format="turtle")
