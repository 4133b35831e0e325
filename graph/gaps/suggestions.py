"""Suggest missing ties: pairs without recorded cooperation whose affiliations and threats are alike."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from graph.gaps.config import GapConfig
from graph.gaps.model import COOPERATING, NO_DATA, Dyad


@dataclass(frozen=True)
class Suggestion:
    """A pair without recorded bilateral cooperation whose affiliations and threats suggest a tie."""

    a: str
    b: str
    status: str
    score: float
    jaccard: float
    adamic_adar: float
    shared_affiliations: tuple[str, ...]
    affiliations_union: int
    shared_threats: tuple[str, ...]
    rank: int
    reason: str


def affiliation_sets(G: Any, polities: Sequence[str], *, roles: Sequence[str],
                     member_polity: Mapping[str, str] | None = None) -> tuple[dict[str, set[str]], dict[str, int]]:
    """From an affiliation view: each polity's organisations, and each organisation's number of members.

    Affiliation edges (``relation == "affiliation"``, role in ``roles``, no end
    date) go from a member to an organisation; a member that is a body of a
    polity (``member_polity``) counts for that polity.
    """
    role_set, mapping, six = set(roles), dict(member_polity or {}), set(polities)
    members: dict[str, set[str]] = defaultdict(set)
    for u, v, data in G.edges(data=True):
        if data.get("relation") != "affiliation" or str(data.get("role", "")) not in role_set or data.get("until"):
            continue
        members[v].add(mapping.get(u, u))
    orgs: dict[str, set[str]] = {p: set() for p in polities}
    for org, who in members.items():
        for p in who & six:
            if org != p:
                orgs[p].add(org)
    return orgs, {org: len(who) for org, who in members.items()}


def missing_ties(orgs: Mapping[str, set[str]], degree: Mapping[str, int], dyads: Sequence[Dyad],
                 cfg: GapConfig, labels: Mapping[str, str] | None = None) -> list[Suggestion]:
    """Rank pairs without recorded bilateral cooperation by how alike their affiliations are.

    Jaccard = shared / all organisations of the two; Adamic–Adar = sum over
    shared organisations of 1 / ln(number of members). Pairs need at least
    ``min_shared_affiliations`` shared organisations and, if required, one
    shared threat. Ties are broken by shared threats, the other similarity,
    demand, then the IRIs.
    """
    names = labels or {}

    def name(iri: str) -> str:
        return names.get(iri, iri)

    out = [s for s in (_candidate(d, orgs, degree, cfg, name) for d in dyads) if s is not None]
    demand = {(d.a, d.b): d.demand.low for d in dyads}
    out.sort(key=lambda s: (-round(s.score, 12), -len(s.shared_threats),
                            -round(s.adamic_adar if cfg.suggestion_method == "jaccard" else s.jaccard, 12),
                            -round(demand[(s.a, s.b)], 12), s.a, s.b))
    return [replace(s, rank=i) for i, s in enumerate(out[: cfg.suggestion_limit], 1)]


def _candidate(d: Dyad, orgs: Mapping[str, set[str]], degree: Mapping[str, int], cfg: GapConfig,
               name: Callable[[str], str]) -> Suggestion | None:
    """The suggestion for the pair ``d`` (not ranked yet), or None when it does not qualify.

    A pair qualifies when it has no recorded cooperation, shares at least ``min_shared_affiliations``
    organisations (and at least one), and, if ``require_shared_threat``, both publics name a threat or need.
    """
    if d.status == COOPERATING:
        return None
    na, nb = orgs.get(d.a, set()), orgs.get(d.b, set())
    shared = sorted(na & nb)
    union = na | nb
    if len(shared) < cfg.min_shared_affiliations or not shared:
        return None
    threat_claims = d.demand.component("shared_threats").items
    if cfg.require_shared_threat and not threat_claims:
        return None
    jac = len(shared) / len(union)
    aa = sum(1 / math.log(degree[z]) for z in shared if degree.get(z, 0) > 1)
    score = jac if cfg.suggestion_method == "jaccard" else aa
    return Suggestion(d.a, d.b, d.status, score, jac, aa, tuple(shared), len(union), tuple(threat_claims), 0,
                      _reason(d, shared, len(union), name))


def _reason(d: Dyad, shared: Sequence[str], union: int, name: Callable[[str], str]) -> str:
    """Why the pair ``d`` is suggested, in one sentence.

    It names the ``shared`` organisations (of ``union`` the two belong to), the threats both publics name,
    their support for cooperation, why no tie is recorded, and the friction to mind.
    """
    where = "no source records bilateral cooperation between them" if d.status == NO_DATA else \
        "a source says their cooperation has made no progress"
    return (f"{name(d.a)} and {name(d.b)} share {len(shared)} of {union} affiliations "
            f"({', '.join(name(o) for o in shared)}){_threats_text(d, name)}{_support_text(d, name)}; {where}"
            f"{_friction_text(d)}.")


def _threats_text(d: Dyad, name: Callable[[str], str]) -> str:
    """The threats clause of a reason (``; both publics name X, Y as a threat or need``), or "" without one."""
    component = d.demand.component("shared_threats")
    if not component.items:
        return ""
    return (f"; both publics name {', '.join(name(t) for t in component.items)} as a threat or need"
            f"{_fallback_text(component.fallbacks, name)}")


def _support_text(d: Dyad, name: Callable[[str], str]) -> str:
    """The support clause of a reason (``; public support for cooperation N%``), or "" when it is unknown."""
    support = d.demand.component("public_support")
    if support.raw is None:
        return ""
    return f"; public support for cooperation {support.raw:.1f}%{_fallback_text(support.fallbacks, name)}"


def _friction_text(d: Dyad) -> str:
    """The friction clause of a reason (``; mind the friction (threat perception N%, ...)``), or "" without any."""
    friction = [f"{c.name.replace('_', ' ')} {c.raw:.1f}%" if c.name != "accusations" else
                f"{int(c.raw or 0)} hostile statement(s)"
                for c in d.friction.components if c.raw]
    return f"; mind the friction ({', '.join(friction)})" if friction else ""


def _fallback_text(fallbacks: Sequence[tuple[str, str]], name: Callable[[str], str]) -> str:
    """Say which figures are region-wide fallbacks, not the publics' own: " (region-wide figure for X; ...)"."""
    if not fallbacks:
        return ""
    by_item: dict[str, list[str]] = defaultdict(list)
    for item, side in fallbacks:
        by_item[item].append(name(side))
    parts = [f"{'' if not item else name(item) + ': '}{' and '.join(sides)}" for item, sides in by_item.items()]
    return f" (region-wide figures, not the public's own, for {'; '.join(parts)})"
