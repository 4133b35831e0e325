"""Uncertainty and sensitivity of the gap ranking: Monte Carlo over the method's choices, Morris screening with SALib.

Both work on a :class:`~graph.gaps.scoring.Table` read once from the graph
and score all draws at once with array arithmetic, so a thousand draws take
a fraction of a second. The choices drawn are: every component weight
(uniform within its ``weight_range``), the normalisation method (one of
``[normalisation] alternatives``, equally likely), the value of "no
progress" (uniform within ``[status] no_progress_range``), the outside or
inside classification of each bridging actor (``[external] bridging``, a
fair coin each) and every unknown component (uniform within its range,
independently per pair and component). The same seed gives the same result.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from graph.gaps.config import GapConfig
from graph.gaps.dependence import Classification
from graph.gaps.model import RankInterval
from graph.gaps.scoring import Table, aggregates, declared_choice, fill, gaps, normalised, ranks_of
from graph.namespaces import qname


#: Draws scored at once; larger runs are split so that memory stays bounded.
CHUNK = 10_000
#: Levels of the Morris grid: each choice takes 4 values across its range; one step is 2/3 of the range.
LEVELS = 4


@dataclass(frozen=True)
class ShareInterval:
    """The share of shortest paths through outside actors over the draws of the bridging classification."""

    median: float
    low: float
    high: float


@dataclass(frozen=True)
class Sensitivity:
    """How much one of the method's choices moves the results (Morris elementary effects, via SALib).

    ``rank_mu_star`` is the mean absolute change of the pairs' mean rank
    shift (in ranks) when this choice alone moves by one Morris step (two
    thirds of its range, with 4 levels), ``rank_sigma`` the spread of those
    changes (interactions, non-linearity); ``share_mu_star`` the same for the
    share of shortest paths through outside actors (as a fraction).
    """

    factor: str
    rank_mu_star: float
    rank_sigma: float
    share_mu_star: float


@dataclass(frozen=True)
class Uncertainty:
    """The result of the Monte Carlo run (and, if asked, the sensitivity analysis)."""

    draws: int
    seed: int
    level: float
    intervals: Mapping[tuple[str, str], RankInterval]
    share: ShareInterval | None
    sensitivity: tuple[Sensitivity, ...] = ()
    trajectories: int = 0


@dataclass(frozen=True)
class _Draws:
    """A batch of choices, one row per draw."""

    weights: np.ndarray        # (D, C)
    method: np.ndarray         # (D,) index into the alternatives
    no_progress: np.ndarray    # (D,)
    position: np.ndarray       # (D, C, P) or (D, 1, 1)
    classification: np.ndarray  # (D,) index into the classifications


def _evaluate(t: Table, cfg: GapConfig, d: _Draws) -> np.ndarray:
    """The gap of every pair (D, P) for a batch of draws."""
    methods = cfg.normalisation_alternatives
    bases = np.stack([normalised(t, m, cfg.reference)[0] for m in methods])
    values = fill(t, bases[d.method], d.no_progress[:, None, None], d.position)
    return gaps(aggregates(t, values, d.weights), cfg.friction_weight)


def _class_index(bits: np.ndarray) -> np.ndarray:
    """Bit rows (D, k) of "counted as outside" -> the index of that classification in the 2^k alternatives."""
    k = bits.shape[1]
    order = [tuple(c) for n in range(k + 1) for c in _combinations(k, n)]
    lookup = {frozenset(c): i for i, c in enumerate(order)}
    return np.array([lookup[frozenset(np.flatnonzero(row).tolist())] for row in bits], dtype=int)


def _combinations(k: int, n: int) -> list[tuple[int, ...]]:
    return list(itertools.combinations(range(k), n))


def monte_carlo(t: Table, cfg: GapConfig, *, draws: int, seed: int,
                alternatives: Sequence[Classification] = ()) -> Uncertainty:
    """Draw the method's choices ``draws`` times (seeded) and summarise each pair's rank and gap.

    Every pair gets a rank in every draw (unknowns are drawn too), so pairs
    without data get a median rank and an interval like the others.
    ``alternatives`` are the external-dependence results per classification
    of the bridging actors (from :func:`graph.gaps.dependence.classification_alternatives`).
    """
    rng = np.random.default_rng(seed)
    C, P = t.raw.shape
    lo = np.array([s.weight_range[0] for s in t.specs])
    hi = np.array([s.weight_range[1] for s in t.specs])
    k = max(0, (len(alternatives) - 1).bit_length()) if alternatives else 0
    gaps_, classes = [], []
    for start in range(0, draws, CHUNK):  # in chunks, so memory stays bounded for large draw counts
        n = min(CHUNK, draws - start)
        batch = _Draws(
            weights=rng.uniform(lo, hi, size=(n, C)),
            method=rng.integers(len(cfg.normalisation_alternatives), size=n),
            no_progress=rng.uniform(*cfg.no_progress_range, size=n),
            position=rng.uniform(size=(n, C, P)),
            classification=_class_index(rng.integers(2, size=(n, k)).astype(bool)) if k else np.zeros(n, int),
        )
        gaps_.append(_evaluate(t, cfg, batch))
        classes.append(batch.classification)
    gap = np.concatenate(gaps_) if gaps_ else np.zeros((0, P))
    classification = np.concatenate(classes) if classes else np.zeros(0, int)
    ranks = ranks_of(gap)
    tail = (1 - cfg.interval) / 2
    intervals = {}
    for p, pair in enumerate(t.pairs):
        r, g = ranks[:, p], gap[:, p]
        intervals[pair] = RankInterval(
            median=float(np.median(r)),
            low=int(np.quantile(r, tail, method="inverted_cdf")),
            high=int(np.quantile(r, 1 - tail, method="inverted_cdf")),
            gap_median=float(np.median(g)),
            gap_low=float(np.quantile(g, tail)),
            gap_high=float(np.quantile(g, 1 - tail)),
            level=cfg.interval,
            draws=draws,
        )
    share = None
    shares = np.array([np.nan if c.share_through_outside is None else c.share_through_outside for c in alternatives])
    if alternatives and not np.isnan(shares).all():
        drawn = shares[classification]
        drawn = drawn[~np.isnan(drawn)]
        share = ShareInterval(float(np.median(drawn)), float(np.quantile(drawn, tail)), float(np.quantile(drawn, 1 - tail)))
    return Uncertainty(draws, seed, cfg.interval, intervals, share)


def factors(t: Table, cfg: GapConfig, bridging: Sequence[str]) -> list[tuple[str, tuple[float, float]]]:
    """The choices the sensitivity analysis varies, with their ranges (names as the config spells them)."""
    out = [(f"weight [{s.aggregate}.{s.name}]", s.weight_range) for s in t.specs
           if s.weight_range[1] > s.weight_range[0]]
    if len(cfg.normalisation_alternatives) > 1:
        out.append(("[normalisation] method", (0.0, 1.0)))
    if cfg.no_progress_range[1] > cfg.no_progress_range[0]:
        out.append(("[status] no_progress", cfg.no_progress_range))
    out += [(f"[external] bridging {qname(b)} outside", (0.0, 1.0)) for b in bridging]
    if t.unknown.any():
        out.append(("where unknown components lie in their ranges", (0.0, 1.0)))
    return out


def sensitivity(t: Table, cfg: GapConfig, *, samples: int, seed: int, reference_ranks: np.ndarray,
                alternatives: Sequence[Classification] = (), bridging: Sequence[str] = ()
                ) -> tuple[tuple[Sensitivity, ...], int]:
    """Morris screening (SALib) of the method's choices; returns the factors by influence and the trajectories run.

    Each factor is one of :func:`factors`. The outputs are the mean
    absolute shift of the pairs' ranks from ``reference_ranks`` and the
    share of shortest paths through outside actors. For this screening the
    unknown components move together (one factor: where in their ranges they
    lie), unlike the Monte Carlo run, which draws each independently.
    ``samples`` is the budget of model runs: ``samples // (factors + 1)``
    trajectories, at least 4.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    names = factors(t, cfg, bridging)
    if not names:
        return (), 0
    problem = {"num_vars": len(names), "names": [n for n, _r in names], "bounds": [list(r) for _n, r in names]}
    trajectories = max(4, samples // (len(names) + 1))
    X = morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    D = X.shape[0]
    column = {n: i for i, (n, _r) in enumerate(names)}
    weights = np.tile([s.weight for s in t.specs], (D, 1)).astype(float)
    for c, s in enumerate(t.specs):
        key = f"weight [{s.aggregate}.{s.name}]"
        if key in column:
            weights[:, c] = X[:, column[key]]
    n_methods = len(cfg.normalisation_alternatives)
    method = (np.minimum((X[:, column["[normalisation] method"]] * n_methods).astype(int), n_methods - 1)
              if "[normalisation] method" in column
              else np.full(D, cfg.normalisation_alternatives.index(cfg.normalisation)
                           if cfg.normalisation in cfg.normalisation_alternatives else 0))
    npv = X[:, column["[status] no_progress"]] if "[status] no_progress" in column else np.full(D, cfg.no_progress)
    unknown_key = "where unknown components lie in their ranges"
    position = (X[:, column[unknown_key]] if unknown_key in column else np.full(D, 0.5))[:, None, None]
    bits = np.stack([X[:, column[f"[external] bridging {qname(b)} outside"]] >= 0.5 for b in bridging], axis=1) \
        if bridging else np.zeros((D, 0), bool)
    batch = _Draws(weights, method, npv, position, _class_index(bits) if bridging else np.zeros(D, int))
    ranks = ranks_of(_evaluate(t, cfg, batch))
    y_rank = np.abs(ranks - reference_ranks[None, :]).mean(axis=1)
    shares = np.array([0.0 if c.share_through_outside is None else c.share_through_outside for c in alternatives]
                      or [0.0])
    y_share = shares[batch.classification] if alternatives else np.zeros(D)
    si_rank = morris_analyze.analyze(problem, X, y_rank.astype(float), num_levels=LEVELS, seed=seed)
    si_share = morris_analyze.analyze(problem, X, y_share.astype(float), num_levels=LEVELS, seed=seed)
    # SALib divides each change by the step in unit-cube terms; multiplying back gives output units per step
    step = LEVELS / (2 * (LEVELS - 1))
    rows = [Sensitivity(n, float(si_rank["mu_star"][i]) * step, float(si_rank["sigma"][i]) * step,
                        float(si_share["mu_star"][i]) * step)
            for i, (n, _r) in enumerate(names)]
    rows.sort(key=lambda s: (-round(s.rank_mu_star, 9), -round(s.share_mu_star, 9), s.factor))
    return tuple(rows), trajectories


def reference_ranks(t: Table, cfg: GapConfig) -> np.ndarray:
    """The ranks under the declared choices with every unknown at the middle of its range."""
    choice = declared_choice(t, cfg)
    base = normalised(t, choice.normalisation, choice.reference)[0]
    values = fill(t, base, choice.no_progress, 0.5)
    return ranks_of(gaps(aggregates(t, values, choice.weights), choice.friction_weight))
