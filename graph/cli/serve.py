"""``wbsec serve``: a read-only SPARQL endpoint with a query page on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.cli.options import data_options

if TYPE_CHECKING:
    from graph.server import Running


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--store", "store", metavar="DIR", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Serve this Oxigraph store (made with 'wbsec load') instead of the curated data and --data files.")
@data_options
@click.option("--cors", "cors", metavar="ORIGIN", default=None,
              help="Let web pages from this one origin (e.g. https://example.org) read the answers.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop a query after this many seconds (HTTP 503).")
@click.option("--header-timeout", type=click.FloatRange(min=1.0), default=10.0, show_default=True,
              help="Disconnect a client that has not sent its whole request line and headers after this many seconds.")
def command(port: int, store: Path | None, data: tuple[str, ...], no_shipped: bool, cors: str | None,
            timeout: float, header_timeout: float) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, a query page and a page per entity, on this machine only.

    \b
    wbsec serve                         curated data at http://127.0.0.1:7878/
    wbsec serve --data extra.ttl --port 8000
    wbsec serve --store wb.db           a store filled with 'wbsec load'

    Open http://127.0.0.1:PORT/ in a browser for the query page (YASGUI),
    http://127.0.0.1:PORT/index.html for the pages of 'wbsec site' (an
    entity at /id/NAME, the vocabulary at /def: HTML for a browser, Turtle,
    JSON-LD or N-Triples for a program that asks for them with Accept), or
    send queries to http://127.0.0.1:PORT/query from SPARQLWrapper, YASGUI or
    curl. Oxigraph answers them, after each query has passed the same checks
    as 'wbsec query': updates, SERVICE, FROM and LOAD are refused (403), a
    query that runs past --timeout is stopped (503), only requests addressed
    to 127.0.0.1, localhost or [::1] are answered, and requests sent by web
    pages from other origins are refused (403). GET /query without a query
    gives the endpoint's SPARQL Service Description, and GET /store?default
    the whole graph (Turtle unless Accept asks for another format). The first
    page request builds the pages (several seconds). Without
    --store the data are loaded into a temporary store that is removed on
    exit. Ctrl-C stops the server (exit 130); so does SIGTERM (exit 0).

    The endpoint URL is printed on standard output once it answers.
    """
    from graph.server import ServeConfig, serve
    from graph.site import SiteFiles

    def ready(running: Running) -> None:
        click.echo(running.endpoint)
        click.echo(f"Serving {running.store} read-only: query page {running.ui}, endpoint {running.endpoint}, "
                   f"pages {running.home}. Ctrl-C stops.", err=True)

    config = ServeConfig(port=port, store=store, files=data, shipped=not no_shipped, cors=cors, timeout=timeout,
                         header_timeout=header_timeout, pages=SiteFiles.from_store)
    raise click.exceptions.Exit(serve(config, ready))
