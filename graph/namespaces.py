"""Name every RDF namespace and vocabulary term the project uses.

This is the only module that holds IRI strings. ``WBO`` is a closed
namespace: a misspelt term such as ``WBO.partie`` raises ``AttributeError``
at once instead of silently minting a new IRI. ``tests/test_ontology.py``
keeps ``WBO`` in step with ``ontology/wbsec.ttl``.

>>> from graph.namespaces import WB, WBO
>>> str(WBO.party)
'https://w3id.org/wbsec/def#party'
>>> str(WB.AL)
'https://w3id.org/wbsec/id/AL'
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "DCTERMS",
    "LABEL_PROPERTIES",
    "FOAF",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SDMX_DIM",
    "SH",
    "SKOS",
    "WB",
    "WBO",
    "WBSH",
    "WD",
    "XSD",
    "bind_prefixes",
    "compact",
    "label",
    "label_of",
    "qname",
]

#: Data: actors, initiatives, claims and sources (``wb:AL``, ``wb:NATO``).
WB = Namespace("https://w3id.org/wbsec/id/")

#: Names of the SHACL shapes in ``ontology/shapes.ttl`` (not part of the vocabulary).
WBSH = Namespace("https://w3id.org/wbsec/shapes#")

#: RDF Data Cube dimensions ``refArea`` and ``refPeriod``.
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")

#: Wikidata entities, used only as ``skos:exactMatch`` targets.
WD = Namespace("http://www.wikidata.org/entity/")

#: schema.org (``validFrom``, ``validThrough``, ``Event``); rdflib calls it SDO.
SCHEMA = SDO


class WBO(DefinedNamespace):
    """The wbsec ontology: every class, property, code list and concept in ``wbsec.ttl``."""

    _NS = Namespace("https://w3id.org/wbsec/def#")
    _fail = True

    # Classes
    Actor: URIRef
    Agreement: URIRef
    BilateralCooperation: URIRef
    Event: URIRef
    Incident: URIRef
    Initiative: URIRef
    Meeting: URIRef
    Polity: URIRef
    Recommendation: URIRef
    Region: URIRef
    Source: URIRef
    Statement: URIRef
    Survey: URIRef

    # Properties
    about: URIRef
    addressedTo: URIRef
    addresses: URIRef
    agreementCount: URIRef
    asOf: URIRef
    concerns: URIRef
    cooperationStatus: URIRef
    domain: URIRef
    evidence: URIRef
    framework: URIRef
    hostedBy: URIRef
    indicator: URIRef
    lifecycleStatus: URIRef
    location: URIRef
    locator: URIRef
    onBehalfOf: URIRef
    participant: URIRef
    party: URIRef
    percentage: URIRef
    pillarOf: URIRef
    recommendedBy: URIRef
    region: URIRef
    speaker: URIRef
    stance: URIRef
    supportedBy: URIRef
    target: URIRef
    via: URIRef

    # Code list CooperationStatusScheme and its concepts
    CooperationStatusScheme: URIRef
    AgreementsSigned: URIRef
    NoProgress: URIRef
    StrongCooperation: URIRef

    # Code list DomainScheme and its concepts
    DomainScheme: URIRef
    BorderSecurity: URIRef
    CounterTerrorism: URIRef
    Cybersecurity: URIRef
    EconomicIntegration: URIRef
    InvestmentScreening: URIRef
    MediaAndDisinformation: URIRef
    Reconciliation: URIRef
    RuleOfLaw: URIRef
    SecurityCooperation: URIRef
    SeriousCrime: URIRef

    # Code list IndicatorScheme and its concepts
    IndicatorScheme: URIRef
    BestRelations: URIRef
    ConcernPersonalSecurityDomestic: URIRef
    ConcernPersonalSecurityInternational: URIRef
    CooperationPriorityArea: URIRef
    ExpectSecurityToImprove: URIRef
    ExpectSecurityToWorsen: URIRef
    FavourableOpinion: URIRef
    HighlyUnfavourableOpinion: URIRef
    LackOfCooperationHarmsRelations: URIRef
    MostSeriousThreat: URIRef
    NeedForAllies: URIRef
    NegativeImpactOnSecurity: URIRef
    ObstacleToReconciliation: URIRef
    PriorityPartner: URIRef
    ResponsibilityForTensions: URIRef
    SecondMostSeriousThreat: URIRef
    SupportForBilateralCooperation: URIRef
    SupportForInitiative: URIRef
    SupportForRegionalCooperation: URIRef
    ThreatPerception: URIRef
    UnfavourableOpinion: URIRef
    WarRussiaWestPossible: URIRef
    WarWillNotExpand: URIRef

    # Code list LifecycleScheme and its concepts
    LifecycleScheme: URIRef
    Active: URIRef
    Dissolved: URIRef
    Proposed: URIRef

    # Code list RoleScheme and its concepts
    RoleScheme: URIRef
    Aspirant: URIRef
    Author: URIRef
    Candidate: URIRef
    DeputyMinister: URIRef
    Host: URIRef
    IndependentConsultant: URIRef
    Member: URIRef
    Minister: URIRef
    NegotiatingCandidate: URIRef
    Participant: URIRef
    Partner: URIRef
    ResearchDirector: URIRef
    SecretaryGeneral: URIRef
    Speaker: URIRef
    SpecialRepresentative: URIRef
    StatusUndecided: URIRef

    # Code list StanceScheme and its concepts
    StanceScheme: URIRef
    Accuses: URIRef
    CallsFor: URIRef
    Condemns: URIRef
    Opposes: URIRef
    Supports: URIRef

    # Code list ThreatScheme and its concepts
    ThreatScheme: URIRef
    ArmsControl: URIRef
    ClimateChange: URIRef
    Corruption: URIRef
    Cybercrime: URIRef
    Disinformation: URIRef
    DrugTrafficking: URIRef
    EconomicCrisis: URIRef
    EnvironmentalDegradation: URIRef
    FinancialCrime: URIRef
    Migration: URIRef
    NaturalDisasters: URIRef
    OrganisedCrime: URIRef
    Pandemics: URIRef
    PoliticalInstability: URIRef
    PovertyAndSocialExclusion: URIRef
    Terrorism: URIRef
    ViolenceAndVandalism: URIRef
    ViolentExtremism: URIRef
    War: URIRef

    # The landscape (issue 13): missions, founding, seats, instruments, conflicts
    FoundingEvent: URIRef
    Mission: URIRef
    conflictsWith: URIRef
    endBasis: URIRef
    founded: URIRef
    foundedAt: URIRef
    foundingInstrument: URIRef
    inForceFrom: URIRef
    instrumentKind: URIRef
    instrumentStatus: URIRef
    operatesIn: URIRef
    seat: URIRef
    secretariat: URIRef
    signatory: URIRef
    signedAt: URIRef
    sourceKind: URIRef
    startBasis: URIRef

    # New roles, lifecycle statuses and policy domains
    AssociateMember: URIRef
    Chair: URIRef
    ContractingParty: URIRef
    HeadOfGovernment: URIRef
    HeadOfPolice: URIRef
    HeadOfState: URIRef
    StateSecretary: URIRef
    HeadOfSecretariat: URIRef
    Observer: URIRef
    Inactive: URIRef
    CivilProtection: URIRef
    ClassifiedInformation: URIRef
    CrisisManagement: URIRef
    Customs: URIRef
    Defence: URIRef
    JudicialCooperation: URIRef
    MigrationAndAsylum: URIRef
    PoliceCooperation: URIRef
    SmallArmsControl: URIRef

    # Code list SourceKindScheme and its concepts
    SourceKindScheme: URIRef
    InternationalOrganisationSource: URIRef
    NewsSource: URIRef
    OfficialSource: URIRef
    ReferenceWork: URIRef
    ResearchSource: URIRef

    # Code list InstrumentKindScheme and its concepts
    InstrumentKindScheme: URIRef
    AgreementInstrument: URIRef
    BorderCrossingArrangement: URIRef
    ConventionInstrument: URIRef
    CooperationPlan: URIRef
    JointCentreArrangement: URIRef
    JointDeclaration: URIRef
    JointPatrolArrangement: URIRef
    MemorandumOfUnderstanding: URIRef
    ProtocolInstrument: URIRef

    # Code list InstrumentStatusScheme and its concepts
    InstrumentStatusScheme: URIRef
    AgreedNotSigned: URIRef
    Announced: URIRef
    Draft: URIRef
    Negotiated: URIRef

    # Code list DateBasisScheme and its concepts
    DateBasisScheme: URIRef
    Accession: URIRef
    Admission: URIRef
    EntryIntoForce: URIRef
    FirstParticipation: URIRef
    Founding: URIRef
    Ratification: URIRef
    Signature: URIRef
    Succession: URIRef
    Termination: URIRef
    Withdrawal: URIRef


#: Prefix -> namespace IRI, for Turtle output, SPARQL queries and compact names.
PREFIXES: dict[str, str] = {
    "wbo": str(WBO),
    "wb": str(WB),
    "wbsh": str(WBSH),
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIM),
    "foaf": str(FOAF),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "wd": str(WD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}


def bind_prefixes(g: Graph) -> Graph:
    """Bind every prefix in ``PREFIXES`` on ``g`` (replacing other bindings) and return ``g``."""
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, URIRef(iri), override=True, replace=True)
    return g


#: The properties that name a thing for a reader, most preferred first.
LABEL_PROPERTIES = (SKOS.prefLabel, FOAF.name, RDFS.label)


def label(g: Graph, node: Any) -> str | None:
    """The label of ``node`` in ``g``, or ``None`` when it has none.

    The first of :data:`LABEL_PROPERTIES` that ``node`` has decides; among its
    values English (``en``, ``en-GB``) comes first, then untagged text, then
    other languages, ties broken by language tag and text (so the choice never
    depends on the order of the triples).
    """
    for prop in LABEL_PROPERTIES:
        values = list(g.objects(node, prop))
        if values:
            return str(min(values, key=_label_rank))
    return None


def _label_rank(value: Any) -> tuple[int, str, str]:
    lang = str(getattr(value, "language", None) or "").lower()
    return (0 if lang.startswith("en") else 1 if not lang else 2, lang, str(value))


def label_of(g: Graph, node: Any) -> str:
    """The label of ``node`` (see :func:`label`), else its :func:`compact` name."""
    found = label(g, node)
    return found if found is not None else compact(g, node)


def compact(g: Graph, node: Any) -> str:
    """``node`` as a prefixed name when a prefix bound in ``g`` fits, else the full IRI (or the literal's text)."""
    if isinstance(node, URIRef):
        try:
            prefix, _ns, local = g.namespace_manager.compute_qname(str(node), generate=False)
        except (ValueError, KeyError):
            return str(node)
        return f"{prefix}:{local}" if prefix else str(node)
    return str(node)


def qname(iri: str, *, strict: bool = False) -> str:
    """``iri`` as a prefixed name by the project's own :data:`PREFIXES` (longest namespace wins).

    ``https://w3id.org/wbsec/id/AL`` -> ``wb:AL``; an IRI no prefix fits is returned
    unchanged. Unlike :func:`compact` it needs no graph, so it names a term the
    same way whatever a user's file has bound. With ``strict``, the name is
    only shortened when its local part is plain (letters, digits, ``_``, ``-``
    and inner ``.``), so the result can be read back as a prefixed name
    anywhere (a spreadsheet cell, a Turtle file); otherwise the full IRI.

    >>> qname("https://w3id.org/wbsec/id/a(b)"), qname("https://w3id.org/wbsec/id/a(b)", strict=True)
    ('wb:a(b)', 'https://w3id.org/wbsec/id/a(b)')
    """
    best = ""
    for namespace in PREFIXES.values():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
    local = iri[len(best):]
    if not best or (strict and not _PLAIN_LOCAL.fullmatch(local)):
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{local}"


#: A local name that reads back as a prefixed name everywhere (no escapes needed, no trailing dot).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?")
