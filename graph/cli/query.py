"""``wbsec query``: ask the graph a named question or your own SPARQL."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from graph.cli.options import data_options, emit, open_data, output_option, stdout_is_terminal

_FORMATS = ("table", "csv", "tsv", "sheet", "json", "md", "ttl", "nt", "jsonld")


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: write KEY=VALUE, e.g. org=wb:NATO", param_hint="--param")
        if key in out:
            raise click.BadParameter(f"{key} given twice", param_hint="--param")
        out[key] = value
    return out


@click.command("query")
@click.argument("query", required=False, metavar="[NAME | 'SPARQL' | -]")
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the query from a .rq file (its '# param:' header is honoured).")
@click.option("-p", "--param", "param", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to VALUE (repeatable). wb:NATO, <https://…>, https://… become IRIs; "
                   "other text a string, unless the query's header declares a type.")
@click.option("--list", "list_", is_flag=True, help="List the named questions with their parameters and exit.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="SELECT: table (default on a terminal), csv (default when piped; W3C SPARQL CSV), tsv (W3C "
                   "SPARQL TSV), sheet (CSV safe to open in a spreadsheet: formula cells shown as text), json, md. "
                   "CONSTRUCT/DESCRIBE: ttl (default), nt, jsonld (json: the same). ASK prints true/false (json: W3C).")
@click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Stop the query after this many seconds (exit 5); 0 means no limit.")
@click.option("--max-rows", type=click.IntRange(min=0), default=None,
              help="Fail with exit 5, writing nothing, if the result has more rows (triples) than this.")
@data_options
@output_option
def command(
    query: str | None,
    file: Path | None,
    param: tuple[str, ...],
    list_: bool,
    fmt: str | None,
    timeout: float,
    max_rows: int | None,
    data: tuple[str, ...],
    no_shipped: bool,
    store: Path | None,
    endpoint: str | None,
    output: Path | None,
) -> None:
    """Run a named question, a .rq file or SPARQL text against the graph.

    \b
    wbsec query --list                                  the named questions and their parameters
    wbsec query members --param org=wb:EU               a named question with a parameter
    wbsec query --file my-question.rq --format json     your own query file
    wbsec query 'SELECT ?p WHERE { ?p a wbo:Polity } ORDER BY ?p'
    echo 'ASK { wb:AL ?p ?o }' | wbsec query -          the query from standard input

    Prefixes wbo:, wb:, org:, prov:, skos:, qb:, sdmx-dimension:, foaf:,
    dcterms:, schema:, wd:, rdf:, rdfs:, owl:, xsd: are predeclared.
    Parameter values are bound as RDF terms, never pasted into the query.
    SERVICE, FROM, FROM NAMED and LOAD are refused (exit 3); updates are
    refused (exit 2). Output is written only when the whole result is in.
    """
    from graph import sparql
    from graph.results import answer, catalogue

    sources = sum(x is not None for x in (query, file)) + int(list_)
    if sources != 1:
        raise click.UsageError("give exactly one of NAME, 'SPARQL', -, --file FILE or --list")
    if list_:
        emit(catalogue(sparql.named_queries(), "json" if fmt == "json" else "text"), output)
        return
    if file is not None:
        chosen = sparql.query_from_file(file)
    elif query == "-":
        raw = sys.stdin.buffer.read(sparql.MAX_QUERY_BYTES + 1)
        chosen = sparql.query_from_bytes(raw, name="stdin")
    else:
        assert query is not None
        chosen = sparql.resolve(query)
    g = open_data(data, no_shipped, store, endpoint)
    emit(
        answer(
            g,
            chosen,
            params=_params(param),
            fmt=fmt,
            terminal=output is None and stdout_is_terminal(),
            timeout=timeout or None,
            max_rows=max_rows,
        ),
        output,
    )
