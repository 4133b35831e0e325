"""Follow the gap analysis and the network through time: on one date, year by year, and between two dates.

Every date here goes through the one claim filter, :mod:`graph.timeslice`,
so ``wbsec gaps --as-of``, ``gaps --by-year`` and ``wbsec diff`` see exactly
the claims ``metrics --as-of`` or ``viz --as-of`` see.

* :func:`gap_report_on` - the usual gap report, of the claims valid on one
  date and in chosen domains;
* :func:`gaps_by_year` - for each year of a range, **on 31 December** of that
  year: actual cooperation of every pair (a range when unknown), the regional
  density (the share of pairs with any recorded agreement or bilateral
  cooperation claim, and the same counting only bilateral instruments) and
  the share of shortest paths among the polities that pass an outside actor;
* :func:`network_diff` - the ties gained and lost in a network view between
  two dates, and how degree and betweenness changed.

Renderers return text (:func:`render_series`, :func:`render_diff`);
:func:`write_series_chart` writes the line chart, atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph.backends import Backend
from graph.errors import InputError
from graph.fileio import atomic_write_bytes
from graph.gaps import cooperation_gaps, load_config
from graph.metrics import NodeMetrics, node_metrics
from graph.namespaces import WB, WBO
from graph.project import to_networkx
from graph.report import gap_report
from graph.spreadsheet import csv_table
from graph.timeslice import DateLike, as_date, claim_datings, slice_claims, sliced

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure
    from rdflib import Graph


FORMATS = ("table", "csv", "json")
CHART_FORMATS = (".png", ".svg")
#: Relations of the polities view that are recorded instruments or cooperation between two polities.
INSTRUMENT_RELATIONS = ("cooperation", "agreement")
#: Most years one --by-year run may cover (each year is a full gap analysis).
MAX_YEARS = 60

_YEARS = re.compile(r"^\s*(\d{4})\s*\.\.\s*(\d{4})\s*$")
_T = TypeVar("_T")


# --------------------------------------------------------------------------- one date


@dataclass(frozen=True)
class GapsOnDate:
    """What ``wbsec gaps`` prints with ``--as-of``/``--domain``: the report, the plots written, the filter's notes."""

    text: str
    written: list[Path]
    notes: tuple[str, ...]


def gap_report_on(
    g: Graph | Backend,
    fmt: str,
    *,
    as_of: DateLike = None,
    domains: Sequence[str] = (),
    config: str | Path | None = None,
    plots: Sequence[tuple[str | Path, Sequence[str]]] = (),
    draws: int | None = None,
    seed: int | None = None,
    sensitivity: bool = False,
) -> GapsOnDate:
    """:func:`graph.report.gap_report` of the claims of ``g`` valid on ``as_of`` and in ``domains``.

    Without a date or domain this is the plain report of ``g``. A Markdown
    report (``md``) starts with the filter's line, so the file says which
    claims it covers. ``draws``, ``seed`` and ``sensitivity`` are passed to
    :func:`graph.report.gap_report`.
    """
    as_of = as_date(as_of)

    data, notes = sliced(g, as_of=as_of, domains=domains)
    text, written = gap_report(data, fmt, config=config, plots=plots, draws=draws, seed=seed,
                               sensitivity=sensitivity, as_of=as_of, notes=notes)
    if fmt == "md" and notes:
        text = "".join(f"> {note[0].upper()}{note[1:]}\n" for note in notes) + "\n" + text
    return GapsOnDate(text, written, notes)


# --------------------------------------------------------------------------- year by year


@dataclass(frozen=True)
class PairYear:
    """Actual cooperation of one pair of polities on one day: a value, or a range when a component is unknown."""

    a: str
    b: str
    status: str
    actual_low: float
    actual_high: float
    instrument: bool

    @property
    def actual(self) -> float | None:
        """The value, or None when only the range ``[actual_low, actual_high]`` is known."""
        return self.actual_low if abs(self.actual_high - self.actual_low) < 1e-9 else None


@dataclass(frozen=True)
class YearPoint:
    """The region on 31 December of one year.

    ``density`` is the share of pairs with any recorded agreement or bilateral
    cooperation (a multilateral agreement links every two of its parties);
    ``bilateral_density`` counts only bilateral cooperation claims and
    two-party agreements. ``external_share`` is the mean share of shortest
    paths between two polities that pass an outside actor (None when no pair
    is connected). ``kept_undated``/``dropped_undated`` are the claim filter's
    counts for that day.
    """

    year: int
    day: dt.date
    pairs: tuple[PairYear, ...]
    density: float
    bilateral_density: float
    external_share: float | None
    claims_kept: int
    kept_undated: int
    dropped_undated: int


@dataclass(frozen=True)
class YearSeries:
    """``gaps --by-year``: one :class:`YearPoint` per year, the polities and their labels."""

    start: int
    end: int
    domains: tuple[str, ...]
    polities: tuple[str, ...]
    labels: Mapping[str, str]
    years: tuple[YearPoint, ...]

    def label(self, iri: str) -> str:
        """The label of ``iri`` (or the IRI itself)."""
        return self.labels.get(iri, iri)


def parse_years(text: str) -> tuple[int, int]:
    """``"2010..2023"`` -> ``(2010, 2023)``; anything else raises :class:`InputError` naming ``--by-year``.

    >>> parse_years("2010..2013")
    (2010, 2013)
    """
    m = _YEARS.match(text)
    if not m:
        raise InputError(f"--by-year {text!r}: write FROM..TO with four-digit years, e.g. 2010..2023")
    start, end = int(m.group(1)), int(m.group(2))
    if start > end:
        raise InputError(f"--by-year {text!r}: FROM must not be after TO")
    if end - start + 1 > MAX_YEARS:
        raise InputError(f"--by-year {text!r}: at most {MAX_YEARS} years in one run")
    return start, end


def gaps_by_year(
    g: Graph | Backend,
    start: int,
    end: int,
    *,
    domains: Sequence[str] = (),
    config: str | Path | None = None,
    region: str = str(WB.WesternBalkans),
) -> YearSeries:
    """The gap analysis of ``g`` on 31 December of every year from ``start`` to ``end`` (see :class:`YearPoint`).

    Each year keeps the claims valid that day (and in ``domains``) with the
    claim filter of :mod:`graph.timeslice` and runs
    :func:`graph.gaps.cooperation_gaps` on them. Raises :class:`InputError`
    when the region has fewer than two polities in the data.
    """

    if start > end:
        raise InputError(f"--by-year {start}..{end}: FROM must not be after TO")
    cfg = load_config(config)
    source = g.to_graph() if isinstance(g, Backend) else g
    datings = claim_datings(source)  # once: the dates do not change from year to year
    points: list[YearPoint] = []
    polities: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    chosen: tuple[str, ...] = ()
    for year in range(start, end + 1):
        day = dt.date(year, 12, 31)
        piece = slice_claims(source, as_of=day, domains=domains, datings=datings)
        chosen = piece.report.domains
        analysis = cooperation_gaps(piece.graph, cfg, region=region, draws=0, as_of=day)
        polities = analysis.polities
        labels.update({p: analysis.label(p) for p in polities})
        ties, bilateral = _instrument_pairs(piece.graph, polities)
        pairs = tuple(
            PairYear(d.a, d.b, d.status, d.actual.low, d.actual.high, (d.a, d.b) in ties)
            for d in sorted(analysis.dyads, key=lambda d: (d.a, d.b))
        )
        n = len(pairs)
        points.append(YearPoint(
            year=year,
            day=day,
            pairs=pairs,
            density=len(ties) / n if n else 0.0,
            bilateral_density=len(bilateral) / n if n else 0.0,
            external_share=analysis.external_dependence.share_through_outside,
            claims_kept=piece.report.kept,
            kept_undated=piece.report.kept_undated,
            dropped_undated=piece.report.dropped_undated,
        ))
    return YearSeries(start, end, chosen, polities, labels, tuple(points))


def _instrument_pairs(g: Graph, polities: Sequence[str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Pairs of ``polities`` with a recorded agreement or cooperation claim; and those with a bilateral one."""
    from rdflib import RDF, URIRef

    members = set(polities)
    G = _polities_view(g)
    anyone: set[tuple[str, str]] = set()
    for u, v, d in G.edges(data=True):
        if d.get("relation") in INSTRUMENT_RELATIONS and u in members and v in members and u != v:
            anyone.add((min(u, v), max(u, v)))
    bilateral: set[tuple[str, str]] = set()
    for u, v, d in G.edges(data=True):
        pair = (min(u, v), max(u, v))
        if pair not in anyone:
            continue
        if d.get("relation") == "cooperation":
            bilateral.add(pair)
        elif d.get("relation") == "agreement":
            parties = set(g.objects(URIRef(str(d.get("claim"))), WBO.party))
            if len(parties) == 2 and (URIRef(str(d.get("claim"))), RDF.type, WBO.Agreement) in g:
                bilateral.add(pair)
    return anyone, bilateral


def _polities_view(g: Graph) -> nx.MultiDiGraph:
    return to_networkx(g, "polities")


def render_series(series: YearSeries, fmt: str) -> str:
    """The series as a readable table, CSV (one row per year and pair) or JSON."""
    if fmt == "json":
        return json.dumps(_series_dict(series), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        header = ["year", "date", "a", "a_label", "b", "b_label", "status", "actual", "actual_low", "actual_high",
                  "instrument", "density", "bilateral_density", "external_share", "claims_kept", "kept_undated",
                  "dropped_undated"]
        rows = [[p.year, p.day.isoformat(), x.a, series.label(x.a), x.b, series.label(x.b), x.status,
                 _n(x.actual), _n(x.actual_low), _n(x.actual_high), str(x.instrument).lower(), _n(p.density),
                 _n(p.bilateral_density), _n(p.external_share), p.claims_kept, p.kept_undated, p.dropped_undated]
                for p in series.years for x in p.pairs]
        return csv_table(header, rows)
    if fmt == "table":
        return _series_table(series)
    raise InputError(f"--format {fmt!r}: --by-year writes one of {', '.join(FORMATS)}")


def _n(x: float | None) -> str:
    """A number for CSV: rounded to 6 decimals, without trailing zeros; "" when unknown."""
    if x is None:
        return ""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _series_dict(series: YearSeries) -> dict[str, object]:
    return {
        "from": series.start,
        "to": series.end,
        "day": "31 December of each year",
        "domains": list(series.domains),
        "polities": [{"id": p, "label": series.label(p)} for p in series.polities],
        "years": [
            {
                "year": p.year,
                "date": p.day.isoformat(),
                "density": _r(p.density),
                "bilateral_density": _r(p.bilateral_density),
                "external_share": _r(p.external_share),
                "claims_kept": p.claims_kept,
                "kept_undated": p.kept_undated,
                "dropped_undated": p.dropped_undated,
                "pairs": [{"a": x.a, "b": x.b, "status": x.status, "actual": _r(x.actual),
                           "actual_low": _r(x.actual_low), "actual_high": _r(x.actual_high),
                           "instrument": x.instrument} for x in p.pairs],
            }
            for p in series.years
        ],
    }


def _cell(x: PairYear) -> str:
    return f"{x.actual:.2f}" if x.actual is not None else f"{x.actual_low:.2f}-{x.actual_high:.2f}"


def _columns(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def _series_table(series: YearSeries) -> str:
    years = [str(p.year) for p in series.years]
    head = [["31 December", *years],
            ["density (any instrument)", *(f"{p.density:.2f}" for p in series.years)],
            ["density (bilateral only)", *(f"{p.bilateral_density:.2f}" for p in series.years)],
            ["through outside actors", *("-" if p.external_share is None else f"{p.external_share:.2f}"
                                         for p in series.years)],
            ["undated claims kept", *(str(p.kept_undated) for p in series.years)],
            ["undated claims dropped", *(str(p.dropped_undated) for p in series.years)]]
    pairs = [["actual cooperation", *years]]
    if series.years:
        for i, x in enumerate(series.years[0].pairs):
            pairs.append([f"{series.label(x.a)} - {series.label(x.b)}", *(_cell(p.pairs[i]) for p in series.years)])
    scope = f" in {', '.join(series.domains)}" if series.domains else ""
    return (f"Year by year{scope} (claims valid on 31 December; a-b is a range where a figure is unknown)\n\n"
            + _columns(head) + "\n" + _columns(pairs))


def chart_bytes(series: YearSeries, fmt: str) -> bytes:
    """:func:`chart_figure` as PNG or SVG bytes (deterministic)."""
    import matplotlib

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(f"unknown chart format {fmt!r}; use png or svg")
    with matplotlib.rc_context({"svg.hashsalt": "wbsec", "svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        fig = chart_figure(series)
        buf = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=150, metadata=metadata)
    return buf.getvalue()


def chart_figure(series: YearSeries) -> Figure:
    """A line chart of the series as a matplotlib ``Figure`` (its own grid of panels, so no ``ax=``).

    Left: regional density (any instrument, bilateral only) and the share of
    shortest paths through outside actors (:func:`_density_panel`). Right: one
    small panel per pair with its actual cooperation (:func:`_pair_panel`), at
    most five to a row; only the panels of the left column label their y axis
    and only the lowest panel of each column labels its x axis.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    years = [p.year for p in series.years]
    pairs = list(series.years[0].pairs) if series.years else []
    cols = min(5, max(1, len(pairs)))
    rows = max(1, math.ceil(len(pairs) / cols))
    step = max(1, math.ceil(len(years) / 6))  # at most about six year labels per small panel
    # a fixed grid, not constrained layout: its solver placed the small panels a hair differently from
    # run to run, which changed the SVG ids
    fig = Figure(figsize=(6.0 + 2.3 * cols, max(5.0, 1.9 * rows + 1.4)))
    FigureCanvasAgg(fig)
    gs = fig.add_gridspec(rows, cols + 2, width_ratios=[6.0, 0.5, *([2.3] * cols)], left=0.04, right=0.99,
                          top=0.86, bottom=0.12, hspace=0.75, wspace=0.18)
    _density_panel(fig.add_subplot(gs[:, 0]), series)
    first_ax = fig.add_subplot(gs[0, 2])
    axes = [first_ax] + [fig.add_subplot(gs[k // cols, 2 + k % cols], sharex=first_ax, sharey=first_ax)
                         for k in range(1, rows * cols)]
    for k, ax in enumerate(axes):
        if k >= len(pairs):
            ax.set_axis_off()
            continue
        _pair_panel(ax, series, k, years[::step])
        ax.tick_params(axis="y", labelsize=5.5, labelleft=k % cols == 0)
        ax.tick_params(axis="x", labelbottom=k // cols == rows - 1 or k + cols >= len(pairs))
        ax.grid(alpha=0.3)
    right_middle = (gs[0, 2].get_position(fig).x0 + gs[0, cols + 1].get_position(fig).x1) / 2
    fig.text(right_middle, 0.965, "Actual cooperation per pair (0-1): line and filled dots where known;\n"
             "shaded range and hollow dot where a figure is unknown", ha="center", va="top", fontsize=8)
    return fig


def _density_panel(ax: Any, series: YearSeries) -> None:
    """Draw on ``ax`` the regional density (any instrument, bilateral only) and the external share, year by year."""
    years = [p.year for p in series.years]
    ax.plot(years, [p.density for p in series.years], marker="o", color="#00204c",
            label="pairs with any recorded instrument")
    ax.plot(years, [p.bilateral_density for p in series.years], marker="s", color="#7c7b78", linestyle="--",
            label="pairs with a bilateral instrument")
    ext = [(p.year, p.external_share) for p in series.years if p.external_share is not None]
    ax.plot([y for y, _v in ext], [v for _y, v in ext], marker="^", color="#c9a000", linestyle=":",
            label="shortest paths through outside actors")
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("share", fontsize=8)
    ax.set_title("Regional density and external dependence\n(31 December of each year)", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(alpha=0.3)


def _pair_panel(ax: Any, series: YearSeries, k: int, ticks: Sequence[int]) -> None:
    """Draw on ``ax`` the actual cooperation of the ``k``-th pair of every year, titled with the pair.

    Where the value is known (no range): a solid line and filled dots; where a
    figure is unknown: the shaded range with a hollow dot at its middle. The x
    axis is labelled with the years ``ticks``.
    """
    years = [p.year for p in series.years]
    low = [p.pairs[k].actual_low for p in series.years]
    high = [p.pairs[k].actual_high for p in series.years]
    known = [hi - lo <= 1e-9 for lo, hi in zip(low, high)]
    mid = [(lo + hi) / 2 for lo, hi in zip(low, high)]
    colour = "#00204c"
    ax.fill_between(years, low, high, color="#c9a000", alpha=0.25, linewidth=0)
    ax.plot(years, [m if kn else math.nan for m, kn in zip(mid, known)], color=colour, linewidth=1.2)
    ax.plot(_picked(years, known, True), _picked(mid, known, True),
            color=colour, marker="o", markersize=3, linestyle="none")
    ax.plot(_picked(years, known, False), _picked(mid, known, False),
            color="#7c7b78", marker="o", markersize=3, markerfacecolor="white", linestyle="none")
    pair = series.years[0].pairs[k]
    ax.set_title(f"{series.label(pair.a)} -\n{series.label(pair.b)}", fontsize=6.5)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xticks(ticks, [str(y) for y in ticks], rotation=45, fontsize=5.5)


def _picked(values: Sequence[_T], flags: Sequence[bool], keep: bool) -> list[_T]:
    """The ``values`` whose flag (same position in ``flags``) is ``keep``."""
    return [v for v, flag in zip(values, flags) if flag == keep]


def write_series_chart(series: YearSeries, path: str | Path) -> Path:
    """Write the line chart of ``series`` to ``path`` (``.png`` or ``.svg``) atomically and return the path."""
    target = Path(path)
    if target.suffix.lower() not in CHART_FORMATS:
        raise InputError(f"--chart {target}: a chart file must end in .png or .svg")
    return atomic_write_bytes(target, chart_bytes(series, target.suffix[1:]))


@dataclass(frozen=True)
class YearReport:
    """What ``wbsec gaps --by-year`` prints: the rendered series and the chart written (if any)."""

    text: str
    series: YearSeries
    written: list[Path]


def year_report(
    g: Graph | Backend,
    years: str,
    fmt: str,
    *,
    domains: Sequence[str] = (),
    config: str | Path | None = None,
    chart: str | Path | None = None,
) -> YearReport:
    """``gaps --by-year FROM..TO``: :func:`gaps_by_year`, rendered as ``fmt``, with the chart written to ``chart``."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: --by-year writes one of {', '.join(FORMATS)}")
    if chart is not None and Path(chart).suffix.lower() not in CHART_FORMATS:
        raise InputError(f"--chart {chart}: a chart file must end in .png or .svg")
    start, end = parse_years(years)
    series = gaps_by_year(g, start, end, domains=domains, config=config)
    written = [write_series_chart(series, chart)] if chart is not None else []
    return YearReport(render_series(series, fmt), series, written)


# --------------------------------------------------------------------------- between two dates


@dataclass(frozen=True)
class TieChange:
    """One tie (one claim) present on one date and not on the other."""

    change: str  # "gained" or "lost"
    source: str
    target: str
    relation: str
    claim: str
    source_label: str
    target_label: str


@dataclass(frozen=True)
class MetricChange:
    """Degree and betweenness of one node on the two dates (None: not in the view that day)."""

    node: str
    label: str
    kind: str
    degree_from: int | None
    degree_to: int | None
    betweenness_from: float | None
    betweenness_to: float | None

    @property
    def degree_change(self) -> int:
        """``degree_to - degree_from`` (a missing node counts as 0)."""
        return (self.degree_to or 0) - (self.degree_from or 0)

    @property
    def betweenness_change(self) -> float:
        """``betweenness_to - betweenness_from`` (a missing node counts as 0)."""
        return (self.betweenness_to or 0.0) - (self.betweenness_from or 0.0)


@dataclass(frozen=True)
class NetworkDiff:
    """``wbsec diff``: the ties gained and lost in a view between two dates, and the nodes whose metrics moved."""

    view: str
    start: dt.date
    end: dt.date
    domains: tuple[str, ...]
    ties: tuple[TieChange, ...]
    metrics: tuple[MetricChange, ...]
    notes: tuple[str, ...]

    @property
    def gained(self) -> tuple[TieChange, ...]:
        """The ties present on ``end`` but not on ``start``."""
        return tuple(t for t in self.ties if t.change == "gained")

    @property
    def lost(self) -> tuple[TieChange, ...]:
        """The ties present on ``start`` but not on ``end``."""
        return tuple(t for t in self.ties if t.change == "lost")


def network_diff(
    g: Graph | Backend,
    start: DateLike,
    end: DateLike,
    *,
    view: str = "actors",
    domains: Sequence[str] = (),
) -> NetworkDiff:
    """Compare the ``view`` of ``g`` on ``start`` and on ``end`` (both through the claim filter).

    A tie is one edge of the view: (source, target, relation, claim). Nodes
    are listed when their degree or (normalised, hop) betweenness differs;
    largest betweenness change first, then largest degree change, then IRI.
    """
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if first is None or last is None:
        raise InputError("network_diff: give both a start and an end date")

    source = g.to_graph() if isinstance(g, Backend) else g
    datings = claim_datings(source)
    views: list[nx.MultiDiGraph] = []
    notes: list[str] = []
    chosen: tuple[str, ...] = ()
    for day in (first, last):
        piece = slice_claims(source, as_of=day, domains=domains, datings=datings)
        chosen = piece.report.domains
        notes.append(piece.report.summary)
        views.append(to_networkx(piece.graph, view))
    before, after = views

    ties = _tie_changes(before, after)
    changes, metric_notes = _metric_changes(before, after)
    notes += [n for n in metric_notes if n not in notes]
    return NetworkDiff(view, first, last, chosen, tuple(ties), tuple(changes), tuple(notes))


def _ties(G: nx.MultiDiGraph) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """Every edge of ``G`` as (source, target, relation, claim), mapped to the labels of its two ends."""
    return {(u, v, str(d.get("relation", "")), str(d.get("claim", ""))): (
        str(G.nodes[u].get("label") or u), str(G.nodes[v].get("label") or v))
        for u, v, d in G.edges(data=True)}


def _tie_changes(before: nx.MultiDiGraph, after: nx.MultiDiGraph) -> list[TieChange]:
    """The ties of ``after`` missing from ``before`` ("gained"), then those of ``before`` missing from ``after``."""
    old, new = _ties(before), _ties(after)
    ties = [TieChange("gained", *k, *new[k]) for k in sorted(new.keys() - old.keys())]
    ties += [TieChange("lost", *k, *old[k]) for k in sorted(old.keys() - new.keys())]
    return ties


def _metric_changes(before: nx.MultiDiGraph, after: nx.MultiDiGraph) -> tuple[list[MetricChange], list[str]]:
    """The nodes whose degree or betweenness moved from ``before`` to ``after``, and the notes of both measurements.

    Sorted by largest betweenness change, then largest degree change, then IRI.
    """
    wanted = ["degree", "betweenness"]
    r_before, r_after = node_metrics(before, wanted), node_metrics(after, wanted)
    m_before = {r.id: r for r in r_before.rows}
    m_after = {r.id: r for r in r_after.rows}
    changes: list[MetricChange] = []
    for node in sorted(set(m_before) | set(m_after)):
        change = _metric_change(node, m_before.get(node), m_after.get(node))
        if change is not None:
            changes.append(change)
    changes.sort(key=lambda c: (-round(abs(c.betweenness_change), 12), -abs(c.degree_change), c.node))
    return changes, [*r_before.notes, *r_after.notes]


def _metric_change(node: str, b: NodeMetrics | None, a: NodeMetrics | None) -> MetricChange | None:
    """``node``'s degree and betweenness before (``b``) and after (``a``); None when neither moved.

    A node in only one of the two views always counts as moved.
    """
    ref = a or b
    assert ref is not None
    change = MetricChange(
        node=node,
        label=ref.label,
        kind=ref.kind,
        degree_from=_int(b.value("degree")) if b else None,
        degree_to=_int(a.value("degree")) if a else None,
        betweenness_from=_float(b.value("betweenness")) if b else None,
        betweenness_to=_float(a.value("betweenness")) if a else None,
    )
    if change.degree_change != 0 or abs(change.betweenness_change) > 1e-12 or (a is None) != (b is None):
        return change
    return None


def _int(x: object) -> int | None:
    return None if x is None else int(x)  # type: ignore[call-overload]


def _float(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def render_diff(diff: NetworkDiff, fmt: str) -> str:
    """The comparison as a readable table, CSV (one row per tie or node, a ``section`` column) or JSON."""
    if fmt == "json":
        data = {
            "view": diff.view,
            "from": diff.start.isoformat(),
            "to": diff.end.isoformat(),
            "domains": list(diff.domains),
            "ties": {"gained": [_tie_json(t) for t in diff.gained], "lost": [_tie_json(t) for t in diff.lost]},
            "metrics": [{**asdict(m), "betweenness_from": _r(m.betweenness_from), "betweenness_to": _r(m.betweenness_to),
                         "degree_change": m.degree_change, "betweenness_change": _r(m.betweenness_change)}
                        for m in diff.metrics],
            "notes": list(diff.notes),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        header = ["section", "change", "id", "label", "target", "target_label", "relation", "claim",
                  "degree_from", "degree_to", "degree_change", "betweenness_from", "betweenness_to",
                  "betweenness_change"]
        rows: list[list[object]] = [["tie", t.change, t.source, t.source_label, t.target, t.target_label, t.relation,
                                     t.claim, "", "", "", "", "", ""] for t in diff.ties]
        rows += [["metric", "changed", m.node, m.label, "", "", "", "", _opt(m.degree_from), _opt(m.degree_to),
                  m.degree_change, _n(m.betweenness_from), _n(m.betweenness_to), _n(m.betweenness_change)]
                 for m in diff.metrics]
        return csv_table(header, rows)
    if fmt == "table":
        return _diff_table(diff)
    raise InputError(f"--format {fmt!r}: diff writes one of {', '.join(FORMATS)}")


def _opt(x: int | None) -> str:
    return "" if x is None else str(x)


def _tie_json(t: TieChange) -> dict[str, str]:
    return {"source": t.source, "source_label": t.source_label, "target": t.target, "target_label": t.target_label,
            "relation": t.relation, "claim": t.claim}


def _diff_table(diff: NetworkDiff) -> str:
    scope = f", domains {', '.join(diff.domains)}" if diff.domains else ""
    lines = [f"{diff.view} view, {diff.start.isoformat()} -> {diff.end.isoformat()}{scope}: "
             f"{len(diff.gained)} ties gained, {len(diff.lost)} lost, {len(diff.metrics)} nodes changed", ""]
    if diff.ties:
        rows = [["change", "source", "relation", "target", "claim"]]
        rows += [[t.change, t.source_label, t.relation, t.target_label, t.claim] for t in diff.ties]
        lines.append(_columns_left(rows))
    if diff.metrics:
        rows = [["node", "kind", "degree", "change", "betweenness", "change"]]
        rows += [[m.label, m.kind, f"{_opt(m.degree_from) or '-'} -> {_opt(m.degree_to) or '-'}",
                  f"{m.degree_change:+d}",
                  f"{_fixed(m.betweenness_from)} -> {_fixed(m.betweenness_to)}", f"{m.betweenness_change:+.4f}"]
                 for m in diff.metrics]
        lines.append(_columns_left(rows))
    return "\n".join(lines).rstrip("\n") + "\n"


def _fixed(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def _columns_left(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"
