"""``wbsec diff``: the ties gained and lost between two dates, and how the actors' positions moved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from graph.cli.options import (
    DOMAIN_HELP,
    VIEWS,
    as_date,
    data_options,
    emit,
    open_data,
    output_option,
    print_notes,
    stdout_is_terminal,
)

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command("diff")
@data_options
@click.option("--from", "start", type=_DATE, required=True, metavar="YYYY-MM-DD", help="The earlier date.")
@click.option("--to", "end", type=_DATE, required=True, metavar="YYYY-MM-DD", help="The later date.")
@click.option("--view", "view", type=VIEWS, default="actors", show_default=True,
              help="The network to compare (as for wbsec metrics).")
@click.option("--domain", "domain", multiple=True, metavar="NAME", help=DOMAIN_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
              help="table (default on a terminal), csv (default otherwise: one row per tie or node, with a "
                   "'section' column) or json.")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None,
            start: dt.datetime, end: dt.datetime, view: str, domain: tuple[str, ...], fmt: str | None,
            output: Path | None) -> None:
    """Compare the network on two dates: ties gained and lost, and who moved (degree, betweenness).

    Both dates go through the claim filter of --as-of: claims valid on the
    day, undated claims only when their source dates them by then. A tie is
    one claim between two actors (membership, agreement, cooperation,
    statement ...). Nodes are listed when their degree or betweenness
    changed, largest betweenness change first. Stderr says, for each date,
    how many undated claims were kept and dropped.

    \b
    Examples:
      wbsec diff --from 2015-01-01 --to 2024-01-01
      wbsec diff --from 2015-01-01 --to 2024-01-01 --view polities --format json
      wbsec diff --from 2020-01-01 --to 2024-01-01 --domain police
    """
    from graph.timeline import network_diff, render_diff

    first, last = as_date(start), as_date(end)
    assert first is not None and last is not None
    if first > last:
        raise click.BadParameter(f"{first} is after --to {last}", param_hint="--from")
    diff = network_diff(open_data(data, no_shipped, store, endpoint), first, last, view=view, domains=domain)
    print_notes(diff.notes)
    emit(render_diff(diff, fmt or ("table" if stdout_is_terminal() else "csv")), output)
