"""``wbsec push``: write the curated data and --data files into a SPARQL server's graph."""

from __future__ import annotations

import click


@click.command("push")
@click.argument("url", metavar="GSP_URL")
@click.option("--graph", "graph", required=True, metavar="IRI", help="The graph to write (sent as ?graph=IRI).")
@click.option("--replace", is_flag=True, help="Replace the graph (PUT, then POST for the other chunks) instead of "
              "adding to it (POST).")
@click.option("--data", "data", multiple=True, metavar="FILE",
              help="An RDF file to add (Turtle, N-Triples, TriG, JSON-LD or RDF/XML, by file ending). Repeatable.")
@click.option("--no-shipped", "no_shipped", is_flag=True,
              help="Leave out the curated data in ontology/data/ (the ontology is always sent).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=300.0, show_default=True, metavar="SECONDS",
              help="Give up on a request after this many seconds (exit 5).")
def command(url: str, graph: str, replace: bool, data: tuple[str, ...], no_shipped: bool, timeout: float) -> None:
    """Write the curated data plus --data files to GSP_URL (SPARQL 1.1 Graph Store HTTP Protocol).

    \b
    wbsec push http://127.0.0.1:7878/store --graph urn:wbsec:all --replace
    wbsec push https://db.example.org/sparql-graph-crud-auth --graph urn:wbsec:all --data mine.ttl

    Large inputs go in chunks of 50,000 triples. Credentials come from
    WBSEC_USER and WBSEC_PASSWORD, else from ~/.netrc (the URL's host), never
    from the command line; they are sent only over https or to this machine.
    TLS certificates are verified and redirects refused.
    """
    from graph.push import push

    report = push(url, graph, data, shipped=not no_shipped, replace=replace, timeout=timeout)
    verb = "Replaced" if report.replaced else "Added to"
    click.echo(f"{verb} <{report.graph}>: {report.triples} triples in {report.requests} request(s).", err=True)
