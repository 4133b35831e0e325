"""Draw a projected network as one self-contained, offline HTML explorer page.

The page is built from a NetworkX graph with the attributes that
:func:`graph.project.to_networkx` sets (``label``, ``kind``, ``region``,
``external`` on nodes; ``relation``, ``role``, ``via``, ``weight``, ``sign``,
``since``, ``until``, ``claim``, ``claims`` on edges; ``G.graph["absences"]``).
This module never touches RDF: provenance arrives as a mapping from claim IRI
to a record with the source titles, locator and evidence quote (see
:func:`graph.provenance.claim_provenance`).

pyvis collects the node and edge records; the page itself is rendered from
the project's own Jinja2 template with autoescaping, because pyvis's
template loads scripts from CDNs, switches to ``innerHTML`` popups when a
title mentions "href", and writes a ``lib/`` folder into the working
directory. vis-network is inlined from the copy pyvis ships, every inline
script and style is pinned by a sha256 hash in a Content-Security-Policy, and
data travels as JSON read with ``JSON.parse`` and shown with ``textContent``.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:a", label="A", kind="polity")
>>> G.add_node("urn:b", label="<evil>", kind="organisation")
>>> G.add_edge("urn:a", "urn:b", relation="affiliation", claim="urn:c")
0
>>> page = explorer_page(G, title="Demo")
>>> (page.nodes, page.edges, "<evil>" in page.html, "evil" in page.html)
(2, 1, False, True)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

import networkx as nx

from graph.igraph_import import load_igraph
from graph.iri import local_name
from graph.relations import Tie, relations

if TYPE_CHECKING:
    from pyvis.network import Network

__all__ = [
    "EDGE_STYLES",
    "edge_styles",
    "KIND_STYLES",
    "LAYOUT_THRESHOLD",
    "ExplorerPage",
    "GapEdge",
    "ProvenanceLike",
    "SourceLike",
    "content_security_policy",
    "explorer_page",
    "layout_positions",
    "neighbourhood",
]

#: Above this many nodes, positions are computed in Python and physics stays off.
LAYOUT_THRESHOLD = 300

#: In a big graph, this many nodes (the largest by the size metric) are labelled from the start.
_BIG_LABELS = 200

_ACTOR_KINDS = frozenset({"polity", "organisation", "person"})

#: vis-network as shipped inside pyvis 0.3.2 (Apache-2.0 / MIT; its licence header is kept).
_VIS_JS = ("templates", "lib", "vis-9.1.2", "vis-network.min.js")


@dataclass(frozen=True)
class KindStyle:
    """How nodes of one kind are drawn."""

    color: str
    shape: str
    caption: str


@dataclass(frozen=True)
class EdgeStyle:
    """How edges of one relation are drawn (negative ties are drawn red whatever the relation)."""

    color: str
    caption: str
    directed: bool
    dashes: bool = False


# Okabe-Ito-like hues, one shape per kind, so kinds stay apart in grey print too.
KIND_STYLES: dict[str, KindStyle] = {
    "polity": KindStyle("#1f5fa8", "dot", "Polity"),
    "organisation": KindStyle("#e08a00", "square", "Organisation"),
    "initiative": KindStyle("#12887a", "diamond", "Initiative"),
    "person": KindStyle("#8e4fa8", "triangle", "Person"),
    "event": KindStyle("#d1603d", "star", "Event"),
    "source": KindStyle("#6f7b85", "triangleDown", "Source"),
    "concept": KindStyle("#a88a1e", "hexagon", "Concept"),
    "region": KindStyle("#34495e", "hexagon", "Region"),
    "other": KindStyle("#98a3ab", "dot", "Other"),
}

NEGATIVE_COLOR = "#c62828"

def edge_styles() -> dict[str, EdgeStyle]:
    """How each relation is drawn, as declared in ``ontology/projections/relations.toml``, in the legend's order."""
    return {name: EdgeStyle(r.color, r.caption, r.directed, r.dashes) for name, r in relations().items()}


#: The shipped relations' styles (read once at import; :func:`edge_styles` reads the table again).
EDGE_STYLES: dict[str, EdgeStyle] = edge_styles()
_OTHER_EDGE = EdgeStyle("#9e9e9e", "Other", directed=True)

_COMMUNITY_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
)


class SourceLike(Protocol):
    """A source document a claim was read in (an optional ``primary`` flag marks a relayed original)."""

    @property
    def iri(self) -> str: ...

    @property
    def title(self) -> str: ...


class ProvenanceLike(Protocol):
    """Where one claim comes from: its sources, the place in them and a short quote."""

    @property
    def sources(self) -> Sequence[SourceLike]: ...

    @property
    def locator(self) -> str: ...

    @property
    def evidence(self) -> str: ...


@dataclass(frozen=True)
class GapEdge:
    """A dyad drawn as a dashed edge: cooperation wanted or needed but missing.

    ``kind`` is ``"gap"`` for a dyad found by the gap analysis or ``"absence"``
    for a stated absence (a source says there is no progress); ``claims`` are
    the claims behind it, shown with their sources in the side panel.
    """

    a: str
    b: str
    kind: str = "gap"
    score: float | None = None
    note: str = ""
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExplorerPage:
    """A rendered page and what it shows."""

    html: str
    nodes: int
    edges: int
    gaps: int
    physics: bool
    csp: str = field(repr=False)
    #: Lines for the reader of the command (e.g. what the claim filter kept and dropped).
    notes: tuple[str, ...] = ()


def neighbourhood(G: nx.MultiDiGraph, node: str, depth: int) -> nx.MultiDiGraph:
    """The nodes within ``depth`` steps of ``node`` (either direction) and the edges among them.

    Stated absences are kept when both ends remain.

    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(neighbourhood(G, "b", 1))
    ['a', 'b', 'c']
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    keep = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), node, cutoff=depth)
    H: nx.MultiDiGraph = G.subgraph(keep).copy()
    H.graph["absences"] = [
        dict(x) for x in G.graph.get("absences", []) if x.get("a") in keep and x.get("b") in keep
    ]
    return H


def layout_positions(G: nx.Graph, *, threshold: int = LAYOUT_THRESHOLD) -> dict[str, tuple[float, float]]:
    """Deterministic 2-D positions (in screen pixels around 0) for the nodes of ``G``.

    Up to ``threshold`` nodes: NetworkX's spring layout with a fixed seed (the
    browser then lets physics settle from there). Above it, each connected
    component is laid out on its own with igraph's Fruchterman-Reingold (the
    grid variant above 1,000 nodes, which only repels nearby nodes and stays
    near-linear per iteration) from a sunflower seed on a private, seeded
    random generator; components are then packed in rows, largest first, with
    isolated nodes and pairs in a compact grid underneath, so a few stray nodes
    do not squash the main picture. The same graph always gives the same
    picture; 10,000 nodes take a second or two.

    >>> pos = layout_positions(nx.path_graph(["x", "y", "z"]))
    >>> sorted(pos) == ["x", "y", "z"] and pos == layout_positions(nx.path_graph(["x", "y", "z"]))
    True
    """
    nodes = sorted(G.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from(sorted({tuple(sorted((u, v), key=str)) for u, v in G.edges() if u != v}, key=str))
    if n <= threshold:
        raw = nx.spring_layout(simple, seed=7, iterations=80)
        return _centred({v: (float(raw[v][0]), float(raw[v][1])) for v in nodes}, 60.0 * math.sqrt(n))
    return _packed_components(simple)


def _centred(coords: Mapping[str, tuple[float, float]], radius: float) -> dict[str, tuple[float, float]]:
    """Scale ``coords`` to fit a square of side 2 * radius centred on 0; rounded to 0.1 px."""
    xs = [c[0] for c in coords.values()]
    ys = [c[1] for c in coords.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    k = 2 * radius / span
    return {v: (round((x - cx) * k, 1), round((y - cy) * k, 1)) for v, (x, y) in coords.items()}


def _packed_components(U: nx.Graph) -> dict[str, tuple[float, float]]:
    """Lay out each component on its own and pack them, largest first, isolates and pairs last."""
    gap, cell = 80.0, 60.0
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(U)), key=lambda c: (-len(c), str(c[0])))
    large = [c for c in comps if len(c) >= 3]
    small = [v for c in comps if len(c) < 3 for v in c]  # isolates and pairs, pair members side by side
    pieces: list[tuple[float, dict[str, tuple[float, float]]]] = []
    for comp in large:
        radius = 45.0 * math.sqrt(len(comp))
        sub = U.subgraph(comp)
        index = {v: i for i, v in enumerate(comp)}
        pairs = sorted((min(index[a], index[b]), max(index[a], index[b])) for a, b in sub.edges())
        coords = _igraph_layout(len(comp), pairs)
        pieces.append((radius, _centred({v: (coords[i][0], coords[i][1]) for v, i in index.items()}, radius)))
    total = sum((2 * r + gap) ** 2 for r, _p in pieces) + len(small) * cell * cell
    width = max([2 * r for r, _p in pieces] + [math.sqrt(total), cell])
    out: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for radius, piece in pieces:  # shelf packing: left to right, then a new row
        if x > 0 and x + 2 * radius > width:
            x, y, row = 0.0, y + row + gap, 0.0
        for v, (px, py) in piece.items():
            out[v] = (round(px + x + radius, 1), round(py + y + radius, 1))
        x += 2 * radius + gap
        row = max(row, 2 * radius)
    if small:
        top = y + row + (gap if pieces else 0.0)
        columns = max(1, int(width // cell))
        for i, v in enumerate(small):
            out[v] = (round((i % columns) * cell + cell / 2, 1), round(top + (i // columns) * cell + cell / 2, 1))
    xs = [p[0] for p in out.values()]
    ys = [p[1] for p in out.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {v: (round(px - cx, 1), round(py - cy, 1)) for v, (px, py) in out.items()}


def _igraph_layout(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[float]]:
    """Fruchterman-Reingold positions of nodes 0..n-1 joined by ``pairs``, deterministic."""
    ig = load_igraph()
    golden = math.pi * (3 - math.sqrt(5))  # sunflower (Vogel) seed: even cover of a disc, no randomness
    seed = [[math.sqrt(i + 0.5) * math.cos(i * golden), math.sqrt(i + 0.5) * math.sin(i * golden)] for i in range(n)]
    graph = ig.Graph(n=n, edges=list(pairs))
    ig.set_random_number_generator(random.Random(20240601))
    try:
        niter = 500 if n <= 2000 else 250 if n <= 5000 else 150
        layout = graph.layout_fruchterman_reingold(seed=seed, niter=niter, grid=n > 1000)
    finally:
        ig.set_random_number_generator(random)
    return [[float(c[0]), float(c[1])] for c in layout.coords]


def explorer_page(
    G: nx.MultiDiGraph,
    *,
    title: str = "wbsec network",
    subtitle: str = "",
    sizes: Mapping[str, float] | None = None,
    size_label: str = "degree",
    color_by: str = "kind",
    communities: Mapping[str, int] | None = None,
    gaps: Iterable[GapEdge] = (),
    provenance: Mapping[str, ProvenanceLike] | None = None,
    layout_threshold: int = LAYOUT_THRESHOLD,
    gap_rule: str = "",
) -> ExplorerPage:
    """Render ``G`` as one self-contained HTML page (UTF-8 text, nothing fetched when opened).

    ``sizes`` maps node ids to the metric that sets node size (default: degree,
    counting every edge). ``color_by`` is ``"kind"`` or ``"community"`` (then
    ``communities`` maps node ids to community numbers). ``gaps`` are extra
    dashed edges; stated absences in ``G.graph["absences"]`` are drawn dashed
    too. ``provenance`` maps claim IRIs to their sources for the side panel.
    ``gap_rule`` says in words which gaps were drawn (a line of the legend).

    Up to ``layout_threshold`` nodes the browser lets physics settle, then
    freezes it. Above it, positions come from :func:`layout_positions`, physics
    stays off, arrowheads and curves are left out, and only the 200 largest
    nodes are labelled until the analyst zooms in.
    """
    if color_by not in {"kind", "community"}:
        raise ValueError(f"color_by must be 'kind' or 'community', not {color_by!r}")
    if color_by == "community" and communities is None:
        raise ValueError("color_by='community' needs the communities mapping")
    provenance = provenance or {}
    styles = edge_styles()
    nodes = sorted(G.nodes, key=str)
    if sizes is None:
        sizes = {v: float(d) for v, d in G.degree()}
        size_label = "degree"
    big = len(nodes) > layout_threshold
    positions = layout_positions(G, threshold=layout_threshold)

    net = _network()
    kind_counts = _add_nodes(net, G, nodes, sizes, size_label, color_by, communities, positions, big)
    edge_rows = _edge_rows(G, gaps)
    names = {str(v): str(G.nodes[v].get("label") or local_name(str(v))) for v in nodes}
    summary = _add_edges(net, edge_rows, styles, names, provenance, big)
    kinds, relations = _legend(kind_counts, summary.relation_counts, styles)
    claims, years, negative = summary.claims, summary.years, summary.negative
    vis_nodes, vis_edges = net.get_network_data()[:2]
    data = {
        "title": title,
        "subtitle": subtitle,
        "nodes": vis_nodes,
        "edges": vis_edges,
        "kinds": kinds,
        "relations": relations,
        "negative": {"color": NEGATIVE_COLOR, "count": negative},
        "claims": claims,
        "years": sorted(years) or None,
        "sizeBy": _humanise(size_label),
        "colorBy": color_by,
        "gapRule": gap_rule,
        "physics": not big,
        "options": _vis_options(big),
    }
    html, csp = _render(title, data)
    gap_count = sum(1 for r in edge_rows if r.relation in {"gap", "absence"})
    return ExplorerPage(html=html, nodes=len(vis_nodes), edges=len(vis_edges), gaps=gap_count, physics=not big, csp=csp)


# --- node records, edge records, legend ------------------------------------------------------------


def _add_nodes(net: Network, G: nx.MultiDiGraph, nodes: Sequence[object], sizes: Mapping[str, float],
               size_label: str, color_by: str, communities: Mapping[str, int] | None,
               positions: Mapping[object, tuple[float, float]], big: bool) -> Counter[str]:
    """Add one vis-network node record per node of ``G``; return how many nodes each kind has."""
    size_of = _scaler([float(sizes.get(v, 0.0)) for v in nodes], big=big)
    # Big graphs: only the most prominent nodes carry a label up front (measuring 10,000 labels
    # costs seconds); the page labels the rest when the analyst zooms in.
    labelled = set(sorted(nodes, key=lambda v: (-float(sizes.get(v, 0.0)), str(v)))[:_BIG_LABELS]) if big else set(nodes)
    kind_counts: Counter[str] = Counter()
    for v in nodes:
        attrs = G.nodes[v]
        kind = str(attrs.get("kind") or "other")
        kind = kind if kind in KIND_STYLES else "other"
        kind_counts[kind] += 1
        style = KIND_STYLES[kind]
        name = str(attrs.get("label") or local_name(str(v)))
        external = bool(attrs.get("external", False))
        value = float(sizes.get(v, 0.0))
        community = communities.get(v) if communities is not None else None  # type: ignore[call-overload]
        fill_or_border, extra = _node_look(G, attrs, kind, external, community, color_by)
        x, y = positions[v]
        net.add_node(
            str(v),
            label=name,
            shape=style.shape,
            color=fill_or_border,
            size=size_of(value),
            x=x,
            y=y,
            title=f"{name}\n{style.caption}{' (outside the region)' if external and kind == 'polity' else ''}"
            f" · {_humanise(size_label)} {_number(value)}",
            name=name,
            kind=kind,
            metric=_round(value),  # not "value": vis-network would rescale nodes by it
            **extra,
        )
        if v not in labelled:
            del net.node_map[str(v)]["label"]
    return kind_counts


def _node_look(G: nx.MultiDiGraph, attrs: Mapping[str, object], kind: str, external: bool,
               community: int | None, color_by: str) -> tuple[object, dict[str, object]]:
    """A node's colour (or colour and border) and its extra record fields: border, region, external, community."""
    style = KIND_STYLES[kind]
    if color_by == "community":
        fill = _COMMUNITY_COLORS[int(community) % len(_COMMUNITY_COLORS)] if community is not None else "#c7cdd2"
    else:
        fill = _tint(style.color, 0.55) if external and kind == "polity" else style.color
    extra: dict[str, object] = {}
    if kind == "polity" and not external:  # the six Western Balkan polities stand out
        extra["borderWidth"] = 3
        fill_or_border: object = {"background": fill, "border": "#10263f",
                                  "highlight": {"background": fill, "border": "#000000"}}
    else:
        fill_or_border = fill
    if attrs.get("region"):
        region = str(attrs["region"])
        extra["region"] = str(G.nodes[region].get("label") or local_name(region)) if region in G else \
            re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local_name(region))  # wb:WesternBalkans -> Western Balkans
    if kind in _ACTOR_KINDS:
        extra["external"] = external
    if community is not None:
        extra["community"] = int(community)
    return fill_or_border, extra


@dataclass
class _EdgeSummary:
    """What the legend and the side panel need to know about the edges drawn."""

    relation_counts: Counter[str] = field(default_factory=Counter)
    claims: dict[str, dict[str, object]] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    negative: int = 0


def _add_edges(net: Network, edge_rows: Sequence[_EdgeRow], styles: Mapping[str, EdgeStyle],
               names: Mapping[str, str], provenance: Mapping[str, ProvenanceLike], big: bool) -> _EdgeSummary:
    """Add one vis-network edge record per row; return the counts, claims and years seen."""
    summary = _EdgeSummary()
    parallel: dict[tuple[str, str], int] = defaultdict(int)
    for number, row in enumerate(edge_rows):
        relation = row.relation
        summary.relation_counts[relation] += 1
        style = styles.get(relation, _OTHER_EDGE)
        summary.negative += row.sign < 0
        for date in (row.since, row.until):
            year = _year(date)
            if year is not None:
                summary.years.add(year)
        for claim in row.claims:
            if claim in provenance and claim not in summary.claims:
                summary.claims[claim] = _claim_record(provenance[claim])
        extra = _edge_extra(row, style, names, big)
        if not big:
            pair = (min(row.source, row.target), max(row.source, row.target))
            extra["smooth"] = _smooth(parallel[pair], row.source > row.target)
            parallel[pair] += 1
            extra["title"] = _edge_tooltip(row, style, names)
        net.add_edge(
            row.source,
            row.target,
            id=f"e{number}",
            relation=relation,
            color=NEGATIVE_COLOR if row.sign < 0 else style.color,
            width=_width(row.weight, row.score),
            weight=_round(row.weight),
            claims=list(row.claims),
            **{k: v for k, v in extra.items() if v is not None},
        )
        if extra["arrows"] is None:
            del net.edges[-1]["arrows"]  # pyvis adds arrows="to" to every edge of a directed Network
    return summary


def _edge_extra(row: _EdgeRow, style: EdgeStyle, names: Mapping[str, str], big: bool) -> dict[str, object]:
    """The optional fields of an edge record (``None`` ones are left out of the page)."""
    return {
        # No arrowheads in big graphs: unreadable at that scale and a third of the drawing time.
        "arrows": "to" if style.directed and not big else None,
        "dashes": [8, 6] if style.dashes else None,
        "sign": -1 if row.sign < 0 else None,
        "since": row.since or None,
        "until": row.until or None,
        "role": _humanise(local_name(row.role)) if row.role else None,
        "via": (names.get(row.via) or local_name(row.via)) if row.via else None,
        "score": _round(row.score) if row.score is not None else None,
        "note": row.note or None,
    }


def _legend(kind_counts: Counter[str], relation_counts: Counter[str],
            styles: Mapping[str, EdgeStyle]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The legend: node kinds in :data:`KIND_STYLES` order, relations in the relation table's order."""
    kinds = [
        {"name": k, "caption": s.caption, "color": s.color, "shape": s.shape, "count": kind_counts[k]}
        for k, s in KIND_STYLES.items()
        if kind_counts[k]
    ]
    relations = []
    for r in sorted(relation_counts, key=lambda r: (_relation_rank(r), r)):
        style = styles.get(r, _OTHER_EDGE)
        relations.append({"name": r, "caption": style.caption, "color": style.color, "dashes": style.dashes,
                          "directed": style.directed, "count": relation_counts[r]})
    return kinds, relations


# --- edges -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EdgeRow(Tie):
    """A tie as drawn: every claim behind it, the node it runs ``via``, and for a gap its ``score`` and ``note``."""

    claims: tuple[str, ...] = ()
    via: str = ""
    score: float | None = None
    note: str = ""


def _edge_rows(G: nx.MultiDiGraph, gaps: Iterable[GapEdge]) -> list[_EdgeRow]:
    rows: list[_EdgeRow] = []
    for u, v, attrs in G.edges(data=True):
        sign = attrs.get("sign", 1)
        claim = str(attrs.get("claim") or "")
        more = sorted(set(str(attrs.get("claims") or "").split()) - {claim})
        rows.append(
            _EdgeRow(
                source=str(u),
                target=str(v),
                relation=str(attrs.get("relation") or "other"),
                role=str(attrs.get("role") or ""),
                weight=_float(attrs.get("weight"), 1.0),
                sign=-1 if _float(sign, 1.0) < 0 else 1,
                since=str(attrs.get("since") or ""),
                until=str(attrs.get("until") or ""),
                claim=claim,
                claims=tuple(c for c in (claim, *more) if c),
                via=str(attrs.get("via") or ""),
            )
        )
    nodes = set(G.nodes)
    seen: set[tuple[str, str, str, str]] = set()
    stated = [
        GapEdge(str(x.get("a", "")), str(x.get("b", "")), "absence", note=_status_note(x.get("status")),
                claims=(str(x["claim"]),) if x.get("claim") else ())
        for x in G.graph.get("absences", [])
    ]
    for gap in [*stated, *gaps]:
        a, b = sorted((str(gap.a), str(gap.b)))
        key = (a, b, gap.kind, " ".join(gap.claims))
        if a not in nodes or b not in nodes or key in seen:
            continue  # a gap with an end outside the drawn graph (e.g. after --focus) is not drawn
        seen.add(key)
        rows.append(
            _EdgeRow(a, b, "absence" if gap.kind == "absence" else "gap", "", 1.0, 1, "", "",
                     gap.claims[0] if gap.claims else "", tuple(gap.claims), "", gap.score, gap.note)
        )
    rows.sort(key=lambda r: (_relation_rank(r.relation), r.relation, r.source, r.target, r.claim, r.role,
                             r.since, r.until, r.weight, r.sign))
    return rows


def _relation_rank(relation: str) -> int:
    order = list(edge_styles())
    return order.index(relation) if relation in order else len(order)


def _status_note(status: object) -> str:
    if status is None or status == "":
        return "A source states that there is no cooperation."
    text = str(status)
    if text in {"0", "0.0"}:
        return "A source states that the number of agreements is zero."
    return f"A source states: {_humanise(local_name(text))}."


def _edge_tooltip(row: _EdgeRow, style: EdgeStyle, names: Mapping[str, str]) -> str:
    arrow = "→" if style.directed else "–"
    parts = [f"{names[row.source]} {arrow} {names[row.target]}", style.caption]
    if row.sign < 0:
        parts[1] += " (negative)"
    if row.role:
        parts[1] += f": {_humanise(local_name(row.role))}"
    dates = " to ".join(d for d in (row.since, row.until) if d)
    if dates:
        parts.append(dates)
    return "\n".join(parts)


def _width(weight: float, score: float | None) -> float:
    if score is not None:
        return 2.0
    return round(min(8.0, 1.0 + 1.6 * math.log2(1.0 + max(weight, 0.0))), 2)


def _smooth(k: int, reversed_pair: bool) -> object:
    """Straight for the first edge of a pair, then alternately curved either side, further out each time."""
    if k == 0:
        return {"enabled": True, "type": "continuous", "roundness": 0.0}
    clockwise = (k % 2 == 1) != reversed_pair
    return {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW", "roundness": 0.18 * ((k + 1) // 2)}


def _claim_record(p: ProvenanceLike) -> dict[str, object]:
    return {
        "sources": [
            {"iri": str(s.iri), "title": str(s.title), "primary": bool(getattr(s, "primary", False))}
            for s in p.sources
        ],
        "locator": str(p.locator or ""),
        "evidence": str(p.evidence or ""),
    }


# --- nodes -------------------------------------------------------------------------------------


def _scaler(values: Sequence[float], *, big: bool) -> _Scale:
    low, high = (4.0, 18.0) if big else (10.0, 34.0)
    return _Scale(min(values, default=0.0), max(values, default=0.0), low, high)


@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    low: float
    high: float

    def __call__(self, value: float) -> float:
        if self.hi <= self.lo:
            return round((self.low + self.high) / 2, 2)
        t = math.sqrt(max(0.0, (value - self.lo) / (self.hi - self.lo)))
        return round(self.low + t * (self.high - self.low), 2)


# --- page --------------------------------------------------------------------------------------


class _IdList(list[str]):
    """A list with O(1) membership tests (pyvis checks ``id in node_ids`` on every add)."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[str] = set()

    def append(self, item: str) -> None:
        self._members.add(item)
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _network() -> Network:
    """A pyvis Network that adds nodes and edges in O(1) each (stock pyvis is quadratic)."""
    from pyvis.network import Network

    # directed=True: pyvis then keeps parallel edges (it drops them when undirected) and
    # skips its O(E) duplicate scan; arrows are set per edge from the relation.
    net = Network(directed=True, cdn_resources="remote")  # its template and CDN links are never used
    net.node_ids = _IdList()
    return net


def _vis_options(big: bool) -> dict[str, object]:
    options: dict[str, object] = {
        "autoResize": True,
        "nodes": {
            "font": {"size": 14, "face": "system-ui, sans-serif", "color": "#1d2733",
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"enabled": False}},
        },
        "edges": {
            "selectionWidth": 2,
            "hoverWidth": 1.5,
            "color": {"inherit": False, "opacity": 0.9},
            "arrows": {"to": {"enabled": False, "scaleFactor": 0.55}},
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.0},
        },
        "interaction": {
            "hover": not big,
            "tooltipDelay": 150,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
    }
    if big:
        options["physics"] = {"enabled": False}
        options["nodes"]["font"]["size"] = 12  # type: ignore[index]
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -90, "centralGravity": 0.015, "springLength": 140,
                                 "springConstant": 0.05, "avoidOverlap": 0.6},
            "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 50, "fit": True},
        }
    return options


def _render(title: str, data: dict[str, object]) -> tuple[str, str]:
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("graph", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    library = _vis_library()
    app = _template_text("explorer.js")
    style = _template_text("explorer.css")
    payload = _json_for_html(data)
    csp = content_security_policy(scripts=[library, payload, app], styles=[style])
    html = env.get_template("explorer.html").render(
        title=title,
        csp=csp,
        style=Markup(style),
        library=Markup(library),
        payload=Markup(payload),
        app=Markup(app),
    )
    return html, csp


def content_security_policy(*, scripts: Sequence[str], styles: Sequence[str]) -> str:
    """A CSP that allows exactly the given inline scripts and styles and nothing from anywhere.

    >>> content_security_policy(scripts=["x"], styles=[]).split("; ")[:2]
    ["default-src 'none'", "script-src 'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='"]
    """
    def hashes(blocks: Sequence[str]) -> str:
        return " ".join(f"'sha256-{_sha256(b)}'" for b in dict.fromkeys(blocks)) or "'none'"

    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {hashes(scripts)}",
            f"style-src {hashes(styles)}",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _json_for_html(data: object) -> str:
    """JSON that is inert inside a <script> element: no '<', '>', '&' or line separators left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@lru_cache(maxsize=None)
def _vis_library() -> str:
    text = resources.files("pyvis").joinpath(*_VIS_JS).read_text(encoding="utf-8")
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered:  # would end or confuse the inline <script> element
        raise RuntimeError("the vis-network copy shipped with pyvis cannot be inlined safely")
    return text


@lru_cache(maxsize=None)
def _template_text(name: str) -> str:
    return resources.files("graph").joinpath("templates", name).read_text(encoding="utf-8")


# --- small formatting helpers ------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _humanise(name: str) -> str:
    """'NegotiatingCandidate' -> 'negotiating candidate'; 'betweenness_centrality' -> 'betweenness centrality'."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    words = spaced.split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or name


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


def _round(value: float) -> float | int:
    """Short JSON numbers: integers stay integers, others keep 4 significant digits."""
    return int(value) if float(value).is_integer() else float(f"{value:.4g}")


def _float(value: object, default: float) -> float:
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def _year(date: str) -> int | None:
    match = re.match(r"^(-?\d{4})", date or "")
    return int(match.group(1)) if match else None


@lru_cache(maxsize=256)
def _tint(color: str, amount: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in (r, g, b))
