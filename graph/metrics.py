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
  reachable share (Wasserman-Faust; NetworkX ``closeness_centrality``);
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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from graph.errors import InputError

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
#: Above this many nodes betweenness is sampled unless ``samples=0``.
SAMPLE_THRESHOLD = 5000
#: Sources drawn when betweenness is sampled automatically.
DEFAULT_SAMPLES = 500
#: At most this many shortest paths are listed.
MAX_PATHS = 100


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
class Tie:
    """One edge of ``G`` (one claim) between two nodes, as shown by ``neighbours`` and ``path``."""

    source: str
    target: str
    relation: str
    role: str
    weight: float
    sign: int
    since: str
    until: str
    claim: str


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
    signed: dict[tuple[str, str], float] = {}
    for u, v, d in sorted(G.edges(data=True), key=lambda t: (str(t[0]), str(t[1]))):
        if u == v:
            continue
        a, b = sorted((u, v), key=str)
        w = float(d.get("weight", 1.0))
        s = -1 if float(d.get("sign", 1)) < 0 else 1
        if S.has_edge(a, b):
            S[a][b]["weight"] += w
        else:
            S.add_edge(a, b, weight=w)
        rel = f"n_{d.get('relation', 'edge')}"
        S[a][b][rel] = S[a][b].get(rel, 0) + 1
        signed[(a, b)] = signed.get((a, b), 0.0) + s * w
    for (a, b), total in signed.items():
        S[a][b]["sign"] = (total > 0) - (total < 0)
    return S


def node_metrics(
    G: nx.MultiDiGraph | nx.Graph,
    metrics: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    top: int | None = None,
) -> MetricsReport:
    """Compute ``metrics`` (default: all of :data:`METRICS`) for every node of ``G``.

    Rows are ranked by the first metric (descending; ascending for
    ``constraint`` and ``community``), ties broken by IRI; ``top`` keeps the
    first ``top`` rows. ``samples`` controls betweenness sampling (see the
    module docstring). The report also carries the structural balance of the
    graph's signs and notes on anything estimated or undefined.

    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edges_from([("a", "b"), ("b", "c")])
    >>> [(r.id, r.degree, r.betweenness) for r in node_metrics(M, ["degree", "betweenness"]).rows]
    [('b', 2, 1.0), ('a', 1, 0.0), ('c', 1, 0.0)]
    """
    names = tuple(metrics) if metrics else METRICS
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        raise InputError(f"unknown metric {unknown[0]!r}; use one of: {', '.join(METRICS)}")
    names = tuple(dict.fromkeys(names))
    if top is not None and top < 0:
        raise InputError("--top must be zero or more")
    if samples is not None and samples < 0:
        raise InputError("--samples must be zero or more")
    S = simple_graph(G)
    if S.number_of_nodes() == 0:
        return MetricsReport(names, [], Balance(0, 0), [], None)
    notes: list[str] = []
    values: dict[str, dict[str, int | float | None]] = {}
    used_samples: int | None = None
    for name in names:
        if name == "betweenness":
            values[name], used_samples, note = _betweenness(S, samples)
            if note:
                notes.append(note)
        elif name == "eigenvector":
            values[name], note = _eigenvector(S)
            if note:
                notes.append(note)
        else:
            values[name] = _COMPUTE[name](S)
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
    if top is not None:
        rows = rows[:top]
    return MetricsReport(names, rows, balance(S), notes, used_samples)


def balance(G: nx.MultiDiGraph | nx.Graph) -> Balance:
    """Structural balance: triangles of signed ties, and how many have a positive sign product.

    >>> S = nx.Graph()
    >>> S.add_edges_from([("a", "b", {"sign": 1}), ("b", "c", {"sign": -1}), ("a", "c", {"sign": -1})])
    >>> balance(S)
    Balance(triads=1, balanced=1)
    """
    S = G if isinstance(G, nx.Graph) and not G.is_directed() and not G.is_multigraph() else simple_graph(G)
    order = {n: i for i, n in enumerate(sorted(S.nodes, key=str))}
    triads = balanced = 0
    for u in S:
        for v in S[u]:
            if order[v] <= order[u]:
                continue
            for w in set(S[u]) & set(S[v]):
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


def _betweenness(S: nx.Graph, samples: int | None) -> tuple[Values, int | None, str]:
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
    bc = nx.betweenness_centrality(S, k=k, normalized=True, weight=None, seed=SEED if k else None)
    return {v: float(x) for v, x in bc.items()}, k, note


def _closeness(S: nx.Graph) -> Values:
    return {n: float(x) for n, x in nx.closeness_centrality(S).items()}


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


def _pagerank(S: nx.Graph) -> Values:
    if S.number_of_nodes() == 0:
        return {}
    return {n: float(x) for n, x in nx.pagerank(S, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000).items()}


def _core(S: nx.Graph) -> Values:
    return {n: int(x) for n, x in nx.core_number(S).items()}


def _community(S: nx.Graph) -> Values:
    if S.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(S, weight="weight", seed=SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(str(x) for x in c)))
    return {n: i for i, c in enumerate(ordered) for n in c}


def _constraint(S: nx.Graph) -> Values:
    return {n: _clean(x) for n, x in nx.constraint(S, weight="weight").items()}


def _effective_size(S: nx.Graph) -> Values:
    # nodes=... forces NetworkX's per-node code: its sparse all-nodes path in 3.6.1 divides by the
    # column instead of the row maximum and is wrong on weighted graphs (networkx PR #8906).
    return {n: _clean(x) for n, x in nx.effective_size(S, nodes=list(S), weight="weight").items()}


def _signed_ties(S: nx.Graph, positive: bool) -> Values:
    want = 1 if positive else -1
    return {n: sum(1 for m in S[n] if S[n][m].get("sign", 1) == want) for n in S}


_COMPUTE = {
    "degree": _degree,
    "weighted_degree": _weighted_degree,
    "closeness": _closeness,
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
