"""Network metrics against hand-computed values and a second library (igraph, numpy) on tiny fixtures."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pytest

import graph.metrics as gm
from graph.errors import InputError
from graph.metrics import METRICS, balance, ego_network, node_metrics, shortest_paths, simple_graph
from graph.namespaces import WB
from graph.project import VIEWS, to_networkx
from graph.store import load_graph

NET = Path(__file__).resolve().parent / "data" / "network"


@lru_cache(maxsize=None)
def view(fixture: str, name: str) -> nx.MultiDiGraph:
    return to_networkx(load_graph([NET / fixture], shipped=False), name)


def by_code(fixture: str, name: str, metric: str) -> dict[str, object]:
    report = node_metrics(view(fixture, name), [metric])
    return {r.id.rsplit("/", 1)[-1]: r.value(metric) for r in report.rows}


def w(code: str) -> str:
    return str(WB[code])


# four.ttl: AL-BA 1, AL-ME 3, AL-RS 1, BA-ME 1 (polities view)


def test_degree_and_weighted_degree_by_hand() -> None:
    assert by_code("four.ttl", "polities", "degree") == {"AL": 3, "BA": 2, "ME": 2, "RS": 1}
    assert by_code("four.ttl", "polities", "weighted_degree") == {"AL": 5.0, "ME": 4.0, "BA": 2.0, "RS": 1.0}


def test_betweenness_closeness_core_by_hand() -> None:
    assert by_code("four.ttl", "polities", "betweenness") == pytest.approx({"AL": 2 / 3, "BA": 0, "ME": 0, "RS": 0})
    assert by_code("four.ttl", "polities", "closeness") == pytest.approx({"AL": 1.0, "BA": 0.75, "ME": 0.75, "RS": 0.6})
    assert by_code("four.ttl", "polities", "core") == {"AL": 2, "BA": 2, "ME": 2, "RS": 1}


def test_burt_constraint_by_hand() -> None:
    # p(AL,.) = BA 1/5, ME 3/5, RS 1/5; p(BA,.) = 1/2, 1/2; p(ME,.) = AL 3/4, BA 1/4; p(RS,AL) = 1
    # c(i) = sum_j (p_ij + sum_q p_iq p_qj)^2
    al = (0.2 + 0.6 * 0.25) ** 2 + (0.6 + 0.2 * 0.5) ** 2 + 0.2**2  # 0.6525
    ba = (0.5 + 0.5 * 0.75) ** 2 + (0.5 + 0.5 * 0.6) ** 2  # 1.405625
    me = (0.75 + 0.25 * 0.5) ** 2 + (0.25 + 0.75 * 0.2) ** 2  # 0.925625
    assert (al, ba, me) == pytest.approx((0.6525, 1.405625, 0.925625))
    assert by_code("four.ttl", "polities", "constraint") == pytest.approx({"AL": al, "BA": ba, "ME": me, "RS": 1.0})


def test_burt_effective_size_by_hand() -> None:
    # ES(i) = sum_j (1 - sum_q p_iq m_jq), m = mutual weight / j's largest mutual weight
    al = (1 - 0.6 * 1) + (1 - 0.2 * (1 / 3)) + 1  # 7/3
    me = (1 - 0.25 * (1 / 3)) + (1 - 0.75 * 1)  # 7/6
    got = by_code("four.ttl", "polities", "effective_size")
    assert got == pytest.approx({"AL": al, "BA": 1.0, "ME": me, "RS": 1.0})
    assert got["AL"] == pytest.approx(7 / 3) and got["ME"] == pytest.approx(7 / 6)


def test_unweighted_effective_size_is_borgattis_formula() -> None:
    S = nx.Graph([("a", "b"), ("a", "c"), ("a", "d"), ("b", "c")])
    r = {x.id: x.effective_size for x in node_metrics(S, ["effective_size"]).rows}
    assert r == pytest.approx({"a": 3 - 2 * 1 / 3, "b": 1.0, "c": 1.0, "d": 1.0})  # n - 2t/n


def test_weighted_effective_size_equals_networkx_per_node_definition() -> None:
    import random

    for seed in range(3):
        S = nx.gnm_random_graph(40, 120, seed=seed)
        rnd = random.Random(seed)
        for u, v in S.edges:
            S[u][v]["weight"] = rnd.choice([0.5, 1.0, 2.0, 3.0, 7.0])
        S.add_node("isolated")
        got = {r.id: r.effective_size for r in node_metrics(S, ["effective_size"]).rows}
        ref = nx.effective_size(S, nodes=list(S), weight="weight")  # NetworkX's reference (per-node) code
        assert got.pop("isolated") is None
        assert got == pytest.approx({str(n): x for n, x in ref.items() if n != "isolated"}, abs=1e-12)


def _igraph(S: nx.Graph) -> tuple[ig.Graph, list[str]]:
    names = sorted(S.nodes)
    index = {n: i for i, n in enumerate(names)}
    h = ig.Graph(n=len(names), edges=[(index[u], index[v]) for u, v in S.edges], directed=False)
    h.es["weight"] = [d["weight"] for _u, _v, d in S.edges(data=True)]
    return h, names


@pytest.mark.parametrize(("fixture", "name"), [("four.ttl", "polities"), ("clusters.ttl", "polities"),
                                               ("tiny.ttl", "actors"), ("tiny.ttl", "polities")])
def test_against_igraph(fixture: str, name: str) -> None:
    G = view(fixture, name)
    S = simple_graph(G)
    h, names = _igraph(S)
    rows = {r.id: r for r in node_metrics(G).rows}
    n = len(names)
    bet = h.betweenness(directed=False)
    pr = h.pagerank(weights="weight", damping=0.85, directed=False)
    core = h.coreness()
    for i, node in enumerate(names):
        r = rows[node]
        assert r.betweenness == pytest.approx(bet[i] / ((n - 1) * (n - 2) / 2), abs=1e-12), node
        assert r.pagerank == pytest.approx(pr[i], abs=1e-9), node
        assert r.core == core[i], node
        assert r.degree == h.degree(i)
        assert r.weighted_degree == pytest.approx(h.strength(i, weights="weight"))
    if nx.is_connected(S):  # igraph's closeness equals NetworkX's on connected graphs
        clo = h.closeness()
        for i, node in enumerate(names):
            assert rows[node].closeness == pytest.approx(clo[i], abs=1e-12)


def test_closeness_on_a_disconnected_graph_is_wasserman_faust() -> None:
    # tiny actors view has isolates; the scaled closeness = (r/(n-1)) * (r / sum of distances)
    S = nx.Graph([("a", "b"), ("b", "c")])
    S.add_node("d")
    r = {x.id: x.closeness for x in node_metrics(S, ["closeness"]).rows}
    assert r == pytest.approx({"b": (2 / 3) * (2 / 2), "a": (2 / 3) * (2 / 3), "c": (2 / 3) * (2 / 3), "d": 0.0})


def test_closeness_equals_networkx_on_random_disconnected_graphs() -> None:
    for seed in range(3):
        S = nx.gnm_random_graph(80, 90, seed=seed)  # sparse: several components and isolates
        got = {r.id: r.closeness for r in node_metrics(S, ["closeness"]).rows}
        ref = nx.closeness_centrality(S)
        assert got == pytest.approx({str(n): x for n, x in ref.items()}, abs=1e-12)


def test_eigenvector_equals_numpy_principal_eigenvector() -> None:
    S = simple_graph(view("four.ttl", "polities"))
    names = sorted(S.nodes)
    A = nx.to_numpy_array(S, nodelist=names, weight="weight")
    vals, vecs = np.linalg.eigh(A)
    principal = np.abs(vecs[:, np.argmax(vals)])
    got = by_code("four.ttl", "polities", "eigenvector")
    for i, node in enumerate(names):
        assert got[node.rsplit("/", 1)[-1]] == pytest.approx(principal[i], abs=1e-9)


def test_eigenvector_on_a_disconnected_graph_uses_the_largest_component() -> None:
    S = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    S.add_node("z")
    report = node_metrics(S, ["eigenvector"])
    got = {r.id: r.eigenvector for r in report.rows}
    assert got["x"] == got["y"] == got["z"] == 0.0
    assert got["b"] == pytest.approx(1 / np.sqrt(2)) and got["a"] == pytest.approx(0.5)
    assert any("largest connected component (3 of 6 nodes)" in n for n in report.notes)


def test_eigenvector_falls_back_to_power_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = by_code("four.ttl", "polities", "eigenvector")

    def broken(*_a: object, **_k: object) -> None:
        raise np.linalg.LinAlgError("eigenvalues did not converge")

    monkeypatch.setattr(gm, "_principal_vector", broken)
    report = node_metrics(view("four.ttl", "polities"), ["eigenvector"])
    assert {r.id.rsplit("/", 1)[-1]: r.eigenvector for r in report.rows} == pytest.approx(expected, abs=1e-8)


def test_eigenvector_non_convergence_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> None:
        raise nx.PowerIterationFailedConvergence(10)

    def arpack(*_a: object, **_k: object) -> None:
        raise np.linalg.LinAlgError("eigenvalues did not converge")

    monkeypatch.setattr(gm, "_principal_vector", arpack)
    monkeypatch.setattr(nx, "eigenvector_centrality", fail)
    report = node_metrics(view("four.ttl", "polities"), ["eigenvector", "degree"])
    assert all(r.eigenvector is None for r in report.rows)
    assert any("did not converge" in n for n in report.notes)


def test_louvain_communities_with_a_fixed_seed() -> None:
    got = by_code("clusters.ttl", "polities", "community")
    assert got == {"AL": 0, "BA": 0, "ME": 0, "MK": 1, "RS": 1, "XK": 1}
    assert node_metrics(view("clusters.ttl", "polities")).rows == node_metrics(view("clusters.ttl", "polities")).rows


def test_bridge_betweenness_by_hand() -> None:
    got = by_code("clusters.ttl", "polities", "betweenness")
    assert got["ME"] == pytest.approx(6 / 10) and got["MK"] == pytest.approx(6 / 10)  # 6 pairs of 10 cross it
    assert got["AL"] == 0.0


# signed.ttl: see the fixture's header


def test_structural_balance_by_hand() -> None:
    G = view("signed.ttl", "signed")
    assert balance(G) == gm.Balance(triads=4, balanced=2)
    assert balance(G).share == 0.5
    assert node_metrics(G, ["degree"]).balance == gm.Balance(4, 2)


def test_positive_and_negative_ties_by_hand() -> None:
    pos = by_code("signed.ttl", "signed", "positive_ties")
    neg = by_code("signed.ttl", "signed", "negative_ties")
    assert pos == {"AL": 2, "RS": 1, "XK": 1, "RU": 2}
    assert neg == {"AL": 1, "RS": 2, "XK": 2, "RU": 1}


def test_parallel_ties_sum_and_opposite_signs_cancel() -> None:
    M = nx.MultiDiGraph()
    M.add_edge("a", "b", weight=1.0, sign=1, relation="agreement")
    M.add_edge("b", "a", weight=1.0, sign=-1, relation="statement")
    M.add_edge("a", "c", weight=2.0, sign=1, relation="cooperation")
    M.add_edge("c", "b", weight=0.5, sign=-1, relation="perception")
    M.add_edge("c", "c", weight=9.0, sign=1, relation="statement")  # self-loop dropped
    S = simple_graph(M)
    assert S["a"]["b"]["weight"] == 2.0 and S["a"]["b"]["sign"] == 0
    assert S["a"]["b"]["n_agreement"] == 1 and S["a"]["b"]["n_statement"] == 1
    assert not S.has_edge("c", "c")
    assert balance(S) == gm.Balance(0, 0)  # the only triangle has an ambivalent tie


def test_sampled_betweenness_says_so_and_is_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    G = nx.MultiDiGraph(nx.gnm_random_graph(60, 150, seed=1, directed=True))
    exact = node_metrics(G, ["betweenness"])
    assert exact.samples is None and exact.notes == []
    a = node_metrics(G, ["betweenness"], samples=20)
    b = node_metrics(G, ["betweenness"], samples=20)
    assert a.samples == 20 and a.rows == b.rows
    assert any("estimated from 20 sampled" in n for n in a.notes)
    monkeypatch.setattr(gm, "SAMPLE_THRESHOLD", 50)
    monkeypatch.setattr(gm, "DEFAULT_SAMPLES", 30)
    auto = node_metrics(G, ["betweenness"])
    assert auto.samples == 30 and any("more than 50" in n for n in auto.notes)
    forced = node_metrics(G, ["betweenness"], samples=0)
    assert forced.samples is None and forced.rows == exact.rows


def test_rows_are_ranked_with_iri_tie_breaks_and_top() -> None:
    report = node_metrics(view("four.ttl", "polities"), ["degree", "constraint"], top=3)
    assert [r.id for r in report.rows] == [w("AL"), w("BA"), w("ME")]  # BA and ME tie on degree: by IRI
    assert report.rows[0].constraint is not None and report.rows[0].pagerank is None
    asc = node_metrics(view("four.ttl", "polities"), ["constraint"])
    assert [r.id for r in asc.rows][0] == w("AL")  # lowest constraint first


def test_isolated_nodes_get_none_for_burt_measures() -> None:
    G = view("tiny.ttl", "actors")
    report = node_metrics(G, ["constraint", "effective_size"])
    iso = [r for r in report.rows if r.id == w("BA")]
    assert iso and iso[0].constraint is not None
    S = nx.Graph([("a", "b")])
    S.add_node("z")
    rows = {r.id: r for r in node_metrics(S, ["constraint", "effective_size"]).rows}
    assert rows["z"].constraint is None and rows["z"].effective_size is None
    assert node_metrics(S, ["constraint"]).rows[-1].id == "z"  # undefined values rank last


def test_unknown_metric_and_bad_arguments() -> None:
    with pytest.raises(InputError, match="unknown metric 'fame'"):
        node_metrics(nx.Graph(), ["fame"])
    with pytest.raises(InputError):
        node_metrics(nx.Graph(), ["degree"], top=-1)
    assert node_metrics(nx.MultiDiGraph()).rows == []


def test_ego_network_lists_the_claims_behind_each_tie() -> None:
    G = view("tiny.ttl", "actors")
    ego = ego_network(G, w("RU"), 1)
    assert ego.center.label == "Russia"
    assert [n.id for n in ego.nodes] == [w("RU"), w("AL"), w("RS"), w("minister-al")]
    assert [(t.source.rsplit("/", 1)[-1], t.relation, t.sign, t.claim.rsplit("/", 1)[-1]) for t in ego.ties] == [
        ("AL", "perception", -1, "obs-1"),
        ("AL", "statement", -1, "st-1"),
        ("RS", "statement", 1, "st-2"),
        ("minister-al", "statement", -1, "st-1"),
    ]
    two = ego_network(G, w("RU"), 2)
    assert {n.distance for n in two.nodes} == {0, 1, 2} and len(two.ties) > len(ego.ties)
    with pytest.raises(InputError, match="not a node of the 'actors' view"):
        ego_network(G, w("Atlantis"))


def test_shortest_paths_with_claims() -> None:
    G = view("clusters.ttl", "polities")
    report = shortest_paths(G, w("AL"), w("XK"))
    assert [[n.id.rsplit("/", 1)[-1] for n in p.nodes] for p in report.paths] == [["AL", "ME", "MK", "XK"]]
    assert [[t.claim.rsplit("/", 1)[-1] for t in hop] for hop in report.paths[0].hops] == [["c2"], ["c7"], ["c5"]]
    both = shortest_paths(G, w("BA"), w("AL"))
    assert len(both.paths) == 1 and len(both.paths[0].hops) == 1
    G2 = view("four.ttl", "polities")
    assert [len(p.nodes) for p in shortest_paths(G2, w("RS"), w("BA")).paths] == [3]
    none = shortest_paths(view("tiny.ttl", "actors"), w("BA"), w("StabilityPact"))
    assert none.paths == [] or all(p.nodes for p in none.paths)


def test_no_path_is_an_empty_list() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", label="A", kind="polity")
    G.add_node("b", label="B", kind="polity")
    assert shortest_paths(G, "a", "b").paths == []


def test_every_metric_is_computed_on_every_view_of_the_shipped_data() -> None:
    g = load_graph()
    for name in VIEWS:
        report = node_metrics(to_networkx(g, name))
        assert report.metrics == METRICS and report.rows
        ids = [r.id for r in report.rows]
        assert len(ids) == len(set(ids))


def test_metrics_module_never_imports_rdflib() -> None:
    code = "import sys, graph.metrics; print('rdflib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
