"""Run the whole cooperation-gap analysis on a graph: facts, scores, dependence, uncertainty, profiles, suggestions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from graph.errors import InputError
from graph.gaps.components import Context, PairStatus, SupportFigure, readings
from graph.gaps.config import GapConfig, load_config
from graph.gaps.dependence import (
    Classification,
    ExternalDependence,
    classification_alternatives,
    cooperation_network,
    external_dependence,
)
from graph.gaps.facts import Facts, SourceInfo, evidence_for, labels_of, read_facts
from graph.gaps.model import (
    COOPERATING,
    NO_DATA,
    STATED_ABSENT,
    Dyad,
    Evidence,
    InitiativeSupport,
    PolityProfile,
    mean,
    pct,
)
from graph.gaps.scoring import Table, declared_choice, score_dyads, table
from graph.gaps.suggestions import Suggestion, affiliation_sets, missing_ties
from graph.gaps.uncertainty import Uncertainty, monte_carlo, reference_ranks, sensitivity as morris
from graph.namespaces import WB
from graph.timeslice import DateLike, as_date
from graph.backends import as_backend
from graph.project import node_facts, projections


@dataclass(frozen=True)
class GapAnalysis:
    """Everything ``wbsec gaps`` reports: dyads in rank order, external dependence, profiles, suggestions.

    ``uncertainty`` holds the Monte Carlo result (None with 0 draws); each
    dyad's ``rank_interval`` comes from it.
    """

    region: str
    polities: tuple[str, ...]
    dyads: tuple[Dyad, ...]
    external_dependence: ExternalDependence
    perception_vs_reality: tuple[PolityProfile, ...]
    suggestions: tuple[Suggestion, ...]
    normalisers: Mapping[str, float]
    config: GapConfig
    labels: Mapping[str, str] = field(default_factory=dict)
    uncertainty: Uncertainty | None = None
    as_of: dt.date | None = None
    sources: Mapping[str, SourceInfo] = field(default_factory=dict)

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


def mapped_gaps(an: GapAnalysis) -> tuple[Dyad, ...]:
    """The pairs a map should draw as gap ties, in rank order: large gaps whose rank survives the draws.

    A pair qualifies when its gap under the declared settings (the lower end,
    ``score_low``, when the gap is a range) is above ``[map] min_gap`` and its
    rank interval spans at most ``[map] max_interval_width`` ranks. Without
    draws there are no rank intervals, so no pair qualifies. Ordered by rank,
    then median rank (for pairs without a rank), then IRI.
    """
    cfg = an.config
    chosen = [d for d in an.dyads
              if d.score_low > cfg.map_min_gap and d.rank_interval is not None
              and d.rank_interval.high - d.rank_interval.low <= cfg.map_max_interval_width]
    return tuple(sorted(chosen, key=lambda d: (d.rank is None, d.rank or 0,
                                               d.rank_interval.median if d.rank_interval else 0.0, d.a, d.b)))


def map_rule(cfg: GapConfig, level: float | None = None) -> str:
    """The rule of :func:`mapped_gaps` in words, for a legend.

    >>> from graph.gaps.config import load_config
    >>> print(map_rule(load_config()))  # doctest: +NORMALIZE_WHITESPACE
    Gap ties: pairs whose gap (demand minus actual cooperation) is above 0.25 and whose 90% rank interval over
    the draws of the method's choices spans at most 5 ranks; other pairs are not drawn, however they rank.
    """
    share = f"{(cfg.interval if level is None else level) * 100:g}%"
    return (f"Gap ties: pairs whose gap (demand minus actual cooperation) is above {cfg.map_min_gap:g} and whose "
            f"{share} rank interval over the draws of the method's choices spans at most "
            f"{cfg.map_max_interval_width} rank{'' if cfg.map_max_interval_width == 1 else 's'}; other pairs are not "
            "drawn, however they rank.")


def profiles(ctx: Context, dyads: Sequence[Dyad], polities: Sequence[str],
             statuses: Mapping[tuple[str, str], PairStatus]) -> list[PolityProfile]:
    """Perception versus reality per polity: its public support beside its recorded ties (unknown counts stay unknown)."""
    return [_profile(ctx, p, [d for d in dyads if p in (d.a, d.b)], statuses) for p in polities]


def _profile(ctx: Context, p: str, mine: Sequence[Dyad],
             statuses: Mapping[tuple[str, str], PairStatus]) -> PolityProfile:
    """The profile of the polity ``p``: its public's support (:func:`_support`) beside ``mine``, the pairs it is in.

    Partners are listed by status; the agreement count is the sum of the stated counts (None when no pair states
    one), and the partners whose count is unknown are listed apart.
    """
    def partners(keep: Callable[[Dyad], bool]) -> tuple[str, ...]:
        return tuple(sorted(d.b if d.a == p else d.a for d in mine if keep(d)))

    stated = [c for c in (statuses[(d.a, d.b)].count for d in mine) if c is not None]
    fig, evidence, initiatives = _support(ctx, p)
    return PolityProfile(
        polity=p, support=fig.value, support_basis=fig.basis, support_evidence=evidence,
        support_period=fig.period, support_editions=fig.editions,
        initiative_support=initiatives, cooperating=partners(lambda d: d.status == COOPERATING),
        stated_absent=partners(lambda d: d.status == STATED_ABSENT),
        no_data=partners(lambda d: d.status == NO_DATA), agreements=sum(stated) if stated else None,
        affiliations=_affiliations(ctx, p),
        actual_low=mean([d.actual.low for d in mine]) if mine else 0.0,
        actual_high=mean([d.actual.high for d in mine]) if mine else 0.0,
        agreements_unknown=partners(lambda d: statuses[(d.a, d.b)].count is None),
    )


def _support(ctx: Context, p: str) -> tuple[SupportFigure, tuple[Evidence, ...], tuple[InitiativeSupport, ...]]:
    """The public of ``p``: its support for regional cooperation, the figures behind it, its support per initiative.

    A region-wide figure used for ``p`` says so in its evidence note.
    """
    fig = ctx.support_of(p)
    note = "" if fig.basis == "own" else f" (region-wide, used for {ctx.name(p)})"
    evidence = tuple(evidence_for(ctx.f, o.obs, f"{pct(o.pct)} {ctx.name(o.indicator)} ({o.period or 'undated'})"
                                  + note)
                     for o in fig.observations)
    initiatives = tuple(
        InitiativeSupport(about, o.pct, evidence_for(ctx.f, o.obs, f"{pct(o.pct)} {ctx.name(o.indicator)} "
                                                                   f"{ctx.name(about)}"))
        for o in ctx.latest if o.area == p and o.indicator in ctx.cfg.initiative_support_indicators
        for about in sorted(o.abouts)
    )
    return fig, evidence, initiatives


def _affiliations(ctx: Context, p: str) -> tuple[str, ...]:
    """The organisations ``p`` belongs to in a role the settings weigh above 0, sorted."""
    return tuple(sorted(org for org, claims in ctx.f.memberships.get(p, {}).items()
                        if max(ctx.cfg.role_weight(r) for _m, r in claims) > 0))


# --------------------------------------------------------------------------- the whole analysis


def cooperation_gaps(g: Any, config: GapConfig | None = None, *, region: str = str(WB.WesternBalkans),
                     draws: int | None = None, seed: int | None = None, sensitivity: bool = False,
                     as_of: DateLike = None,
                     views: Mapping[str, Any] | None = None) -> GapAnalysis:
    """Run the whole cooperation-gap analysis on ``g`` (an rdflib graph, or a store or endpoint backend).

    Pairs every polity of ``region`` (15 pairs for the six Western Balkan
    polities), scores and ranks the pairs, measures external dependence on the
    "actors" view (under every classification of the bridging actors),
    profiles each polity and suggests missing ties from the "affiliation"
    view. The graph is asked once; then ``draws`` Monte Carlo draws of the
    method's choices (default ``[uncertainty] draws``; 0 for none, seeded with
    ``seed``, default ``[uncertainty] seed``) give every pair a median rank
    and a rank interval, and ``sensitivity`` adds a Morris screening of which
    choices move the ranking most. ``as_of`` is the analysis date: survey
    figures are taken from that year's edition or the nearest earlier one
    (the latest without it); filter the claims themselves with
    :func:`graph.timeslice.sliced` first. ``views`` may hold the "actors"
    and "affiliation" views of ``g`` already projected (a caller that drew
    them passes them on, so nothing is projected twice); the views missing
    from it are projected here, together, with :func:`graph.project.projections`.
    Raises :class:`InputError` when the region has fewer than two polities or
    a component function is not registered.
    """
    as_of = as_date(as_of)

    g = as_backend(g)  # an rdflib graph is copied into Oxigraph once for every question below

    cfg = config or load_config()
    runs = _draw_settings(cfg, draws, seed, sensitivity)
    facts = read_facts(g, region)
    polities = facts.polities
    if len(polities) < 2:
        raise InputError(f"the region <{region}> has {len(polities)} polities in the data (wbo:region); "
                         "the gap analysis needs at least two")
    G_actors, G_aff = _actor_and_affiliation_views(g, views)
    H = _outside_network(G_actors, facts, cfg)
    orgs, degree = affiliation_sets(G_aff, polities, roles=cfg.roles, member_polity=facts.member_polity)
    labels = labels_of(node_facts(g), facts, H, G_aff)

    ctx = Context(facts, cfg, region, labels, as_of=as_of)
    pairs = list(itertools.combinations(polities, 2))
    statuses = {pair: ctx.status(*pair) for pair in pairs}
    t = table(pairs, readings(ctx, pairs))
    dyads, norm = score_dyads(t, declared_choice(t, cfg), statuses)

    alternatives = classification_alternatives(H, polities, cfg.bridging, cfg.external_relations)
    dependence = replace(external_dependence(H, polities, cfg.external_relations), alternatives=alternatives)
    uncertainty = _uncertainty(t, cfg, alternatives, runs)
    if uncertainty is not None:
        dyads = [replace(d, rank_interval=uncertainty.intervals[(d.a, d.b)]) for d in dyads]
    suggestions = missing_ties(orgs, degree, dyads, cfg, labels)
    return GapAnalysis(
        region=region,
        polities=tuple(polities),
        dyads=tuple(dyads),
        external_dependence=dependence,
        perception_vs_reality=tuple(profiles(ctx, dyads, polities, statuses)),
        suggestions=tuple(suggestions),
        normalisers=norm,
        config=cfg,
        labels=labels,
        uncertainty=uncertainty,
        as_of=as_of,
        sources=facts.sources,
    )


@dataclass(frozen=True)
class _DrawSettings:
    """The Monte Carlo draws one analysis makes: how many (0 for none), their seed, and whether to screen (Morris)."""

    count: int
    seed: int
    sensitivity: bool


def _draw_settings(cfg: GapConfig, draws: int | None, seed: int | None, sensitivity: bool) -> _DrawSettings:
    """The draws asked for, with ``[uncertainty]`` of ``cfg`` for what is not given.

    Raises :class:`InputError` when ``draws`` is negative or the sensitivity analysis is asked for without draws.
    """
    count = cfg.draws if draws is None else draws
    if count < 0:
        raise InputError(f"draws must be 0 or more, not {count}")
    if sensitivity and count == 0:
        raise InputError("the sensitivity analysis needs draws above 0 (--draws or [uncertainty] draws)")
    return _DrawSettings(count, cfg.seed if seed is None else seed, sensitivity)


def _actor_and_affiliation_views(g: Any, views: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """The "actors" and "affiliation" views of ``g``: those given in ``views``, the others projected together."""
    given = dict(views or {})
    missing = [v for v in ("actors", "affiliation") if v not in given]
    if missing:
        given.update(projections(g, missing))
    return given["actors"], given["affiliation"]


def _outside_network(G_actors: Any, facts: Facts, cfg: GapConfig) -> Any:
    """The network of cooperation ties among the polities and outside actors, as ``[external]`` declares it.

    With ``multilateral_agreements_as_hub``, an agreement of three or more parties links them through its
    framework (or itself) instead of pairwise; a member that is a body of a polity counts as that polity.
    """
    route = ({ag: fw or ag for ag, (parties, fw) in facts.agreements.items() if len(parties) >= 3}
             if cfg.multilateral_agreements_as_hub else {})
    bodies = {m: p for m, p in facts.member_polity.items() if m != p}
    return cooperation_network(G_actors, relations=cfg.external_relations, roles=cfg.roles, route_via=route,
                               extra_outside=cfg.extra_outside, merge_into=bodies)


def _uncertainty(t: Table, cfg: GapConfig, alternatives: Sequence[Classification],
                 runs: _DrawSettings) -> Uncertainty | None:
    """The Monte Carlo result over the table ``t`` (None without draws), with the Morris screening if asked for.

    ``alternatives`` are the classifications of the bridging actors the draws choose from; the screening varies
    the bridging actors of the first one.
    """
    if runs.count == 0:
        return None
    uncertainty = monte_carlo(t, cfg, draws=runs.count, seed=runs.seed, alternatives=alternatives)
    if not runs.sensitivity:
        return uncertainty
    bridging = sorted({n for c in alternatives[:1] for n in c.outside + c.inside})
    rows, trajectories = morris(t, cfg, samples=runs.count, seed=runs.seed, reference_ranks=reference_ranks(t, cfg),
                                alternatives=alternatives, bridging=bridging)
    return replace(uncertainty, sensitivity=rows, trajectories=trajectories)
