"""Draw the cooperation-gap analysis as figures: the gap heatmap, the demand-versus-practice scatter, the dependence chart.

Each panel is a function drawing on one matplotlib axis; :func:`gap_figure`
returns the chosen panels side by side as a ``Figure`` (or draws them into
axes you pass with ``ax=``), :func:`plot_bytes` returns it as PNG or SVG bytes, and
:func:`write_plot` writes them atomically. matplotlib is imported only when a
figure is drawn. Output is deterministic: a fixed SVG hash salt, fonts as
paths, no dates in the metadata, labels placed by a fixed rule.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import InputError
from graph.fileio import atomic_write_bytes
from graph.iri import local_name
from graph.gaps import NO_DATA, STATED_ABSENT, Dyad, GapAnalysis, mapped_gaps
from graph.gaps.model import decimals

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_FORMATS = (".png", ".svg")
#: The panels a figure can hold, in the order ``--plot`` draws them.
PANELS = ("heatmap", "scatter", "dependence")


@dataclass(frozen=True)
class MatrixStyle:
    """Sizes and labels of a gap matrix (:func:`draw_gap_matrix`): a full figure's, or a small multiple's."""

    #: Line width of the white lines between cells, and of the grey frame of the diagonal.
    cell_line: float
    diagonal_line: float
    #: Font sizes of a scored cell, of an unscored cell's range, and of the polity names.
    score_size: float
    range_size: float
    tick_size: float
    #: How far the polity names under the matrix are turned, in degrees.
    rotation: float
    #: Padding of the white box behind an unscored cell's range.
    range_pad: float
    #: A scored pair's text, and an unscored pair's (its score range).
    score_text: Callable[[Dyad], str]
    range_text: Callable[[Dyad], str]


def _full_score(d: Dyad) -> str:
    assert d.score is not None
    return decimals(d.score) + ("\nstated\nabsent" if d.status == STATED_ABSENT else "")


def _full_range(d: Dyad) -> str:
    return f"{decimals(d.score_low)}\nto\n{decimals(d.score_high)}" + ("\nno data" if d.status == NO_DATA else "")


#: The heatmap panel of ``--plot`` and ``--heatmap``.
FULL_MATRIX = MatrixStyle(cell_line=1.5, diagonal_line=0.8, score_size=7.5, range_size=6.5, tick_size=8,
                          rotation=35, range_pad=1, score_text=_full_score, range_text=_full_range)


def draw_gap_matrix(ax: Any, an: GapAnalysis, style: MatrixStyle) -> None:
    """Draw ``an``'s pairs as a symmetric matrix of gap scores on ``ax``, polities named on both axes.

    A scored pair is a cell coloured on the :func:`gap_scale`; a pair without
    a score is hatched grey with its score range; the diagonal is left white.
    """
    from matplotlib.patches import Rectangle

    cmap, norm = gap_scale()
    polities = list(an.polities)
    n = len(polities)
    index = {p: i for i, p in enumerate(polities)}
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_aspect("equal")
    for d in an.dyads:
        for i, j in ((index[d.a], index[d.b]), (index[d.b], index[d.a])):
            if d.score is not None:
                colour = cmap(norm(d.score))
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colour, edgecolor="white",
                                       linewidth=style.cell_line))
                ax.text(j, i, style.score_text(d), ha="center", va="center", fontsize=style.score_size,
                        color="black" if sum(colour[:3]) / 3 > 0.5 else "white")
            else:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#e6e6e6", edgecolor="white",
                                       linewidth=style.cell_line, hatch="////"))
                ax.text(j, i, style.range_text(d), ha="center", va="center", fontsize=style.range_size,
                        color="black", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                                             "pad": style.range_pad})
    for i in range(n):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor="white", edgecolor="#bbbbbb",
                               linewidth=style.diagonal_line))
    labels = [an.label(p) for p in polities]
    ax.set_xticks(range(n), labels, rotation=style.rotation, ha="right", fontsize=style.tick_size)
    ax.set_yticks(range(n), labels, fontsize=style.tick_size)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)


def gap_scale() -> tuple[Any, Any]:
    """The colour map and the normalisation (−1 to +1) of gap scores, the same in every gap matrix."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    return colormaps["cividis"], Normalize(vmin=-1.0, vmax=1.0)


def _heatmap(ax: Any, an: GapAnalysis, fig: Any) -> None:
    cmap, norm = gap_scale()
    draw_gap_matrix(ax, an, FULL_MATRIX)
    ax.set_title("Cooperation gap per pair (demand − actual)\nhatched: no bilateral data, range shown", fontsize=9)
    colour_bar(fig, ax, norm, cmap, "gap score (−1 more cooperation than wanted … +1 wanted, none recorded)")


def _short(an: GapAnalysis, iri: str) -> str:
    """A polity's code for crowded figure labels: the IRI's local name when it is a code (``XK``), else the label."""
    local = local_name(iri)
    return local if 1 <= len(local) <= 3 and local.isalpha() else an.label(iri)


def _label_places(points: Sequence[tuple[float, float, str]], span: float) -> list[tuple[float, float]]:
    """Where to write each point's label so that no two labels overlap (a greedy, deterministic placement).

    Labels go right of their point; one that would overlap a label already
    placed moves up or down in steps of a line until it fits. Sizes are
    estimated in data units for a 6.5-point font on an axis ``span`` long.
    """
    height, char = 0.026 * span, 0.0098 * span
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float]] = [(0.0, 0.0)] * len(points)
    order = sorted(range(len(points)), key=lambda i: (-points[i][1], points[i][0], points[i][2]))
    for i in order:
        x, y, label = points[i]
        lx, width = x + 0.012 * span, len(label) * char
        for step in range(0, 40):
            ly = y + (step + 1) // 2 * height * (1 if step % 2 else -1) if step else y
            box = (lx, ly - height / 2, lx + width, ly + height / 2)
            if all(box[2] <= p[0] or box[0] >= p[2] or box[3] <= p[1] or box[1] >= p[3] for p in placed):
                break
        placed.append(box)
        out[i] = (lx, ly)
    return out


def _scatter(ax: Any, an: GapAnalysis, fig: Any) -> None:
    """Demand against practice: one point per pair, x = actual cooperation, y = demand.

    The distance above the diagonal is the gap. A pair without bilateral data
    (actual a range) is a horizontal bar over its range with a hollow mark at
    the middle. With draws, each point's colour is its median rank and a
    vertical bar spans the 90% interval of its gap over the draws (as a
    distance above the diagonal); the label gives rank, median and interval.
    Filled marks are the pairs the map draws as gap ties
    (:func:`graph.gaps.mapped_gaps`); the dotted line is ``[map] min_gap``.
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    cmap = colormaps["cividis"]
    n_pairs = len(an.dyads)
    norm = Normalize(vmin=1, vmax=max(n_pairs, 2))
    mapped = {(d.a, d.b) for d in mapped_gaps(an)}
    cfg = an.config
    ax.plot([0, 1], [0, 1], color="#888888", linewidth=0.8, zorder=1)
    ax.plot([0, 1 - cfg.map_min_gap], [cfg.map_min_gap, 1], color="#888888", linewidth=0.8, linestyle=":",
            zorder=1)
    low = min([0.9] + [d.actual.low for d in an.dyads] + [d.demand.low for d in an.dyads])
    lo = max(0.0, math.floor((low - 0.05) * 10) / 10)  # zoom on the pairs, keeping the diagonal's meaning
    points = [_scatter_pair(ax, an, d, cmap(norm(_rank_place(d, n_pairs))), (d.a, d.b) in mapped)
              for d in sorted(an.dyads, key=lambda d: (d.a, d.b))]
    _label_points(ax, points, 1.0 - lo)
    _scatter_frame(ax, an, lo)
    bar = colour_bar(fig, ax, norm, cmap,
                      "median rank (1 = largest gap)" if an.uncertainty is not None else "rank (1 = largest gap)")
    bar.ax.invert_yaxis()


def _rank_place(d: Dyad, n_pairs: int) -> float:
    """A pair's place on the rank colour scale: its median rank over the draws, else its rank, else last."""
    r = d.rank_interval
    return r.median if r is not None else (d.rank if d.rank is not None else n_pairs)


def _scatter_pair(ax: Any, an: GapAnalysis, d: Dyad, colour: Any, filled: bool) -> tuple[float, float, str]:
    """Draw one pair on the scatter and return its point (x, y) and label.

    The mark sits at the middle of the pair's actual (x) and demand (y)
    ranges, filled when ``filled``; a dashed vertical bar spans an unknown
    demand, a thick horizontal bar an unknown actual cooperation, and a thin
    vertical bar the interval of the gap over the draws. The label is the two
    polity codes, the rank and the rank interval over the draws.
    """
    r = d.rank_interval
    y = (d.demand.low + d.demand.high) / 2
    x = (d.actual.low + d.actual.high) / 2
    if d.demand.high - d.demand.low > 1e-9:
        ax.plot([x, x], [d.demand.low, d.demand.high], color=colour, linewidth=0.8, linestyle="--", zorder=2)
    if d.actual.high - d.actual.low > 1e-9:
        ax.plot([d.actual.low, d.actual.high], [y, y], color=colour, linewidth=2.2, alpha=0.7, zorder=2,
                solid_capstyle="butt")
    if r is not None:
        ax.plot([x, x], [x + r.gap_low, x + r.gap_high], color=colour, linewidth=0.9, alpha=0.6, zorder=3)
    ax.scatter([x], [y], s=34, zorder=4, color=colour if filled else "white", edgecolors=colour if not filled
               else "black", linewidths=1.2)
    rank = "—" if d.rank is None else str(d.rank)
    label = f"{_short(an, d.a)}–{_short(an, d.b)} {rank}"
    if r is not None:
        label += f" [{r.low}–{r.high}]"
    return x, y, label


def _label_points(ax: Any, points: Sequence[tuple[float, float, str]], span: float) -> None:
    """Write each point's label where :func:`_label_places` puts it, with a leader line when it moved off its row."""
    for (x, y, label), (lx, ly) in zip(points, _label_places(points, span)):
        ax.annotate(label, (x, y), xytext=(lx, ly), textcoords="data", fontsize=6.5, zorder=5, va="center",
                    arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5}
                    if (lx, ly) != (x + 0.012 * span, y) else None)


def _scatter_frame(ax: Any, an: GapAnalysis, lo: float) -> None:
    """The scatter's square frame from ``lo`` to 1, its axis labels, the key to the two diagonals and the title."""
    cfg = an.config
    ax.set_xlim(lo, 1)
    ax.set_ylim(lo, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("actual cooperation (a bar: the range of a pair without bilateral data)", fontsize=8)
    ax.set_ylabel("demand (public support and shared threats)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.text(0.98, 0.985 - 0.0, "solid diagonal: gap = 0\n"
            f"dotted: gap = {cfg.map_min_gap:g} ([map] min_gap)", transform=ax.transAxes, ha="right", va="top",
            fontsize=6.5, color="#555555")
    codes = ", ".join(f"{_short(an, p)} {an.label(p)}" for p in an.polities if _short(an, p) != an.label(p))
    u = an.uncertainty
    how = (f"colour: median rank over {u.draws} draws; vertical bar: {u.level * 100:g}% interval of the gap; "
           f"label: rank [{u.level * 100:g}% rank interval]" if u is not None else "colour: rank; no draws")
    ax.set_title("Demand versus practice (distance above the diagonal = gap)\n"
                 f"{how}\nfilled: drawn as a gap tie on the map" + (f"\n{codes}" if codes else ""), fontsize=7.5)


def colour_bar(fig: Any, ax: Any, norm: Any, cmap: Any, label: str, *, fraction: float = 0.046,
               pad: float = 0.04) -> Any:
    """Add a colour bar for ``norm`` and ``cmap`` beside ``ax`` (one Axes or several), labelled in small type.

    ``fraction`` and ``pad`` are matplotlib's (the bar's share of the width,
    its distance from the axes); the bar is returned.
    """
    from matplotlib.cm import ScalarMappable

    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=fraction, pad=pad)
    bar.set_label(label, fontsize=7)
    bar.ax.tick_params(labelsize=7)
    return bar


def _dependence(ax: Any, an: GapAnalysis) -> None:
    from matplotlib import colormaps

    ed = an.external_dependence
    cmap = colormaps["cividis"]
    carriers = list(ed.carriers)
    if not carriers:
        ax.text(0.5, 0.5, "no intermediaries: every connected pair is linked directly", ha="center", va="center",
                fontsize=8, transform=ax.transAxes)
        ax.set_axis_off()
    else:
        ys = list(range(len(carriers)))
        shares = [c.share * 100 for c in carriers]
        colours = [cmap(0.15) if c.outside else cmap(0.85) for c in carriers]
        hatches = ["" if c.outside else "xx" for c in carriers]
        bars = ax.barh(ys, shares, color=colours, edgecolor="black", linewidth=0.6)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        for y, c, v in zip(ys, carriers, shares):
            ax.text(v + 1, y, f"{v:.1f}% ({c.pairs} pairs)", va="center", fontsize=7.5)
        def tick(actor: str, outside: bool) -> str:
            return an.label(actor) + ("" if outside else " (polity)" if actor in an.polities else " (inside)")

        ax.set_yticks(ys, [tick(c.actor, c.outside) for c in carriers], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, max(100.0, max(shares) + 20))
        ax.set_xlabel("share of shortest paths between two polities that pass the node (%)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor=cmap(0.15), edgecolor="black", label="outside actor"),
                           Patch(facecolor=cmap(0.85), edgecolor="black", hatch="xx", label="inside the region")],
                  fontsize=7, loc="lower right")
    share = ed.share_through_outside
    summary = (f"through any outside actor: {'—' if share is None else f'{share * 100:.1f}%'}\n"
               f"components with / without outside actors / direct only: {ed.with_outside.components} / "
               f"{ed.without_outside.components} / {ed.direct_only.components}\n"
               f"mean shortest path: {decimals(ed.with_outside.average_path_length)} / "
               f"{decimals(ed.without_outside.average_path_length)} / {decimals(ed.direct_only.average_path_length)}")
    ax.set_title("External dependence: who carries the shortest paths\n" + summary, fontsize=8.5)


def gap_figure(an: GapAnalysis, panels: str | Sequence[str] = PANELS, *, ax: Any = None) -> Figure:
    """Draw the gap heatmap, the demand-versus-practice scatter and/or the dependence bars as a matplotlib ``Figure``.

    ``panels`` is one of ``heatmap``, ``scatter`` and ``dependence`` or a
    sequence of them (drawn side by side in that order). Pass ``ax`` (one
    matplotlib ``Axes`` per panel: an ``Axes`` for one panel, a sequence for
    several) to draw into axes of your own; the figure returned is then
    theirs. Nothing is shown or saved and pyplot's state is not touched.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    wanted = [panels] if isinstance(panels, str) else list(panels)
    unknown = [p for p in wanted if p not in PANELS]
    if unknown or not wanted:
        raise InputError(f"unknown plot panel {unknown[0] if unknown else '(none)'!r}; use {', '.join(PANELS)}")
    if ax is None:
        widths = {"heatmap": 7.0, "scatter": 7.0, "dependence": 7.5}
        fig = Figure(figsize=(sum(widths[p] for p in wanted), 6.2), layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(1, len(wanted), squeeze=False)[0])
    else:
        axes = [ax] if not isinstance(ax, Sequence) and not hasattr(ax, "flat") else list(getattr(ax, "flat", ax))
        if len(axes) != len(wanted):
            raise InputError(f"ax: {len(axes)} axes for {len(wanted)} panel{'s' if len(wanted) != 1 else ''} "
                             f"({', '.join(wanted)}); give one Axes per panel")
        fig = axes[0].figure
    for one, panel in zip(axes, wanted):
        if panel == "heatmap":
            _heatmap(one, an, one.figure)
        elif panel == "scatter":
            _scatter(one, an, one.figure)
        else:
            _dependence(one, an)
    return fig


def plot_bytes(an: GapAnalysis, fmt: str, panels: Sequence[str] = PANELS) -> bytes:
    """:func:`gap_figure` as PNG or SVG bytes.

    ``fmt`` is ``png`` or ``svg``; ``panels`` is any of ``heatmap``,
    ``scatter`` and ``dependence`` (side by side, in that order of the
    argument). Output is deterministic (fixed SVG hash salt, fonts as paths, no dates).
    """
    import matplotlib

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(f"unknown plot format {fmt!r}; use png or svg")
    with matplotlib.rc_context({"svg.hashsalt": "wbsec", "svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        fig = gap_figure(an, panels)
        buf = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=150, metadata=metadata)
    return buf.getvalue()


def write_plot(an: GapAnalysis, path: str | Path, panels: Sequence[str] = PANELS) -> Path:
    """Write the figure to ``path`` (``.png`` or ``.svg``, by ending) atomically and return the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise InputError(f"{target}: a plot file must end in .png or .svg")
    return atomic_write_bytes(target, plot_bytes(an, suffix[1:], panels))
