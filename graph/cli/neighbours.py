"""``wbsec neighbours``: the ego network of one actor, with the claim behind every tie."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from graph.cli.metrics import table_text
from graph.cli.options import (
    as_date,
    data_options,
    emit,
    format_option,
    open_data,
    output_option,
    print_notes,
    view_options,
)


@click.command("neighbours")
@data_options
@click.argument("node")
@view_options
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True, metavar="K",
              help="Follow ties up to K hops away (in either direction).")
@format_option("table", "csv", "json", help="A readable table, CSV (one row per tie) or JSON (nodes and ties).")
@output_option
def command(
    data: tuple[str, ...],
    no_shipped: bool,
    store: Path | None,
    endpoint: str | None,
    node: str,
    view: str,
    as_of: dt.datetime | None,
    domain: tuple[str, ...],
    depth: int,
    fmt: str,
    output: Path | None,
) -> None:
    """Show who NODE is tied to, and which claim (membership, agreement, statement ...) each tie rests on.

    NODE is a full IRI, a prefixed name (wb:AL) or a label or alternative
    label in any case ("Albania", "IISG"). An ambiguous label lists the
    candidates; an unknown one suggests close labels (exit 2).

    \b
    Examples:
      wbsec neighbours Kosovo
      wbsec neighbours wb:RCC --depth 2 --format json
      wbsec neighbours Serbia --view signed
    """
    import json
    from dataclasses import asdict

    from graph.network import ego as ego_of

    answer = ego_of(open_data(data, no_shipped, store, endpoint), node, view, as_of=as_date(as_of), domains=domain,
                    depth=depth)
    print_notes(answer.notes)
    ego, short = answer.ego, answer.short
    if fmt == "json":
        emit(json.dumps(asdict(ego), indent=2, ensure_ascii=False) + "\n", output)
        return
    label = {n.id: n.label for n in ego.nodes}
    cols = ["source", "relation", "target", "role", "weight", "sign", "since", "until", "claim"]
    if fmt == "csv":
        from graph.spreadsheet import csv_table

        emit(csv_table(["source", "source_label", *cols[1:3], "target_label", *cols[3:]],
                       [[t.source, label[t.source], t.relation, t.target, label[t.target], t.role, t.weight, t.sign,
                         t.since, t.until, t.claim] for t in ego.ties]), output)
        return
    click.echo(f"{ego.center.label} <{short(ego.center.id)}>, view {view}, depth {depth}: "
               f"{len(ego.nodes) - 1} neighbours, {len(ego.ties)} ties", err=True)
    rows = [[label[t.source], t.relation, label[t.target], short(t.role),
             f"{t.weight:g}", f"{t.sign:+d}", t.since, t.until, short(t.claim)] for t in ego.ties]
    emit(table_text(cols, rows), output)
