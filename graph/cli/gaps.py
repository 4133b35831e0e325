"""``wbsec gaps``: where cooperation is wanted or needed but missing, pair by pair, with the evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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
    _refuse_conflicts(click.get_current_context().params)
    default_fmt = fmt or ("table" if stdout_is_terminal() else "csv")
    g = open_data(data, no_shipped, store, endpoint)
    if by_year is not None:
        from graph.timeline import year_report

        series = year_report(g, by_year, default_fmt, domains=domain, config=config, chart=chart)
        text, written, notes = series.text, series.written, []
    elif by_domain:
        from graph.domains import domain_report

        answer = domain_report(g, default_fmt, domain, as_of=as_date(as_of), config=config, heatmap=heatmap)
        text, written, notes = answer.text, answer.written, [d.note for d in answer.domains]
    else:
        from graph.timeline import gap_report_on

        report = gap_report_on(g, default_fmt, as_of=as_date(as_of), domains=domain, config=config,
                               plots=_plots(plot, heatmap, scatter, dependence), draws=draws, seed=seed,
                               sensitivity=sensitivity)
        text, written, notes = report.text, report.written, list(report.notes)
    print_notes(notes)
    _wrote(written)
    emit(text, output)


def _series(options: Mapping[str, Any]) -> bool:
    """True when the options ask for a series (--by-year or --by-domain) instead of one analysis."""
    return options["by_year"] is not None or bool(options["by_domain"])


#: Options that do not go together: (whether they are given together, the usage error), checked in this order.
#: Each test gets the parsed options by parameter name.
_CONFLICTS: tuple[tuple[Callable[[Mapping[str, Any]], bool], str], ...] = (
    (lambda o: o["by_year"] is not None and o["by_domain"],
     "give --by-year or --by-domain, not both"),
    (lambda o: o["chart"] is not None and o["by_year"] is None,
     "--chart draws the --by-year series: add --by-year FROM..TO"),
    (lambda o: _series(o) and any(o[name] is not None for name in ("plot", "dependence", "scatter")),
     "--plot, --scatter and --dependence-chart draw one analysis; with --by-year use --chart, with --by-domain "
     "--heatmap"),
    (lambda o: _series(o) and (o["draws"] is not None or o["seed"] is not None or o["sensitivity"]),
     "--draws, --seed and --sensitivity give the rank intervals of one analysis; leave them out with --by-year or "
     "--by-domain"),
    (lambda o: o["by_year"] is not None and o["as_of"] is not None,
     "--by-year sets the dates itself (31 December of each year): leave out --as-of"),
    (lambda o: o["by_year"] is not None and o["heatmap"] is not None,
     "--heatmap draws one date; with --by-year use --chart"),
)


def _refuse_conflicts(options: Mapping[str, Any]) -> None:
    """Raise the usage error of the first of :data:`_CONFLICTS` the parsed ``options`` run into."""
    for given_together, message in _CONFLICTS:
        if given_together(options):
            raise click.UsageError(message)


def _plots(plot: Path | None, heatmap: Path | None, scatter: Path | None,
           dependence: Path | None) -> list[tuple[Path, tuple[str, ...]]]:
    """The files to draw and the panels of each: --plot all three side by side, the other options one each."""
    return [(path, panels) for path, panels in ((plot, ("heatmap", "scatter", "dependence")),
                                                (heatmap, ("heatmap",)), (scatter, ("scatter",)),
                                                (dependence, ("dependence",))) if path is not None]


def _wrote(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"Wrote {path}.", err=True)
