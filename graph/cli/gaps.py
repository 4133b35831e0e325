"""``wbsec gaps``: where cooperation is wanted or needed but missing, pair by pair, with the evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from graph.cli.options import (
    as_date,
    data_options,
    emit,
    filter_options,
    open_data,
    output_option,
    print_notes,
    stdout_is_terminal,
)

_PLOT = click.Path(dir_okay=False, path_type=Path)


def _plot_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(f"{value}: a plot file must end in .png or .svg", ctx=ctx, param=param)
    return value


@click.command("gaps")
@data_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default=None,
              help="table (default on a terminal), csv (default otherwise), json or md (a methods annex to cite: "
                   "method and formulas, data coverage, rank intervals, sensitivity, evidence for every pair cited by "
                   "source and locator, and a bibliography).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="A TOML file overriding weights and settings of ontology/gaps.toml (only the keys you give).")
@output_option
@click.option("--plot", "plot", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw the gap heatmap, the demand-versus-practice scatter and the external-dependence chart side "
                   "by side into one PNG or SVG file.")
@click.option("--heatmap", "heatmap", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw only the 6x6 gap heatmap into its own file.")
@click.option("--scatter", "scatter", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="Draw only the demand-versus-practice scatter into its own file: one point per pair (x actual "
                   "cooperation, y demand; bars for unknown ranges), coloured by median rank, with the gap's "
                   "interval over the draws as a vertical bar and the rank interval in the label.")
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
@filter_options
@click.option("--by-year", "by_year", metavar="FROM..TO", default=None,
              help="A time series instead: for each year (on 31 December) actual cooperation per pair (a range "
                   "when unknown), regional density and the share of paths through outside actors "
                   "(table, csv or json).")
@click.option("--chart", "chart", type=_PLOT, callback=_plot_file, default=None, metavar="FILE.png|svg",
              help="With --by-year: draw the series as a line chart.")
@click.option("--by-domain", "by_domain", is_flag=True,
              help="One analysis per policy domain (those given with --domain, else every domain in the data): "
                   "--heatmap draws one 6x6 heatmap per domain side by side; json gives the analysis per domain.")
def command(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None, fmt: str | None,
            config: Path | None, output: Path | None,
            plot: Path | None, heatmap: Path | None, scatter: Path | None, dependence: Path | None,
            draws: int | None, seed: int | None, sensitivity: bool,
            as_of: dt.datetime | None, domain: tuple[str, ...], by_year: str | None, chart: Path | None,
            by_domain: bool) -> None:
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

    Demand uses each polity's own survey figure from the edition of the
    analysis year or the nearest earlier one (the latest without --as-of);
    the region-wide figure only as a declared fallback, and the output says
    which edition each figure comes from.

    --as-of DATE and --domain NAME analyse only the claims valid on that date
    and in those domains (stderr says how many undated claims were kept and
    dropped). --by-year FROM..TO gives the series over years, --by-domain one
    analysis per domain.

    \b
    Examples:
      wbsec gaps                                   # table on a terminal
      wbsec gaps --format json --output gaps.json
      wbsec gaps --format md --sensitivity --output gaps-annex.md --plot gaps.png
      wbsec gaps --scatter gaps-scatter.svg --heatmap gaps-heatmap.svg
      wbsec gaps --config my-weights.toml          # see ontology/gaps.toml
      wbsec gaps --sensitivity --draws 1000 --seed 14
      wbsec gaps --as-of 2015-01-01 --domain police
      wbsec gaps --by-year 2010..2023 --chart gaps-by-year.png
      wbsec gaps --by-domain --heatmap gaps-by-domain.png --format json
    """
    default_fmt = fmt or ("table" if stdout_is_terminal() else "csv")
    if by_year is not None and by_domain:
        raise click.UsageError("give --by-year or --by-domain, not both")
    if chart is not None and by_year is None:
        raise click.UsageError("--chart draws the --by-year series: add --by-year FROM..TO")
    if (by_year is not None or by_domain) and (plot is not None or dependence is not None or scatter is not None):
        raise click.UsageError("--plot, --scatter and --dependence-chart draw one analysis; with --by-year use "
                               "--chart, with --by-domain --heatmap")
    if (by_year is not None or by_domain) and (draws is not None or seed is not None or sensitivity):
        raise click.UsageError("--draws, --seed and --sensitivity give the rank intervals of one analysis; "
                               "leave them out with --by-year or --by-domain")
    if by_year is not None:
        from graph.timeline import year_report

        if as_of is not None:
            raise click.UsageError("--by-year sets the dates itself (31 December of each year): leave out --as-of")
        if heatmap is not None:
            raise click.UsageError("--heatmap draws one date; with --by-year use --chart")
        series = year_report(open_data(data, no_shipped, store, endpoint), by_year, default_fmt, domains=domain,
                             config=config, chart=chart)
        _wrote(series.written)
        emit(series.text, output)
        return
    if by_domain:
        from graph.domains import domain_report

        answer = domain_report(open_data(data, no_shipped, store, endpoint), default_fmt, domain,
                               as_of=as_date(as_of), config=config, heatmap=heatmap)
        print_notes([d.note for d in answer.domains])
        _wrote(answer.written)
        emit(answer.text, output)
        return

    from graph.timeline import gap_report_on

    plots = [(path, panels) for path, panels in ((plot, ("heatmap", "scatter", "dependence")),
                                                 (heatmap, ("heatmap",)), (scatter, ("scatter",)),
                                                 (dependence, ("dependence",))) if path is not None]
    report = gap_report_on(open_data(data, no_shipped, store, endpoint), default_fmt, as_of=as_date(as_of),
                           domains=domain, config=config, plots=plots, draws=draws, seed=seed,
                           sensitivity=sensitivity)
    print_notes(report.notes)
    _wrote(report.written)
    emit(report.text, output)


def _wrote(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"Wrote {path}.", err=True)
