"""``wbsec export``: write the loaded graph as RDF."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.options import data_options, emit, output_option

RDF_FORMATS = ["ttl", "nt", "trig", "jsonld", "xml"]


@click.command("export")
@data_options
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS), default="ttl", show_default=True,
              help="Output format.")
@click.option("--data-only", is_flag=True, help="Leave out the ontology (TBox); export the facts only.")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, fmt: str, data_only: bool, output: Path | None) -> None:
    """Export the graph (ontology, curated data and --data files) as RDF.

    The bytes are parsed back and compared with the graph before anything is
    written; a file is replaced atomically or not at all.
    """
    from graph.store import load_graph, serialize_verified

    g = load_graph(data, shipped=not no_shipped, ontology=not data_only)
    emit(serialize_verified(g, fmt), output)
