"""``wbsec path``: every shortest chain of ties between two actors, with the claims along it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

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


@click.command("path")
@data_options
@click.argument("source")
@click.argument("target")
@view_options
@format_option("table", "json", help="Readable text or JSON.")
@output_option
def command(
    data: tuple[str, ...],
    no_shipped: bool,
    store: Path | None,
    endpoint: str | None,
    source: str,
    target: str,
    view: str,
    as_of: dt.datetime | None,
    domain: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> None:
    """List all shortest paths from SOURCE to TARGET (ties followed either way), each hop with its claims.

    SOURCE and TARGET are IRIs, prefixed names (wb:AL) or labels, as for
    ``wbsec neighbours``. When no path exists, nothing is printed on stdout
    (JSON: an empty list of paths), a note goes to stderr and the exit
    status is 0. At most 100 paths are listed.

    \b
    Examples:
      wbsec path Albania Serbia
      wbsec path wb:XK wb:RU --view signed
    """
    import json
    from dataclasses import asdict

    from graph.network import paths

    answer = paths(open_data(data, no_shipped, store, endpoint), source, target, view, as_of=as_date(as_of),
                   domains=domain)
    print_notes(answer.notes)
    report, short = answer.report, answer.short
    if not report.paths:
        click.echo(f"No path between {report.source.label} and {report.target.label} in the {view} view.", err=True)
    if report.truncated:
        click.echo(f"Note: more than {len(report.paths)} shortest paths; the first {len(report.paths)} are listed.",
                   err=True)
    if fmt == "json":
        emit(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n", output)
        return
    lines: list[str] = []
    for i, p in enumerate(report.paths, 1):
        lines.append(f"{i}. " + " -> ".join(n.label for n in p.nodes) + f"  ({len(p.hops)} hops)")
        for a, b, ties in zip(p.nodes, p.nodes[1:], p.hops):
            lines.append(f"   {a.label} - {b.label}:")
            for t in ties:
                when = f" since {t.since}" if t.since else ""
                role = f" ({short(t.role)})" if t.role else ""
                lines.append(f"     {t.relation}{role}{when}, sign {t.sign:+d}, weight {t.weight:g}: "
                             f"{short(t.claim)}")
    emit("\n".join(lines) + ("\n" if lines else ""), output)
