"""``wbsec gaps``: where cooperation is wanted or needed but missing, pair by pair, with the evidence."""

from __future__ import annotations

from pathlib import Path

import click

from graph.cli.options import data_options, emit, open_data, output_option, stdout_is_terminal

_PLOT = click.Path(dir_okay=False, path_type=Path)


def _plot_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(f"{value}: a plot file must end in .png or .svg", ctx=ctx, param=param)
    return value


@click.command("gaps")
@data_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default=None,
              help="table (default on a terminal), csv (default otherwise), json or md (a full Markdown report "
                   "with the evidence for every pair).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="A TOML file overriding weights and settings of ontology/gaps.toml (only the keys you give).")
@output_option
@click.option("--plot", "plot", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw the gap heatmap and the external-dependence chart side by side into one PNG or SVG file.")
@click.option("--heatmap", "heatmap", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw only the 6x6 gap heatmap into its own file.")
@click.option("--draws", "draws", type=click.IntRange(min=0), default=None, metavar="N",
              help="Monte Carlo draws of the method's choices for the rank intervals (default [uncertainty] draws, "
                   "1000; 0 for none).")
@click.option("--seed", "seed", type=int, default=None, metavar="N",
              help="Seed of the draws (default [uncertainty] seed): the same seed gives the same intervals.")
@click.option("--sensitivity", "sensitivity", is_flag=True, default=False,
              help="Also screen which choices (weights, normalisation, no-progress value, bridging actors, unknowns) "
                   "move the ranking most (Morris method).")
@click.option("--dependence-chart", "dependence", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw only the external-dependence bar chart into its own file.")
def command(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None, fmt: str | None,
            config: Path | None, output: Path | None,
            plot: Path | None, heatmap: Path | None, dependence: Path | None,
            draws: int | None, seed: int | None, sensitivity: bool) -> None:
    """Rank pairs of Western Balkan polities by the gap between wanted and recorded cooperation.

    For each of the 15 pairs: actual cooperation (stated bilateral agreements,
    shared organisations and initiatives, shared multilateral agreements,
    supportive statements), demand and need (public support for cooperation,
    threats both publics name), friction (threat perception, unfavourable
    opinion, accusations) and gap = demand - actual. Each number lists the
    claims behind it, with source and locator.

    A pair no source describes bilaterally is "no-data": its cooperation is
    unknown, never zero, so it gets a range instead of a score and no rank.
    A pair a source says has made no progress is "stated-absent".

    Every pair also gets a median rank and a 90% rank interval over 1,000
    seeded draws of the method's choices (weights within their declared
    ranges, normalisation, the value of "no progress", whether bridging
    actors such as the Berlin Process count as outside, and every unknown
    value within its range): a narrow interval means the ranking survives
    reasonable alternative choices.

    Also: how much of the connectivity among the six runs through outside
    actors (EU, NATO, ...), each polity's public support beside its ties, and
    missing ties suggested by similar affiliations and shared threats.

    \b
    Examples:
      wbsec gaps                                   # table on a terminal
      wbsec gaps --format json --output gaps.json
      wbsec gaps --format md --output gaps-report.md --plot gaps.png
      wbsec gaps --config my-weights.toml          # see ontology/gaps.toml
      wbsec gaps --sensitivity --draws 1000 --seed 14
    """
    from graph.report import gap_report

    plots = [(path, panels) for path, panels in ((plot, ("heatmap", "dependence")), (heatmap, ("heatmap",)),
                                                 (dependence, ("dependence",))) if path is not None]
    text, written = gap_report(open_data(data, no_shipped, store, endpoint),
                               fmt or ("table" if stdout_is_terminal() else "csv"), config=config, plots=plots,
                               draws=draws, seed=seed, sensitivity=sensitivity)
    for path in written:
        click.echo(f"Wrote {path}.", err=True)
    emit(text, output)
