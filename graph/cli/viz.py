"""``wbsec viz``: write the network as one interactive HTML page that works offline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from graph.cli.options import (VIEWS, LibraryChoice, as_date, data_options, filter_options, open_data, print_notes,
                               writable_output)

#: Metrics that can set node size (graph.metrics.METRICS without the community label).
SIZE_METRICS = LibraryChoice("graph.metrics", "METRICS", without=("community",))
DEFAULT_OUTPUT = "wbsec-graph.html"


@click.command("viz")
@data_options
@click.option("--view", type=VIEWS, default="actors", show_default=True,
              help="Which network: every actor and tie, the six polities only, memberships, or +/- ties.")
@click.option("--focus", metavar="NODE", default=None,
              help="Draw only the neighbourhood of NODE: an IRI, a prefixed name (wb:XK) or a label (Kosovo).")
@click.option("--depth", type=click.IntRange(min=0), default=None,
              help="With --focus: how many steps out from NODE (default 1).")
@filter_options
@click.option("--size-by", "size_by", type=SIZE_METRICS, default="degree", show_default=True,
              help="Metric that sets node size (see wbsec metrics).")
@click.option("--color-by", "color_by", type=click.Choice(["kind", "community"]), default="kind",
              show_default=True, help="Colour nodes by kind or by Louvain community (shape always shows the kind).")
@click.option("--gaps", "top_gaps", type=click.IntRange(min=0), default=5, show_default=True, metavar="N",
              help="Draw at most N cooperation gaps as dashed black ties (0: none): only pairs whose gap is above "
                   "[map] min_gap and whose 90% rank interval is at most [map] max_interval_width ranks wide "
                   "(ontology/gaps.toml), by rank. Stated absences ('no progress') are always drawn dashed.")
@click.option("--title", default=None, help="Page title (default: 'wbsec: VIEW network').")
@click.option("-o", "--output", type=click.Path(allow_dash=True, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, callback=writable_output,
              help="HTML file to write (atomically); '-' writes to standard output.")
def command(
    data: tuple[str, ...],
    no_shipped: bool,
    store: Path | None,
    endpoint: str | None,
    view: str,
    focus: str | None,
    depth: int | None,
    as_of: dt.datetime | None,
    domain: tuple[str, ...],
    size_by: str,
    color_by: str,
    top_gaps: int,
    title: str | None,
    output: Path,
) -> None:
    """Write an interactive network explorer as ONE self-contained HTML file.

    The page works offline and fetches nothing: the drawing library is inside
    the file and a Content-Security-Policy blocks every outside request, so it
    can be mailed, archived or attached to a report. Open it in any current
    browser to search for an actor, hide kinds of nodes or ties, pick a year,
    and click a node or tie to see its facts with the source, page and quote
    each comes from. Cooperation gaps are dashed black, and only where the gap
    is large and its rank survives the method's alternative choices (the
    legend states the rule). With --as-of and --domain
    the network and its gaps are those of that date and those domains.

    \b
    Examples:
      wbsec viz                                  # writes wbsec-graph.html here
      wbsec viz --view polities --color-by community -o polities.html
      wbsec viz --focus Kosovo --depth 2 --as-of 2023-10-01 -o kosovo.html
      wbsec viz --data my-facts.ttl --size-by betweenness -o mine.html
    """
    from graph.fileio import atomic_write_text
    from graph.network import explorer

    if depth is not None and focus is None:
        raise click.UsageError("--depth needs --focus NODE")
    page = explorer(open_data(data, no_shipped, store, endpoint), view=view, focus=focus, depth=depth,
                    as_of=as_date(as_of), domains=domain, size_by=size_by, color_by=color_by, top_gaps=top_gaps,
                    title=title)
    print_notes(page.notes)
    if str(output) == "-":
        click.echo(page.html.encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the locale
        return
    atomic_write_text(output, page.html)
    size_kb = len(page.html.encode("utf-8")) / 1024
    click.echo(
        f"Wrote {output.resolve()} ({page.nodes} nodes, {page.edges} ties of which {page.gaps} dashed gaps; "
        f"{size_kb:,.0f} KiB). Open it in a browser; it needs no network.",
        err=True,
    )

