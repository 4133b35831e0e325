"""``wbsec info``: what the loaded graph holds."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.options import data_options, emit, open_data, output_option


@click.command("info")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable text or JSON.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (faster).")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None, fmt: str,
            no_validate: bool, output: Path | None) -> None:
    """Count triples and instances per class, list the sources, and say whether the data conforms.

    The SHACL verdict is remembered per exact input files (in the user's cache
    directory), so asking again about unchanged data is fast. With --endpoint
    (or --store): the triples, the instances per class and the endpoint's
    named graphs that hold wbsec data (no SHACL check).
    """
    from graph.inventory import (
        backend_inventory,
        backend_inventory_json,
        backend_inventory_text,
        inventory,
        inventory_json,
        inventory_text,
    )

    if store is not None or endpoint is not None:
        remote = backend_inventory(open_data(data, no_shipped, store, endpoint))
        emit(backend_inventory_json(remote) if fmt == "json" else backend_inventory_text(remote), output)
        return
    inv = inventory(data, shipped=not no_shipped, check=not no_validate)
    emit(inventory_json(inv) if fmt == "json" else inventory_text(inv), output)
