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
    # --- per-polity survey figures relayed by news (surveys-per-polity-3.ttl) ---
    ("mcic-telma-2017-mk-neighbourly-relations-58.4", """ASK {
        ?o a qb:Observation ; qb:dataSet wb:mcic-telma-neighbourly-relations-survey-2017 ;
           sdmx-dimension:refArea wb:MK ; sdmx-dimension:refPeriod ?y ;
           wbo:indicator wbo:SupportForRegionalCooperation ; wbo:about wb:WesternBalkans ; wbo:percentage ?p ;
           prov:wasDerivedFrom ?s ; prov:hadPrimarySource wb:mcic-telma-neighbourly-relations-survey-2017 .
        ?s schema:url <http://www.koha.mk/greqia-dhe-shqiperia-sipas-maqedonasve-jane-armiq-te-maqedonise/> .
        FILTER(str(?y) = "2017" && datatype(?y) = xsd:gYear)
        FILTER(str(?p) = "58.4" && datatype(?p) = xsd:decimal)
    }"""),
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
        sdmx-dimension:refArea ?area ; wbo:percentage ?p ; prov:wasDerivedFrom wb:fes-2023-future-is-cooperative }""",
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
        wbo:agreementCount ?n ; prov:wasDerivedFrom wb:euractiv-2023-tirana-panel . FILTER(?other != wb:XK) }""",
     [(str(WB["AL"]), "26"), (str(WB["ME"]), "9"),
      (str(WB["MK"]), "14")]),
    ("fes-observation-count-per-survey",
     "SELECT ?d (COUNT(?o) AS ?n) WHERE { ?o a qb:Observation ; qb:dataSet ?d ; prov:wasDerivedFrom wb:fes-2023-future-is-cooperative } GROUP BY ?d",
     [(str(WB["asb-2022"]), "34"), (str(WB["iri-wb-survey-2022"]), "12"),
      (str(WB["securimeter-2022"]), "5")]),
]


# Landscape facts (issue 13): founding, memberships with what their date stands for, one dated
# instrument per pair, successions, missions and recorded conflicts, read in named public sources.
LANDSCAPE_FACTS: list[tuple[str, str]] = [
    ('a5-founded-2003-05-02',
     'ASK { wb:A5 wbo:founded "2003-05-02"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('berlinprocess-founded-2014-08-28',
     'ASK { wb:BerlinProcess wbo:founded "2014-08-28"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('brdobrijuni-founded-2013',
     'ASK { wb:BrdoBrijuni wbo:founded "2013"^^xsd:gYear ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('dppisee-founded-2000',
     'ASK { wb:DPPISEE wbo:founded "2000"^^xsd:gYear ; wbo:seat "Sarajevo" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('euforalthea-founded-2004-12-02',
     'ASK { wb:EUFORAlthea wbo:founded "2004-12-02"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('eulex-founded-2008-02-04',
     'ASK { wb:EULEX wbo:founded "2008-02-04"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('kfor-founded-1999-06-12',
     'ASK { wb:KFOR wbo:founded "1999-06-12"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('marri-founded-2004-04-05',
     'ASK { wb:MARRI wbo:founded "2004-04-05"^^xsd:date ; wbo:seat "Skopje" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('openbalkan-founded-2019-10-10',
     'ASK { wb:OpenBalkan wbo:founded "2019-10-10"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('pccsee-founded-2006-05-05',
     'ASK { wb:PCCSEE wbo:founded "2006-05-05"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('racviac-founded-2000',
     'ASK { wb:RACVIAC wbo:founded "2000"^^xsd:gYear ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('rcc-founded-2008-02-27',
     'ASK { wb:RCC wbo:founded "2008-02-27"^^xsd:date ; wbo:seat "Sarajevo" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('ryco-founded-2016-07-04',
     'ASK { wb:RYCO wbo:founded "2016-07-04"^^xsd:date ; wbo:seat "Tirana" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('secicenter-founded-1999',
     'ASK { wb:SECICenter wbo:founded "1999"^^xsd:gYear ; wbo:seat "Bucharest" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('seebrig-founded-1999-08-31',
     'ASK { wb:SEEBRIG wbo:founded "1999-08-31"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('seecp-founded-1996-07-07',
     'ASK { wb:SEECP wbo:founded "1996-07-07"^^xsd:date ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('seesac-founded-2002-05-08',
     'ASK { wb:SEESAC wbo:founded "2002-05-08"^^xsd:date ; wbo:seat "Belgrade" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('selec-founded-2011-10-07',
     'ASK { wb:SELEC wbo:founded "2011-10-07"^^xsd:date ; wbo:seat "Bucharest" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('osce-presence-albania-founded-1997-03-27',
     'ASK { wb:osce-presence-albania wbo:founded "1997-03-27"^^xsd:date ; wbo:seat "Tirana" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('osce-mission-serbia-founded-2001-01-11',
     'ASK { wb:osce-mission-serbia wbo:founded "2001-01-11"^^xsd:date ; wbo:seat "Belgrade" ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('al-a5-member-2003-05-02',
     'ASK { ?m a org:Membership ; org:member wb:AL ; org:organization wb:A5 ; org:role wbo:Member ; schema:validFrom "2003-05-02"^^xsd:date ; wbo:startBasis wbo:Founding }'),
    ('ba-a5-member-2008-12-04',
     'ASK { ?m a org:Membership ; org:member wb:BA ; org:organization wb:A5 ; org:role wbo:Member ; schema:validFrom "2008-12-04"^^xsd:date ; wbo:startBasis wbo:Admission }'),
    ('rs-a5-observer-2008',
     'ASK { ?m a org:Membership ; org:member wb:RS ; org:organization wb:A5 ; org:role wbo:Observer ; schema:validFrom "2008"^^xsd:gYear }'),
    ('xk-marri-participant-2015-06-10',
     'ASK { ?m a org:Membership ; org:member wb:XK ; org:organization wb:MARRI ; org:role wbo:Participant ; schema:validFrom "2015-06-10"^^xsd:date ; wbo:startBasis wbo:Admission }'),
    ('al-nato-member-2009',
     'ASK { ?m a org:Membership ; org:member wb:AL ; org:organization wb:NATO ; org:role wbo:Member ; schema:validFrom "2009"^^xsd:gYear ; wbo:startBasis wbo:Accession }'),
    ('me-nato-member-2017',
     'ASK { ?m a org:Membership ; org:member wb:ME ; org:organization wb:NATO ; org:role wbo:Member ; schema:validFrom "2017"^^xsd:gYear ; wbo:startBasis wbo:Accession }'),
    ('al-openbalkan-participant-2019-10-10',
     'ASK { ?m a org:Membership ; org:member wb:AL ; org:organization wb:OpenBalkan ; org:role wbo:Participant ; schema:validFrom "2019-10-10"^^xsd:date ; wbo:startBasis wbo:Signature }'),
    ('rs-pccsee-contractingparty-2007-07-25',
     'ASK { ?m a org:Membership ; org:member wb:RS ; org:organization wb:PCCSEE ; org:role wbo:ContractingParty ; schema:validFrom "2007-07-25"^^xsd:date ; wbo:startBasis wbo:Ratification }'),
    ('xk-racviac-participant-2014-10-10',
     'ASK { ?m a org:Membership ; org:member wb:XK ; org:organization wb:RACVIAC ; org:role wbo:Participant ; schema:validFrom "2014-10-10"^^xsd:date ; wbo:startBasis wbo:Admission }'),
    ('xk-rcc-participant-2013',
     'ASK { ?m a org:Membership ; org:member wb:XK ; org:organization wb:RCC ; org:role wbo:Participant ; schema:validFrom "2013"^^xsd:gYear ; wbo:startBasis wbo:Admission }'),
    ('me-seecp-participant-2007',
     'ASK { ?m a org:Membership ; org:member wb:ME ; org:organization wb:SEECP ; org:role wbo:Participant ; schema:validFrom "2007"^^xsd:gYear ; wbo:startBasis wbo:Accession }'),
    ('ba-sedm-member-2007-10-21',
     'ASK { ?m a org:Membership ; org:member wb:BA ; org:organization wb:SEDM ; org:role wbo:Member ; schema:validFrom "2007-10-21"^^xsd:date ; wbo:startBasis wbo:Admission }'),
    ('mk-seebrig-member-1998-09-26',
     'ASK { ?m a org:Membership ; org:member wb:MK ; org:organization wb:SEEBRIG ; org:role wbo:Member ; schema:validFrom "1998-09-26"^^xsd:date ; wbo:startBasis wbo:Signature }'),
    ('al-secicenter-member-1999-05-26',
     'ASK { ?m a org:Membership ; org:member wb:AL ; org:organization wb:SECICenter ; org:role wbo:Member ; schema:validFrom "1999-05-26"^^xsd:date ; wbo:startBasis wbo:Signature }'),
    ('the-six-signed-ryco-2016',
     'ASK { FILTER NOT EXISTS { VALUES ?p { wb:AL wb:BA wb:ME wb:MK wb:RS wb:XK }\n        FILTER NOT EXISTS { ?m org:member ?p ; org:organization wb:RYCO ; org:role wbo:ContractingParty ;\n            schema:validFrom "2016-07-04"^^xsd:date ; wbo:startBasis wbo:Signature } } }'),
    ('the-six-founded-iisg-2017',
     'ASK { FILTER NOT EXISTS { VALUES ?p { wb:AL wb:BA wb:ME wb:MK wb:RS wb:XK }\n        FILTER NOT EXISTS { ?m org:member ?p ; org:organization wb:IISG ; org:role wbo:Participant ;\n            schema:validFrom "2017-09-08"^^xsd:date ; wbo:startBasis wbo:Founding } } }'),
    ('ba-al-customs',
     'ASK { wb:agr-ba-al-customs a wbo:Agreement ; wbo:party wb:AL , wb:BA ; dcterms:date "2009"^^xsd:gYear ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('me-al-classified-information-2013',
     'ASK { wb:agr-me-al-classified-information-2013 a wbo:Agreement ; wbo:party wb:AL , wb:ME ; dcterms:date "2013-03-11"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('mk-al-counter-terrorism-protocol-2018',
     'ASK { wb:agr-mk-al-counter-terrorism-protocol-2018 a wbo:Agreement ; wbo:party wb:AL , wb:MK ; dcterms:date "2018"^^xsd:gYear ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('al-rs-aeo-security-mutual-recognition-2021',
     'ASK { wb:agr-al-rs-aeo-security-mutual-recognition-2021 a wbo:Agreement ; wbo:party wb:AL , wb:RS ; dcterms:date "2021-12-21"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('al-xk-checks-free-crossing-weekends-2022',
     'ASK { wb:agr-al-xk-checks-free-crossing-weekends-2022 a wbo:Agreement ; wbo:party wb:AL , wb:XK ; dcterms:date "2022-06-20"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('ba-me-disaster-protection-2007',
     'ASK { wb:agr-ba-me-disaster-protection-2007 a wbo:Agreement ; wbo:party wb:BA , wb:ME ; dcterms:date "2007-09-07"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('ba-rs-police-cooperation',
     'ASK { wb:agr-ba-rs-police-cooperation a wbo:Agreement ; wbo:party wb:BA , wb:RS ; dcterms:date "2010"^^xsd:gYear ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('me-mk-classified-information',
     'ASK { wb:agr-me-mk-classified-information a wbo:Agreement ; wbo:party wb:ME , wb:MK ; dcterms:date "2019-05-24"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('me-rs-defence-assets-exchange-2010',
     'ASK { wb:agr-me-rs-defence-assets-exchange-2010 a wbo:Agreement ; wbo:party wb:ME , wb:RS ; dcterms:date "2010-04-14"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('xk-me-defence-cooperation-2022',
     'ASK { wb:agr-xk-me-defence-cooperation-2022 a wbo:Agreement ; wbo:party wb:ME , wb:XK ; dcterms:date "2022-09-09"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('mk-rs-extradition-2011',
     'ASK { wb:agr-mk-rs-extradition-2011 a wbo:Agreement ; wbo:party wb:MK , wb:RS ; dcterms:date "2011-11-29"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('xk-mk-security-cooperation-memorandum-2019',
     'ASK { wb:agr-xk-mk-security-cooperation-memorandum-2019 a wbo:Agreement ; wbo:party wb:MK , wb:XK ; dcterms:date "2019"^^xsd:gYear ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('rs-xk-regional-representation-2012',
     'ASK { wb:agr-rs-xk-regional-representation-2012 a wbo:Agreement ; wbo:party wb:RS , wb:XK ; dcterms:date "2012-02-24"^^xsd:date ; wbo:instrumentKind ?k ; wbo:domain ?d ; wbo:locator ?l ; prov:wasDerivedFrom ?s . ?s schema:url ?u }'),
    ('selec-replaces-seci-center',
     'ASK { wb:SELEC dcterms:replaces wb:SECICenter }'),
    ('rcc-replaces-stability-pact',
     'ASK { wb:RCC dcterms:replaces wb:StabilityPact }'),
    ('kfor-operates-in-kosovo',
     'ASK { wb:KFOR a wbo:Mission ; wbo:operatesIn wb:XK }'),
    ('eufor-althea-operates-in-bih',
     'ASK { wb:EUFORAlthea a wbo:Mission ; wbo:operatesIn wb:BA }'),
    ('iisg-host-fes-vs-dcaf',
     'ASK { wb:mship-rcc-iisg-host-fes wbo:conflictsWith wb:mship-dcaf-ljubljana-iisg-host ; org:role wbo:Host ; prov:wasDerivedFrom wb:fes-2023-future-is-cooperative }'),
    ('iisg-host-fes-vs-rcc-2020',
     'ASK { wb:mship-rcc-iisg-host-fes wbo:conflictsWith wb:mship-rcc-iisg-host-2020 }'),
    ('marri-founding-2003-vs-2004',
     'ASK { wb:founding-marri-2003 wbo:conflictsWith wb:founding-marri-2004 . wb:founding-marri-2004 wbo:about wb:MARRI }'),
    ('rcc-founding-fes-2007-vs-2008',
     'ASK { wb:founding-rcc-2007-fes wbo:conflictsWith wb:founding-rcc-2008 }'),
    ('pccsee-entry-into-force-conflict',
     'ASK { wb:mship-al-pccsee-eif-2007 wbo:conflictsWith wb:mship-al-pccsee-eif-2008 ; wbo:startBasis wbo:EntryIntoForce }'),
    ('ba-rs-police-agreement-three-dates',
     'ASK { wb:agr-ba-rs-police-cooperation wbo:conflictsWith wb:agr-ba-rs-police-cooperation-novosti , wb:agr-ba-rs-police-cooperation-siol }'),
    ('rs-xk-2013-agreement-not-signed',
     'ASK { wb:agr-rs-xk-first-agreement-normalisation-2013 wbo:instrumentStatus wbo:AgreedNotSigned FILTER NOT EXISTS { wb:agr-rs-xk-first-agreement-normalisation-2013 dcterms:date ?d } }'),
    ('ba-xk-no-instrument',
     'ASK { FILTER NOT EXISTS { ?i a wbo:Agreement ; wbo:party wb:BA , wb:XK . FILTER NOT EXISTS { ?i wbo:party ?x , ?y . FILTER (?x != wb:BA && ?x != wb:XK && ?y != wb:BA && ?y != wb:XK && ?x != ?y) } } }'),
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


@pytest.mark.parametrize(("fact", "query"), LANDSCAPE_FACTS, ids=[f for f, _ in LANDSCAPE_FACTS])
def test_landscape_fact_holds(g: Graph, fact: str, query: str) -> None:
    assert _ask(g, query), fact


#: The facts that state an absence hold on empty data; each must fail once the absent thing is there (Turtle).
ABSENCE_WITNESSES = {
    "ba-xk-no-instrument": "wb:witness a wbo:Agreement ; wbo:party wb:BA , wb:XK .",
}


def test_every_fact_fails_on_data_that_lacks_it() -> None:
    """No row holds vacuously: each fails on empty data, or, stating an absence, once the absent thing is added."""
    ids = [f for f, _ in ASK_FACTS] + [f for f, _, _ in SELECT_FACTS] + [f for f, _ in LANDSCAPE_FACTS]
    assert sorted(f for f in set(ids) if ids.count(f) > 1) == []  # a repeated id would hide a row
    empty = Graph()
    vacuous = [f for f, q in ASK_FACTS + LANDSCAPE_FACTS if _ask(empty, q)]
    vacuous += [f for f, q, expected in SELECT_FACTS if _rows(empty, q) == sorted(expected)]
    assert sorted(vacuous) == sorted(ABSENCE_WITNESSES)
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    queries = dict(ASK_FACTS + LANDSCAPE_FACTS)
    for fact, turtle in ABSENCE_WITNESSES.items():
        assert not _ask(Graph().parse(data=prefixes + turtle, format="turtle"), queries[fact]), fact


def test_there_are_claims_of_every_kind(g: Graph) -> None:
    rows = _rows(g, f"""SELECT ?cls (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {CLAIM_CLASSES}
        ?c a/rdfs:subClassOf* ?cls }} GROUP BY ?cls""")
    assert len(rows) == 9
    assert all(int(n) > 0 for _cls, n in rows)


def _claims_without_a_described_source(g: Graph) -> list[str]:
    # two plain queries joined here: rdflib evaluates a property path inside FILTER NOT EXISTS once per claim
    sources = {s for (s,) in _rows(g, "SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* wbo:Source }")}
    cited: dict[str, set[str]] = {}
    for claim, source in _rows(g, f"""SELECT DISTINCT ?c ?s WHERE {{ {CLAIM_CLASSES}
            ?c a/rdfs:subClassOf* ?cls . OPTIONAL {{ ?c prov:wasDerivedFrom ?s }} }}"""):
        cited.setdefault(claim, set()).add(source)
    return sorted(claim for claim, given in cited.items() if not given & sources)


def test_no_claim_lacks_a_described_source(g: Graph) -> None:
    assert _claims_without_a_described_source(g) == []


def test_a_claim_citing_an_undescribed_source_is_found() -> None:
    data = Graph().parse(format="turtle", data="""
        @prefix wb: <https://w3id.org/wbsec/id/> . @prefix wbo: <https://w3id.org/wbsec/def#> .
        @prefix org: <http://www.w3.org/ns/org#> . @prefix prov: <http://www.w3.org/ns/prov#> .
        wb:ok a org:Membership ; prov:wasDerivedFrom wb:described . wb:described a wbo:Source .
        wb:bad a org:Membership ; prov:wasDerivedFrom wb:undescribed .
        wb:none a org:Membership .""")
    assert _claims_without_a_described_source(data) == [str(WB.bad), str(WB.none)]


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


@pytest.mark.slow
def test_data_readme_coverage_table_is_the_queries_answer(g: Graph) -> None:
    from pathlib import Path

    from graph.inventory import coverage_markdown

    readme = (Path(__file__).resolve().parent.parent / "ontology" / "data" / "README.md").read_text(encoding="utf-8")
    start = "tests/test_facts.py checks it -->\n\n"
    table = readme.split(start, 1)[1].split("<!-- end of coverage -->", 1)[0]
    assert table == coverage_markdown(g), "refresh the table: python -c 'from graph.store import load_graph; " \
        "from graph.inventory import coverage_markdown; print(coverage_markdown(load_graph()))'"


def test_landscape_meets_its_coverage_targets(g: Graph) -> None:
    """Issue 13's floor: 25 bodies, 150 dated memberships, 60 instruments, 13 of the 15 pairs."""
    from graph.sparql import select

    table = select(g, "landscape-coverage")
    counts = {name: int(cell) for name, cell in zip(table.columns, table.rows[0])}
    assert counts["bodies"] >= 25
    assert counts["datedMemberships"] >= 150
    assert counts["instruments"] >= 60
    assert counts["pairsWithInstruments"] >= 13
