"""The result types of the cooperation-gap analysis: evidence, components, aggregates, pairs and polity profiles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

COOPERATING = "cooperating"
STATED_ABSENT = "stated-absent"
NO_DATA = "no-data"
STATUSES = (COOPERATING, STATED_ABSENT, NO_DATA)

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
    IRIs counted (shared organisations, shared threats, statements …).
    """

    name: str
    raw: float | None
    low: float
    high: float
    weight: float
    basis: str
    evidence: tuple[Evidence, ...] = ()
    items: tuple[str, ...] = ()

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
class InitiativeSupport:
    """One survey figure of support for a named initiative (e.g. Open Balkan)."""

    initiative: str
    percentage: float
    evidence: Evidence


@dataclass(frozen=True)
class PolityProfile:
    """Perception versus reality for one polity: public support beside recorded ties."""

    polity: str
    support: float | None
    support_basis: str
    support_evidence: tuple[Evidence, ...]
    initiative_support: tuple[InitiativeSupport, ...]
    cooperating: tuple[str, ...]
    stated_absent: tuple[str, ...]
    no_data: tuple[str, ...]
    agreements: int
    affiliations: tuple[str, ...]
    actual_low: float
    actual_high: float

    @property
    def gap_low(self) -> float | None:
        """Support (as a share) minus the highest possible mean actual cooperation."""
        return None if self.support is None else self.support / 100 - self.actual_high

    @property
    def gap_high(self) -> float | None:
        """Support (as a share) minus the lowest possible mean actual cooperation."""
        return None if self.support is None else self.support / 100 - self.actual_low



def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def fmt(x: float) -> str:
    return f"{x:g}"


def pct(x: float) -> str:
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


def known(name: str, raw: float | None, value: float, weight: float, basis: str,
           evidence: Iterable[Evidence] = (), items: Sequence[str] = ()) -> Component:
    v = min(1.0, max(0.0, value))
    return Component(name, raw, v, v, weight, basis, merged(evidence), tuple(items))


def unknown(name: str, weight: float, basis: str, evidence: Iterable[Evidence] = ()) -> Component:
    return Component(name, None, 0.0, 1.0, weight, basis, merged(evidence))


def aggregate(name: str, components: Sequence[Component]) -> Aggregate:
    total = sum(c.weight for c in components)
    low = sum(c.weight * c.low for c in components) / total
    high = sum(c.weight * c.high for c in components) / total
    return Aggregate(name, low, high, tuple(components))

