"""Burt's constraint through shared neighbours equals NetworkX's matrix computation."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from graph.metrics import node_metrics


@pytest.mark.parametrize("seed", range(3))
def test_constraint_equals_networkx_on_weighted_graphs_with_isolates(seed: int) -> None:
    S = nx.relabel_nodes(nx.gnm_random_graph(200, 500, seed=seed), str)
    rng = random.Random(seed)
    for u, v in S.edges:
        S[u][v]["weight"] = rng.choice([0.5, 1.0, 2.0, 3.0])
    S.add_node("isolated")
    ref = nx.constraint(S, weight="weight")
    got = {r.id: r.constraint for r in node_metrics(S, ["constraint"]).rows}
    undefined = sorted(n for n, x in ref.items() if math.isnan(x))  # the isolated nodes
    assert "isolated" in undefined and sorted(n for n, x in got.items() if x is None) == undefined
    assert {n: got[n] for n in ref if n not in undefined} == pytest.approx(
        {n: x for n, x in ref.items() if n not in undefined}, abs=1e-12
    )
