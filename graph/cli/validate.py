"""``wbsec validate``: check the data against the project's SHACL shapes."""

from __future__ import annotations

import click

from graph.cli.options import data_options


@click.command("validate")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report as readable text or as JSON.")
def command(data: tuple[str, ...], no_shipped: bool, fmt: str) -> None:
    """Check the curated data and your --data files against the SHACL shapes.

    Exit 0 when everything conforms, 1 with a report grouped by shape and
    focus node when something does not, 2 when a file cannot be read.
    """
    from graph.store import load_graph
    from graph.validate import format_report, report_json, validate

    g = load_graph(data, shipped=not no_shipped)
    report = validate(g)
    click.echo(report_json(report) if fmt == "json" else format_report(report, g))
    if not report.conforms:
        raise click.exceptions.Exit(1)
