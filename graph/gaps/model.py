"""The result types of the cooperation-gap analysis: evidence, components, aggregates, pairs and polity profiles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

COOPERATING = "cooperating"
STATED_ABSENT = "stated-absent"
NO_DATA = "no-data"

#: Two numbers closer than this are the same number (a range of width below EPS is a value).
EPS = 1e-9


@dataclass(frozen=True)
class Evidence:
    """One claim behind a number: the claim's IRI, where it was read and what it contributes."""

    claim: str
    sources: tuple[str, ...]
    locator: str
    note: str
    quote: str = ""
    primary_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    """One ingredient of actual cooperation, demand or friction, normalised to [0, 1].

    ``raw`` is the count or percentage as found; ``low``/``high`` bound the
    normalised value (equal when it is known; 0 and 1 when no source states
    it). ``basis`` says in words how ``raw`` was computed; ``items`` are the
    IRIs counted (shared organisations, shared threats, statements …);
    ``fallbacks`` are the ``(item, side)`` figures that are region-wide
    fallbacks rather than the side's own (item "" for the whole component).
    """

    name: str
    raw: float | None
    low: float
    high: float
    weight: float
    basis: str
    evidence: tuple[Evidence, ...] = ()
    items: tuple[str, ...] = ()
    fallbacks: tuple[tuple[str, str], ...] = ()

    @property
    def value(self) -> float | None:
        """The normalised value, or None when only the interval is known."""
        return self.low if abs(self.high - self.low) < EPS else None

    @property
    def known(self) -> bool:
        """True when the value is a number rather than an interval."""
        return self.value is not None


@dataclass(frozen=True)
class Aggregate:
    """A weighted mean of components: actual cooperation, demand and need, or friction.

    ``low`` and ``high`` are the weighted means of the components' bounds;
    ``value`` is set only when they coincide.
    """

    name: str
    low: float
    high: float
    components: tuple[Component, ...]

    @property
    def value(self) -> float | None:
        """The aggregate, or None when an unknown component leaves a range."""
        return self.low if abs(self.high - self.low) < EPS else None

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Dyad:
    """One unordered pair of polities (``a`` < ``b`` as IRIs) with its status, components, score and rank."""

    a: str
    b: str
    status: str
    status_note: str
    status_evidence: tuple[Evidence, ...]
    actual: Aggregate
    demand: Aggregate
    friction: Aggregate
    score_low: float
    score_high: float
    rank: int | None = None
    rank_interval: RankInterval | None = None

    @property
    def score(self) -> float | None:
        """The gap score, or None when the pair's data leave a range (see ``score_low``/``score_high``)."""
        return self.score_low if abs(self.score_high - self.score_low) < EPS else None

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Every claim behind the pair once: the bilateral status claims first, then the components'."""
        seen: dict[str, Evidence] = {}
        for ev in self.status_evidence:
            seen.setdefault(ev.claim, ev)
        for agg in (self.actual, self.demand, self.friction):
            for comp in agg.components:
                for ev in comp.evidence:
                    seen.setdefault(ev.claim, ev)
        return tuple(seen.values())



@dataclass(frozen=True)
class RankInterval:
    """Where a pair lands over the uncertainty analysis's draws: median rank, rank interval, gap interval.

    ``low`` and ``high`` bound the ranks of the central ``level`` share of the
    draws (rank 1 = largest gap; 0.9: the 5th to the 95th percentile).
    """

    median: float
    low: int
    high: int
    gap_median: float
    gap_low: float
    gap_high: float
    level: float
    draws: int


@dataclass(frozen=True)
class InitiativeSupport:
    """One survey figure of support for a named initiative (e.g. Open Balkan)."""

    initiative: str
    percentage: float
    evidence: Evidence


@dataclass(frozen=True)
class PolityProfile:
    """Perception versus reality for one polity: public support beside recorded ties.

    ``agreements`` sums the stated agreement counts of its pairs; it is None
    when no source gives a count for any of them, and ``agreements_unknown``
    lists the partners whose count no source gives (so the sum is a lower
    bound whenever that list is not empty).
    """

    polity: str
    support: float | None
    support_basis: str
    support_evidence: tuple[Evidence, ...]
    initiative_support: tuple[InitiativeSupport, ...]
    cooperating: tuple[str, ...]
    stated_absent: tuple[str, ...]
    no_data: tuple[str, ...]
    agreements: int | None
    affiliations: tuple[str, ...]
    actual_low: float
    actual_high: float
    agreements_unknown: tuple[str, ...] = ()
    #: The survey period of ``support`` (the analysis year or the nearest earlier one) and its editions (IRIs).
    support_period: str = ""
    support_editions: tuple[str, ...] = ()

    @property
    def gap_low(self) -> float | None:
        """Support (as a share) minus the highest possible mean actual cooperation."""
        return None if self.support is None else self.support / 100 - self.actual_high

    @property
    def gap_high(self) -> float | None:
        """Support (as a share) minus the lowest possible mean actual cooperation."""
        return None if self.support is None else self.support / 100 - self.actual_low



def mean(values: Sequence[float]) -> float:
    """The arithmetic mean of a non-empty sequence."""
    return sum(values) / len(values)


def fmt(x: float) -> str:
    """``x`` in the shortest general format."""
    return f"{x:g}"


def decimals(x: float | None, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals, rounded half away from zero as by hand; "—" for None.

    >>> decimals(0.605), decimals(-0.145), decimals(None)
    ('0.61', '-0.15', '—')
    """
    if x is None:
        return "—"
    from decimal import ROUND_HALF_UP, Decimal

    y = Decimal(repr(round(x, 9))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{0 if y == 0 else y:.{digits}f}"


def pct(x: float) -> str:
    """``x`` as a percentage with one decimal."""
    return f"{x:.1f}%"


def merged(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One entry per claim, in first-seen order; the notes of repeated claims are joined."""
    out: dict[str, Evidence] = {}
    for ev in evidence:
        seen = out.get(ev.claim)
        if seen is None:
            out[ev.claim] = ev
        elif ev.note and ev.note not in seen.note.split("; "):
            out[ev.claim] = replace(seen, note=f"{seen.note}; {ev.note}")
    return tuple(out.values())
