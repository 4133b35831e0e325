"""``wbsec export``: write the loaded graph as RDF, or a network view of it as GraphML, GEXF or CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.cli.options import VIEWS, as_date, data_options, emit, filter_options, open_data, output_option, print_notes

if TYPE_CHECKING:
    from graph.backends import Backend

RDF_FORMATS = ["ttl", "nt", "trig", "jsonld", "xml"]
GRAPH_FORMATS = ["graphml", "gexf", "csv"]


@click.command("export")
@data_options
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS + GRAPH_FORMATS), default="ttl", show_default=True,
              help="Output format: RDF (ttl, nt, trig, jsonld, xml) or, for a network view, graphml, gexf, csv.")
@click.option("--view", "view", type=VIEWS, default=None,
              help="Export this network view (with --format graphml|gexf|csv; default actors) instead of RDF.")
@filter_options
@click.option("--kind", "kind", metavar="KIND", default=None,
              help="Write the rows of one spreadsheet layout as CSV (see wbsec import --describe KIND).")
@click.option("--data-only", is_flag=True, help="Leave out the ontology (TBox); export the facts only.")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None, fmt: str,
            view: str | None, as_of: datetime | None, domain: tuple[str, ...], kind: str | None, data_only: bool,
            output: Path | None) -> None:
    """Export the graph (ontology, curated data and --data files) as RDF.

    The bytes are parsed back and compared with the graph before anything is
    written; a file is replaced atomically or not at all.

    With --view V (or --format graphml|gexf|csv) the network view V is
    written instead, with every node and edge attribute, for Gephi, Cytoscape
    or NetworkX. Ties that hold both ways (cooperation, agreements, shared
    affiliations) are undirected in all three formats. GEXF dates the ties
    for Gephi's timeline. CSV gives two tables in Gephi's spreadsheet-import layout:
    --output net.csv writes net.nodes.csv and net.edges.csv; without --output
    only the edges table goes to stdout. --as-of and --domain (with --view)
    keep only the claims valid on that date and in those domains.

    With --kind K (implies --format csv) the resources of kind K (actors,
    cooperation, ...) are written in the same CSV layout that `wbsec import
    --kind K` reads, one row per resource in a fixed order, so a spreadsheet
    round-trips. Cells starting with = + - @ get a leading ' so spreadsheets
    do not run them as formulas; wbsec import removes it again.
    """
    from graph.store import graph_files, load_files_shared, serialize_verified

    if (store is not None or endpoint is not None) and (kind is not None or view is None and fmt not in GRAPH_FORMATS):
        raise click.UsageError("--store and --endpoint export network views only: add --view V (RDF: query CONSTRUCT)")
    if kind is not None:
        _export_kind(data, no_shipped, fmt, kind, view, as_of, domain, output)
        return
    if view is not None or fmt in GRAPH_FORMATS or as_of is not None or domain:
        _export_view(open_data(data, no_shipped, store, endpoint), fmt, view or "actors", as_of, domain, output)
        return

    # only read: the merge is shared with the process's other commands (a notebook, a test session)
    g = load_files_shared(graph_files(data, shipped=not no_shipped, ontology=not data_only))
    emit(serialize_verified(g, fmt), output)


def _export_view(g: Backend, fmt: str, view: str, as_of: datetime | None, domain: tuple[str, ...],
                 output: Path | None) -> None:
    from graph.errors import InputError
    from graph.fileio import atomic_write_bytes
    from graph.network import view_files

    if fmt not in GRAPH_FORMATS:
        raise InputError(f"--view writes a network: use --format {'|'.join(GRAPH_FORMATS)}, not {fmt}")
    answer = view_files(g, view, fmt, as_of=as_date(as_of), domains=domain)
    print_notes(answer.notes)
    files = answer.files
    if len(files) == 1:
        emit(files[0].data, output)
        return
    if output is None:
        click.echo("Note: only the edges table is printed; give --output FILE.csv for FILE.nodes.csv too.", err=True)
        emit(next(f.data for f in files if f.suffix == ".edges.csv"), None)
        return
    stem = output.with_suffix("") if output.suffix.lower() == ".csv" else output
    for f in files:
        target = stem.with_name(stem.name + f.suffix)
        atomic_write_bytes(target, f.data)
        click.echo(f"Wrote {target} ({len(f.data)} bytes).", err=True)


def _export_kind(data: tuple[str, ...], no_shipped: bool, fmt: str, kind: str, view: str | None,
                 as_of: datetime | None, domain: tuple[str, ...], output: Path | None) -> None:
    from graph.errors import InputError
    from graph.store import load_graph
    from graph.tabular import export_csv

    explicit = click.get_current_context().get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT
    if view is not None or as_of is not None or domain or (explicit and fmt != "csv"):
        raise InputError("--kind writes spreadsheet rows: use it with --format csv, without --view, --as-of or --domain")
    g = load_graph(data, shipped=not no_shipped)
    emit(export_csv(g, kind), output)
