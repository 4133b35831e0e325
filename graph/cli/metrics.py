"""``wbsec metrics``: centrality, brokerage, communities and balance of the actor network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.cli.options import (
    METRICS,
    ChoicesInHelp,
    as_date,
    data_options,
    emit,
    format_option,
    open_data,
    output_option,
    print_notes,
    view_options,
)

if TYPE_CHECKING:
    from graph.metrics import MetricsReport


@click.command("metrics")
@data_options
@view_options
@click.option("--metric", "metric", cls=ChoicesInHelp, multiple=True, type=METRICS, metavar="M",
              help="A metric to compute (repeatable; default all): {choices}. Rows are ranked by the first one.")
@click.option("--top", type=click.IntRange(min=0), default=None, metavar="N", help="Show only the first N rows.")
@click.option("--samples", type=click.IntRange(min=0), default=None, metavar="K",
              help="Estimate betweenness from K sampled source nodes and closeness from K pivot nodes per "
              "component (fixed seed); 0 = exact. Without it, graphs over 5000 nodes are sampled with K=500 "
              "and a note says so.")
@format_option("table", "csv", "json",
               help="A readable table, CSV, or JSON (a list of objects with id, label, kind and one key per metric).")
@output_option
def command(
    data: tuple[str, ...],
    no_shipped: bool,
    store: Path | None,
    endpoint: str | None,
    view: str,
    as_of: dt.datetime | None,
    domain: tuple[str, ...],
    metric: tuple[str, ...],
    top: int | None,
    samples: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Rank actors by network metrics: who brokers cooperation, who is central, who is isolated.

    \b
    degree            number of distinct neighbours
    weighted_degree   sum of tie weights (in the polities view: agreements
                      + shared memberships)
    betweenness       share of shortest paths through the node (hops)
    closeness         how near the node is to all others it can reach
    eigenvector       ties to well-tied nodes (largest component)
    pagerank          PageRank on the weighted ties
    core              k-core number
    community         Louvain community (fixed seed)
    constraint        Burt's constraint (low = broker between groups)
    effective_size    Burt's effective size (non-redundant contacts)
    positive_ties / negative_ties   signed ties (use --view signed)

    Metrics use one undirected tie per pair of actors, weights summed. On the
    signed view the share of balanced triads is printed on stderr.

    \b
    Examples:
      wbsec metrics --metric betweenness --top 10
      wbsec metrics --view polities --format json
      wbsec metrics --view signed --metric positive_ties --metric negative_ties
      wbsec metrics --as-of 2015-01-01 --domain police --format csv
    """
    from graph.network import ranked_metrics

    g = open_data(data, no_shipped, store, endpoint)
    report = ranked_metrics(g, view, as_of=as_date(as_of), domains=domain, metrics=list(metric) or None,
                            samples=samples, top=top)
    print_notes(report.notes)
    if view == "signed":
        b = report.balance
        share = f"{b.share:.3f}" if b and b.share is not None else "n/a"
        click.echo(f"Structural balance: {b.balanced if b else 0} of {b.triads if b else 0} signed triads "
                   f"balanced (share {share}).", err=True)
    emit(render_metrics(report, fmt), output)


def render_metrics(report: MetricsReport, fmt: str) -> str:
    """The report as a table, CSV or JSON text."""
    import json

    from graph.metrics import row_dict

    names: Sequence[str] = report.metrics
    records = [row_dict(r, names) for r in report.rows]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        from graph.spreadsheet import csv_table

        return csv_table(["id", "label", "kind", *names], [[rec[c] for c in ["id", "label", "kind", *names]]
                                                          for rec in records])
    header = ["#", "label", "kind", *names]
    body = [[str(i), str(rec["label"]), str(rec["kind"]), *(_fmt(rec[m]) for m in names)]
            for i, rec in enumerate(records, 1)]
    return table_text(header, body)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def table_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain aligned columns (numbers right-aligned)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            numeric = c.replace(".", "", 1).replace("-", "", 1).isdigit() or c == "-"
            out.append(c.rjust(widths[i]) if numeric and i != 1 else c.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]) + "\n"
