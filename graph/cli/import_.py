"""``wbsec import``: turn spreadsheet rows (CSV) into checked RDF."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.options import data_options, emit, output_option

KINDS_HELP = "sources, actors, affiliations, cooperation, agreements, events, statements or observations"
_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", ",": ",", ";": ";"}


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", "kind", metavar="KIND", help=f"What the rows are: {KINDS_HELP}.")
@click.option("--template", "template_kind", metavar="KIND",
              help="Print a CSV template for KIND (the header and one example row) and stop.")
@click.option("--describe", "describe_kind", metavar="KIND",
              help="Print the columns of KIND: what each holds, which are required, the allowed codes.")
@click.option("--delimiter", type=click.Choice(sorted(_DELIMITERS)), default="comma", show_default=True,
              help="What separates the columns (spreadsheets set to a decimal comma often save with semicolons).")
@data_options
@output_option
def command(
    files: tuple[Path, ...],
    kind: str | None,
    template_kind: str | None,
    describe_kind: str | None,
    delimiter: str,
    data: tuple[str, ...],
    no_shipped: bool,
    output: Path | None,
) -> None:
    """Import CSV FILES of one --kind as RDF (Turtle), after checking every row.

    \b
    wbsec import --template cooperation > mine.csv     # header + example row
    wbsec import mine.csv --kind cooperation --output mine.ttl
    wbsec gaps --data mine.ttl

    Each new row needs a source (a wbo:Source already in the graph, or one
    from a sources CSV you pass with --data; --data also takes an actors
    CSV). References to actors may be written as wb:XK, XK, Kosovo, Q1246 or
    a full IRI. Rows that restate a resource already in the graph are merged
    into it (they need no new source, so exported rows import back); a row
    that contradicts one is refused. The result is checked with the project's SHACL shapes before
    anything is written; every problem is listed with file, line and column,
    and nothing is written then (exit 2). Re-importing the same file gives
    the same triples. Without --output the Turtle goes to standard output.
    """
    from graph.namespaces import qname
    from graph.tabular import ImportRejected, describe, import_csv, template, turtle

    if template_kind is not None:
        emit(template(template_kind), None)
        return
    if describe_kind is not None:
        emit(describe(describe_kind), None)
        return
    if not files:
        raise click.UsageError("give one or more CSV files (or --template KIND / --describe KIND)")
    if kind is None:
        raise click.UsageError(f"--kind is required: {KINDS_HELP}")
    try:
        result = import_csv(files, kind, data=data, shipped=not no_shipped, delimiter=_DELIMITERS[delimiter])
    except ImportRejected as exc:
        if len(exc.problems) > 1:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        raise
    emit(turtle(result.graph), output)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for f in result.files:
        rows = [r for r in result.rows if r.file == f.path]
        merged = [r for r in rows if r.status == "merged"]
        click.echo(f"{f.path}: {len(rows)} {kind} row{'s' if len(rows) != 1 else ''}, "
                   f"{len(rows) - len(merged)} new, {len(merged)} merged into resources already there "
                   f"(sha256 {f.sha256[:12]}…)", err=True)
        for r in merged:
            where = f" ({r.merged_with})" if r.merged_with else ""
            click.echo(f"  line {r.line}: same as {qname(r.subject)}{where}", err=True)

