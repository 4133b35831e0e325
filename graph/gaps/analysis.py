"""Run the whole cooperation-gap analysis on a graph: facts, scores, dependence, profiles and suggestions."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import InputError
from graph.gaps.components import Analyst, PairRaw
from graph.gaps.config import GapConfig, load_config
from graph.gaps.dependence import ExternalDependence, cooperation_network, external_dependence
from graph.gaps.facts import labels_of, read_facts
from graph.gaps.facts import evidence_for
from graph.gaps.model import COOPERATING, NO_DATA, STATED_ABSENT, Dyad, InitiativeSupport, PolityProfile, mean, pct
from graph.gaps.scoring import score_dyads
from graph.gaps.suggestions import Suggestion, affiliation_sets, missing_ties
from graph.namespaces import WB


@dataclass(frozen=True)
class GapAnalysis:
    """Everything ``wbsec gaps`` reports: dyads in rank order, external dependence, profiles, suggestions."""

    region: str
    polities: tuple[str, ...]
    dyads: tuple[Dyad, ...]
    external_dependence: ExternalDependence
    perception_vs_reality: tuple[PolityProfile, ...]
    suggestions: tuple[Suggestion, ...]
    normalisers: Mapping[str, float]
    config: GapConfig
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The human label of ``iri`` (or the IRI itself)."""
        return self.labels.get(iri, iri)

    def dyad(self, a: str, b: str) -> Dyad:
        """The dyad of ``a`` and ``b`` in either order."""
        x, y = sorted((str(a), str(b)))
        for d in self.dyads:
            if (d.a, d.b) == (x, y):
                return d
        raise KeyError((x, y))


def profiles(analyst: Analyst, dyads: Sequence[Dyad], polities: Sequence[str],
              raws: Mapping[tuple[str, str], PairRaw]) -> list[PolityProfile]:
    cfg = analyst.cfg
    out = []
    for p in polities:
        own = [o for o in analyst.latest if o.area == p and o.indicator in cfg.support_indicators]
        basis = "own"
        if not own:
            own = [o for o in analyst.latest if o.area == analyst.region and o.indicator in cfg.support_indicators]
            basis = "region-wide fallback" if own else "no figure"
        support = mean([o.pct for o in own]) if own else None
        support_ev = tuple(evidence_for(analyst.f, o.obs, f"{pct(o.pct)} {analyst.name(o.indicator)}"
                               + ("" if basis == "own" else f" (region-wide, used for {analyst.name(p)})"))
                           for o in own)
        initiatives = tuple(
            InitiativeSupport(about, o.pct, evidence_for(analyst.f, o.obs, f"{pct(o.pct)} {analyst.name(o.indicator)} "
                                                                  f"{analyst.name(about)}"))
            for o in analyst.latest if o.area == p and o.indicator in cfg.initiative_support_indicators
            for about in sorted(o.abouts)
        )
        mine = [d for d in dyads if p in (d.a, d.b)]

        def partners(status: str) -> tuple[str, ...]:
            return tuple(sorted((d.b if d.a == p else d.a) for d in mine if d.status == status))

        agreements = sum(raws[(d.a, d.b)].bilateral or 0 for d in mine if d.status == COOPERATING)
        out.append(PolityProfile(
            polity=p, support=support, support_basis=basis, support_evidence=support_ev,
            initiative_support=initiatives, cooperating=partners(COOPERATING), stated_absent=partners(STATED_ABSENT),
            no_data=partners(NO_DATA), agreements=agreements,
            affiliations=tuple(sorted(analyst.f.memberships.get(p, {}))),
            actual_low=mean([d.actual.low for d in mine]) if mine else 0.0,
            actual_high=mean([d.actual.high for d in mine]) if mine else 0.0,
        ))
    return out


# --------------------------------------------------------------------------- the whole analysis


def cooperation_gaps(g: Any, config: GapConfig | None = None, *, region: str = str(WB.WesternBalkans)) -> GapAnalysis:
    """Run the whole cooperation-gap analysis on ``g`` (an rdflib graph, or a store or endpoint backend).

    Pairs every polity of ``region`` (15 pairs for the six Western Balkan
    polities), scores and ranks the pairs, measures external dependence on the
    "actors" view, profiles each polity and suggests missing ties from the
    "affiliation" view. Raises :class:`InputError` when the region has fewer
    than two polities.
    """
    from graph.project import node_facts, to_networkx

    cfg = config or load_config()
    facts = read_facts(g, region, cfg)
    polities = facts.polities
    if len(polities) < 2:
        raise InputError(f"the region <{region}> has {len(polities)} polities in the data (wbo:region); "
                         "the gap analysis needs at least two")
    G_actors = to_networkx(g, "actors")
    G_aff = to_networkx(g, "affiliation")
    route = ({ag: fw or ag for ag, (parties, fw) in facts.agreements.items() if len(parties) >= 3}
             if cfg.multilateral_agreements_as_hub else {})
    bodies = {m: p for m, p in facts.member_polity.items() if m != p}
    H = cooperation_network(G_actors, relations=cfg.external_relations, roles=cfg.roles, route_via=route,
                            extra_outside=cfg.extra_outside, merge_into=bodies)
    orgs, degree = affiliation_sets(G_aff, polities, roles=cfg.roles, member_polity=facts.member_polity)

    labels = labels_of(node_facts(g), facts, H, G_aff)
    analyst = Analyst(facts, cfg, region, labels)
    raws = {(a, b): analyst.pair(a, b) for a, b in itertools.combinations(polities, 2)}
    dyads, norm = score_dyads(raws, cfg, analyst)
    suggestions = missing_ties(orgs, degree, dyads, cfg, labels)
    return GapAnalysis(
        region=region,
        polities=tuple(polities),
        dyads=tuple(dyads),
        external_dependence=external_dependence(H, polities, cfg.external_relations),
        perception_vs_reality=tuple(profiles(analyst, dyads, polities, raws)),
        suggestions=tuple(suggestions),
        normalisers=norm,
        config=cfg,
        labels=labels,
    )
