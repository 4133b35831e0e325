"""Centrality and communities on the igraph engine: the same numbers as NetworkX, and a copy that follows the graph."""

from __future__ import annotations

import networkx as nx
import pytest

from graph import metrics
from graph.errors import InputError


def _hubby_graph() -> object:
    B = nx.barabasi_albert_graph(600, 2, seed=3)
    G = nx.MultiDiGraph()
    for u, v in B.edges():
        G.add_edge(f"n{u:05d}", f"n{v:05d}", weight=1.0 + (u * v) % 3, relation="cooperation")
    G.add_edge("n00001", "n00002", weight=2.0)  # a parallel tie in the other direction: weights add up
    G.add_node("isolated")
    G.add_edge("n00003", "n00003")  # self-loops are dropped
    return G


def test_igraph_engine_matches_networkx() -> None:
    G = _hubby_graph()
    for samples in (0, 64):
        a = metrics.betweenness(G, samples=samples, engine="networkx")
        b = metrics.betweenness(G, samples=samples, engine="igraph")
        assert a.keys() == b.keys()
        assert max(abs(a[n] - b[n]) for n in a) < 1e-9
    a = metrics.pagerank(G, engine="networkx")
    b = metrics.pagerank(G, engine="igraph")
    assert max(abs(a[n] - b[n]) for n in a) < 1e-9
    for other in (metrics.simple_graph(G), nx.DiGraph(G), nx.MultiGraph(G)):  # every kind of graph is copied alike
        c = metrics.pagerank(other, engine="igraph")
        assert max(abs(a[n] - c[n]) for n in a) < 1e-9, type(other).__name__
        copy = metrics._igraph_of(other).graph
        assert sum(copy.es["weight"]) == metrics.simple_graph(G).size(weight="weight"), type(other).__name__
    first = metrics.communities(G, engine="igraph")
    assert first == metrics.communities(G, engine="igraph")  # seeded: the same partition every run
    assert sorted(first) == sorted(G.nodes) and min(first.values()) == 0
    with pytest.raises(InputError, match="unknown engine"):
        metrics.pagerank(G, engine="graph-tool")


def test_igraph_copy_is_dropped_when_the_graph_changes() -> None:
    G = _hubby_graph()
    before = metrics.pagerank(G, engine="igraph")
    G.add_edge("isolated", "n00000")
    after = metrics.pagerank(G, engine="igraph")
    assert after["isolated"] > before["isolated"]
    assert after == metrics.pagerank(G.copy(), engine="igraph")


@pytest.mark.parametrize("loaded_first", ["", "import matplotlib", "import matplotlib.pyplot"])
def test_igraph_loads_whatever_part_of_matplotlib_is_already_loaded(loaded_first: str) -> None:
    # A process that drew a chart (matplotlib loaded, pyplot perhaps not) before laying out a large graph.
    import subprocess
    import sys

    code = (f"{loaded_first}\nimport sys\nfrom graph.igraph_import import load_igraph\n"
            "print(load_igraph().Graph(n=2, edges=[(0, 1)]).ecount(), 'matplotlib.pyplot' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", str(loaded_first != "")]
