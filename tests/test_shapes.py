"""The SHACL shapes (ontology/shapes.ttl): one tiny fixture per rule, plus data that must conform.

Each fixture in tests/data/shapes/ is loaded with the TBox and _base.ttl (valid
entities every fixture may use) and holds exactly one mistake.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, URIRef

from graph.namespaces import OWL, PREFIXES, RDF, RDFS, SH
from graph.store import SHAPES_FILE, load_graph
from graph.validate import ValidationReport, validate

FIXTURES = Path(__file__).resolve().parent / "data" / "shapes"
BASE = FIXTURES / "_base.ttl"

# fixture -> (shape that must report it, path in prefixed form or None, words from its message)
CASES: dict[str, tuple[str, str | None, str]] = {
    "bilateral-one-party": ("BilateralCooperation-partyCount", "wbo:party", "exactly two different parties"),
    "bilateral-three-parties": ("BilateralCooperation-partyCount", "wbo:party", "remove the extra one"),
    "bilateral-party-not-polity": ("BilateralCooperation-partyPolity", "wbo:party", "must be a polity"),
    "bilateral-no-outcome": ("BilateralCooperationOutcomeShape", None, "add wbo:agreementCount"),
    "bilateral-status-not-in-scheme": ("BilateralCooperation-status", "wbo:cooperationStatus", "wbo:CooperationStatusScheme"),
    "agreement-count-integer": ("AgreementCount-value", "wbo:agreementCount", '"3"^^xsd:nonNegativeInteger'),
    "agreement-one-party": ("Agreement-partyCount", "wbo:party", "at least two parties"),
    "agreement-literal-party": ("Agreement-partyActor", "wbo:party", "not text"),
    "membership-no-member": ("Membership-member", "org:member", "exactly one org:member"),
    "membership-two-organisations": ("Membership-organization", "org:organization", "exactly one org:organization"),
    "membership-role-not-in-scheme": ("Membership-role", "org:role", "wbo:RoleScheme"),
    "membership-no-role": ("Membership-role", "org:role", "exactly one org:role"),
    "membership-via-not-initiative": ("ViaShape", "wbo:via", "wb:PfP"),
    "valid-from-datetime": ("ValidFrom-date", "schema:validFrom", '"2022"^^xsd:gYear'),
    "valid-through-text": ("ValidThrough-date", "schema:validThrough", '"2022-06-01"^^xsd:date'),
    "date-two-values": ("Date-date", "dcterms:date", "must be one date"),
    "as-of-year": ("AsOf-date", "wbo:asOf", "full date"),
    "percentage-over-100": ("Percentage-value", "wbo:percentage", "between 0 and 100"),
    "percentage-negative": ("Percentage-value", "wbo:percentage", "between 0 and 100"),
    "percentage-integer": ("Percentage-value", "wbo:percentage", "not 45"),
    "percentage-text": ("Percentage-value", "wbo:percentage", '"45%"'),
    "claim-no-source": ("Claim-source", "prov:wasDerivedFrom", "does not say where it comes from"),
    "claim-literal-source": ("Claim-sourceType", "prov:wasDerivedFrom", "typed wbo:Source"),
    "claim-undescribed-source": ("Claim-sourceType", "prov:wasDerivedFrom", "undescribed IRI"),
    "incident-no-source": ("Claim-source", "prov:wasDerivedFrom", "add prov:wasDerivedFrom"),
    "primary-source-text": ("PrimarySourceShape", "prov:hadPrimarySource", "not text"),
    "observation-no-dataset": ("Observation-dataSet", "qb:dataSet", "exactly one qb:dataSet"),
    "observation-dataset-not-survey": ("Observation-dataSet", "qb:dataSet", "typed wbo:Survey"),
    "observation-area-organisation": ("Observation-refArea", "sdmx-dimension:refArea", "the polity whose residents answered"),
    "observation-period-date": ("Observation-refPeriod", "sdmx-dimension:refPeriod", '"2022"^^xsd:gYear'),
    "observation-indicator-not-in-scheme": ("Observation-indicator", "wbo:indicator", "wbo:IndicatorScheme"),
    "observation-no-percentage": ("Observation-percentage", "wbo:percentage", "exactly one wbo:percentage"),
    "statement-no-stance": ("Statement-stance", "wbo:stance", "wbo:StanceScheme"),
    "statement-no-voice": ("StatementVoiceShape", None, "does not say who made it"),
    "statement-speaker-organisation": ("Statement-speaker", "wbo:speaker", "foaf:Person"),
    "recommendation-no-author": ("Recommendation-recommendedBy", "wbo:recommendedBy", "needs wbo:recommendedBy"),
    "recommendation-no-addressee": ("Recommendation-addressedTo", "wbo:addressedTo", "needs wbo:addressedTo"),
    "locator-language-tag": ("Locator-string", "wbo:locator", "plain string"),
    "evidence-too-long": ("Evidence-shortString", "wbo:evidence", "at most 300 characters"),
    "polity-no-region": ("RegionalPolityShape", None, "add wbo:region wb:WesternBalkans"),
    "region-not-region": ("RegionShape", "wbo:region", "typed wbo:Region"),
    "source-no-title": ("Source-title", "dcterms:title", "needs its title"),
    "survey-no-title": ("Source-title", "dcterms:title", "needs its title"),
    "change-event-no-original": ("ChangeEvent-original", "org:originalOrganization", "existed before the change"),
    "concept-no-label": ("Concept-prefLabel", "skos:prefLabel", "needs a skos:prefLabel"),
    "statement-on-behalf-of-text": ("Statement-onBehalfOf", "wbo:onBehalfOf", "not text"),
    "change-event-no-result": ("ChangeEvent-resulting", "org:resultingOrganization", "came out of the change"),
    "event-no-date": ("Event-date", "dcterms:date", "needs a dcterms:date"),
    "event-literal-participant": ("Event-participant", "wbo:participant", "not text"),
    "lifecycle-not-in-scheme": ("LifecycleShape", "wbo:lifecycleStatus", "wbo:LifecycleScheme"),
    "domain-not-in-scheme": ("DomainShape", "wbo:domain", "wbo:DomainScheme"),
    "addresses-not-threat": ("AddressesShape", "wbo:addresses", "wbo:ThreatScheme"),
    "framework-not-initiative": ("FrameworkShape", "wbo:framework", "wb:BerlinProcess"),
    "pillar-of-not-initiative": ("PillarShape", "wbo:pillarOf", "wb:IISG"),
    "concept-no-scheme": ("Concept-inScheme", "skos:inScheme", "needs skos:inScheme"),
    "pref-label-untagged": ("PrefLabel-tagged", "skos:prefLabel", "needs a language tag"),
    "pref-label-two-english": ("PrefLabel-tagged", "skos:prefLabel", "at most one label per language"),
    "source-kind-not-in-scheme": ("SourceKind-value", "wbo:sourceKind", "wbo:SourceKindScheme"),
    "source-url-text": ("SourceUrl-iri", "schema:url", "not as text"),
    "instrument-kind-not-in-scheme": ("Instrument-kind", "wbo:instrumentKind", "wbo:InstrumentKindScheme"),
    "instrument-status-not-in-scheme": ("Instrument-status", "wbo:instrumentStatus", "wbo:InstrumentStatusScheme"),
    "instrument-in-force-text": ("Instrument-inForce", "wbo:inForceFrom", '"2012"^^xsd:gYear'),
    "instrument-signatory-text": ("Instrument-signatory", "wbo:signatory", "not text"),
    "instrument-not-agreement": ("Instrument-isAgreement", "rdf:type", "typed wbo:Agreement"),
    "instrument-no-locator": ("Instrument-locator", "wbo:locator", "needs a wbo:locator"),
    "founded-text": ("Founded-date", "wbo:founded", "wbo:FoundingEvent"),
    "founded-no-source": ("Founded-source", "prov:wasDerivedFrom", "must name the source"),
    "operates-in-text": ("OperatesIn-actor", "wbo:operatesIn", "not text"),
    "start-basis-no-date": ("StartBasis-date", "schema:validFrom", "needs that date"),
    "start-basis-not-in-scheme": ("StartBasis-value", "wbo:startBasis", "wbo:DateBasisScheme"),
    "end-basis-no-date": ("EndBasis-date", "schema:validThrough", "needs that date"),
    "end-basis-not-in-scheme": ("EndBasis-value", "wbo:endBasis", "wbo:DateBasisScheme"),
    "conflict-one-sided": ("Conflict-backlink", "^wbo:conflictsWith", "both directions"),
    "conflict-literal": ("Conflict-claim", "wbo:conflictsWith", "must be such a claim"),
}


def _compact(iri: str | None) -> str | None:
    if iri is None:
        return None
    if iri.startswith("^"):  # an inverse path
        return "^" + str(_compact(iri[1:]))
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _check(*fixtures: str) -> ValidationReport:
    g = load_graph([BASE, *(FIXTURES / f"{name}.ttl" for name in fixtures)], shipped=False)
    return validate(g)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_breaks_exactly_its_rule(fixture: str) -> None:
    shape, path, words = CASES[fixture]
    report = _check(fixture)
    assert not report.conforms
    assert {_compact(v.shape) for v in report.violations} == {f"wbsh:{shape}"}
    assert {v.severity for v in report.violations} == {"Violation"}
    assert {_compact(v.path) for v in report.violations} == {path}
    assert all(words in v.message for v in report.violations), [v.message for v in report.violations]
    assert all(v.focus.endswith(("/bad", "/ME", "#Stray", "#Unlabelled")) for v in report.violations)


def test_conflict_between_claims_about_different_things_is_reported_on_both() -> None:
    report = _check("conflict-different-things")
    assert not report.conforms
    assert {(_compact(v.shape), v.focus.rsplit("/", 1)[-1]) for v in report.violations} == {
        ("wbsh:ConflictShape", "bad"), ("wbsh:ConflictShape", "other")}
    assert all("not about the same thing" in v.message for v in report.violations)


def test_conforming_fixture_passes_with_no_results() -> None:
    report = _check("conforming")
    assert report.violations == []
    assert report.conforms


def test_base_fixture_and_tbox_alone_conform() -> None:
    assert validate(load_graph([BASE], shipped=False)) == ValidationReport(conforms=True, violations=[])
    assert validate(load_graph(shipped=False)).violations == []


def test_actor_without_a_name_is_a_warning_only() -> None:
    report = _check("actor-no-name")
    assert report.conforms
    [warning] = report.violations
    assert (_compact(warning.shape), warning.severity, warning.path) == ("wbsh:ActorNameShape", "Warning", None)
    assert "foaf:name" in warning.message


def test_shapes_parse_with_oxigraph(shapes: Graph) -> None:
    quads = list(pyoxigraph.parse(path=str(SHAPES_FILE), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(shapes)


def test_shapes_use_shacl_core_plus_only_local_sparql_constraints(shapes: Graph) -> None:
    """SHACL Core everywhere; SPARQL only in named constraints whose query never leaves the data."""
    advanced = {SH.ask, SH.SPARQLTarget, SH.target, SH.rule, SH.SPARQLRule}
    used = {p for p in shapes.predicates()} | {o for o in shapes.objects(None, RDF.type)}
    assert used & advanced == set()
    constraints = set(shapes.objects(None, SH.sparql))
    assert constraints == {URIRef("https://w3id.org/wbsec/shapes#Conflict-sameThing")}
    for constraint in constraints:
        query = str(shapes.value(constraint, SH.select)).upper()
        assert not {"SERVICE", "FROM", "LOAD", "GRAPH"} & set(query.replace("{", " ").replace("}", " ").split())
        assert any(getattr(m, "language", None) == "en" for m in shapes.objects(constraint, SH.message))
    assert not list(shapes.triples((None, OWL.imports, None)))


def test_every_reporting_shape_has_an_english_message(shapes: Graph) -> None:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    node_shapes = {s for t in targets for s in shapes.subjects(t, None)}
    property_shapes = {p for s in node_shapes for p in shapes.objects(s, SH.property)}
    silent = []
    for shape in node_shapes | property_shapes:
        constrains_itself = any(p not in (SH.property, RDF.type, SH.severity, SH.message,
                                          RDFS.label, *targets)
                                for p in shapes.predicates(shape))
        has_message = any(getattr(m, "language", None) == "en" for m in shapes.objects(shape, SH.message))
        if constrains_itself and not has_message:
            silent.append(str(shape))
    assert silent == []


def test_every_rule_has_a_fixture(shapes: Graph) -> None:
    """Every shape with a message (a rule an analyst can break) is exercised by a fixture above."""
    rules = set()
    for shape in shapes.subjects(SH.message, None):
        if isinstance(shape, URIRef):
            rules.add(_compact(str(shape)))
        else:  # an anonymous property shape reports under the node shape holding it
            rules.update(_compact(str(parent)) for parent in shapes.subjects(SH.property, shape))
    covered = {f"wbsh:{shape}" for shape, _path, _words in CASES.values()} | {"wbsh:ActorNameShape"}
    covered |= {"wbsh:ConflictShape", "wbsh:Conflict-sameThing"}  # test_conflict_between_claims_about_different_things
    assert len(rules) > 40
    assert sorted(rules - covered) == []


def test_shapes_inside_the_data_are_ignored() -> None:
    """A data file carrying its own shapes cannot add rules: only the shapes file counts."""
    report = _check("conforming", "data-with-own-shapes")
    assert report.violations == []
