"""How much of the connectivity among the polities runs through outside actors (pure NetworkX, no rdflib)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


@dataclass(frozen=True)
class Connectivity:
    """How the polities hang together in one network: components and shortest paths among them."""

    components: int
    groups: tuple[tuple[str, ...], ...]
    reachable_pairs: int
    pairs: int
    average_path_length: float | None


@dataclass(frozen=True)
class CarrierShare:
    """How much of the shortest-path traffic among the polities one intermediate node carries."""

    actor: str
    outside: bool
    share: float
    pairs: int
    sole_carrier_pairs: int


@dataclass(frozen=True)
class PairPaths:
    """The shortest paths between two polities and how many of them run through outside actors."""

    a: str
    b: str
    distance: int | None
    paths: int
    through_outside: int
    carriers: tuple[str, ...]
    outside_carriers: tuple[str, ...]


@dataclass(frozen=True)
class ExternalDependence:
    """Connectivity of the polities with and without outside actors, and who carries it.

    ``direct_only`` keeps only the ties among the polities themselves (no
    intermediary of any kind). ``outside_actors`` lists the carriers that are
    outside actors.
    """

    with_outside: Connectivity
    without_outside: Connectivity
    direct_only: Connectivity
    share_through_outside: float | None
    carriers: tuple[CarrierShare, ...]
    pairs: tuple[PairPaths, ...]
    relations: tuple[str, ...]
    outside_nodes: int
    alternatives: tuple[Classification, ...] = ()

    @property
    def outside_actors(self) -> tuple[CarrierShare, ...]:
        """The carriers that are outside actors, largest share first."""
        return tuple(c for c in self.carriers if c.outside)


def cooperation_network(G: Any, *, relations: Sequence[str], roles: Sequence[str],
                        route_via: Mapping[str, str] | None = None, extra_outside: Iterable[str] = (),
                        merge_into: Mapping[str, str] | None = None) -> Any:
    """The undirected network of cooperative ties among all actors, taken from a projected view.

    Keeps edges whose ``relation`` is in ``relations`` and whose ``sign`` is not
    negative; affiliation edges only in one of ``roles`` (role IRIs) and
    without an end date. An edge whose ``claim`` is in ``route_via``
    (agreement -> hub) is replaced by ties from both ends to the hub (the
    agreement's framework, or the agreement). Nodes in ``merge_into`` (a
    ministry -> its polity) are merged into that node. Node attributes are
    copied; nodes in ``extra_outside`` get ``external=True``.
    """
    import networkx as nx

    keep, role_set, via, merge = set(relations), set(roles), route_via or {}, dict(merge_into or {})
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if n not in merge)
    for u0, v0, data in G.edges(data=True):
        u, v = merge.get(u0, u0), merge.get(v0, v0)
        if data.get("relation") not in keep or float(data.get("sign", 1) or 1) < 0 or u == v:
            continue
        if data.get("relation") == "affiliation" and (str(data.get("role", "")) not in role_set or data.get("until")):
            continue
        hub = via.get(str(data.get("claim", "")))
        if hub:
            if hub not in H:
                H.add_node(hub, external=False, kind="other", label=hub)
            for end in (u, v):
                if end != hub:
                    H.add_edge(end, hub)
        else:
            H.add_edge(u, v)
    for node in extra_outside:
        if node in H:
            H.nodes[node]["external"] = True
    return H


def _bfs(H: Any, source: str) -> tuple[dict[str, int], dict[str, int], list[str], dict[str, list[str]]]:
    dist, sigma, order, preds = {source: 0}, {source: 1}, [source], {source: []}
    head = 0
    while head < len(order):
        u = order[head]
        head += 1
        for w in sorted(H.adj[u]):
            if w not in dist:
                dist[w] = dist[u] + 1
                sigma[w] = 0
                preds[w] = []
                order.append(w)
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
                preds[w].append(u)
    return dist, sigma, order, preds


def _connectivity(H: Any, polities: Sequence[str]) -> Connectivity:
    import networkx as nx

    groups: dict[frozenset[str], list[str]] = {}
    for p in polities:
        comp = frozenset(nx.node_connected_component(H, p)) if p in H else frozenset((p,))
        groups.setdefault(comp, []).append(p)
    lengths: list[int] = []
    pairs = 0
    for a, b in itertools.combinations(polities, 2):
        pairs += 1
        if a in H and b in H:
            try:
                lengths.append(nx.shortest_path_length(H, a, b))
            except nx.NetworkXNoPath:
                pass
    return Connectivity(
        components=len(groups),
        groups=tuple(sorted(tuple(sorted(g)) for g in groups.values())),
        reachable_pairs=len(lengths),
        pairs=pairs,
        average_path_length=_mean(lengths) if lengths else None,
    )


def external_dependence(H: Any, polities: Sequence[str], relations: Sequence[str] = ()) -> ExternalDependence:
    """How much of the connectivity among ``polities`` in the undirected network ``H`` runs through outside actors.

    Outside actors are nodes with ``external=True`` that are not among
    ``polities``. For each pair of polities, all shortest paths (in hops) are
    counted, and how many pass at least one outside node. A carrier's share is
    the mean, over connected pairs, of the fraction of the pair's shortest
    paths that pass it; carriers are every intermediate node (outside actors
    and others, such as initiatives), flagged ``outside``.

    >>> import networkx as nx
    >>> H = nx.Graph([("A", "EU"), ("EU", "B")]); H.nodes["EU"]["external"] = True
    >>> ed = external_dependence(H, ["A", "B"])
    >>> ed.share_through_outside, ed.carriers[0].actor, ed.without_outside.components
    (1.0, 'EU', 2)
    """
    six = sorted(polities)
    members = set(six)
    outside = {n for n, d in H.nodes(data=True) if d.get("external") and n not in members}
    inside_graph = H.subgraph([n for n in H if n not in outside])
    direct_graph = H.subgraph([n for n in H if n in members])
    bfs = {p: _bfs(H, p) for p in six if p in H}
    pair_rows: list[PairPaths] = []
    tally = _CarrierTally()
    fractions: list[float] = []
    for a, b in itertools.combinations(six, 2):
        if a not in bfs or b not in bfs or b not in bfs[a][0]:
            pair_rows.append(PairPaths(a, b, None, 0, 0, (), ()))
            continue
        row = _pair_paths(a, b, bfs[a], bfs[b], outside, tally)
        fractions.append(row.through_outside / row.paths)
        pair_rows.append(row)
    reachable = len(fractions)
    found = sorted(
        (CarrierShare(x, x in outside, tally.share[x] / reachable, tally.pairs[x], tally.sole[x]) for x in tally.share),
        key=lambda c: (-round(c.share, 12), not c.outside, c.actor),
    )
    return ExternalDependence(
        with_outside=_connectivity(H, six),
        without_outside=_connectivity(inside_graph, six),
        direct_only=_connectivity(direct_graph, six),
        share_through_outside=_mean(fractions) if fractions else None,
        carriers=tuple(found),
        pairs=tuple(pair_rows),
        relations=tuple(relations),
        outside_nodes=len(outside),
    )


@dataclass
class _CarrierTally:
    """Per intermediate node: summed share of shortest paths, pairs it lies between, pairs it alone carries."""

    share: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pairs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sole: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _pair_paths(a: str, b: str, from_a: Any, from_b: Any, outside: set[str], tally: _CarrierTally) -> PairPaths:
    """The shortest a-b paths: how many, how many pass an outside node, and their carriers (added to ``tally``)."""
    dist_a, sigma_a, order_a, preds_a = from_a
    dist_b, sigma_b, _o, _p = from_b
    d, total = dist_a[b], sigma_a[b]
    # inner[v]: shortest a-v paths whose intermediate nodes are all inside the region
    inner: dict[str, int] = {a: 1}
    for node in order_a[1:]:
        if dist_a[node] > d:
            break
        inner[node] = sum(inner[u] for u in preds_a[node] if u == a or u not in outside)
    carriers: list[tuple[float, str]] = []
    for x in order_a[1:]:
        if dist_a[x] >= d:
            break
        if x in dist_b and dist_a[x] + dist_b[x] == d:
            n = sigma_a[x] * sigma_b[x]
            tally.share[x] += n / total
            tally.pairs[x] += 1
            if n == total:
                tally.sole[x] += 1
            carriers.append((-n / total, x))
    carriers.sort()
    return PairPaths(a, b, d, total, total - inner.get(b, 0), tuple(x for _s, x in carriers),
                     tuple(x for _s, x in carriers if x in outside))


@dataclass(frozen=True)
class Classification:
    """The external-dependence result under one outside/inside classification of the bridging actors."""

    outside: tuple[str, ...]
    inside: tuple[str, ...]
    share_through_outside: float | None
    without_outside: Connectivity
    declared: bool


def classification_alternatives(H: Any, polities: Sequence[str], bridging: Sequence[str],
                                relations: Sequence[str] = ()) -> tuple[Classification, ...]:
    """External dependence with every bridging actor of ``H`` counted as outside or inside (2^k results).

    The declared classification (the ``external`` flags already on ``H``)
    is marked ``declared``. Bridging actors missing from ``H`` are ignored.

    >>> import networkx as nx
    >>> H = nx.Graph([("A", "BP"), ("BP", "B")])
    >>> [(c.outside, c.share_through_outside) for c in classification_alternatives(H, ["A", "B"], ["BP"])]
    [((), 0.0), (('BP',), 1.0)]
    """
    present = sorted(n for n in set(bridging) if n in H)
    declared = frozenset(n for n in present if H.nodes[n].get("external"))
    out: list[Classification] = []
    for k in range(len(present) + 1):
        for chosen in itertools.combinations(present, k):
            H2 = H.copy()
            for n in present:
                H2.nodes[n]["external"] = n in chosen
            ed = external_dependence(H2, polities, relations)
            out.append(Classification(tuple(chosen), tuple(n for n in present if n not in chosen),
                                      ed.share_through_outside, ed.without_outside, frozenset(chosen) == declared))
    return tuple(out)
