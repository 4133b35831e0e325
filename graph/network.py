"""Answer the network commands on RDF data: project the view, find the named nodes, run one analysis.

Each function here is what one ``wbsec`` command asks (``metrics``,
``neighbours``, ``path``, ``export --view``, ``viz``): it takes the loaded
data (an rdflib graph or a :class:`graph.backends.Backend`), keeps the claims
valid on ``as_of`` and in ``domains`` with :func:`graph.timeslice.sliced`
(the one claim filter of every command), builds the NetworkX view with
:func:`graph.project.to_networkx` and hands it to the RDF-free analysis
(:mod:`graph.metrics`, :mod:`graph.viz`), adding what only the RDF side
knows: prefixed names, labels, provenance and the gap analysis. When a filter
was applied, the answer's ``notes`` carry its one-line summary (how many
undated claims were kept and dropped).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef

from graph.backends import as_backend
from graph.errors import InputError
from graph.gaps import cooperation_gaps, load_config, map_rule, mapped_gaps
from graph.metrics import EgoNetwork, MetricsReport, PathReport, ego_network, node_metrics, shortest_paths
from graph.namespaces import compact
from graph.project import NetworkFile, network_files, node_facts, projections, resolve_node, to_networkx
from graph.provenance import claim_provenance
from graph.timeslice import DateLike, as_date, sliced
from graph.viz import ExplorerPage, GapEdge, explorer_page, neighbourhood

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from graph.backends import Backend

log = logging.getLogger("wbsec")


@dataclass(frozen=True)
class ShortNames:
    """Prefixed names (``wb:AL``) for the IRIs an answer mentions; call it with an IRI ("" stays "")."""

    names: Mapping[str, str]

    def __call__(self, iri: str) -> str:
        return self.names.get(iri, iri) if iri else ""


@dataclass(frozen=True)
class EgoAnswer:
    """What ``wbsec neighbours`` shows: the ego network and short names for its IRIs."""

    ego: EgoNetwork
    short: ShortNames
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathAnswer:
    """What ``wbsec path`` shows: the shortest paths and short names for their IRIs."""

    report: PathReport
    short: ShortNames
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViewFiles:
    """What ``wbsec export --view`` writes: the files of the view and the claim filter's notes."""

    files: list[NetworkFile]
    notes: tuple[str, ...] = ()


def _view(g: Graph | Backend, view: str, as_of: dt.date | None) -> nx.MultiDiGraph:
    """The ``view`` of already filtered data, labelled with the date it was filtered on."""
    G = to_networkx(g, view)
    G.graph["as_of"] = as_of.isoformat() if as_of else ""
    return G


def _sliced(g: Graph | Backend, as_of: dt.date | None, domains: Sequence[str]) -> tuple[Backend, tuple[str, ...]]:
    """:func:`graph.timeslice.sliced`, as a backend: a filtered copy is put into Oxigraph once for the command."""

    data, notes = sliced(g, as_of=as_of, domains=domains)
    return as_backend(data), notes


def ranked_metrics(
    g: Graph | Backend,
    view: str = "actors",
    *,
    as_of: DateLike = None,
    domains: Sequence[str] = (),
    metrics: Sequence[str] | None = None,
    samples: int | None = None,
    top: int | None = None,
) -> MetricsReport:
    """:func:`graph.metrics.node_metrics` of the ``view`` of ``g`` on the day ``as_of``, in ``domains``.

    The claim filter's summary comes first in the report's ``notes``.
    """
    as_of = as_date(as_of)
    data, notes = _sliced(g, as_of, domains)
    report = node_metrics(_view(data, view, as_of), metrics, samples=samples, top=top)
    return dataclasses.replace(report, notes=[*notes, *report.notes])


def ego(g: Graph | Backend, node: str, view: str = "actors", *, as_of: DateLike = None,
        domains: Sequence[str] = (), depth: int = 1) -> EgoAnswer:
    """The ego network of ``node`` (an IRI, prefixed name or label) within ``depth`` hops in the ``view``."""
    as_of = as_date(as_of)
    data, notes = _sliced(g, as_of, domains)
    facts = node_facts(data)  # labels and prefixes (the whole graph when it is in memory)
    G = _view(data, view, as_of)
    found = ego_network(G, resolve_node(facts, node, among=G.nodes), depth)
    iris = [found.center.id, *(t.role for t in found.ties), *(t.claim for t in found.ties)]
    return EgoAnswer(found, _short_names(facts, iris), notes)


def paths(g: Graph | Backend, source: str, target: str, view: str = "actors", *,
          as_of: DateLike = None, domains: Sequence[str] = ()) -> PathAnswer:
    """Every shortest path from ``source`` to ``target`` (IRIs, prefixed names or labels) in the ``view``."""
    as_of = as_date(as_of)
    data, notes = _sliced(g, as_of, domains)
    facts = node_facts(data)
    G = _view(data, view, as_of)
    report = shortest_paths(G, resolve_node(facts, source, among=G.nodes), resolve_node(facts, target, among=G.nodes))
    ties = [t for p in report.paths for hop in p.hops for t in hop]
    return PathAnswer(report, _short_names(facts, [*(t.role for t in ties), *(t.claim for t in ties)]), notes)


def view_files(g: Graph | Backend, view: str, fmt: str, *, as_of: DateLike = None,
               domains: Sequence[str] = ()) -> ViewFiles:
    """The ``view`` of ``g`` as GraphML, GEXF or CSV files (see :func:`graph.project.network_files`)."""
    as_of = as_date(as_of)
    data, notes = _sliced(g, as_of, domains)
    return ViewFiles(network_files(_view(data, view, as_of), fmt), notes)


def explorer(
    g: Graph | Backend,
    *,
    view: str = "actors",
    focus: str | None = None,
    depth: int | None = None,
    as_of: DateLike = None,
    domains: Sequence[str] = (),
    size_by: str = "degree",
    color_by: str = "kind",
    top_gaps: int = 5,
    title: str | None = None,
) -> ExplorerPage:
    """The interactive explorer page of the ``view`` of ``g`` (see :func:`graph.viz.explorer_page`).

    ``focus`` (an IRI, prefixed name or label) keeps only the nodes within
    ``depth`` steps of it (default 1); nodes are sized by the metric
    ``size_by``, coloured by kind or Louvain community; cooperation gaps are
    added as dashed ties only where the gap analysis finds a gap above
    ``[map] min_gap`` whose rank interval is at most ``[map]
    max_interval_width`` ranks wide (at most ``top_gaps`` of them, by rank;
    see :func:`graph.gaps.mapped_gaps`; the legend states the rule), and every
    claim shown carries its sources. With ``as_of`` and
    ``domains`` the network, the gaps and the claims shown are those of that
    date and those domains (the gap analysis runs on the same filtered data).
    """
    as_of = as_date(as_of)
    if depth is not None and focus is None:
        raise InputError("--depth needs --focus NODE")
    g, notes = _sliced(g, as_of, domains)
    # one projection for the page and the gap analysis (its actors and affiliation views)
    views = projections(g, (view, "actors", "affiliation") if top_gaps else (view,))
    for drawn in views.values():
        drawn.graph["as_of"] = as_of.isoformat() if as_of else ""
    G = views[view]
    subtitle = [f"{view} view"]
    if as_of is not None:
        subtitle.append(f"as of {as_of.isoformat()}")
    if domains:
        subtitle.append(f"domains: {', '.join(domains)}")
    if focus is not None:
        G, within = _focused(g, G, view, focus, 1 if depth is None else depth)
        subtitle.append(within)
    sizes, communities = _node_styles(G, size_by, color_by)
    gaps = _top_gaps(g, G, top_gaps, as_of, views) if top_gaps else []
    page = explorer_page(
        G,
        title=title or f"wbsec: {view} network",
        subtitle=" · ".join(subtitle),
        sizes=sizes,
        size_label=size_by,
        color_by=color_by,
        communities=communities,
        gaps=gaps,
        provenance=claim_provenance(g, _claims_shown(G, gaps)),
        gap_rule=map_rule(load_config()) if top_gaps else "Gap ties: not drawn (--gaps 0).",
    )
    return dataclasses.replace(page, notes=notes)


def _focused(g: Graph | Backend, G: nx.MultiDiGraph, view: str, focus: str, steps: int) -> tuple[nx.MultiDiGraph, str]:
    """The part of the ``view`` ``G`` within ``steps`` of the node ``focus`` names, and a subtitle saying so.

    ``focus`` is an IRI, prefixed name or label; a node outside the view is
    an :class:`InputError`.
    """
    node = resolve_node(g, focus, among=list(G.nodes))
    if node not in G:
        raise InputError(f"--focus {focus!r}: {node} is not in the {view} view; try --view actors")
    near = neighbourhood(G, node, steps)
    return near, f"within {steps} step{'' if steps == 1 else 's'} of {near.nodes[node].get('label') or node}"


def _node_styles(G: nx.MultiDiGraph, size_by: str, color_by: str) -> tuple[dict[str, float], dict[str, int] | None]:
    """Node sizes (the metric ``size_by``, 0 where undefined) and, when ``color_by`` is community, communities."""
    report = node_metrics(G, [size_by] + (["community"] if color_by == "community" else []))
    sizes = {r.id: float(r.value(size_by) or 0.0) for r in report.rows}
    communities = {r.id: int(c) for r in report.rows if (c := r.value("community")) is not None} \
        if color_by == "community" else None
    return sizes, communities


def _claims_shown(G: nx.MultiDiGraph, gaps: Iterable[GapEdge]) -> set[str]:
    """Every claim the page can show: behind the ties, the stated absences and the dashed gaps."""
    claims = {str(c) for _u, _v, d in G.edges(data=True) for c in str(d.get("claims") or d.get("claim") or "").split()}
    claims |= {str(x.get("claim")) for x in G.graph.get("absences", []) if x.get("claim")}
    claims |= {c for gap in gaps for c in gap.claims}
    return claims


def _top_gaps(g: Graph | Backend, G: nx.MultiDiGraph, n: int, as_of: dt.date | None = None,
              views: Mapping[str, nx.MultiDiGraph] | None = None) -> list[GapEdge]:
    """At most ``n`` gap dyads that pass the map rule (:func:`graph.gaps.mapped_gaps`) with both ends drawn.

    ``views``: the actors and affiliation views of ``g`` if already projected.
    """
    try:
        analysis = cooperation_gaps(g, as_of=as_of, views=views)
    except InputError as exc:  # e.g. own data without two polities of the region: draw without gaps
        log.warning("cooperation gaps not drawn: %s", exc)
        return []
    ranked_count = sum(1 for x in analysis.dyads if x.rank is not None)
    chosen = [d for d in mapped_gaps(analysis) if d.a in G and d.b in G][:n]
    out: list[GapEdge] = []
    for d in chosen:
        r = d.rank_interval
        assert r is not None  # mapped_gaps keeps only pairs with a rank interval
        place = (f"Ranked {d.rank} of {ranked_count} by the gap analysis" if d.rank is not None
                 else "Not ranked (its gap is a range)")
        parts = [f"{place}; median rank {r.median:g}, {r.level * 100:g}% rank interval {r.low}–{r.high} "
                 f"over {r.draws} draws"]
        if d.demand.value is not None and d.actual.value is not None:
            parts.append(f"demand {d.demand.value:.2f} against actual cooperation {d.actual.value:.2f}")
        else:
            parts.append(f"gap {d.score_low:.2f}–{d.score_high:.2f}")
        note = "; ".join(parts) + "."
        if d.status_note:
            note += f" {d.status_note}"
        out.append(
            GapEdge(d.a, d.b, "gap", score=d.score if d.score is not None else d.score_high, note=note,
                    claims=tuple(ev.claim for ev in d.evidence if ev.claim))
        )
    return out


def _short_names(facts: Graph, iris: Iterable[str]) -> ShortNames:
    return ShortNames({iri: compact(facts, URIRef(iri)) for iri in set(iris) if iri})
