"""The RDF -> NetworkX projection: rules, views, node and edge attributes, --as-of, fidelity, Gephi files."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, URIRef

from graph.backends import MemoryBackend
from graph.errors import InputError, PolicyError
from graph.metrics import simple_graph
from graph.namespaces import WB, WBO
from graph.project import SYMMETRIC_RELATIONS, VIEWS, network_files, resolve_node, rule_rows, rules, to_networkx
from graph.sparql import query_from_text, select
from graph.store import load_graph

NET = Path(__file__).resolve().parent / "data" / "network"


@lru_cache(maxsize=None)
def _load(name: str | None) -> Graph:
    return load_graph([NET / name], shipped=False) if name else load_graph()


def tiny() -> Graph:
    return _load("tiny.ttl")


def shipped() -> Graph:
    return _load(None)


def wb(local: str) -> str:
    return str(WB[local])


def keys(G: nx.MultiDiGraph) -> list[str]:
    return sorted(str(k) for _u, _v, k in G.edges(keys=True))


def claims_of(G: nx.MultiDiGraph, relation: str | None = None) -> list[str]:
    return sorted(d["claim"] for _u, _v, d in G.edges(data=True) if relation is None or d["relation"] == relation)


# --- rules -------------------------------------------------------------------------------------


def test_every_rule_declares_its_views_and_orders_its_rows() -> None:
    found = rules()
    names = {r.name for r in found}
    assert {"affiliation", "post", "cooperation", "absence", "agreement", "pillar", "host", "support",
            "succession", "statement", "perception", "shared-affiliation"} <= names
    for r in found:
        assert r.views and r.views <= set(VIEWS), r.name
        assert "ORDER BY" in r.text, r.name
        assert "?claim" in r.text, r.name


def test_rows_per_rule_on_the_fixture_are_the_hand_counted_ones() -> None:
    counts = {r.name: len(rule_rows(tiny(), r)) for r in rules()}
    assert counts == {
        "absence": 1, "affiliation": 8, "agreement": 3, "cooperation": 2, "host": 1, "perception": 1,
        "pillar": 1, "post": 1, "shared-affiliation": 8, "statement": 4, "succession": 1, "support": 1,
    }


def _count(g: Graph | MemoryBackend, text: str) -> int:
    """COUNT(*) of a rule's rows, by wrapping the rule as a subquery."""
    lines = text.splitlines()
    prefixes = [ln for ln in lines if ln.upper().startswith("PREFIX")]
    body = [ln for ln in lines if not ln.upper().startswith("PREFIX") and not ln.startswith("#")]
    wrapped = "\n".join(prefixes) + "\nSELECT (COUNT(*) AS ?n) WHERE {\n" + "\n".join(body) + "\n}"
    return int(select(g, query_from_text(wrapped)).rows[0][0])  # type: ignore[arg-type]


@pytest.mark.parametrize("which", ["tiny", "shipped"])
def test_projection_fidelity_edge_count_per_rule_equals_sparql_count(which: str) -> None:
    g = MemoryBackend(tiny() if which == "tiny" else shipped())  # copied into Oxigraph once for every count
    G = to_networkx(g, "actors")
    per_relation: dict[str, int] = {}
    for _u, _v, d in G.edges(data=True):
        per_relation[d["relation"]] = per_relation.get(d["relation"], 0) + 1
    edge_rules = [r for r in rules() if "actors" in r.views and r.output == "edges" and not r.fold]
    assert sum(_count(g, r.text) for r in edge_rules) == G.number_of_edges()
    for r in edge_rules:
        assert per_relation.get(r.name, 0) == _count(g, r.text), r.name
    absence = next(r for r in rules() if r.output == "absences")
    assert len(G.graph["absences"]) == _count(g, absence.text)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("which", ["tiny", "shipped"])
def test_every_edge_keeps_the_iri_of_a_claim_in_the_graph(which: str, view: str) -> None:
    g = tiny() if which == "tiny" else shipped()
    G = to_networkx(g, view)
    subjects = {str(s) for s in g.subjects()}
    for _u, _v, d in G.edges(data=True):
        assert d["claim"].startswith("https://") and d["claim"] in subjects, d
        for c in d["claims"].split():
            assert c in subjects
        assert set(d) == {"relation", "role", "via", "weight", "sign", "since", "until", "claim", "claims"}
        assert d["sign"] in (1, -1) and isinstance(d["weight"], float)


def test_rule_files_are_checked_by_the_query_engine(tmp_path: Path) -> None:
    (tmp_path / "bad.rq").write_text("# views: actors\nSELECT ?source ?target ?claim FROM <file:///etc/passwd>"
                                     " WHERE { ?claim ?source ?target } ORDER BY ?claim\n")
    with pytest.raises(PolicyError):
        to_networkx(tiny(), "actors", directory=tmp_path)
    (tmp_path / "bad.rq").write_text("# views: nowhere\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError, match="views"):
        to_networkx(tiny(), "actors", directory=tmp_path)


def test_adding_a_relation_is_adding_a_file(tmp_path: Path) -> None:
    (tmp_path / "located.rq").write_text(
        "# views: actors\nPREFIX org: <http://www.w3.org/ns/org#>\n"
        "SELECT ?source ?target ?claim WHERE { ?source org:subOrganizationOf ?target BIND(?source AS ?claim) }"
        " ORDER BY ?source\n"
    )
    G = to_networkx(tiny(), "actors", directory=tmp_path)
    assert sorted((u, v, d["relation"]) for u, v, d in G.edges(data=True)) == [
        (wb("ministry-al"), wb("AL"), "located"),
        (wb("ministry-rs"), wb("RS"), "located"),
    ]


# --- views -------------------------------------------------------------------------------------


def test_actors_view_has_every_actor_and_every_edge() -> None:
    G = to_networkx(tiny(), "actors")
    assert G.number_of_nodes() == 15 and G.number_of_edges() == 23
    assert G.graph["view"] == "actors" and G.graph["as_of"] == ""
    assert str(WBO.Corruption) in G  # a statement about a topic: kind concept
    rel = sorted({d["relation"] for *_x, d in G.edges(data=True)})
    assert rel == ["affiliation", "agreement", "cooperation", "host", "perception", "pillar", "post",
                   "statement", "succession", "support"]


def test_node_attributes() -> None:
    G = to_networkx(tiny(), "actors")
    n = G.nodes
    assert n[wb("AL")] == {"label": "Albania", "kind": "polity", "region": wb("WesternBalkans"), "external": False}
    assert n[wb("RU")]["external"] is True and n[wb("RU")]["region"] == ""
    assert n[wb("NATO")]["kind"] == "organisation" and n[wb("NATO")]["external"] is True
    assert n[wb("IISG")]["kind"] == "initiative" and n[wb("IISG")]["external"] is False
    assert n[wb("minister-al")] == {"label": "Ana Minister", "kind": "person", "region": wb("WesternBalkans"),
                                    "external": False}  # region through the post in a ministry of AL
    assert n[wb("ministry-rs")]["region"] == wb("WesternBalkans")  # through org:subOrganizationOf
    assert n[str(WBO.Corruption)]["kind"] == "concept"


def test_edge_attributes_of_each_rule() -> None:
    G = to_networkx(tiny(), "actors")

    def edge(claim: str, source: str, target: str) -> dict[str, object]:
        found = [d for d in G.get_edge_data(source, target).values() if d["claim"] == claim]
        assert len(found) == 1
        return found[0]

    d = edge(wb("m-rs-nato"), wb("RS"), wb("NATO"))
    assert (d["relation"], d["role"], d["since"], d["until"]) == ("affiliation", str(WBO.Partner), "2006", "")
    assert edge(wb("m-al-sp"), wb("AL"), wb("StabilityPact"))["until"] == "2008"
    d = edge(wb("coop-al-me"), wb("AL"), wb("ME"))
    assert (d["relation"], d["weight"], d["sign"]) == ("cooperation", 3.0, 1)
    assert edge(wb("coop-al-ba"), wb("AL"), wb("BA"))["weight"] == 1.0  # no stated count
    assert edge(wb("agr-1"), wb("BA"), wb("ME"))["since"] == "2020-01-01"
    assert edge(wb("m-minister"), wb("minister-al"), wb("ministry-al"))["relation"] == "post"
    assert edge(wb("WBCTi"), wb("WBCTi"), wb("IISG"))["relation"] == "pillar"
    assert edge(wb("IISG"), wb("IISG"), wb("RCC"))["relation"] == "host"
    assert edge(wb("IISG"), wb("IISG"), wb("EU"))["relation"] == "support"
    assert edge(wb("chg-sp-rcc"), wb("StabilityPact"), wb("RCC"))["since"] == "2008"
    d = edge(wb("st-1"), wb("minister-al"), wb("RU"))
    assert (d["relation"], d["sign"], d["role"]) == ("statement", -1, str(WBO.Condemns))
    assert edge(wb("st-1"), wb("AL"), wb("RU"))["sign"] == -1
    assert edge(wb("st-2"), wb("RS"), wb("RU"))["sign"] == 1
    d = edge(wb("obs-1"), wb("AL"), wb("RU"))
    assert (d["relation"], d["sign"], d["weight"], d["since"]) == ("perception", -1, pytest.approx(0.4), "2022")
    # no edge for a threat that is a concept, nor for a non-threat indicator
    assert wb("obs-2") not in claims_of(G) and wb("obs-3") not in claims_of(G)


def test_stated_absence_is_no_edge_but_a_marker() -> None:
    for view in VIEWS:
        G = to_networkx(tiny(), view)
        assert wb("coop-me-rs") not in claims_of(G)
        assert G.graph["absences"] == [
            {"a": wb("ME"), "b": wb("RS"), "claim": wb("coop-me-rs"), "status": str(WBO.NoProgress)}
        ]


def test_polities_view_folds_shared_affiliations_into_the_weights() -> None:
    G = to_networkx(tiny(), "polities")
    assert sorted(G.nodes) == [wb("AL"), wb("BA"), wb("ME"), wb("RS")]
    assert G.number_of_edges() == 10
    shared = sorted((u, v, d["via"], d["since"], d["claims"]) for u, v, d in G.edges(data=True)
                    if d["relation"] == "shared-affiliation")
    assert shared == [
        (wb("AL"), wb("BA"), wb("EU"), "2022-12-15", f"{wb('m-al-eu')} {wb('m-ba-eu')}"),
        (wb("AL"), wb("ME"), wb("NATO"), "2017-06-05", f"{wb('m-al-nato')} {wb('m-me-nato')}"),
        (wb("AL"), wb("RS"), wb("NATO"), "2009", f"{wb('m-al-nato')} {wb('m-rs-nato')}"),
        (wb("AL"), wb("RS"), wb("WBCTi"), "", f"{wb('m-ministry-al-wbcti')} {wb('m-ministry-rs-wbcti')}"),
        (wb("ME"), wb("RS"), wb("NATO"), "2017-06-05", f"{wb('m-me-nato')} {wb('m-rs-nato')}"),
    ]
    S = simple_graph(G)
    weights = {tuple(sorted((u[-2:], v[-2:]))): d["weight"] for u, v, d in S.edges(data=True)}
    # weight = stated agreement counts + shared named agreements + shared affiliations
    assert weights == {("AL", "ME"): 5.0, ("AL", "BA"): 3.0, ("BA", "ME"): 1.0, ("AL", "RS"): 2.0, ("ME", "RS"): 1.0}
    assert S[wb("AL")][wb("ME")]["n_cooperation"] == 1 and S[wb("AL")][wb("ME")]["n_shared-affiliation"] == 1


def test_polities_view_of_the_shipped_data_is_the_six() -> None:
    G = to_networkx(shipped(), "polities")
    assert sorted(G.nodes) == sorted(wb(c) for c in ("AL", "BA", "ME", "MK", "RS", "XK"))
    assert {d["relation"] for *_x, d in G.edges(data=True)} <= {"cooperation", "agreement", "shared-affiliation"}


def test_affiliation_and_signed_views() -> None:
    A = to_networkx(tiny(), "affiliation")
    assert {d["relation"] for *_x, d in A.edges(data=True)} == {"affiliation", "post"}
    assert A.number_of_edges() == 9
    S = to_networkx(tiny(), "signed")
    assert sorted({d["relation"] for *_x, d in S.edges(data=True)}) == [
        "agreement", "cooperation", "perception", "statement", "support"]
    assert S.number_of_edges() == 11
    assert sorted(d["sign"] for *_x, d in S.edges(data=True)).count(-1) == 3


def test_unknown_view_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown view"):
        to_networkx(tiny(), "everything")


# --- as of -------------------------------------------------------------------------------------


def test_as_of_drops_affiliations_that_began_after_the_date() -> None:
    G = to_networkx(tiny(), "actors", as_of=dt.date(2010, 6, 1))
    assert claims_of(G, "affiliation") == sorted(
        [wb("m-al-nato"), wb("m-rs-nato"), wb("m-ministry-al-wbcti"), wb("m-ministry-rs-wbcti")]
    )  # ME 2017, BA 2022, AL-EU 2014 began later; AL in the Stability Pact ended 2008
    assert claims_of(G, "post") == []  # minister since 2021
    assert claims_of(G, "agreement") == []  # signed 2020
    assert claims_of(G, "statement") == [wb("st-3")]  # undated claims are kept
    assert claims_of(G, "succession") == [wb("chg-sp-rcc")]
    assert G.graph["as_of"] == "2010-06-01"


def test_as_of_year_bounds_cover_the_whole_year() -> None:
    before = to_networkx(tiny(), "actors", as_of=dt.date(2008, 12, 31))
    after = to_networkx(tiny(), "actors", as_of=dt.date(2009, 1, 1))
    assert wb("m-al-sp") in claims_of(before) and wb("m-al-nato") not in claims_of(before)
    assert wb("m-al-sp") not in claims_of(after) and wb("m-al-nato") in claims_of(after)


def test_as_of_applies_to_folded_ties() -> None:
    G = to_networkx(tiny(), "polities", as_of=dt.date(2010, 6, 1))
    assert keys(G) == sorted([
        f"cooperation|{wb('coop-al-ba')}", f"cooperation|{wb('coop-al-me')}",
        f"shared-affiliation|{wb('m-al-nato')}", f"shared-affiliation|{wb('m-ministry-al-wbcti')}",
    ])


@pytest.mark.slow
def test_as_of_on_the_dated_affiliations_of_the_shipped_data() -> None:
    g = MemoryBackend(shipped())  # one store for the dozens of projections below
    G = to_networkx(g, "actors")
    dated = [(u, v, d) for u, v, d in G.edges(data=True) if d["relation"] == "affiliation" and d["since"]]
    # The shipped NATO memberships carry schema:validFrom (Albania 2009, Montenegro 2017, North Macedonia 2020).
    assert {d["claim"] for *_x, d in dated} >= {wb("mship-al-nato"), wb("mship-me-nato"), wb("mship-mk-nato")}
    # One projection per 31 December (the landscape dates hundreds of affiliations in a few dozen years).
    claims_on: dict[int, set[str]] = {}

    def on_31_december(year: int) -> set[str]:
        if year not in claims_on:
            claims_on[year] = set(claims_of(to_networkx(g, "actors", as_of=dt.date(year, 12, 31))))
        return claims_on[year]

    for _u, _v, d in dated:
        start = int(d["since"][:4])
        assert d["claim"] not in on_31_december(start - 1), d["claim"]
        if not d["until"]:
            assert d["claim"] in on_31_december(start), d["claim"]
    undated = [d["claim"] for *_x, d in G.edges(data=True) if not d["since"] and not d["until"]]
    early = claims_of(to_networkx(g, "actors", as_of=dt.date(1990, 1, 1)))
    assert set(undated) <= set(early)


# --- node names --------------------------------------------------------------------------------


def test_resolve_node_by_iri_prefixed_name_and_label() -> None:
    g = tiny()
    assert resolve_node(g, wb("AL")) == wb("AL")
    assert resolve_node(g, "wb:NATO") == wb("NATO")
    assert resolve_node(g, "bih") == wb("BA")
    assert resolve_node(g, "  ALBANIA ") == wb("AL")
    assert resolve_node(g, "ana minister") == wb("minister-al")


def test_resolve_node_ambiguous_and_unknown() -> None:
    g = tiny()
    with pytest.raises(InputError, match="ambiguous.*Ministry of the Interior of Albania.*Serbia"):
        resolve_node(g, "interior ministry")
    assert resolve_node(g, "Interior Ministry", among=[wb("ministry-rs"), wb("RS")]) == wb("ministry-rs")
    with pytest.raises(InputError, match="did you mean 'Albania'"):
        resolve_node(g, "Albnia")
    with pytest.raises(InputError, match="no such node"):
        resolve_node(g, "wb:Atlantis")


# --- files -------------------------------------------------------------------------------------


GEXF_SCHEMA = Path(__file__).resolve().parent / "data" / "gexf-1.2draft" / "gexf.xsd"
GEXF = "{http://www.gexf.net/1.2draft}"


def _expected_edge(d: dict[str, object]) -> dict[str, object]:
    return {**d, "directed": d["relation"] not in SYMMETRIC_RELATIONS}


def _same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert sorted(G.nodes) == sorted(H.nodes)
    for n in G:
        assert dict(G.nodes[n]) == dict(H.nodes[n]), n
    assert keys(G) == keys(H)
    for u, v, k, d in G.edges(keys=True, data=True):
        back = dict(H.edges[u, v, k])
        back.pop("id", None)
        back.pop("networkx_key", None)
        assert back == _expected_edge(d), (u, v, k)


def _gexf_edges(data: bytes) -> dict[str, dict[str, object]]:
    """Every GEXF edge by id: its XML attributes plus its typed attvalues, read with lxml."""
    from lxml import etree

    root = etree.fromstring(data)
    graph_el = root.find(f"{GEXF}graph")
    types = {a.get("id"): a.get("type") for a in graph_el.iter(f"{GEXF}attribute")}
    cast = {"boolean": lambda x: x == "true", "integer": int, "double": float, "string": str}
    out: dict[str, dict[str, object]] = {}
    for e in graph_el.iter(f"{GEXF}edge"):
        row: dict[str, object] = dict(e.attrib)
        row["type"] = e.get("type") or graph_el.get("defaultedgetype")
        for av in e.iter(f"{GEXF}attvalue"):
            row[av.get("for")] = cast[types[av.get("for")]](av.get("value"))
        out[e.get("id")] = row
    return out


def _gexf_schema() -> object:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(GEXF_SCHEMA)))


@pytest.mark.parametrize("view", VIEWS)
def test_gexf_is_valid_against_the_gexf_1_2_schema(view: str) -> None:
    from lxml import etree

    schema = _gexf_schema()
    for as_of in (None, dt.date(2015, 1, 1)):
        [f] = network_files(to_networkx(shipped(), view, as_of=as_of), "gexf")
        doc = etree.fromstring(f.data)
        assert schema.validate(doc), schema.error_log  # type: ignore[attr-defined]
        graph_el = doc.find(f"{GEXF}graph")
        assert graph_el.get("name") is None and graph_el.get("timeformat") == "date"
        meta = json.loads(doc.find(f"{GEXF}meta/{GEXF}description").text)
        assert meta["view"] == view and meta["as_of"] == (as_of.isoformat() if as_of else "")


@pytest.mark.parametrize("view", VIEWS)
def test_graphml_gexf_and_csv_agree_on_nodes_edges_direction_and_attributes(view: str) -> None:
    import csv

    G = to_networkx(shipped(), view)
    graphml, gexf = network_files(G, "graphml")[0].data, network_files(G, "gexf")[0].data
    H = nx.read_graphml(io.BytesIO(graphml), force_multigraph=True)
    assert isinstance(H, nx.MultiDiGraph)
    _same(G, H)
    assert H.graph["view"] == view and json.loads(H.graph["absences"]) == G.graph["absences"]
    assert b">True<" not in graphml and b">False<" not in graphml  # XML Schema booleans
    assert network_files(G, "graphml")[0].data == graphml and network_files(G, "gexf")[0].data == gexf

    by_id = _gexf_edges(gexf)
    edge_rows = {r["Id"]: r for r in csv.DictReader(io.StringIO(network_files(G, "csv")[1].data.decode()))}
    assert sorted(by_id) == sorted(edge_rows) == keys(G)
    for u, v, k, d in H.edges(keys=True, data=True):
        e, row = by_id[k], edge_rows[k]
        assert (e["source"], e["target"], row["Source"], row["Target"]) == (u, v, u, v)
        assert e["type"] == ("directed" if d["directed"] else "undirected")
        assert row["Type"] == ("Directed" if d["directed"] else "Undirected")
        assert e["label"] == row["Label"] == d["relation"]
        assert float(e["weight"]) == float(row["Weight"]) == d["weight"]
        for name, value in d.items():
            if name != "weight":
                assert e[name] == value, (k, name)
                assert row[name] == (str(value).lower() if isinstance(value, bool) else str(value)), (k, name)

    mixed = len({d["directed"] for *_e, d in H.edges(keys=True, data=True)}) > 1
    if mixed:  # NetworkX reads no mixed graph (its documented limit); Gephi reads the per-edge type
        with pytest.raises(nx.NetworkXError, match="Undirected edge found in directed graph"):
            nx.read_gexf(io.BytesIO(gexf))
        return
    X = nx.read_gexf(io.BytesIO(gexf))
    assert X.is_directed() == all(d["directed"] for *_e, d in H.edges(keys=True, data=True))
    assert sorted(X.nodes) == sorted(H.nodes)
    for n in H:
        assert dict(X.nodes[n]) == dict(H.nodes[n]), n
    back = {str(d["id"]): (u, v, d) for u, v, d in X.edges(data=True)}
    assert sorted(back) == keys(G)
    for u, v, k, d in H.edges(keys=True, data=True):
        bu, bv, bd = back[k]
        assert {bu, bv} == {u, v} and (not X.is_directed() or (bu, bv) == (u, v))
        extra = {key: bd.pop(key) for key in ("id", "label", "start", "end") if key in bd}
        assert bd == d and extra["label"] == d["relation"]


def test_gexf_dates_are_gexf_dates_so_gephi_can_play_the_timeline() -> None:
    G = nx.MultiDiGraph(view="actors", as_of="", absences=[])
    G.add_node("https://x/a", label="A", kind="polity")
    G.add_node("https://x/b", label="B", kind="polity")
    G.add_edge("https://x/a", "https://x/b", key="k1", relation="affiliation", since="2009", until="2012-06",
               claim="https://x/c1")
    G.add_edge("https://x/a", "https://x/b", key="k2", relation="cooperation", since="2015-03-02", claim="https://x/c2")
    G.add_edge("https://x/b", "https://x/a", key="k3", relation="statement", claim="https://x/c3")
    from lxml import etree

    [f] = network_files(G, "gexf")
    assert _gexf_schema().validate(etree.fromstring(f.data))  # type: ignore[attr-defined]
    edges = _gexf_edges(f.data)
    assert (edges["k1"]["start"], edges["k1"]["end"], edges["k1"]["since"]) == ("2009-01-01", "2012-06-30", "2009")
    assert edges["k2"]["start"] == "2015-03-02" and "end" not in edges["k2"]
    assert "start" not in edges["k3"] and "end" not in edges["k3"]
    assert [edges[k]["type"] for k in ("k1", "k2", "k3")] == ["directed", "undirected", "directed"]


def test_graph_files_turn_missing_values_into_typed_defaults() -> None:
    G = nx.MultiDiGraph()
    G.add_node("https://x/a", label=None, kind="polity", region=None, external=None)
    G.add_node("https://x/b", label="=cmd()", kind="person", region="", external=True)
    G.add_edge("https://x/a", "https://x/b", key="k", relation="statement", role=None, weight=None, sign=-1,
               since=None, until="", claim="https://x/c", claims=None)
    H = nx.read_graphml(io.BytesIO(network_files(G, "graphml")[0].data), force_multigraph=True)
    assert H.nodes["https://x/a"] == {"label": "", "kind": "polity", "region": "", "external": False}
    e = H.edges["https://x/a", "https://x/b", "k"]
    assert (e["role"], e["weight"], e["since"], e["claims"], e["via"]) == ("", 1.0, "", "", "")
    nodes, edges = network_files(G, "csv")
    assert (nodes.suffix, edges.suffix) == (".nodes.csv", ".edges.csv")
    assert "'=cmd()" in nodes.data.decode()  # spreadsheet formula defused
    assert edges.data.decode().splitlines()[0] == (
        "Source,Target,Type,Id,Label,Weight,relation,role,via,sign,since,until,claim,claims,directed")
    assert edges.data.decode().splitlines()[1].startswith("https://x/a,https://x/b,Directed,k,statement,1.0,")


def test_csv_tables_hold_every_node_and_edge() -> None:
    import csv

    G = to_networkx(tiny(), "polities")
    nodes, edges = network_files(G, "csv")
    node_rows = list(csv.DictReader(io.StringIO(nodes.data.decode())))
    edge_rows = list(csv.DictReader(io.StringIO(edges.data.decode())))
    assert [r["Id"] for r in node_rows] == sorted(G.nodes)
    assert len(edge_rows) == G.number_of_edges() and {r["Type"] for r in edge_rows} == {"Undirected"}
    assert sorted(r["Id"] for r in edge_rows) == keys(G)


def _foreign_types(value: object) -> set[str]:
    """The types inside ``value`` that are not plain Python data (rdflib terms are ``str`` subclasses)."""
    if type(value) in (list, tuple):
        return set().union(*map(_foreign_types, value))  # type: ignore[arg-type]
    if type(value) is dict:
        return set().union(*map(_foreign_types, [*value, *value.values()]))  # type: ignore[attr-defined]
    return set() if type(value) in (str, int, float, bool, type(None)) else {type(value).__qualname__}


@pytest.mark.parametrize("view", VIEWS)
def test_project_layer_is_the_only_bridge(view: str) -> None:
    """The networks hold plain Python values only, so nothing past the project layer needs rdflib."""
    for g, as_of in ((tiny(), None), (shipped(), None), (shipped(), dt.date(2015, 1, 1))):
        G = to_networkx(g, view, as_of=as_of)
        found = _foreign_types(G.graph)
        for n, attrs in G.nodes(data=True):
            found |= _foreign_types(n) | _foreign_types(attrs)
        for _u, _v, k, attrs in G.edges(keys=True, data=True):
            found |= _foreign_types(k) | _foreign_types(attrs)
        assert found == set(), (view, as_of)
    assert _foreign_types({"a": [URIRef(wb("AL"))]}) == {"URIRef"}  # the check sees an rdflib term
