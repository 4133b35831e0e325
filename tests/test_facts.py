"""Curated data: facts from the two sources, each asked in SPARQL against the shipped graph.

Every row names one fact an analyst relies on; if the data drifts from the
sources (a figure rounded, a status turned into a count, a party dropped),
the row fails. Prefixes come from ``graph.namespaces.PREFIXES``.
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from graph.namespaces import PREFIXES, WB
from graph.store import load_graph


@pytest.fixture(scope="module")
def g() -> Graph:
    return load_graph()


def _ask(g: Graph, query: str) -> bool:
    return bool(g.query(query, initNs=PREFIXES).askAnswer)


def _rows(g: Graph, query: str) -> list[tuple[str, ...]]:
    return sorted(tuple(str(v) for v in row) for row in g.query(query, initNs=PREFIXES))


def _pct(area: str, indicator: str, about: str, value: str, dataset: str, period: str = "2022") -> str:
    """ASK for one survey figure with the exact lexical form of the percentage."""
    about_pattern = f"wbo:about {about} ;" if about else ""
    return f"""ASK {{
        ?o a qb:Observation ; qb:dataSet {dataset} ; sdmx-dimension:refArea {area} ;
           sdmx-dimension:refPeriod ?y ; wbo:indicator {indicator} ; {about_pattern}
           wbo:percentage ?p ; prov:wasDerivedFrom wb:fes-2023-future-is-cooperative ;
           prov:hadPrimarySource {dataset} .
        FILTER(str(?y) = "{period}" && datatype(?y) = xsd:gYear)
        FILTER(str(?p) = "{value}" && datatype(?p) = xsd:decimal)
    }}"""


ASB, SM, IRI = "wb:asb-2022", "wb:securimeter-2022", "wb:iri-wb-survey-2022"

ASK_FACTS: list[tuple[str, str]] = [
    # --- actors -------------------------------------------------------------
    ("kosovo-status-neutral-note", "ASK { wb:XK a wbo:Polity ; skos:scopeNote ?n ; wbo:region wb:WesternBalkans }"),
    ("albania-wikidata", "ASK { wb:AL skos:exactMatch wd:Q222 }"),
    ("ilazi-name-variants", """ASK { wb:dan-ilazi a foaf:Person ; foaf:name "Ramadan Ilazi" ;
        skos:altLabel "Dan Ilazi"@en , "Ilaze"@en }"""),
    ("svecla-spellings", """ASK { wb:xhelal-svecla foaf:name "Xhelal Sveçla" ; skos:altLabel "Xhelal Svecla"@en }"""),
    ("albanian-interior-ministry-under-albania",
     "ASK { wb:ministry-interior-al org:subOrganizationOf+ wb:AL }"),
    ("kosovo-interior-ministry-under-kosovo",
     "ASK { wb:ministry-internal-affairs-xk org:subOrganizationOf+ wb:XK }"),
    ("bih-foreign-ministry-under-bih", "ASK { wb:ministry-foreign-affairs-ba org:subOrganizationOf+ wb:BA }"),
    ("rcc-misnomer-kept-hidden", """ASK { wb:RCC skos:hiddenLabel "Regional Security Council"@en }"""),
    ("pollsters-behind-securimeter", "ASK { wb:securimeter-2022 dcterms:creator wb:acit-centre , wb:finance-think }"),
    # --- affiliations -------------------------------------------------------
    ("serbia-nato-partner-via-pfp", """ASK { ?m a org:Membership ; org:member wb:RS ; org:organization wb:NATO ;
        org:role wbo:Partner ; wbo:via wb:PfP }"""),
    ("bih-nato-partner-via-pfp", """ASK { ?m org:member wb:BA ; org:organization wb:NATO ;
        org:role wbo:Partner ; wbo:via wb:PfP }"""),
    ("albania-nato-member-since-2009", """ASK { ?m org:member wb:AL ; org:organization wb:NATO ; org:role wbo:Member ;
        schema:validFrom "2009"^^xsd:gYear ; prov:wasDerivedFrom wb:eata-nato-member-countries }"""),
    ("kosovo-nato-aspirant", "ASK { ?m org:member wb:XK ; org:organization wb:NATO ; org:role wbo:Aspirant }"),
    ("balla-minister-of-interior", """ASK { ?m org:member wb:taulant-balla ; org:organization wb:ministry-interior-al ;
        org:role wbo:Minister }"""),
    ("brkic-deputy-foreign-minister", """ASK { ?m org:member wb:josip-brkic ;
        org:organization wb:ministry-foreign-affairs-ba ; org:role wbo:DeputyMinister }"""),
    ("ilazi-research-director-kcss", """ASK { ?m org:member wb:dan-ilazi ; org:organization wb:KCSS ;
        org:role wbo:ResearchDirector }"""),
    ("independent-consultant-without-invented-employer", """ASK {
        ?p a org:Post ; org:heldBy wb:sonja-stojanovic-gajic ; org:role wbo:IndependentConsultant .
        FILTER NOT EXISTS { ?p org:postIn ?any } }"""),
    ("albania-hosts-berlin-process-2023", """ASK { ?m org:member wb:government-al ; org:organization wb:BerlinProcess ;
        org:role wbo:Host ; schema:validFrom "2023"^^xsd:gYear }"""),
    # --- bilateral cooperation ------------------------------------------------
    ("al-xk-26-agreements-strong", """ASK { wb:coop-al-xk-security a wbo:BilateralCooperation ;
        wbo:party wb:AL , wb:XK ; wbo:agreementCount "26"^^xsd:nonNegativeInteger ;
        wbo:cooperationStatus wbo:StrongCooperation ; wbo:domain wbo:SecurityCooperation ; rdfs:comment ?c }"""),
    ("xk-mk-14-agreements", """ASK { ?c a wbo:BilateralCooperation ; wbo:party wb:XK , wb:MK ;
        wbo:agreementCount "14"^^xsd:nonNegativeInteger }"""),
    ("xk-me-9-agreements", """ASK { ?c a wbo:BilateralCooperation ; wbo:party wb:XK , wb:ME ;
        wbo:agreementCount "9"^^xsd:nonNegativeInteger }"""),
    ("xk-rs-no-progress", """ASK { ?c a wbo:BilateralCooperation ; wbo:party wb:XK , wb:RS ;
        wbo:cooperationStatus wbo:NoProgress ; wbo:domain wbo:SecurityCooperation }"""),
    ("xk-rs-no-progress-is-not-a-count", """ASK { ?c a wbo:BilateralCooperation ; wbo:party wb:XK , wb:RS .
        FILTER NOT EXISTS { ?c wbo:agreementCount ?n } }"""),
    # --- agreements -----------------------------------------------------------
    ("id-card-agreement-berlin-process", """ASK { wb:berlin-process-id-card-agreement a wbo:Agreement ;
        wbo:framework wb:BerlinProcess ; wbo:party wb:AL , wb:BA , wb:ME , wb:MK , wb:RS , wb:XK ;
        dcterms:date "2022-11-03"^^xsd:date ;
        prov:wasDerivedFrom wb:euractiv-2023-tirana-panel , wb:anews-2023-kosovo-id-card-agreement }"""),
    # --- initiatives ----------------------------------------------------------
    ("iisg-hosted-by-rcc-since-2017", """ASK { wb:IISG a wbo:Initiative ; wbo:hostedBy wb:RCC ;
        schema:validFrom "2017"^^xsd:gYear ; wbo:supportedBy wb:EU }"""),
    ("iisg-addresses-terrorism-and-organised-crime", "ASK { wb:IISG wbo:addresses wbo:Terrorism , wbo:OrganisedCrime }"),
    ("stability-pact-became-rcc-2007", """ASK { ?e a org:ChangeEvent ; org:originalOrganization wb:StabilityPact ;
        org:resultingOrganization wb:RCC ; dcterms:date "2007"^^xsd:gYear .
        wb:RCC dcterms:replaces wb:StabilityPact . wb:StabilityPact wbo:lifecycleStatus wbo:Dissolved }"""),
    ("wbsf-proposed-and-recommended", """ASK { wb:WBSF wbo:lifecycleStatus wbo:Proposed .
        ?r a wbo:Recommendation ; wbo:concerns wb:WBSF ; wbo:recommendedBy wb:mentor-beqa }"""),
    ("pfp-is-a-nato-framework", "ASK { wb:PfP a wbo:Initiative ; org:subOrganizationOf wb:NATO ; skos:exactMatch wd:Q653277 }"),
    # --- events ---------------------------------------------------------------
    ("banjska-attack-on-kosovo-police", """ASK { wb:banjska-attack a wbo:Incident ; wbo:target wb:kosovo-police ;
        wbo:location ?l ; dcterms:date "2023-09-24"^^xsd:date . FILTER(CONTAINS(?l, "Banjska")) }"""),
    ("zvecan-attack-on-kfor", "ASK { wb:zvecan-kfor-attack a wbo:Incident ; wbo:target wb:KFOR ; wbo:location \"Zvečan\" }"),
    ("russia-invades-ukraine", "ASK { ?e a wbo:Incident ; wbo:participant wb:RU ; wbo:target wb:UA }"),
    ("interior-ministers-meeting-themes", """ASK { ?m a wbo:Meeting ; wbo:framework wb:BerlinProcess ;
        wbo:domain wbo:BorderSecurity , wbo:SeriousCrime , wbo:Cybersecurity ; wbo:participant wb:taulant-balla }"""),
    ("panel-part-of-tirana-forum", """ASK { wb:panel-breaking-barriers-2023 dcterms:isPartOf ?f .
        ?f a wbo:Meeting ; wbo:location "Tirana" ; wbo:framework wb:BerlinProcess }"""),
    # --- statements -----------------------------------------------------------
    ("albania-condemns-banjska", """ASK { ?s a wbo:Statement ; wbo:speaker wb:taulant-balla ; wbo:onBehalfOf wb:AL ;
        wbo:stance wbo:Condemns ; wbo:about wb:banjska-attack }"""),
    ("kosovo-accuses-serbia", """ASK { ?s a wbo:Statement ; wbo:speaker wb:xhelal-svecla ; wbo:onBehalfOf wb:XK ;
        wbo:stance wbo:Accuses ; wbo:target wb:RS ; wbo:about wb:banjska-attack }"""),
    ("balla-calls-for-common-approach-on-cybercrime", """ASK { ?s a wbo:Statement ; wbo:speaker wb:taulant-balla ;
        wbo:stance wbo:CallsFor ; wbo:about wbo:Cybercrime }"""),
    ("stojanovic-gajic-calls-for-rule-of-law", """ASK { ?s wbo:speaker wb:sonja-stojanovic-gajic ;
        wbo:stance wbo:CallsFor ; wbo:about wbo:RuleOfLaw }"""),
    ("us-and-eu-urge-regional-cooperation", """ASK { ?a wbo:onBehalfOf wb:US ; wbo:stance wbo:CallsFor ;
        wbo:about wbo:SecurityCooperation . ?b wbo:onBehalfOf wb:EU ; wbo:stance wbo:CallsFor ;
        wbo:about wbo:SecurityCooperation }"""),
    # --- recommendations ------------------------------------------------------
    ("commission-reconciliation-facility", """ASK { ?r a wbo:Recommendation ;
        wbo:recommendedBy wb:security-geopolitics-working-group ; wbo:addressedTo wb:EuropeanCommission ;
        wbo:concerns wbo:Reconciliation }"""),
    ("fdi-screening-2024-to-all-six", """ASK { ?r a wbo:Recommendation ; wbo:concerns wbo:InvestmentScreening ;
        wbo:addressedTo wb:AL , wb:BA , wb:ME , wb:MK , wb:RS , wb:XK ; dcterms:temporal "2024"^^xsd:gYear }"""),
    ("media-civil-society-disinformation", """ASK { ?r a wbo:Recommendation ; wbo:addressedTo wb:wb-media ,
        wb:wb-civil-society ; wbo:concerns wbo:MediaAndDisinformation }"""),
    ("iisg-result-based", """ASK { ?r a wbo:Recommendation ; wbo:recommendedBy wb:mentor-beqa ; wbo:concerns wb:IISG }"""),
    # --- survey figures (exact decimals) -------------------------------------
    ("asb-russia-threat-63.1", _pct("wb:AL", "wbo:ThreatPerception", "wb:RU", "63.1", ASB)),
    ("asb-china-threat-19", _pct("wb:AL", "wbo:ThreatPerception", "wb:CN", "19", ASB)),
    ("asb-serbia-threat-66.8", _pct("wb:AL", "wbo:ThreatPerception", "wb:RS", "66.8", ASB)),
    ("asb-greece-threat-4.8", _pct("wb:AL", "wbo:ThreatPerception", "wb:GR", "4.8", ASB)),
    ("asb-war-30.2", _pct("wb:AL", "wbo:ThreatPerception", "wbo:War", "30.2", ASB)),
    ("asb-corruption-most-serious-39.3", _pct("wb:AL", "wbo:MostSeriousThreat", "wbo:Corruption", "39.3", ASB)),
    ("asb-organised-crime-second-19.2",
     _pct("wb:AL", "wbo:SecondMostSeriousThreat", "wbo:OrganisedCrime", "19.2", ASB)),
    ("asb-need-for-allies-88.5", _pct("wb:AL", "wbo:NeedForAllies", "", "88.5", ASB)),
    ("asb-priority-partner-us-70.1", _pct("wb:AL", "wbo:PriorityPartner", "wb:US", "70.1", ASB)),
    ("asb-best-relations-turkey-37.4", _pct("wb:AL", "wbo:BestRelations", "wb:TR", "37.4", ASB)),
    ("asb-best-relations-italy-8", _pct("wb:AL", "wbo:BestRelations", "wb:IT", "8", ASB)),
    ("asb-closer-balkan-cooperation-79.6",
     _pct("wb:AL", "wbo:SupportForRegionalCooperation", "wb:WesternBalkans", "79.6", ASB)),
    ("asb-al-rs-cooperation-74.4", _pct("wb:AL", "wbo:SupportForBilateralCooperation", "wb:RS", "74.4", ASB)),
    ("asb-obstacle-politicians-42.5",
     _pct("wb:AL", "wbo:ObstacleToReconciliation", "wb:politicians-benefiting-from-conflict", "42.5", ASB)),
    ("asb-cooperation-focus-natural-disasters-10",
     _pct("wb:AL", "wbo:CooperationPriorityArea", "wbo:NaturalDisasters", "10", ASB)),
    ("securimeter-war-instability-44-in-2022",
     _pct("wb:WesternBalkans", "wbo:NegativeImpactOnSecurity", "wb:war-or-political-instability", "44", SM)),
    ("securimeter-war-instability-22-in-2021",
     _pct("wb:WesternBalkans", "wbo:NegativeImpactOnSecurity", "wb:war-or-political-instability", "22", SM, "2021")),
    ("securimeter-regional-cooperation-70",
     _pct("wb:WesternBalkans", "wbo:SupportForRegionalCooperation", "wb:WesternBalkans", "70", SM)),
    ("securimeter-expect-worse-20", _pct("wb:WesternBalkans", "wbo:ExpectSecurityToWorsen", "", "20", SM)),
    ("iri-serbs-favourable-to-albania-20", _pct("wb:RS", "wbo:FavourableOpinion", "wb:AL", "20", IRI)),
    ("iri-serbs-highly-unfavourable-40", _pct("wb:RS", "wbo:HighlyUnfavourableOpinion", "wb:AL", "40", IRI)),
    ("iri-bih-parties-leaders-75", _pct("wb:BA", "wbo:ResponsibilityForTensions", "wb:parties-and-leaders", "75", IRI)),
    ("iri-kosovo-open-balkan-42", _pct("wb:XK", "wbo:SupportForInitiative", "wb:OpenBalkan", "42", IRI)),
    # --- sources --------------------------------------------------------------
    ("fes-paper-bibliography", """ASK { wb:fes-2023-future-is-cooperative a wbo:Source ; dcterms:title ?t ;
        dcterms:creator wb:mentor-beqa ; dcterms:publisher ?p ; dcterms:issued "2023"^^xsd:gYear .
        ?p org:subOrganizationOf wb:FES }"""),
    ("euractiv-report-in-series", """ASK { wb:euractiv-2023-tirana-panel a wbo:Source ; dcterms:publisher wb:euractiv ;
        dcterms:isPartOf ?series ; dcterms:issued "2023"^^xsd:gYear . ?series skos:prefLabel "The Western Balkans project"@en }"""),
    ("survey-publishers", """ASK { wb:asb-2022 a wbo:Survey ; dcterms:publisher wb:CSDG .
        wb:securimeter-2022 a wbo:Survey ; dcterms:publisher wb:RCC .
        wb:iri-wb-survey-2022 a wbo:Survey ; dcterms:publisher wb:IRI ; dcterms:issued "2022"^^xsd:gYear }"""),
]

SELECT_FACTS: list[tuple[str, str, list[tuple[str, ...]]]] = [
    ("six-polities-in-the-region",
     "SELECT ?p WHERE { ?p a wbo:Polity ; wbo:region wb:WesternBalkans }",
     [(str(WB[c]),) for c in ("AL", "BA", "ME", "MK", "RS", "XK")]),
    ("nato-members-exactly-three",
     "SELECT DISTINCT ?p WHERE { ?m a org:Membership ; org:member ?p ; org:organization wb:NATO ; org:role wbo:Member }",
     [(str(WB[c]),) for c in ("AL", "ME", "MK")]),
    ("eu-negotiating-candidates",
     "SELECT ?p WHERE { ?m org:member ?p ; org:organization wb:EU ; org:role wbo:NegotiatingCandidate }",
     [(str(WB[c]),) for c in ("AL", "ME", "MK", "RS")]),
    ("eu-status-undecided",
     "SELECT ?p WHERE { ?m org:member ?p ; org:organization wb:EU ; org:role wbo:StatusUndecided }",
     [(str(WB[c]),) for c in ("BA", "XK")]),
    ("special-representatives-appointed-by",
     "SELECT ?a WHERE { ?post a org:Post ; org:postIn ?a ; org:role wbo:SpecialRepresentative }",
     [(str(WB[c]),) for c in ("DE", "EU", "FR", "GB", "US")]),
    ("iisg-pillars",
     "SELECT ?p WHERE { ?p wbo:pillarOf wb:IISG }",
     [(str(WB[c]),) for c in ("WBBSi", "WBCSCi", "WBCTi")]),
    ("berlin-process-participants-as-of-signing",
     """SELECT ?p WHERE { ?m org:member ?p ; org:organization wb:BerlinProcess ; org:role wbo:Participant ;
        wbo:asOf "2022-11-03"^^xsd:date }""",
     [(str(WB[c]),) for c in ("AL", "BA", "ME", "MK", "RS", "XK")]),
    ("open-balkan-support-by-polity",
     """SELECT ?area ?p WHERE { ?o wbo:indicator wbo:SupportForInitiative ; wbo:about wb:OpenBalkan ;
        sdmx-dimension:refArea ?area ; wbo:percentage ?p }""",
     [(str(WB["BA"]), "68"), (str(WB["ME"]), "66"),
      (str(WB["MK"]), "61"), (str(WB["RS"]), "75"),
      (str(WB["XK"]), "42")]),
    ("asb-priority-partners",
     "SELECT ?a ?p WHERE { ?o wbo:indicator wbo:PriorityPartner ; wbo:about ?a ; wbo:percentage ?p }",
     [(str(WB["DE"]), "16.7"), (str(WB["GB"]), "1.7"),
      (str(WB["IT"]), "2.7"), (str(WB["TR"]), "6.9"),
      (str(WB["US"]), "70.1")]),
    ("iri-tensions-by-polity",
     """SELECT ?area ?p WHERE { ?o wbo:indicator wbo:ResponsibilityForTensions ; sdmx-dimension:refArea ?area ;
        wbo:percentage ?p }""",
     [(str(WB["BA"]), "75"), (str(WB["ME"]), "69"),
      (str(WB["MK"]), "60"), (str(WB["RS"]), "40")]),
    ("kosovo-bilateral-counts",
     """SELECT ?other ?n WHERE { ?c a wbo:BilateralCooperation ; wbo:party wb:XK , ?other ;
        wbo:agreementCount ?n . FILTER(?other != wb:XK) }""",
     [(str(WB["AL"]), "26"), (str(WB["ME"]), "9"),
      (str(WB["MK"]), "14")]),
    ("fes-observation-count-per-survey",
     "SELECT ?d (COUNT(?o) AS ?n) WHERE { ?o a qb:Observation ; qb:dataSet ?d ; prov:wasDerivedFrom wb:fes-2023-future-is-cooperative } GROUP BY ?d",
     [(str(WB["asb-2022"]), "34"), (str(WB["iri-wb-survey-2022"]), "12"),
      (str(WB["securimeter-2022"]), "5")]),
]

# Classes whose instances are claims and so must name their source and locator.
CLAIM_CLASSES = """VALUES ?cls { org:Membership org:Post wbo:BilateralCooperation wbo:Agreement org:ChangeEvent
    wbo:Event wbo:Statement wbo:Recommendation qb:Observation }"""


@pytest.mark.parametrize(("fact", "query"), ASK_FACTS, ids=[f for f, _ in ASK_FACTS])
def test_fact_holds(g: Graph, fact: str, query: str) -> None:
    assert _ask(g, query), fact


@pytest.mark.parametrize(("fact", "query", "expected"), SELECT_FACTS, ids=[f for f, _, _ in SELECT_FACTS])
def test_fact_rows(g: Graph, fact: str, query: str, expected: list[tuple[str, ...]]) -> None:
    assert _rows(g, query) == sorted(expected), fact


def test_fact_table_is_large_enough() -> None:
    assert len(ASK_FACTS) + len(SELECT_FACTS) >= 45


def test_there_are_claims_of_every_kind(g: Graph) -> None:
    rows = _rows(g, f"""SELECT ?cls (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {CLAIM_CLASSES}
        ?c a/rdfs:subClassOf* ?cls }} GROUP BY ?cls""")
    assert len(rows) == 9
    assert all(int(n) > 0 for _cls, n in rows)


def test_no_claim_lacks_a_described_source(g: Graph) -> None:
    missing = _rows(g, f"""SELECT DISTINCT ?c WHERE {{ {CLAIM_CLASSES}
        ?c a/rdfs:subClassOf* ?cls .
        FILTER NOT EXISTS {{ ?c prov:wasDerivedFrom ?s . ?s a/rdfs:subClassOf* wbo:Source }} }}""")
    assert missing == []


def test_no_claim_lacks_a_locator(g: Graph) -> None:
    missing = _rows(g, f"""SELECT DISTINCT ?c WHERE {{ {CLAIM_CLASSES}
        ?c a/rdfs:subClassOf* ?cls . FILTER NOT EXISTS {{ ?c wbo:locator ?l }} }}""")
    assert missing == []


def test_every_relayed_figure_names_its_survey_as_primary_source(g: Graph) -> None:
    bad = _rows(g, """SELECT ?o WHERE { ?o a qb:Observation ; qb:dataSet ?d .
        FILTER NOT EXISTS { ?o prov:hadPrimarySource ?d } }""")
    assert bad == []


def test_no_agreement_count_of_zero(g: Graph) -> None:
    assert not _ask(g, "ASK { ?c wbo:agreementCount ?n . FILTER(?n = 0) }")


def test_evidence_quotes_are_at_most_30_words(g: Graph) -> None:
    long_quotes = [q for (q,) in _rows(g, "SELECT ?q WHERE { ?c wbo:evidence ?q }") if len(q.split()) > 30]
    assert long_quotes == []


def test_no_conflict_is_one_sided(g: Graph) -> None:
    """wbo:conflictsWith is written in both directions, so either claim leads a reader to the other."""
    one_sided = _rows(g, """SELECT ?a ?b WHERE { ?a wbo:conflictsWith ?b FILTER NOT EXISTS { ?b wbo:conflictsWith ?a } }""")
    assert one_sided == []


def test_conflicting_claims_cite_different_sources(g: Graph) -> None:
    """Two versions of a fact are kept because two documents state it differently."""
    same = _rows(g, """SELECT ?a ?b WHERE { ?a wbo:conflictsWith ?b .
        FILTER NOT EXISTS { ?a prov:wasDerivedFrom ?s FILTER NOT EXISTS { ?b prov:wasDerivedFrom ?s } } }""")
    assert same == []


def test_every_claim_cites_a_source_with_a_url(g: Graph) -> None:
    """A reader can open the document behind every claim (the two core documents included)."""
    missing = _rows(g, f"""SELECT DISTINCT ?c WHERE {{ {CLAIM_CLASSES}
        ?c a/rdfs:subClassOf* ?cls .
        FILTER NOT EXISTS {{ ?c prov:wasDerivedFrom ?s . ?s schema:url ?u }} }}""")
    assert missing == []


def test_every_source_has_a_kind(g: Graph) -> None:
    missing = _rows(g, """SELECT ?s WHERE { { ?s a wbo:Source } UNION { ?s a wbo:Survey }
        FILTER NOT EXISTS { ?s wbo:sourceKind ?k } }""")
    assert missing == []
