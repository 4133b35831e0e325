"""``wbsec viz``: write the network as one interactive HTML page that works offline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.cli.options import data_options

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from graph.viz import GapEdge

#: Metrics that can set node size (graph.metrics.METRICS without the community label).
SIZE_METRICS = (
    "degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "core",
    "constraint",
    "effective_size",
    "positive_ties",
    "negative_ties",
)
VIEWS = ("actors", "polities", "affiliation", "signed")
DEFAULT_OUTPUT = "wbsec-graph.html"


@click.command("viz")
@data_options
@click.option("--view", type=click.Choice(VIEWS), default="actors", show_default=True,
              help="Which network: every actor and tie, the six polities only, memberships, or +/- ties.")
@click.option("--focus", metavar="NODE", default=None,
              help="Draw only the neighbourhood of NODE: an IRI, a prefixed name (wb:XK) or a label (Kosovo).")
@click.option("--depth", type=click.IntRange(min=0), default=None,
              help="With --focus: how many steps out from NODE (default 1).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Only ties valid on that day (undated ties are kept).")
@click.option("--size-by", "size_by", type=click.Choice(SIZE_METRICS), default="degree", show_default=True,
              help="Metric that sets node size (see wbsec metrics).")
@click.option("--color-by", "color_by", type=click.Choice(["kind", "community"]), default="kind",
              show_default=True, help="Colour nodes by kind or by Louvain community (shape always shows the kind).")
@click.option("--gaps", "top_gaps", type=click.IntRange(min=0), default=5, show_default=True, metavar="N",
              help="Draw the N highest-ranked cooperation gaps as dashed ties (0: none). "
                   "Stated absences ('no progress') are always drawn dashed.")
@click.option("--title", default=None, help="Page title (default: 'wbsec: VIEW network').")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True,
              help="HTML file to write (atomically); '-' writes to standard output.")
def command(
    data: tuple[str, ...],
    no_shipped: bool,
    view: str,
    focus: str | None,
    depth: int | None,
    as_of: dt.datetime | None,
    size_by: str,
    color_by: str,
    top_gaps: int,
    title: str | None,
    output: Path,
) -> None:
    """Write an interactive network explorer as ONE self-contained HTML file.

    The page works offline and fetches nothing: the drawing library is inside
    the file and a Content-Security-Policy blocks every outside request, so it
    can be mailed, archived or attached to a report. Open it in any current
    browser to search for an actor, hide kinds of nodes or ties, pick a year,
    and click a node or tie to see its facts with the source, page and quote
    each comes from. Cooperation gaps are dashed.

    \b
    Examples:
      wbsec viz                                  # writes wbsec-graph.html here
      wbsec viz --view polities --color-by community -o polities.html
      wbsec viz --focus Kosovo --depth 2 --as-of 2023-10-01 -o kosovo.html
      wbsec viz --data my-facts.ttl --size-by betweenness -o mine.html
    """
    from graph.errors import InputError
    from graph.fileio import atomic_write_text
    from graph.metrics import node_metrics
    from graph.project import resolve_node, to_networkx
    from graph.provenance import claim_provenance
    from graph.store import load_graph
    from graph.viz import explorer_page, neighbourhood

    if depth is not None and focus is None:
        raise click.UsageError("--depth needs --focus NODE")
    g = load_graph(data, shipped=not no_shipped)
    day = as_of.date() if as_of is not None else None
    G = to_networkx(g, view, as_of=day)
    subtitle = [f"{view} view"]
    if day is not None:
        subtitle.append(f"as of {day.isoformat()}")
    if focus is not None:
        node = resolve_node(g, focus, among=list(G.nodes))
        if node not in G:
            raise InputError(f"--focus {focus!r}: {node} is not in the {view} view; try --view actors")
        steps = 1 if depth is None else depth
        G = neighbourhood(G, node, steps)
        subtitle.append(f"within {steps} step{'' if steps == 1 else 's'} of {G.nodes[node].get('label') or node}")
    wanted = [size_by] + (["community"] if color_by == "community" else [])
    report = node_metrics(G, wanted)
    sizes = {r.id: float(r.value(size_by) or 0.0) for r in report.rows}
    communities = {r.id: int(c) for r in report.rows if (c := r.value("community")) is not None} \
        if color_by == "community" else None
    gaps = _top_gaps(g, G, top_gaps) if top_gaps else []
    claims = {str(c) for _u, _v, d in G.edges(data=True) for c in str(d.get("claims") or d.get("claim") or "").split()}
    claims |= {str(x.get("claim")) for x in G.graph.get("absences", []) if x.get("claim")}
    claims |= {c for gap in gaps for c in gap.claims}
    page = explorer_page(
        G,
        title=title or f"wbsec: {view} network",
        subtitle=" · ".join(subtitle),
        sizes=sizes,
        size_label=size_by,
        color_by=color_by,
        communities=communities,
        gaps=gaps,
        provenance=claim_provenance(g, claims),
    )
    if str(output) == "-":
        click.echo(page.html.encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the locale
        return
    atomic_write_text(output, page.html)
    size_kb = len(page.html.encode("utf-8")) / 1024
    click.echo(
        f"Wrote {output.resolve()} ({page.nodes} nodes, {page.edges} ties of which {page.gaps} dashed gaps; "
        f"{size_kb:,.0f} KiB). Open it in a browser; it needs no network.",
        err=True,
    )


def _top_gaps(g: Graph, G: nx.MultiDiGraph, n: int) -> list[GapEdge]:
    """The n highest-ranked gap dyads with both ends drawn, as dashed edges for the page."""
    import logging

    from graph.errors import InputError
    from graph.gaps import cooperation_gaps
    from graph.viz import GapEdge

    try:
        analysis = cooperation_gaps(g)
    except InputError as exc:  # e.g. own data without two polities of the region: draw without gaps
        logging.getLogger("wbsec").warning("cooperation gaps not drawn: %s", exc)
        return []
    ranked = sorted((d for d in analysis.dyads if d.rank is not None), key=lambda d: (d.rank, d.a, d.b))
    ranked = [d for d in ranked if d.a in G and d.b in G][:n]
    out: list[GapEdge] = []
    for d in ranked:
        parts = [f"Ranked {d.rank} of {sum(1 for x in analysis.dyads if x.rank is not None)} by the gap analysis"]
        if d.demand.value is not None and d.actual.value is not None:
            parts.append(f"demand {d.demand.value:.2f} against actual cooperation {d.actual.value:.2f}")
        note = "; ".join(parts) + "."
        if d.status_note:
            note += f" {d.status_note}"
        out.append(
            GapEdge(d.a, d.b, "gap", score=d.score if d.score is not None else d.score_high, note=note,
                    claims=tuple(ev.claim for ev in d.evidence if ev.claim))
        )
    return out
