"""``wbsec site``: publish the graph as a static web site, one page per entity with its sources."""

from __future__ import annotations

import time
from pathlib import Path

import click

from graph.cli.options import data_options

DEFAULT_OUTPUT = "wbsec-site"


@click.command("site")
@data_options
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUTPUT,
              show_default=True,
              help="Directory to write. It is built beside it and swapped in whole; an existing directory "
                   "is replaced only if it is empty or an earlier wbsec site.")
def command(data: tuple[str, ...], no_shipped: bool, output: Path) -> None:
    """Write the graph as a static web site: a page per actor, initiative, agreement, event and source.

    Each page shows the entity's names in every language, its description,
    every claim about it grouped by kind (memberships, instruments,
    statements, survey figures...) with the source title, publisher, link,
    place in the source and quote, conflicting claims side by side, a
    timeline and links to every related page, and is also written as Turtle
    and JSON-LD next to it. The site adds a bibliography, the vocabulary
    with its constraints in words, the whole graph as Turtle, N-Triples and
    JSON-LD with a VoID description, and a search over every name.

    The site works from the file system (open index.html) and from any
    static web host. Nothing is fetched from the internet: a
    Content-Security-Policy allows only each page's own style and scripts.
    If graph.html (wbsec viz) or gap results (wbsec gaps) sit beside the
    output directory, the home page links to them.

    \b
    Examples:
      wbsec site                          # writes ./wbsec-site/, open wbsec-site/index.html
      wbsec site --output output/site
      wbsec site --data my-facts.ttl -o mine
    """
    from graph.site import build_site
    from graph.store import SHAPES_FILE, load_graph, parse_file_shared

    started = time.perf_counter()
    g = load_graph(data, shipped=not no_shipped)
    report = build_site(g, output, shapes=parse_file_shared(SHAPES_FILE))
    click.echo(
        f"Wrote {report.directory.resolve()} ({report.pages} pages, {report.files} files, "
        f"{report.bytes / 1e6:.1f} MB, {report.triples} triples) in {time.perf_counter() - started:.1f} s. "
        f"Open {report.directory / 'index.html'} in a browser; it needs no network.",
        err=True,
    )
