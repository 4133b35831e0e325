"""Closeness at scale: exact up to SAMPLE_THRESHOLD nodes, a seeded pivot estimate above it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.stats import spearmanr

import graph.metrics as gm
from graph.metrics import node_metrics


def _named(G: nx.Graph) -> nx.Graph:
    return nx.relabel_nodes(G, {v: f"n{v:05d}" for v in G})


def _closeness(G: nx.Graph, **kwargs: object) -> tuple[dict[str, float], list[str]]:
    report = node_metrics(G, ["closeness"], **kwargs)  # type: ignore[arg-type]
    return {r.id: float(r.closeness or 0.0) for r in report.rows}, report.notes


@pytest.fixture(scope="module")
def medium() -> nx.Graph:
    """1,300 nodes: a preferential-attachment tree plus twenty 5-node paths (small components)."""
    tree = nx.barabasi_albert_graph(1200, 1, seed=2)
    return _named(nx.disjoint_union(tree, nx.disjoint_union_all([nx.path_graph(5)] * 20)))


def test_below_the_threshold_closeness_is_exact_and_has_no_note() -> None:
    S = _named(nx.gnm_random_graph(300, 330, seed=5))  # sparse: several components and isolates
    got, notes = _closeness(S)
    assert S.number_of_nodes() <= gm.SAMPLE_THRESHOLD and notes == []
    assert got == pytest.approx(nx.closeness_centrality(S), abs=1e-12)
    assert _closeness(S, samples=0)[0] == got


def test_pivot_estimate_is_deterministic_and_close_to_exact(medium: nx.Graph) -> None:
    exact = nx.closeness_centrality(medium)
    first, notes = _closeness(medium, samples=100)
    again, _ = _closeness(medium, samples=100)
    assert first == again
    assert notes == [f"closeness estimated from at most 100 pivot nodes per connected component (seed {gm.SEED})"]
    nodes = sorted(medium)
    a = np.array([exact[v] for v in nodes])
    b = np.array([first[v] for v in nodes])
    # measured with seed 42: max abs error 0.0086, Spearman 0.9963; exact would give 0 and 1
    assert 0 < np.abs(a - b).max() < 0.01
    assert spearmanr(a, b).statistic > 0.99
    # the twenty small components hold at most 100 nodes each, so they are computed exactly
    small = [v for v in nodes if int(v[1:]) >= 1200]
    assert [first[v] for v in small] == pytest.approx([exact[v] for v in small], abs=1e-12)


def test_above_the_threshold_closeness_is_sampled_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gm, "SAMPLE_THRESHOLD", 100)
    monkeypatch.setattr(gm, "DEFAULT_SAMPLES", 30)
    S = _named(nx.barabasi_albert_graph(400, 2, seed=3))
    got, notes = _closeness(S)
    assert notes == [
        f"closeness estimated from at most 30 pivot nodes per connected component (seed {gm.SEED}): the graph "
        "has 400 nodes, more than 100; pass --samples K to choose K, --samples 0 for the exact value"
    ]
    assert got != pytest.approx(nx.closeness_centrality(S), abs=1e-12)
    assert _closeness(S, samples=0)[0] == pytest.approx(nx.closeness_centrality(S), abs=1e-12)
