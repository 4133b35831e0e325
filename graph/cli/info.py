"""``wbsec info``: what the loaded graph holds."""

from __future__ import annotations

import click

from pathlib import Path

from graph.cli.options import data_options, emit, output_option


@click.command("info")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable text or JSON.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (faster).")
@output_option
def command(data: tuple[str, ...], no_shipped: bool, fmt: str, no_validate: bool, output: Path | None) -> None:
    """Count triples and instances per class, list the sources, and say whether the data conforms."""
    import json

    from graph.store import load_graph, summary

    g = load_graph(data, shipped=not no_shipped)
    s = summary(g)
    conforms: bool | None = None
    if not no_validate:
        from graph.store import TBOX_FILE, shipped_files
        from graph.validate import conforms_cached

        # the verdict is cached per exact input bytes, so an unchanged graph skips pySHACL
        conforms = conforms_cached(g, [TBOX_FILE, *(shipped_files() if not no_shipped else []), *data])
    if fmt == "json":
        out = {
            "triples": s.triples,
            "conforms": conforms,
            "classes": [{"id": c.iri, "label": c.label, "count": c.count} for c in s.classes],
            "sources": [{"id": x.iri, "title": x.title, "claims": x.claims} for x in s.sources],
        }
        emit(json.dumps(out, indent=2, ensure_ascii=False) + "\n", output)
        return
    state = {None: "not checked", True: "yes", False: "NO (run wbsec validate)"}[conforms]
    lines = [f"triples: {s.triples}", f"conforms to shapes: {state}", "", "instances per class:"]
    width = max((len(c.label) for c in s.classes), default=0)
    lines += [f"  {c.count:>6}  {c.label:<{width}}  {c.iri}" for c in s.classes]
    lines += ["", "sources (claims citing each):"]
    lines += [f"  {x.claims:>6}  {x.title}  <{x.iri}>" for x in s.sources]
    emit("\n".join(lines) + "\n", output)
