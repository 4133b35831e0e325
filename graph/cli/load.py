"""``wbsec load``: bulk-load RDF files into an Oxigraph store on disk."""

from __future__ import annotations

from pathlib import Path

import click

_FORMATS = ["ttl", "nt", "trig", "jsonld", "xml"]


@click.command("load")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--store", "store", required=True, metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="The Oxigraph store directory (created when missing).")
@click.option("--no-shipped", "no_shipped", is_flag=True,
              help="When creating the store, leave out the curated data (the ontology is always loaded).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Format of every FILE (default: from each file's ending).")
@click.option("--max-bytes", "max_bytes", type=click.IntRange(min=1), default=None, metavar="N",
              help="Refuse a file larger than N bytes (default 256 MiB).")
def command(files: tuple[str, ...], store: Path, no_shipped: bool, fmt: str | None, max_bytes: int | None) -> None:
    """Bulk-load RDF files into an Oxigraph store, for data too large to load on every run.

    \b
    wbsec load --store wb.db regional-agreements.nt memberships.ttl
    wbsec query members --store wb.db --param org=wb:NATO
    wbsec metrics --store wb.db
    wbsec serve --store wb.db

    A new store starts with the ontology and the curated data (unless
    --no-shipped); later runs add files to it. Files are checked as for
    --data (local files only, a size limit, no DTDs or remote JSON-LD
    contexts). Loading works on a copy that replaces the store only when every
    file has loaded, so a bad file leaves the store as it was; a second
    'wbsec load' on the same directory waits for the first, and a copy left
    by a run that was killed is removed by the next one. A running
    'wbsec serve' keeps answering from the store it opened: restart it to
    see the new data. Exit 4 when the store cannot be written (read-only or
    full disk); --max-bytes applies to the FILEs, not to the curated data.

    Oxigraph stores literals in a normalised form: "01"^^xsd:integer reads
    back as "1", and xsd:nonNegativeInteger and the other integer types as
    xsd:integer. Validate the source files with 'wbsec validate --data'.
    """
    from graph.backends import is_store, load_store
    from graph.store import DEFAULT_MAX_BYTES

    if not files and is_store(store):
        raise click.UsageError("give FILE(s) to add to the existing store")
    report = load_store(
        store, files, shipped=not no_shipped, fmt=fmt, max_bytes=max_bytes or DEFAULT_MAX_BYTES
    )
    added = report.triples_after - report.triples_before
    action = "created" if report.created else "updated"
    click.echo(
        f"{report.store}: {action}; {report.triples_after} triples ({added:+d}) after loading {len(report.files)} file(s).",
        err=True,
    )
