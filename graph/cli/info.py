"""``wbsec info``: what the loaded graph holds."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.options import data_options, emit, output_option


@click.command("info")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable text or JSON.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (faster).")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, fmt: str, no_validate: bool, output: Path | None) -> None:
    """Count triples and instances per class, list the sources, and say whether the data conforms.

    The SHACL verdict is remembered per exact input files (in the user's cache
    directory), so asking again about unchanged data is fast.
    """
    from graph.inventory import inventory, inventory_json, inventory_text

    inv = inventory(data, shipped=not no_shipped, check=not no_validate)
    emit(inventory_json(inv) if fmt == "json" else inventory_text(inv), output)
