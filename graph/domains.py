"""Run the cooperation-gap analysis once per policy domain and show the domains side by side.

``wbsec gaps --by-domain`` keeps, for each domain, the agreements,
cooperation claims and memberships of that domain (the claim filter of
:mod:`graph.timeslice`; statements and survey figures are not domain-specific
and stay in every domain) and runs :func:`graph.gaps.cooperation_gaps` on
them. The domains are those named with ``--domain``, or else every domain at
least one claim of the data belongs to. Output: one 6x6 gap heatmap per
domain as small multiples (:func:`write_heatmaps`), and the analysis per
domain as JSON (the same JSON as ``wbsec gaps --format json``, one per
domain), or one CSV/table row per domain and pair.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends import Backend
from graph.errors import InputError
from graph.fileio import atomic_write_bytes
from graph.gapcharts import MatrixStyle, colour_bar, draw_gap_matrix, gap_scale
from graph.gaps import cooperation_gaps, load_config
from graph.namespaces import label_of
from graph.report import render
from graph.spreadsheet import csv_table
from graph.timeslice import DateLike, as_date, claim_datings, claim_domains, domain_names, resolve_domains, slice_claims

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from rdflib import Graph

    from graph.gaps import GapAnalysis

FORMATS = ("table", "csv", "json")
PLOT_FORMATS = (".png", ".svg")


@dataclass(frozen=True)
class DomainGaps:
    """The gap analysis of one policy domain.

    ``claims`` counts the domain-specific claims (agreements, cooperation
    claims, memberships) of this domain that the analysis saw; ``note`` is the
    claim filter's one-line summary; ``report`` the JSON text of
    :func:`graph.report.gap_report` (only when JSON was asked for).
    """

    name: str
    concept: str
    label: str
    claims: int
    analysis: GapAnalysis
    note: str
    report: str = ""


@dataclass(frozen=True)
class DomainReport:
    """What ``wbsec gaps --by-domain`` prints and writes: one :class:`DomainGaps` per domain, text, files."""

    domains: tuple[DomainGaps, ...]
    as_of: dt.date | None
    text: str
    written: list[Path]


def domains_in_use(g: Graph) -> list[str]:
    """The names (``skos:notation``) of the domains at least one domain-specific claim of ``g`` belongs to."""
    used = {d for ds in claim_domains(g).values() for d in ds}
    return [name for name, concept in domain_names(g).items() if concept in used]


def gaps_by_domain(
    g: Graph | Backend,
    domains: Sequence[str] = (),
    *,
    as_of: DateLike = None,
    config: str | Path | None = None,
    with_json: bool = False,
) -> list[DomainGaps]:
    """One gap analysis per domain of ``domains`` (names; default :func:`domains_in_use`), on ``as_of``.

    Raises :class:`InputError` for an unknown domain name (listing the valid
    ones) or when no claim of the data has a domain.
    """
    as_of = as_date(as_of)
    from rdflib import URIRef

    source = g.to_graph() if isinstance(g, Backend) else g
    names = list(resolve_domains(source, domains)) if domains else domains_in_use(source)
    if not names:
        raise InputError("--by-domain: no agreement, cooperation claim or membership in the data has a policy "
                         "domain (wbo:domain); name domains with --domain")
    concepts = domain_names(source)
    scoped = claim_domains(source)
    datings = claim_datings(source)
    cfg = load_config(config)
    out: list[DomainGaps] = []
    for name in names:
        piece = slice_claims(source, as_of=as_of, domains=[name], datings=datings)
        concept = concepts[name]
        count = sum(1 for claim, ds in scoped.items()
                    if concept in ds and (as_of is None or datings[claim].holds_on(as_of)))
        # One analysis per domain; the per-domain maps show gaps, not rank intervals, so no draws.
        analysis = cooperation_gaps(piece.graph, cfg, draws=0, as_of=as_of)
        report = render(analysis, "json") if with_json else ""
        out.append(DomainGaps(name, concept, label_of(source, URIRef(concept)), count,
                              analysis, piece.report.summary, report))
    return out


def domain_report(
    g: Graph | Backend,
    fmt: str,
    domains: Sequence[str] = (),
    *,
    as_of: DateLike = None,
    config: str | Path | None = None,
    heatmap: str | Path | None = None,
) -> DomainReport:
    """``gaps --by-domain``: :func:`gaps_by_domain` rendered as ``fmt``, small multiples written to ``heatmap``."""
    as_of = as_date(as_of)
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: --by-domain writes one of {', '.join(FORMATS)}")
    if heatmap is not None and Path(heatmap).suffix.lower() not in PLOT_FORMATS:
        raise InputError(f"--heatmap {heatmap}: a plot file must end in .png or .svg")
    found = gaps_by_domain(g, domains, as_of=as_of, config=config, with_json=fmt == "json")
    written = [write_heatmaps(found, heatmap, as_of=as_of)] if heatmap is not None else []
    return DomainReport(tuple(found), as_of, render_by_domain(found, fmt, as_of=as_of), written)


# --------------------------------------------------------------------------- text


def _r(x: float | None) -> str:
    return "" if x is None else f"{x:.6f}".rstrip("0").rstrip(".") or "0"


def render_by_domain(found: Sequence[DomainGaps], fmt: str, *, as_of: DateLike = None) -> str:
    """JSON (``{"as_of", "domains": [{name, label, claims, note, analysis}]}``), CSV or a table, one row per pair."""
    as_of = as_date(as_of)
    if fmt == "json":
        data = {
            "as_of": as_of.isoformat() if as_of else None,
            "domains": [{"name": d.name, "concept": d.concept, "label": d.label, "claims": d.claims, "note": d.note,
                         "analysis": json.loads(d.report) if d.report else None} for d in found],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    header = ["domain", "claims", "rank", "a", "a_label", "b", "b_label", "status", "score", "score_low",
              "score_high", "actual_low", "actual_high"]
    rows: list[list[Any]] = []
    for d in found:
        an = d.analysis
        for y in sorted(an.dyads, key=lambda y: (y.rank is None, y.rank or 0, y.a, y.b)):
            rows.append([d.name, d.claims, "" if y.rank is None else y.rank, y.a, an.label(y.a), y.b, an.label(y.b),
                         y.status, _r(y.score), _r(y.score_low), _r(y.score_high), _r(y.actual.low),
                         _r(y.actual.high)])
    if fmt == "csv":
        return csv_table(header, rows)
    if fmt == "table":
        lines: list[str] = []
        for d in found:
            lines.append(f"{d.label} ({d.name}): {d.claims} domain claim{'' if d.claims == 1 else 's'}")
            an = d.analysis
            for y in sorted(an.dyads, key=lambda y: (y.rank is None, y.rank or 0, y.a, y.b)):
                score = f"{y.score:.2f}" if y.score is not None else f"{y.score_low:.2f} to {y.score_high:.2f}"
                rank = str(y.rank) if y.rank is not None else "-"
                lines.append(f"  {rank:>3}  {an.label(y.a)} - {an.label(y.b)}: gap {score} ({y.status})")
            lines.append("")
        return "\n".join(lines)
    raise InputError(f"--format {fmt!r}: --by-domain writes one of {', '.join(FORMATS)}")


# --------------------------------------------------------------------------- small multiples

#: A domain's matrix among the small multiples: the full heatmap's drawing, smaller, scores alone.
_SMALL_MATRIX = MatrixStyle(
    cell_line=1.2, diagonal_line=0.6, score_size=6.5, range_size=5.5, tick_size=6.5, rotation=40, range_pad=0.5,
    score_text=lambda y: f"{y.score:.2f}", range_text=lambda y: f"{y.score_low:.2f}\nto\n{y.score_high:.2f}")


def _panel(ax: Any, d: DomainGaps) -> None:
    draw_gap_matrix(ax, d.analysis, _SMALL_MATRIX)
    ax.set_title(f"{d.label} ({d.name})\n{d.claims} domain claim{'' if d.claims == 1 else 's'}", fontsize=8)


def heatmaps_figure(found: Sequence[DomainGaps], *, as_of: DateLike = None, ax: Any = None) -> Figure:
    """One gap heatmap per domain, three to a row, one shared colour scale, as a matplotlib ``Figure``.

    Pass ``ax`` (one ``Axes`` per domain: an ``Axes`` for one domain, a
    sequence for several) to draw into axes of your own; the figure returned
    is then theirs, with the shared colour bar added to it.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not found:
        raise InputError("--by-domain: no domain to draw")
    day = as_date(as_of)
    if ax is None:
        cols = min(3, len(found))
        rows = math.ceil(len(found) / cols)
        fig = Figure(figsize=(4.6 * cols + 1.2, 4.4 * rows + 0.8), layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(rows, cols, squeeze=False).flat)
    else:
        axes = [ax] if not isinstance(ax, Sequence) and not hasattr(ax, "flat") else list(getattr(ax, "flat", ax))
        if len(axes) != len(found):
            raise InputError(f"ax: {len(axes)} axes for {len(found)} domains; give one Axes per domain")
        fig = axes[0].figure
    for k, one in enumerate(axes):
        if k < len(found):
            _panel(one, found[k])
        else:
            one.set_axis_off()
    when = f" as of {day.isoformat()}" if day else ""
    fig.suptitle(f"Cooperation gap per pair and policy domain{when} (demand − actual; hatched: a figure is "
                 "unknown, the range is shown)", fontsize=9)
    cmap, norm = gap_scale()
    colour_bar(fig, axes, norm, cmap, "gap score (−1 … +1)", fraction=0.02, pad=0.02)
    return fig


def heatmaps_bytes(found: Sequence[DomainGaps], fmt: str, *, as_of: DateLike = None) -> bytes:
    """:func:`heatmaps_figure` as PNG or SVG bytes (deterministic)."""
    import matplotlib

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(f"unknown plot format {fmt!r}; use png or svg")
    with matplotlib.rc_context({"svg.hashsalt": "wbsec", "svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        fig = heatmaps_figure(found, as_of=as_of)
        buf = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=150, metadata=metadata)
    return buf.getvalue()


def write_heatmaps(found: Sequence[DomainGaps], path: str | Path, *, as_of: DateLike = None) -> Path:
    """Write the small multiples to ``path`` (``.png`` or ``.svg``) atomically and return the path."""
    as_of = as_date(as_of)
    target = Path(path)
    if target.suffix.lower() not in PLOT_FORMATS:
        raise InputError(f"--heatmap {target}: a plot file must end in .png or .svg")
    return atomic_write_bytes(target, heatmaps_bytes(found, target.suffix[1:], as_of=as_of))
