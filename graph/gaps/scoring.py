"""Normalise the components' raw values, aggregate them into actual cooperation, demand and friction, and rank the pairs.

Scoring is pure arithmetic on a :class:`Table` (every component's reading
for every pair, read from the graph once): given one :class:`Choice` of
weights, normalisation method and "no progress" value it returns the same
numbers every time, fast enough to be repeated a thousand times by the
uncertainty analysis. Unknown components have a range; ``position`` says
where in its range each unknown lies (0 = low end, 1 = high end).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from graph.gaps.components import ComponentDef, PairStatus, Reading
from graph.gaps.config import AGGREGATES, ComponentSpec, GapConfig
from graph.gaps.model import Aggregate, Component, Dyad, fmt

#: Index of each aggregate in the (3, pairs) arrays.
ACTUAL, DEMAND, FRICTION = 0, 1, 2


@dataclass(frozen=True)
class Table:
    """Every configured component's reading for every pair, and the same as arrays (components × pairs).

    ``raw`` is NaN where a reading has no number (unknown, or "no progress");
    ``unknown``, ``no_progress`` and ``floor`` are the readings' flags;
    ``count`` marks components normalised across pairs (the others are
    percentages, divided by 100); ``aggregate`` is 0, 1 or 2 (actual,
    demand, friction) per component.
    """

    pairs: tuple[tuple[str, str], ...]
    specs: tuple[ComponentSpec, ...]
    defs: tuple[ComponentDef, ...]
    readings: tuple[tuple[Reading, ...], ...]
    raw: np.ndarray
    unknown: np.ndarray
    no_progress: np.ndarray
    floor: np.ndarray
    count: np.ndarray
    aggregate: np.ndarray


def table(pairs: Sequence[tuple[str, str]], rows: Sequence[tuple[ComponentSpec, ComponentDef, Sequence[Reading]]]
          ) -> Table:
    """Collect the readings of every component (``rows``, in config order) into a :class:`Table`."""
    raw = np.array([[np.nan if r.raw is None else float(r.raw) for r in readings] for _s, _d, readings in rows],
                   dtype=float).reshape(len(rows), len(pairs))

    def flags(attr: str) -> np.ndarray:
        return np.array([[bool(getattr(r, attr)) for r in readings] for _s, _d, readings in rows],
                        dtype=bool).reshape(len(rows), len(pairs))

    return Table(
        pairs=tuple(pairs),
        specs=tuple(s for s, _d, _r in rows),
        defs=tuple(d for _s, d, _r in rows),
        readings=tuple(tuple(r) for _s, _d, r in rows),
        raw=raw,
        unknown=flags("unknown"),
        no_progress=flags("no_progress"),
        floor=flags("floor"),
        count=np.array([d.scale == "count" for _s, d, _r in rows], dtype=bool),
        aggregate=np.array([AGGREGATES.index(s.aggregate) for s, _d, _r in rows], dtype=int),
    )


@dataclass(frozen=True)
class Choice:
    """One way of making the method's choices: a weight per component, a normalisation, the no-progress value."""

    weights: np.ndarray
    normalisation: str
    reference: str | float
    no_progress: float
    friction_weight: float


def declared_choice(t: Table, cfg: GapConfig) -> Choice:
    """The choices the config declares (what the deterministic result uses)."""
    return Choice(np.array([s.weight for s in t.specs], dtype=float), cfg.normalisation, cfg.reference,
                  cfg.no_progress, cfg.friction_weight)


# --------------------------------------------------------------------------- normalisation


def reference_count(known: np.ndarray, reference: str | float) -> float:
    """The count that scores 1 under min-max: the largest, a percentile of the counts above 0, or a number.

    >>> reference_count(np.array([0.0, 1, 2, 3, 26]), "p50"), reference_count(np.array([0.0, 4]), "max")
    (2.5, 4.0)
    """
    if not isinstance(reference, str):
        return float(reference)
    positive = known[known > 0]
    if positive.size == 0:
        return 0.0
    if reference == "max":
        return float(positive.max())
    match = re.fullmatch(r"p(\d+)", reference)
    q = float(match.group(1)) if match else 100.0
    return float(np.percentile(positive, q))


def normalise(x: np.ndarray, method: str, reference: str | float = "max") -> tuple[np.ndarray, float, str]:
    """Counts ``x`` (NaN = no count) mapped to [0, 1] by ``method``; also the reference used and a phrase for it.

    - ``minmax``: x / reference, capped at 1 (see :func:`reference_count`);
    - ``log``: log(1 + x) / log(1 + the largest count);
    - ``rank``: the dense rank of x among the distinct counts (0 always
      included as the lowest), (rank - 1) / (distinct counts - 1).

    >>> normalise(np.array([0.0, 1, 1, 26]), "rank")[0].round(3).tolist()
    [0.0, 0.5, 0.5, 1.0]
    >>> normalise(np.array([0.0, 1, 26, np.nan]), "log")[0][:3].round(3).tolist()
    [0.0, 0.21, 1.0]
    """
    known = x[~np.isnan(x)]
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "log":
            top = float(known.max()) if known.size else 0.0
            values = np.log1p(x) / np.log1p(top) if top > 0 else np.where(np.isnan(x), np.nan, 0.0)
            return np.clip(values, 0.0, 1.0), top, f"log(1 + count) / log(1 + {fmt(top)}) (largest count of any pair)"
        if method == "rank":
            distinct = np.unique(np.concatenate([known, [0.0]]))
            if distinct.size < 2:
                return np.where(np.isnan(x), np.nan, 0.0), 0.0, "rank (every count is 0)"
            values = np.searchsorted(distinct, x) / (distinct.size - 1)
            return np.where(np.isnan(x), np.nan, values), float(distinct.size), \
                f"dense rank among {distinct.size} distinct counts (0 included), scaled to [0, 1]"
        ref = reference_count(known, reference)
        what = "largest count of any pair" if reference == "max" else \
            f"{reference[1:]}th percentile of the counts above 0" if isinstance(reference, str) else "fixed reference"
        if ref <= 0:
            return np.where(np.isnan(x), np.nan, 0.0), 0.0, "min-max (every count is 0)"
        return np.clip(x / ref, 0.0, 1.0), ref, f"count / {fmt(round(ref, 6))} ({what}), capped at 1"


def normalised(t: Table, method: str, reference: str | float) -> tuple[np.ndarray, dict[str, float], list[str]]:
    """Every known raw value of ``t`` in [0, 1] (NaN elsewhere), the reference per count component, the phrases."""
    out = np.full(t.raw.shape, np.nan)
    refs: dict[str, float] = {}
    phrases: list[str] = []
    for c, spec in enumerate(t.specs):
        if t.count[c]:
            out[c], refs[spec.name], phrase = normalise(t.raw[c], method, reference)
        else:
            out[c], phrase = np.clip(t.raw[c] / 100.0, 0.0, 1.0), "per cent / 100"
        phrases.append(phrase)
    return out, refs, phrases


# --------------------------------------------------------------------------- values, aggregates, gaps


def fill(t: Table, base: np.ndarray, no_progress: np.ndarray | float, position: np.ndarray | float) -> np.ndarray:
    """Complete normalised values ``base`` (..., C, P): set "no progress", place the unknowns, apply the floor.

    ``no_progress`` and ``position`` broadcast against ``base``; an unknown
    lies at ``low + position × (1 − low)``, where ``low`` is the no-progress
    value for a floored reading and 0 otherwise.
    """
    npv = np.asarray(no_progress, dtype=float)
    low = np.where(t.floor, npv, 0.0)
    values = np.where(t.no_progress, npv, base)
    values = np.where(t.unknown, low + np.asarray(position, dtype=float) * (1.0 - low), values)
    return np.where(t.floor & ~t.unknown, np.maximum(values, npv), values)


def aggregates(t: Table, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weighted means (..., 3, P) of ``values`` (..., C, P) with ``weights`` (..., C), per aggregate."""
    out = []
    for k in range(len(AGGREGATES)):
        w = np.where(t.aggregate == k, weights, 0.0)
        total = w.sum(axis=-1)[..., None]
        summed = np.einsum("...c,...cp->...p", w, values)
        out.append(np.divide(summed, total, out=np.zeros_like(summed), where=total > 0))
    return np.stack(out, axis=-2)


def gaps(agg: np.ndarray, friction_weight: np.ndarray | float) -> np.ndarray:
    """gap = demand − actual + friction_weight × friction, for aggregates (..., 3, P); the weight is a scalar or (...,)."""
    fw = np.asarray(friction_weight, dtype=float)
    if fw.ndim:
        fw = fw[..., None]
    return agg[..., DEMAND, :] - agg[..., ACTUAL, :] + fw * agg[..., FRICTION, :]


def ranks_of(gap: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """Competition ranks (1 = largest gap; equal gaps share the better rank) along the last axis.

    >>> ranks_of(np.array([0.2, 0.5, 0.2])).tolist()
    [2, 1, 2]
    """
    return 1 + (gap[..., None, :] > gap[..., :, None] + tolerance).sum(axis=-1)


# --------------------------------------------------------------------------- the deterministic result


def score_dyads(t: Table, choice: Choice, statuses: Mapping[tuple[str, str], PairStatus]
                ) -> tuple[list[Dyad], dict[str, float]]:
    """Score every pair under ``choice``: unknowns give ranges (low end 0, high end 1 of their range); ranked.

    Returns the dyads in rank order and the reference of each count
    component (the ``normalisers``).
    """
    base, refs, phrases = normalised(t, choice.normalisation, choice.reference)
    lo = fill(t, base, choice.no_progress, 0.0)
    hi = fill(t, base, choice.no_progress, 1.0)
    agg_lo, agg_hi = aggregates(t, lo, choice.weights), aggregates(t, hi, choice.weights)
    fw = choice.friction_weight
    dyads: list[Dyad] = []
    for p, (a, b) in enumerate(t.pairs):
        built: dict[int, list[Component]] = {ACTUAL: [], DEMAND: [], FRICTION: []}
        for c, spec in enumerate(t.specs):
            r = t.readings[c][p]
            if r.no_progress:
                how = f"{fmt(choice.no_progress)} ([status] no_progress)"
            elif r.unknown:
                how = f"unknown: {fmt(round(lo[c, p], 6))} to 1"
            else:
                how = phrases[c] + (f"; at least the no-progress value {fmt(choice.no_progress)}" if r.floor else "")
            built[int(t.aggregate[c])].append(Component(
                spec.name, r.raw, float(lo[c, p]), float(hi[c, p]), float(choice.weights[c]), f"{r.basis} → {how}",
                r.evidence, r.items, r.fallbacks))
        aggs = [Aggregate(name, float(agg_lo[k, p]), float(agg_hi[k, p]), tuple(built[k]))
                for k, name in enumerate(AGGREGATES)]
        actual, demand, friction = aggs
        f_lo, f_hi = (friction.low, friction.high) if fw >= 0 else (friction.high, friction.low)
        st = statuses[(a, b)]
        dyads.append(Dyad(a, b, st.status, st.note, st.evidence, actual, demand, friction,
                          demand.low - actual.high + fw * f_lo, demand.high - actual.low + fw * f_hi))
    return ranked(dyads), refs


def ranked(dyads: list[Dyad]) -> list[Dyad]:
    """Pairs with a score first, by score (ties share a rank); pairs with a range after, unranked."""
    scored = sorted((d for d in dyads if d.score is not None),
                    key=lambda d: (-round(d.score_low, 9), -round(d.demand.low, 9), d.a, d.b))
    ranged = sorted((d for d in dyads if d.score is None),
                    key=lambda d: (-round(d.score_high, 9), -round(d.score_low, 9), d.a, d.b))
    out: list[Dyad] = []
    previous: float | None = None
    rank = 0
    for i, d in enumerate(scored, 1):
        key = round(d.score_low, 9)
        if key != previous:
            rank, previous = i, key
        out.append(replace(d, rank=rank))
    return out + ranged
