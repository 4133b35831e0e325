"""Network metrics of a projected graph: centrality, cohesion, brokerage, structural balance, ego networks and paths.

The NetworkX world: functions take ``G`` from :func:`graph.project.to_networkx`
(a MultiDiGraph, one edge per claim) and return dataclasses. This module never
imports rdflib.

Unless a definition says otherwise, metrics are computed on
:func:`simple_graph`, the *simple undirected projection* of ``G``: one tie per
pair of distinct nodes that share at least one edge in either direction; the
tie's ``weight`` is the sum of the parallel edges' weights (in the polities
view: stated agreement counts + shared named agreements + shared
affiliations), its ``sign`` the sign of the sum of sign x weight (0 when
positive and negative cancel), and ``n_<relation>`` counts the edges of each
relation behind it. Self-loops are dropped.

Metric definitions (all on the simple projection):

* ``degree`` - number of distinct neighbours;
* ``weighted_degree`` - sum of the weights of a node's ties (strength);
* ``betweenness`` - share of shortest paths (by hop count, unweighted) through
  a node, normalised by (n-1)(n-2)/2 (NetworkX ``betweenness_centrality``).
  Above :data:`SAMPLE_THRESHOLD` nodes, or when ``samples`` is given, it is
  estimated from ``samples`` source nodes drawn with the fixed seed
  :data:`SEED` and a note says so; ``samples=0`` forces the exact value;
* ``closeness`` - (reachable - 1) / sum of hop distances, scaled by the
  reachable share (Wasserman-Faust; NetworkX ``closeness_centrality``).
  Sampled like betweenness (same threshold, ``samples`` and seed): the sum of
  distances is estimated from breadth-first searches rooted at ``samples``
  pivot nodes per connected component, and a note says so;
* ``eigenvector`` - weighted eigenvector centrality of the largest connected
  component (the principal eigenvector of its weighted adjacency matrix, unit
  Euclidean norm, computed deterministically); nodes outside it get 0.0 and a
  note says so; if the eigensolver fails, power iteration is tried, and if
  that does not converge the values are ``None`` with a note;
* ``pagerank`` - weighted PageRank, damping 0.85, on the undirected ties
  (symmetric relations are stored once, so direction in ``G`` is not meaningful
  for every relation);
* ``core`` - k-core number (largest k such that the node is in the k-core);
* ``community`` - Louvain community (modularity, weighted, seed
  :data:`SEED`), numbered 0, 1, ... by decreasing size, ties by smallest IRI;
* ``constraint`` and ``effective_size`` - Burt's constraint and effective
  size, weighted; ``None`` for isolated nodes;
* ``positive_ties`` / ``negative_ties`` - number of neighbours with a positive
  / negative tie sign (meaningful on the ``signed`` view);
* structural balance (``balance``) - among triangles whose three ties all have a
  non-zero sign, the share whose sign product is positive.

Engines: ``engine="igraph"`` computes betweenness, PageRank and communities
with igraph on the same simple projection; NetworkX stays the API and the
input. Exact betweenness and PageRank agree with NetworkX to 1e-9; sampled
betweenness draws the same sources with the same seed and applies NetworkX's
rescaling, so it gives NetworkX's estimate. Communities come from igraph's
multilevel (Louvain) method with a seeded generator: deterministic, but not
the same partition as NetworkX's Louvain. ``engine="auto"`` picks igraph from
:data:`IGRAPH_THRESHOLD` nodes on. The igraph copy of a graph is cached in
``G.__networkx_cache__``, which NetworkX clears when nodes or edges change
(not when an attribute dict is edited in place).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from graph.errors import InputError
from graph.igraph_import import load_igraph
from graph.relations import Tie

#: Every per-node metric, in output order.
METRICS: tuple[str, ...] = (
    "degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "core",
    "community",
    "constraint",
    "effective_size",
    "positive_ties",
    "negative_ties",
)
#: Metrics ranked ascending (a low constraint means a broker; communities are labels).
ASCENDING = frozenset({"constraint", "community"})
#: Seed of every randomised algorithm (sampled betweenness, Louvain).
SEED = 42
#: Above this many nodes betweenness and closeness are sampled unless ``samples=0``.
SAMPLE_THRESHOLD = 5000
#: Sources (betweenness) and pivots per component (closeness) drawn when sampling automatically.
DEFAULT_SAMPLES = 500
#: At most this many shortest paths are listed.
MAX_PATHS = 100
#: Where betweenness, PageRank and communities are computed: NetworkX, igraph (the same
#: definitions in C, for large graphs) or "auto" (igraph from IGRAPH_THRESHOLD nodes on).
ENGINES: tuple[str, ...] = ("auto", "networkx", "igraph")
#: From this many nodes on, engine="auto" uses igraph.
IGRAPH_THRESHOLD = 2000


@dataclass(frozen=True)
class NodeMetrics:
    """One node's metrics; a metric that was not asked for (or is undefined) is ``None``."""

    id: str
    label: str
    kind: str
    degree: int | None = None
    weighted_degree: float | None = None
    betweenness: float | None = None
    closeness: float | None = None
    eigenvector: float | None = None
    pagerank: float | None = None
    core: int | None = None
    community: int | None = None
    constraint: float | None = None
    effective_size: float | None = None
    positive_ties: int | None = None
    negative_ties: int | None = None

    def value(self, metric: str) -> int | float | None:
        """The value of ``metric`` (one of :data:`METRICS`)."""
        v = getattr(self, metric)
        assert v is None or isinstance(v, (int, float))
        return v


@dataclass(frozen=True)
class Balance:
    """Structural balance of a signed graph: triangles with all ties signed, and how many are balanced."""

    triads: int
    balanced: int

    @property
    def share(self) -> float | None:
        """Balanced triads / signed triads, or ``None`` when there are none."""
        return self.balanced / self.triads if self.triads else None


@dataclass(frozen=True)
class MetricsReport:
    """What :func:`node_metrics` returns: rows in rank order, plus balance and notes."""

    metrics: tuple[str, ...]
    rows: list[NodeMetrics]
    balance: Balance | None = None
    notes: list[str] = field(default_factory=list)
    samples: int | None = None  # betweenness sources used, None when exact


@dataclass(frozen=True)
class NodeRef:
    """A node with its label and kind; ``distance`` is hops from the ego (ego networks only)."""

    id: str
    label: str
    kind: str
    distance: int = 0


@dataclass(frozen=True)
class EgoNetwork:
    """The nodes within ``depth`` hops of ``center`` and every tie among them."""

    center: NodeRef
    depth: int
    nodes: list[NodeRef]
    ties: list[Tie]


@dataclass(frozen=True)
class Path:
    """One shortest path: its nodes and, for each hop, the ties (claims) joining the two nodes."""

    nodes: list[NodeRef]
    hops: list[list[Tie]]


@dataclass(frozen=True)
class PathReport:
    """All shortest paths between two nodes (at most :data:`MAX_PATHS`)."""

    source: NodeRef
    target: NodeRef
    paths: list[Path]
    truncated: bool = False


def simple_graph(G: nx.MultiDiGraph | nx.Graph) -> nx.Graph:
    """The simple undirected projection of ``G`` described in the module docstring.

    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("a", "b", weight=2.0, sign=1, relation="cooperation")
    >>> _ = M.add_edge("b", "a", weight=1.0, sign=1, relation="agreement")
    >>> S = simple_graph(M)
    >>> S["a"]["b"]["weight"], S["a"]["b"]["sign"], S["a"]["b"]["n_agreement"]
    (3.0, 1, 1)
    """
    S = nx.Graph()
    S.add_nodes_from(sorted(G.nodes(data=True), key=lambda t: str(t[0])))
    ties: dict[tuple[str, str], dict[str, float]] = {}
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        pair = (u, v) if str(u) <= str(v) else (v, u)
        w = float(d.get("weight", 1.0))
        tie = ties.get(pair)
        if tie is None:
            tie = ties[pair] = {"weight": 0.0, "_signed": 0.0}
        tie["weight"] += w
        tie["_signed"] += -w if float(d.get("sign", 1)) < 0 else w
        rel = f"n_{d.get('relation', 'edge')}"
        tie[rel] = tie.get(rel, 0) + 1
    for pair in sorted(ties, key=lambda p: (str(p[0]), str(p[1]))):
        tie = ties[pair]
        total = tie.pop("_signed")
        tie["sign"] = (total > 0) - (total < 0)
        S.add_edge(pair[0], pair[1], **tie)
    return S


def node_metrics(
    G: nx.MultiDiGraph | nx.Graph,
    metrics: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    top: int | None = None,
    engine: str = "auto",
) -> MetricsReport:
    """Compute ``metrics`` (default: all of :data:`METRICS`) for every node of ``G``.

    Rows are ranked by the first metric (descending; ascending for
    ``constraint`` and ``community``), ties broken by IRI; ``top`` keeps the
    first ``top`` rows. ``samples`` controls betweenness and closeness sampling and
    ``engine`` where betweenness, PageRank and communities are computed (see
    the module docstring). The report also carries the structural balance of the
    graph's signs and notes on anything estimated or undefined.

    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edges_from([("a", "b"), ("b", "c")])
    >>> [(r.id, r.degree, r.betweenness) for r in node_metrics(M, ["degree", "betweenness"]).rows]
    [('b', 2, 1.0), ('a', 1, 0.0), ('c', 1, 0.0)]
    """
    names = _metric_names(metrics)
    if top is not None and top < 0:
        raise InputError("--top must be zero or more")
    if samples is not None and samples < 0:
        raise InputError("--samples must be zero or more")
    _check_engine(engine)
    S = simple_graph(G)
    if S.number_of_nodes() == 0:
        return MetricsReport(names, [], Balance(0, 0), [], None)
    values, used_samples, notes = _metric_values(S, names, samples, engine)
    rows = _ranked_rows(S, names, values)
    if top is not None:
        rows = rows[:top]
    return MetricsReport(names, rows, balance(S), notes, used_samples)


def _metric_names(metrics: Sequence[str] | None) -> tuple[str, ...]:
    """The metrics asked for (all of :data:`METRICS` when none), each once, in the order given.

    >>> _metric_names(["degree", "core", "degree"])
    ('degree', 'core')
    """
    names = tuple(metrics) if metrics else METRICS
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        raise InputError(f"unknown metric {unknown[0]!r}; use one of: {', '.join(METRICS)}")
    return tuple(dict.fromkeys(names))


def _metric_values(
    S: nx.Graph, names: Sequence[str], samples: int | None, engine: str
) -> tuple[dict[str, Values], int | None, list[str]]:
    """Each metric of ``names`` computed on ``S``, the betweenness sources sampled (None: exact) and notes.

    The notes say which values were estimated or are undefined, in the
    order of ``names``.
    """
    notes: list[str] = []
    values: dict[str, Values] = {}
    used_samples: int | None = None
    for name in names:
        note = ""
        if name == "betweenness":
            values[name], used_samples, note = _betweenness(S, samples, engine)
        elif name == "pagerank":
            values[name] = _pagerank(S, engine)
        elif name == "community":
            values[name] = _community(S, engine)
        elif name == "closeness":
            values[name], note = _closeness(S, samples)
        elif name == "eigenvector":
            values[name], note = _eigenvector(S)
        else:
            values[name] = _COMPUTE[name](S)
        if note:
            notes.append(note)
    return values, used_samples, notes


def _ranked_rows(S: nx.Graph, names: Sequence[str], values: dict[str, Values]) -> list[NodeMetrics]:
    """One row per node of ``S`` with its ``values``, ranked by the first metric of ``names`` (ties by IRI)."""
    rows = [
        NodeMetrics(
            id=str(n),
            label=str(d.get("label", n)),
            kind=str(d.get("kind", "other")),
            **{m: values[m].get(n) for m in names},  # type: ignore[arg-type]
        )
        for n, d in S.nodes(data=True)
    ]
    rows.sort(key=lambda r: str(r.id))
    if names:
        rows = _ranked(rows, names[0])
    return rows


def balance(G: nx.MultiDiGraph | nx.Graph) -> Balance:
    """Structural balance: triangles of signed ties, and how many have a positive sign product.

    >>> S = nx.Graph()
    >>> S.add_edges_from([("a", "b", {"sign": 1}), ("b", "c", {"sign": -1}), ("a", "c", {"sign": -1})])
    >>> balance(S)
    Balance(triads=1, balanced=1)
    """
    S = G if isinstance(G, nx.Graph) and not G.is_directed() and not G.is_multigraph() else simple_graph(G)
    order = {n: i for i, n in enumerate(sorted(S.nodes, key=str))}
    near = {u: set(S[u]) for u in S}  # built once: per tie, a hub's set cost as much as its degree
    triads = balanced = 0
    for u in S:
        for v in S[u]:
            if order[v] <= order[u]:
                continue
            for w in near[u] & near[v]:
                if order[w] <= order[v]:
                    continue
                signs = [S[u][v].get("sign", 1), S[v][w].get("sign", 1), S[u][w].get("sign", 1)]
                if 0 in signs:
                    continue
                triads += 1
                balanced += math.prod(signs) > 0
    return Balance(triads, balanced)


def ego_network(G: nx.MultiDiGraph, node: str, depth: int = 1) -> EgoNetwork:
    """The nodes within ``depth`` hops of ``node`` (edges followed either way) and every tie among them."""
    _require(G, node)
    if depth < 0:
        raise InputError("--depth must be zero or more")
    U = G.to_undirected(as_view=True)
    dist = nx.single_source_shortest_path_length(U, node, cutoff=depth)
    members = sorted(dist, key=lambda n: (dist[n], str(n)))
    ties = [
        _tie(u, v, d)
        for u, v, d in G.edges(data=True)
        if u in dist and v in dist
    ]
    ties.sort(key=_tie_key)
    return EgoNetwork(_ref(G, node), depth, [_ref(G, n, dist[n]) for n in members], ties)


def shortest_paths(G: nx.MultiDiGraph, source: str, target: str) -> PathReport:
    """Every shortest path (by hops, edges followed either way) from ``source`` to ``target``, with the claims.

    No path gives an empty list. Paths are sorted by their node IRIs; at most
    :data:`MAX_PATHS` are returned (``truncated`` says so).
    """
    _require(G, source)
    _require(G, target)
    S = simple_graph(G)
    paths: list[list[str]] = []
    truncated = False
    try:
        for p in nx.all_shortest_paths(S, source, target):
            paths.append([str(n) for n in p])
            if len(paths) > 10 * MAX_PATHS:
                truncated = True
                break
    except nx.NetworkXNoPath:
        paths = []
    paths.sort()
    if len(paths) > MAX_PATHS:
        paths, truncated = paths[:MAX_PATHS], True
    out = [
        Path([_ref(G, n) for n in p], [_ties_between(G, a, b) for a, b in zip(p, p[1:])])
        for p in paths
    ]
    return PathReport(_ref(G, source), _ref(G, target), out, truncated)


def row_dict(row: NodeMetrics, metrics: Iterable[str]) -> dict[str, object]:
    """``{id, label, kind, <metric>: value ...}`` for JSON/CSV output (NaN becomes None)."""
    out: dict[str, object] = {"id": row.id, "label": row.label, "kind": row.kind}
    for m in metrics:
        out[m] = row.value(m)
    return out


# --- computations ---------------------------------------------------------------------------

Values = dict[str, int | float | None]


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _degree(S: nx.Graph) -> Values:
    return {n: int(d) for n, d in S.degree()}


def _weighted_degree(S: nx.Graph) -> Values:
    return {n: float(d) for n, d in S.degree(weight="weight")}


def _betweenness(S: nx.Graph, samples: int | None, engine: str = "networkx") -> tuple[Values, int | None, str]:
    n = S.number_of_nodes()
    k: int | None
    note = ""
    if samples is None:
        k = DEFAULT_SAMPLES if n > SAMPLE_THRESHOLD else None
        if k is not None:
            note = (
                f"betweenness estimated from {k} sampled source nodes (seed {SEED}): the graph has {n} nodes, "
                f"more than {SAMPLE_THRESHOLD}; pass --samples K to choose K, --samples 0 for the exact value"
            )
    elif samples == 0 or samples >= n:
        k = None
    else:
        k = samples
        note = f"betweenness estimated from {k} sampled source nodes of {n} (seed {SEED})"
    if _use_igraph(engine, n):
        return _igraph_betweenness(S, k), k, note
    bc = nx.betweenness_centrality(S, k=k, normalized=True, weight=None, seed=SEED if k else None)
    return {v: float(x) for v, x in bc.items()}, k, note


def _closeness(S: nx.Graph, samples: int | None = None) -> tuple[Values, str]:
    """NetworkX's closeness (Wasserman-Faust scaling), by breadth-first search in SciPy's C code.

    closeness(v) = (r / (n-1)) * (r / D(v)), where r is the number of other nodes v reaches
    and D(v) the sum of their hop distances; 0 when r = 0. ``samples`` is read as for
    betweenness: ``None`` is exact up to :data:`SAMPLE_THRESHOLD` nodes and
    :data:`DEFAULT_SAMPLES` pivots above, 0 is exact, K uses K pivots.

    With K pivots, r is still exact (the size of v's connected component) and D(v) is
    estimated as r times v's mean distance to the pivots of its component (Eppstein and
    Wang's estimator): K pivots are drawn with the seed :data:`SEED` from every component
    larger than K; a component of at most K nodes is computed exactly. Sources are
    processed in blocks so memory stays at block x n (or block x component) distances.
    """
    nodes = list(S.nodes)
    n = len(nodes)
    if n <= 1:
        return {v: 0.0 for v in nodes}, ""
    if samples is None:
        k = DEFAULT_SAMPLES if n > SAMPLE_THRESHOLD else None
    else:
        k = samples if 0 < samples < n else None
    if k is None:
        return _closeness_exact(S, nodes), ""
    components = sorted((sorted(c, key=str) for c in nx.connected_components(S)), key=lambda c: (-len(c), str(c[0])))
    if all(len(c) <= k for c in components):
        return _closeness_exact(S, nodes), ""
    note = f"closeness estimated from at most {k} pivot nodes per connected component (seed {SEED})"
    if samples is None:
        note += (
            f": the graph has {n} nodes, more than {SAMPLE_THRESHOLD}; pass --samples K to choose K, "
            "--samples 0 for the exact value"
        )
    return _closeness_pivots(S, n, components, k), note


def _closeness_exact(S: nx.Graph, nodes: list[str]) -> Values:
    """Exact closeness: one breadth-first search from every node."""
    from scipy.sparse.csgraph import shortest_path

    n = len(nodes)
    A = nx.to_scipy_sparse_array(S, nodelist=nodes, weight=None, format="csr")
    out: Values = {}
    block = max(1, min(n, 2_000_000 // n))
    for start in range(0, n, block):
        idx = np.arange(start, min(n, start + block))
        dist = shortest_path(A, method="D", directed=False, unweighted=True, indices=idx)
        finite = np.isfinite(dist)
        reach = finite.sum(axis=1) - 1  # minus the source itself
        total = np.where(finite, dist, 0.0).sum(axis=1)
        for i, r, t in zip(idx, reach, total):
            out[nodes[int(i)]] = float((r / t) * (r / (n - 1))) if t > 0 else 0.0
    return out


def _closeness_pivots(S: nx.Graph, n: int, components: list[list[Any]], k: int) -> Values:
    """Closeness from breadth-first searches rooted at pivots, one connected component at a time.

    A component of more than k nodes gets k pivots drawn with the seed :data:`SEED` (components
    in the order given); a smaller one uses all its nodes, so its values are exact. Searching
    inside each component keeps every distance row as long as the component, not the graph.
    """
    import random

    from scipy.sparse.csgraph import shortest_path

    rng = random.Random(SEED)
    out: Values = {}
    for component in components:
        r = len(component) - 1  # exact: the other nodes of the component
        if r == 0:
            out[component[0]] = 0.0
            continue
        local = {v: i for i, v in enumerate(component)}
        sources = [local[v] for v in rng.sample(component, k)] if len(component) > k else list(range(len(component)))
        A = nx.to_scipy_sparse_array(S, nodelist=component, weight=None, format="csr")
        total = np.zeros(len(component))  # sum of distances from the pivots
        seen = np.full(len(component), float(len(sources)))  # pivots other than the node itself
        seen[sources] -= 1
        block = max(1, min(len(sources), 2_000_000 // len(component)))
        for start in range(0, len(sources), block):
            dist = shortest_path(A, method="D", directed=False, unweighted=True, indices=sources[start:start + block])
            total += dist.sum(axis=0)
        for v, t, c in zip(component, total, seen):
            estimate = r * t / c if c > 0 else 0.0  # estimated sum of distances to the r reached nodes
            out[v] = float((r / estimate) * (r / (n - 1))) if estimate > 0 else 0.0
    return out


def _eigenvector(S: nx.Graph) -> tuple[Values, str]:
    if S.number_of_nodes() == 0:
        return {}, ""
    values: Values = {n: 0.0 for n in S}
    components = sorted(nx.connected_components(S), key=lambda c: (-len(c), min(str(x) for x in c)))
    main = components[0]
    note = ""
    if len(components) > 1:
        note = (
            f"eigenvector centrality computed on the largest connected component ({len(main)} of "
            f"{S.number_of_nodes()} nodes); the other nodes get 0"
        )
    if len(main) == 1:
        return values, note
    H = S.subgraph(main)
    try:
        ev = _principal_vector(H)
    except (np.linalg.LinAlgError, ArithmeticError, RuntimeError):  # fall back to power iteration
        try:
            ev = nx.eigenvector_centrality(H, weight="weight", max_iter=2000, tol=1e-10)
        except nx.PowerIterationFailedConvergence:
            return {n: None for n in S}, "eigenvector centrality did not converge; left empty"
    for n, x in ev.items():
        values[n] = abs(float(x))  # the sign of an eigenvector is arbitrary
    return values, note


def _principal_vector(H: nx.Graph) -> dict[str, float]:
    """Unit principal eigenvector of the weighted adjacency matrix, computed deterministically.

    Dense ``eigh`` up to 2000 nodes, else Lanczos (``eigsh``) from a fixed start vector, so
    repeated runs give identical digits (NetworkX's ARPACK call starts from a random vector).
    """
    import scipy.sparse.linalg as sla

    nodes = sorted(H.nodes, key=str)
    A = nx.to_scipy_sparse_array(H, nodelist=nodes, weight="weight", dtype=float)
    if len(nodes) <= 2000:
        vals, vecs = np.linalg.eigh(A.toarray())
        vec = vecs[:, int(np.argmax(vals))]
    else:
        _vals, vecs = sla.eigsh(A, k=1, which="LA", v0=np.ones(len(nodes)), tol=1e-12, maxiter=10000)
        vec = vecs[:, 0]
    vec = np.abs(vec) / np.linalg.norm(vec)
    return {n: float(x) for n, x in zip(nodes, vec)}


def _pagerank(S: nx.Graph, engine: str = "networkx") -> Values:
    if S.number_of_nodes() == 0:
        return {}
    if _use_igraph(engine, S.number_of_nodes()):
        ig = _igraph_of(S)
        _one_openmp_thread()
        ranks = ig.graph.pagerank(directed=False, damping=0.85, weights="weight", implementation="prpack")
        return {node: float(x) for node, x in zip(ig.nodes, ranks)}
    return {n: float(x) for n, x in nx.pagerank(S, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000).items()}


def betweenness(G: nx.MultiDiGraph | nx.Graph, *, samples: int | None = None, engine: str = "auto") -> dict[str, float]:
    """Betweenness of every node (see the module docstring); ``samples`` as in :func:`node_metrics`.

    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edges_from([("a", "b"), ("b", "c")])
    >>> betweenness(M, engine="igraph") == betweenness(M, engine="networkx") == {"a": 0.0, "b": 1.0, "c": 0.0}
    True
    """
    _check_engine(engine)
    return dict(_betweenness(_simple_for(G, engine), samples, engine)[0])  # type: ignore[arg-type]


def pagerank(G: nx.MultiDiGraph | nx.Graph, *, engine: str = "auto") -> dict[str, float]:
    """Weighted PageRank (damping 0.85) of every node on the simple projection."""
    _check_engine(engine)
    return dict(_pagerank(_simple_for(G, engine), engine))  # type: ignore[arg-type]


def communities(G: nx.MultiDiGraph | nx.Graph, *, engine: str = "auto") -> dict[str, int]:
    """Louvain community of every node, numbered 0, 1, ... by decreasing size (ties by smallest IRI)."""
    _check_engine(engine)
    return dict(_community(_simple_for(G, engine), engine))  # type: ignore[arg-type]


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")


def _use_igraph(engine: str, n: int) -> bool:
    return engine == "igraph" or (engine == "auto" and n >= IGRAPH_THRESHOLD)


def _simple_for(G: nx.MultiDiGraph | nx.Graph, engine: str) -> nx.Graph:
    """The simple projection, skipped when igraph will read ``G`` directly (see :func:`_igraph_of`)."""
    if not G.is_directed() and not G.is_multigraph():
        return G
    if _use_igraph(engine, G.number_of_nodes()):
        return G  # type: ignore[return-value]
    return simple_graph(G)


@dataclass(frozen=True)
class _IGraph:
    """An igraph copy of a simple projection: vertex i is ``nodes[i]``; edge attribute ``weight``."""

    graph: object
    nodes: list[str]


def _igraph_of(G: nx.MultiDiGraph | nx.Graph) -> _IGraph:
    """The igraph copy of ``simple_graph(G)``: nodes sorted by IRI, one undirected tie per pair, summed weights.

    Built straight from ``G``'s edges (no intermediate NetworkX graph) and cached in
    ``G.__networkx_cache__``.
    """
    igraph = load_igraph()

    cache = getattr(G, "__networkx_cache__", None)
    if cache is not None and "wbsec-igraph" in cache:
        return cache["wbsec-igraph"]  # type: ignore[no-any-return]
    nodes = sorted(G.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    pairs: list[tuple[int, int]] = []
    weights: list[float] = []
    add_pair, add_weight = pairs.append, weights.append
    undirected, multi = not G.is_directed(), G.is_multigraph()
    # G._adj is NetworkX's own adjacency dict (its algorithms read it too): walking it directly
    # takes half the time of G.edges(data=...), the largest part of a first PageRank on 50k nodes
    for u, nbrs in G._adj.items():
        iu = index[u]
        for v, data in nbrs.items():
            iv = index[v]
            if undirected and iv < iu:
                continue  # an undirected graph lists each edge under both ends
            pair = (iu, iv)
            for d in data.values() if multi else (data,):
                add_pair(pair)
                add_weight(float(d.get("weight", 1.0)))
    H = igraph.Graph(n=len(nodes), edges=pairs, directed=False)
    H.es["weight"] = weights
    # parallel edges (either direction) become one tie with the summed weight; self-loops go (in C)
    H.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    out = _IGraph(H, [str(n) for n in nodes])
    if cache is not None:
        cache["wbsec-igraph"] = out
    return out


@functools.lru_cache(maxsize=1)
def _openmp() -> Any:
    """The OpenMP runtime igraph was built with (its wheel ships one), or None."""
    import ctypes
    import glob
    import os

    igraph = load_igraph()

    bundled = glob.glob(os.path.join(os.path.dirname(igraph.__file__), os.pardir, "igraph.libs", "libgomp*.so*"))
    for name in [*bundled, "libgomp.so.1"]:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _one_openmp_thread() -> None:
    """igraph's PageRank (PRPACK) sums in parallel, so its last digits change from run to run; one thread keeps them."""
    lib = _openmp()
    if lib is not None:
        lib.omp_set_num_threads(1)


def _igraph_betweenness(G: nx.MultiDiGraph | nx.Graph, k: int | None) -> Values:
    """NetworkX's normalised betweenness (endpoints excluded), exact or from k sources drawn as NetworkX draws them."""
    import random

    ig = _igraph_of(G)
    H: Any = ig.graph
    n = len(ig.nodes)
    if k is None:
        raw = H.betweenness(directed=False)
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        return {node: float(x) * scale for node, x in zip(ig.nodes, raw)}
    sources = random.Random(SEED).sample(ig.nodes, k)  # the draw nx.betweenness_centrality(seed=SEED) makes
    position = {node: i for i, node in enumerate(ig.nodes)}
    raw = H.betweenness(directed=False, sources=[position[s] for s in sources])
    chosen = set(sources)
    # igraph counts each unordered pair once; NetworkX sums ordered (source, target) pairs, then rescales
    in_sample = 2.0 / ((k - 1) * (n - 2)) if k > 1 and n > 2 else math.nan
    outside = 2.0 / (k * (n - 2)) if n > 2 else 1.0
    return {node: float(x) * (in_sample if node in chosen else outside) for node, x in zip(ig.nodes, raw)}


def _igraph_communities(G: nx.MultiDiGraph | nx.Graph) -> list[set[str]]:
    import random

    igraph = load_igraph()
    ig = _igraph_of(G)
    H: Any = ig.graph
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        clustering = H.community_multilevel(weights="weight")
    finally:
        igraph.set_random_number_generator(random)
    found: dict[int, set[str]] = {}
    for node, label in zip(ig.nodes, clustering.membership):
        found.setdefault(label, set()).add(node)
    return list(found.values())


def _core(S: nx.Graph) -> Values:
    return {n: int(x) for n, x in nx.core_number(S).items()}


def _community(S: nx.Graph, engine: str = "networkx") -> Values:
    if S.number_of_nodes() == 0:
        return {}
    if _use_igraph(engine, S.number_of_nodes()):
        found = _igraph_communities(S)
    else:
        found = nx.community.louvain_communities(S, weight="weight", seed=SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(str(x) for x in c)))
    return {n: i for i, c in enumerate(ordered) for n in c}


def _tie_weights(S: nx.Graph) -> tuple[dict[Any, dict[Any, float]], dict[Any, float]]:
    """Each node's ties as ``{neighbour: weight}`` (self-loops left out), and each node's total tie weight."""
    nbrs = {v: {u: float(d.get("weight", 1.0)) for u, d in S[v].items() if u != v} for v in S}
    return nbrs, {v: sum(ws.values()) for v, ws in nbrs.items()}


def _ego_ties(nbrs: dict[Any, dict[Any, float]], total: dict[Any, float]
              ) -> Iterator[tuple[Any, list[tuple[Any, float, set[Any]]] | None]]:
    """Per node: its ties as (neighbour, weight, neighbours the two share), or None for a node without weight.

    The shared set is built from the smaller side: O(sum over ties of the smaller degree).
    """
    for v, ws in nbrs.items():
        if not ws or total[v] == 0:
            yield v, None
            continue
        near = set(ws)
        yield v, [(w, weight, near & nbrs[w].keys() if len(near) < len(nbrs[w]) else nbrs[w].keys() & near)
                  for w, weight in ws.items()]


def _constraint(S: nx.Graph) -> Values:
    """Burt's constraint, weighted: C(v) = sum over ties v-w of (p(v,w) + sum_{u in N(v) & N(w)} p(v,u) p(u,w))^2.

    p(v,w) is w(v,w) over v's total tie weight; ties of weight 0 add nothing; ``None`` for
    isolated nodes. This is NetworkX's definition, computed through shared neighbours in
    O(sum over ties of the smaller degree): NetworkX 3.6.1's all-nodes code squares the
    whole normalised adjacency matrix, 4 GB and 22 CPU-s on a 58,618-node view.
    """
    nbrs, total = _tie_weights(S)
    out: Values = {}
    for v, ties in _ego_ties(nbrs, total):
        if ties is None:
            out[v] = None
            continue
        score = 0.0
        for w, weight, shared in ties:
            if weight <= 0:
                continue
            # fsum: exact, so the set's order (which follows the hash seed) cannot move the last digit
            indirect = math.fsum(nbrs[v][u] / total[v] * nbrs[u][w] / total[u] for u in shared if total[u])
            score += (weight / total[v] + indirect) ** 2
        out[v] = score
    return out


def _effective_size(S: nx.Graph) -> Values:
    """Burt's effective size, weighted: ES(v) = deg(v) - sum_w p(v,w) * sum_{u in N(v) & N(w)} m(u,w).

    p(v,w) is w(v,w) over v's total tie weight, m(u,w) is w(u,w) over u's largest tie
    weight. This is NetworkX's per-node definition, computed through shared neighbours
    in O(sum over ties of the smaller degree); NetworkX's own all-nodes code in 3.6.1
    normalises by the wrong axis on weighted graphs (networkx PR #8906) and its
    per-node code is far slower on hubs.
    """
    nbrs, total = _tie_weights(S)
    top = {v: max(ws.values(), default=0.0) for v, ws in nbrs.items()}
    out: Values = {}
    for v, ties in _ego_ties(nbrs, total):
        if ties is None:
            out[v] = None
            continue
        redundancy = 0.0
        for w, weight, shared in ties:
            if shared:
                # fsum: a set's order follows the hash seed, and a plain sum's last digit would too
                redundancy += (weight / total[v]) * math.fsum(nbrs[u][w] / top[u] for u in shared)
        out[v] = len(ties) - redundancy
    return out


def _signed_ties(S: nx.Graph, positive: bool) -> Values:
    want = 1 if positive else -1
    return {n: sum(1 for m in S[n] if S[n][m].get("sign", 1) == want) for n in S}


_COMPUTE = {
    "degree": _degree,
    "weighted_degree": _weighted_degree,
    "pagerank": _pagerank,
    "core": _core,
    "community": _community,
    "constraint": _constraint,
    "effective_size": _effective_size,
    "positive_ties": lambda S: _signed_ties(S, True),
    "negative_ties": lambda S: _signed_ties(S, False),
}


def _ranked(rows: list[NodeMetrics], metric: str) -> list[NodeMetrics]:
    present = [r for r in rows if r.value(metric) is not None]
    missing = [r for r in rows if r.value(metric) is None]
    sign = 1 if metric in ASCENDING else -1
    present.sort(key=lambda r: (sign * float(r.value(metric) or 0.0), r.id))
    return present + missing


# --- ego networks and paths -------------------------------------------------------------------


def _require(G: nx.MultiDiGraph, node: str) -> None:
    if node not in G:
        view = G.graph.get("view", "")
        where = f"the {view!r} view" if view else "the graph"
        raise InputError(f"{node} is not a node of {where}; try another --view")


def _ref(G: nx.MultiDiGraph, node: str, distance: int = 0) -> NodeRef:
    d = G.nodes[node]
    return NodeRef(str(node), str(d.get("label", node)), str(d.get("kind", "other")), distance)


def _tie(u: str, v: str, d: dict[str, object]) -> Tie:
    return Tie(
        source=str(u),
        target=str(v),
        relation=str(d.get("relation", "")),
        role=str(d.get("role", "")),
        weight=float(d.get("weight", 1.0)),  # type: ignore[arg-type]
        sign=-1 if float(d.get("sign", 1)) < 0 else 1,  # type: ignore[arg-type]
        since=str(d.get("since", "")),
        until=str(d.get("until", "")),
        claim=str(d.get("claim", "")),
    )


def _tie_key(t: Tie) -> tuple[str, ...]:
    return (t.source, t.target, t.relation, t.claim, t.role)


def _ties_between(G: nx.MultiDiGraph, a: str, b: str) -> list[Tie]:
    ties = [_tie(a, b, d) for d in G.get_edge_data(a, b, default={}).values()]
    ties += [_tie(b, a, d) for d in G.get_edge_data(b, a, default={}).values()]
    return sorted(ties, key=_tie_key)
