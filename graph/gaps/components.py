"""Compute, for one pair of polities, the raw value of every component; one registered function per component.

A component is a function ``f(ctx, a, b) -> Reading`` registered under its
name with :func:`register`, which also records its scale (a ``count`` is
normalised across pairs, a ``percent`` is divided by 100), its unit and the
SPARQL files its facts come from; the first paragraph of its docstring is
its definition. ``ontology/gaps.toml`` names the function of each component
(``[actual.NAME] function = ...``), so adding a component means one function
here and one table there. :func:`component_table` documents them all.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from graph.errors import InputError
from graph.gaps.config import ComponentSpec, GapConfig
from graph.gaps.facts import Facts, Instrument, Observation, evidence_for, latest
from graph.gaps.model import COOPERATING, NO_DATA, STATED_ABSENT, Evidence, mean, merged, pct

Scale = Literal["count", "percent"]


@dataclass(frozen=True)
class Reading:
    """What one component function finds for one pair, before normalisation.

    ``raw`` is the count or percentage, or None when no source gives it.
    ``fallbacks`` lists ``(item, side)`` where a side's figure is the
    region-wide one, not its public's own (item "" for the component itself).
    ``no_progress`` marks a value set by the "no progress" status (its value
    is ``[status] no_progress``, not a count). ``floor`` marks a value that
    may not fall below the "no progress" value (a pair with recorded
    agreements). ``basis`` says in words how ``raw`` was found; ``items`` are
    the IRIs counted.
    """

    raw: float | None
    basis: str
    evidence: tuple[Evidence, ...] = ()
    items: tuple[str, ...] = ()
    no_progress: bool = False
    floor: bool = False
    fallbacks: tuple[tuple[str, str], ...] = ()

    @property
    def unknown(self) -> bool:
        """True when no source gives the value (it stays a range)."""
        return self.raw is None and not self.no_progress


ComponentFunction = Callable[["Context", str, str], Reading]


@dataclass(frozen=True)
class ComponentDef:
    """A registered component function with what the documentation table says about it."""

    name: str
    scale: Scale
    unit: str
    definition: str
    queries: tuple[str, ...]
    compute: ComponentFunction


#: Every component function, by the name ``ontology/gaps.toml`` uses in ``function = "..."``.
REGISTRY: dict[str, ComponentDef] = {}


def register(name: str, *, scale: Scale, unit: str,
             queries: Sequence[str]) -> Callable[[ComponentFunction], ComponentFunction]:
    """Register the decorated function as the component function ``name``.

    The first paragraph of the function's docstring becomes the definition in
    :func:`component_table`.
    """
    def decorate(fn: ComponentFunction) -> ComponentFunction:
        doc = (fn.__doc__ or "").strip().split("\n\n")[0]
        REGISTRY[name] = ComponentDef(name, scale, unit, " ".join(doc.split()), tuple(queries), fn)
        return fn

    return decorate


def resolve(cfg: GapConfig) -> list[tuple[ComponentSpec, ComponentDef]]:
    """Each configured component with its registered function; an unknown function name is an InputError."""
    out = []
    for spec in cfg.components:
        found = REGISTRY.get(spec.function)
        if found is None:
            raise InputError(f"{' + '.join(cfg.files) or 'config'}: [{spec.aggregate}.{spec.name}] function: "
                             f"{spec.function!r} is not a registered component function; "
                             f"known: {', '.join(sorted(REGISTRY))}")
        out.append((spec, found))
    return out


@dataclass(frozen=True)
class PairStatus:
    """What the bilateral claims say about a pair: its status, why, the claims and the largest stated count.

    ``count`` is None when no source gives a number of agreements (also for
    "no progress", which is a status, not a count); ``no_progress`` is True
    when an absent status (not a stated 0) is what makes the pair absent.
    """

    status: str
    note: str
    evidence: tuple[Evidence, ...]
    count: int | None
    no_progress: bool = False


def discount(parties: int, rule: str) -> float:
    """The weight of a multilateral instrument with ``parties`` parties for each pair of its parties.

    >>> discount(3, "inverse_partners"), discount(6, "inverse_partners"), discount(4, "inverse_pairs")
    (0.5, 0.2, 0.16666666666666666)
    """
    if rule == "one":
        return 1.0
    if rule == "inverse_pairs":
        return 1.0 / math.comb(parties, 2)
    return 1.0 / (parties - 1)


@dataclass(frozen=True)
class SupportFigure:
    """One polity's support for regional cooperation as the demand side uses it, and where it comes from.

    ``basis`` is ``"own"`` (its public's own figure), ``"region-wide
    fallback"`` (the figure for the whole region, used because the polity has
    none of its own) or ``"no figure"``. ``period`` is the survey period the
    figure is from (the analysis year or the nearest earlier one) and
    ``observations`` the figures averaged (several questions of one period).
    """

    value: float | None
    basis: str
    period: str
    observations: tuple[Observation, ...] = ()

    @property
    def editions(self) -> tuple[str, ...]:
        """The survey editions (``qb:dataSet`` IRIs) the figures come from."""
        return tuple(sorted({o.dataset for o in self.observations if o.dataset}))


class Context:
    """The facts of one analysis and the helpers component functions share; one instance per analysis.

    ``as_of`` is the analysis date: survey figures of a later year are not
    used, and each question keeps its edition of that year or the nearest
    earlier one (the latest edition when ``as_of`` is None).
    """

    def __init__(self, facts: Facts, cfg: GapConfig, region: str, labels: Mapping[str, str],
                 as_of: dt.date | None = None) -> None:
        self.f = facts
        self.cfg = cfg
        self.region = region
        self.labels = labels
        self.as_of = as_of
        self.latest = latest(facts.observations, up_to=None if as_of is None else as_of.year)
        self._status: dict[tuple[str, str], PairStatus] = {}

    def name(self, iri: str) -> str:
        """The label of ``iri`` (or the IRI itself)."""
        return self.labels.get(iri, iri)

    def ev(self, claim: str, note: str) -> Evidence:
        """The evidence entry of ``claim`` with ``note``."""
        return evidence_for(self.f, claim, note)

    # -- bilateral status and count

    def bilateral_instruments(self, a: str, b: str) -> list[Instrument]:
        """The instruments whose parties are exactly ``a`` and ``b``."""
        pair = frozenset((a, b))
        return [i for i in self.f.instruments if i.parties == pair]

    def status(self, a: str, b: str) -> PairStatus:
        """The status of the pair from its bilateral claims and two-party instruments (cached)."""
        if (a, b) not in self._status:
            self._status[(a, b)] = self._read_status(a, b)
        return self._status[(a, b)]

    def _read_status(self, a: str, b: str) -> PairStatus:
        cfg = self.cfg
        positive: dict[str, Evidence] = {}
        absent: dict[str, Evidence] = {}
        counts: list[int] = []
        zero = False
        for claim, count, status in self.f.bilateral.get((a, b), []):
            if count is not None and count > 0:
                counts.append(count)
                positive[claim] = self.ev(claim, f"a source states {count} agreements")
            elif count == 0:
                zero = True
                absent.setdefault(claim, self.ev(claim, "a source states 0 agreements"))
            if status in cfg.cooperating_statuses:
                positive.setdefault(claim, self.ev(claim, f"a source describes the cooperation as {self.name(status)}"))
            elif status in cfg.absent_statuses:
                absent.setdefault(claim, self.ev(claim, f"a source says: {self.name(status)}"))
        named = self.bilateral_instruments(a, b)
        for ins in named:
            for ag in ins.agreements:
                positive.setdefault(ag, self.ev(ag, f"a two-party instrument: {self.name(ins.iri)}"))
        count = max(counts) if counts else None
        if named:
            count = max(count or 0, len(named))
        if positive:
            note = "bilateral cooperation is recorded"
            if absent:
                note += "; another claim says it is absent (the sources disagree, both are listed)"
            return PairStatus(COOPERATING, note, tuple(positive.values()) + tuple(absent.values()), count)
        if absent:
            if zero:
                return PairStatus(STATED_ABSENT, "a source states 0 agreements: a known zero", tuple(absent.values()), 0)
            return PairStatus(STATED_ABSENT, "a source says the cooperation has made no progress: a low-cooperation "
                              "status (its value is [status] no_progress), not a count of 0",
                              tuple(absent.values()), None, no_progress=True)
        return PairStatus(NO_DATA, "no source describes bilateral cooperation between the two", (), None)

    # -- affiliations and statements

    def role_weights(self, polity: str) -> dict[str, tuple[float, list[tuple[str, str | None]]]]:
        """Each organisation of ``polity`` with the largest weight of its roles there and the membership claims."""
        out: dict[str, tuple[float, list[tuple[str, str | None]]]] = {}
        for org, claims in self.f.memberships.get(polity, {}).items():
            w = max(self.cfg.role_weight(role) for _m, role in claims)
            if w > 0:
                out[org] = (w, claims)
        return out

    def statements(self, a: str, b: str) -> tuple[list[Evidence], list[Evidence]]:
        """The supportive or solidarity statements and the hostile statements between ``a`` and ``b``."""
        cfg = self.cfg
        positive: dict[str, Evidence] = {}
        hostile: dict[str, Evidence] = {}
        for stmt, frm, to, stance, route, incident in self.f.statements:
            if {frm, to} != {a, b}:
                continue
            who, whom, verb = self.name(frm), self.name(to), self.name(stance)
            if route == "direct" and stance in cfg.positive_stances:
                positive.setdefault(stmt, self.ev(stmt, f"{who}: {verb} {whom}"))
            elif route == "incident" and stance in cfg.solidarity_stances and incident is not None:
                positive.setdefault(stmt, self.ev(stmt, f"{who}: {verb} {self.name(incident)}, aimed at {whom} "
                                                        "(solidarity)"))
            if route == "direct" and stance in cfg.hostile_stances:
                hostile.setdefault(stmt, self.ev(stmt, f"{who}: {verb} {whom}"))
        return sorted(positive.values(), key=lambda e: e.claim), sorted(hostile.values(), key=lambda e: e.claim)

    # -- survey figures

    def support_of(self, polity: str) -> SupportFigure:
        """The polity's support for regional cooperation ([indicators] support): its own figure of the newest period
        up to the analysis year, else the region-wide one (a declared fallback), else no figure."""
        for basis, area in (("own", polity), ("region-wide fallback", self.region)):
            found = [o for o in self.latest if o.area == area and o.indicator in self.cfg.support_indicators]
            if found:
                newest = max(o.period for o in found)
                chosen = tuple(o for o in found if o.period == newest)
                return SupportFigure(mean([o.pct for o in chosen]), basis, newest, chosen)
        return SupportFigure(None, "no figure", "")

    def edition(self, fig: SupportFigure) -> str:
        """Where a support figure comes from, in words: ``"2022; ASB 2022"``."""
        return "; ".join([fig.period or "undated", *(self.name(e) for e in fig.editions)])

    def side_support(self, side: str, other: str) -> tuple[float | None, str, list[Evidence]]:
        """One side's support for cooperation with ``other``: the figure, which kind it is (with its period and
        edition) and the claims."""
        cfg = self.cfg
        pair = [o for o in self.latest
                if o.area == side and o.indicator in cfg.pair_support_indicators and other in o.abouts]
        if pair:
            newest = max(o.period for o in pair)
            pair = [o for o in pair if o.period == newest]
            return mean([o.pct for o in pair]), f"pair-specific, {newest or 'undated'}", [
                self.ev(o.obs, f"{self.name(side)} respondents: {pct(o.pct)} {self.name(o.indicator)} "
                               f"with {self.name(other)} ({o.period or 'undated'})") for o in pair]
        fig = self.support_of(side)
        if fig.value is None:
            return None, "no figure", []
        if fig.basis == "own":
            return fig.value, f"own, {self.edition(fig)}", [
                self.ev(o.obs, f"{self.name(side)} respondents: {pct(o.pct)} {self.name(o.indicator)} "
                               f"({o.period or 'undated'})") for o in fig.observations]
        return fig.value, f"region-wide fallback, {self.edition(fig)}", [
            self.ev(o.obs, f"region-wide figure used for {self.name(side)} (fallback): "
                           f"{pct(o.pct)} {self.name(o.indicator)} ({o.period or 'undated'})")
            for o in fig.observations]

    def threats_of(self, side: str, pair: frozenset[str],
                   own_only: bool = False) -> tuple[dict[str, list[Observation]], str]:
        """What the side's public names as threats or cooperation needs: its own figures plus the region-wide ones.

        Region-wide surveys sampled every polity of the region, so their
        answers apply to each side (marked as region-wide in the evidence);
        the pair's own members are left out (those figures are friction).
        """
        wanted = set(self.cfg.threat_indicators) | set(self.cfg.need_indicators)
        out: dict[str, list[Observation]] = defaultdict(list)
        found = {"own": False, "region-wide": False}
        for o in self.latest:
            if o.indicator in wanted and o.area in ((side,) if own_only else (side, self.region)):
                for t in o.abouts - pair - {self.region}:
                    out[t].append(o)
                    found["own" if o.area == side else "region-wide"] = True
        basis = " + ".join(k for k, v in found.items() if v) or "no figure"
        return out, basis

    def shared_threats(self, a: str, b: str) -> tuple[list[str] | None, str, list[Evidence]]:
        """The threats or needs both publics name (None when a side has no figure), the basis and the claims."""
        pair = frozenset((a, b))
        ta, basis_a = self.threats_of(a, pair)
        tb, basis_b = self.threats_of(b, pair)
        basis = f"{self.name(a)}: {basis_a}; {self.name(b)}: {basis_b}"
        if not ta or not tb:
            return None, basis, []
        shared = sorted(set(ta) & set(tb))
        evidence: list[Evidence] = []
        for t in shared:
            for side, table in ((a, ta), (b, tb)):
                for o in table[t]:
                    who = self.name(side) if o.area == side else f"region-wide figure, applies to {self.name(side)}"
                    evidence.append(self.ev(o.obs, f"{who}: {pct(o.pct)} {self.name(o.indicator)} "
                                                   f"({self.name(t)})"))
        return shared, basis, evidence

    def directed(self, indicators: Sequence[str], a: str, b: str,
                 first_only: bool) -> tuple[float | None, str, list[Evidence]]:
        """The larger of the two directions' figures (a's respondents about b, b's about a)."""
        best: float | None = None
        parts: list[str] = []
        evidence: list[Evidence] = []
        for side, other in ((a, b), (b, a)):
            figures: list[Observation] = []
            for ind in indicators:
                found = [o for o in self.latest if o.area == side and o.indicator == ind and other in o.abouts]
                if found:
                    figures.extend(found)
                    if first_only:
                        break
            if not figures:
                parts.append(f"{self.name(side)} about {self.name(other)}: no figure")
                continue
            top = max(o.pct for o in figures)
            parts.append(f"{self.name(side)} about {self.name(other)}: {pct(top)}")
            best = top if best is None else max(best, top)
            evidence.extend(self.ev(o.obs, f"{self.name(side)} respondents: {pct(o.pct)} "
                                           f"{self.name(o.indicator)} ({self.name(other)})") for o in figures)
        return best, "; ".join(parts), evidence



# --------------------------------------------------------------------------- the component functions


@register("bilateral_agreements", scale="count", unit="agreements", queries=("bilateral.rq", "agreements.rq",
                                                                               "conflicts.rq"))
def bilateral_agreements(ctx: Context, a: str, b: str) -> Reading:
    """The largest number of agreements any source states for the pair (wbo:BilateralCooperation wbo:agreementCount),
    or the number of two-party instruments (wbo:Agreement, linked versions once) if larger; "no progress" (a status
    in [status] absent) takes the value [status] no_progress; unknown (0 to 1) when no source describes the pair or
    a cooperation claim gives no number.

    A pair with recorded agreements never scores below the "no progress" value.
    """
    st = ctx.status(a, b)
    if st.status == NO_DATA:
        return Reading(None, "no source describes bilateral cooperation: unknown, between 0 and 1")
    if st.no_progress:
        return Reading(None, "a source says the cooperation has made no progress: the [status] no_progress value",
                       st.evidence, no_progress=True)
    if st.count is None:
        return Reading(None, "the sources say the two cooperate but give no number of agreements: unknown, "
                             "from the no-progress value to 1", st.evidence, floor=True)
    if st.status == STATED_ABSENT:
        return Reading(0, "a source states 0 agreements", st.evidence)
    return Reading(st.count, f"{st.count} agreements (largest stated count or two-party instruments)", st.evidence,
                   floor=True)


@register("shared_affiliations", scale="count", unit="organisations (role-weighted)", queries=("memberships.rq",))
def shared_affiliations(ctx: Context, a: str, b: str) -> Reading:
    """Organisations and initiatives both belong to (their own membership or a body's, without an end date), each
    counted with the smaller of the two polities' role weights ([roles]: member 1, partner or candidate less,
    aspirant 0), summed.

    A polity with several memberships in one organisation counts its largest role weight.
    """
    ma, mb = ctx.role_weights(a), ctx.role_weights(b)
    shared = sorted(set(ma) & set(mb))
    total = 0.0
    evidence: list[Evidence] = []
    parts = []
    for org in shared:
        w = min(ma[org][0], mb[org][0])
        total += w
        parts.append(f"{ctx.name(org)} {w:g}")
        for polity, (_w, claims) in ((a, ma[org]), (b, mb[org])):
            for claim, role in sorted(claims, key=lambda c: (c[0], c[1] or "")):
                evidence.append(ctx.ev(claim, f"{ctx.name(polity)} belongs to {ctx.name(org)}"
                                              f"{f' as {ctx.name(role)}' if role else ''}"))
    basis = f"{total:g} role-weighted shared organisations ({', '.join(parts) or 'none'})"
    return Reading(total, basis, merged(evidence), tuple(shared))


@register("multilateral_instruments", scale="count", unit="instruments (discounted)",
          queries=("agreements.rq", "conflicts.rq"))
def multilateral_instruments(ctx: Context, a: str, b: str) -> Reading:
    """Instruments with three or more parties (wbo:Agreement; versions linked by wbo:conflictsWith once) both signed,
    each weighted by [instruments] multilateral_discount (1 / (parties - 1) by default), summed."""
    rule = ctx.cfg.multilateral_discount
    found = [i for i in ctx.f.instruments if len(i.parties) >= 3 and a in i.parties and b in i.parties]
    total = sum(discount(len(i.parties), rule) for i in found)
    evidence = [ctx.ev(ag, f"both are parties to {ctx.name(i.iri)} ({len(i.parties)} parties, weight "
                           f"{discount(len(i.parties), rule):.3g})") for i in found for ag in i.agreements]
    basis = f"{total:.4g} from {len(found)} multilateral instruments both signed (weight by party count: {rule})"
    return Reading(total, basis, merged(evidence), tuple(i.iri for i in found))


@register("positive_statements", scale="count", unit="statements", queries=("statements-direct.rq",
                                                                              "statements-incident.rq"))
def positive_statements(ctx: Context, a: str, b: str) -> Reading:
    """Statements on behalf of one aimed at the other with a stance in [stances] positive, or condemning an incident
    aimed at the other ([stances] solidarity)."""
    positive, _hostile = ctx.statements(a, b)
    return Reading(len(positive), f"{len(positive)} supportive or solidarity statements", tuple(positive),
                   tuple(e.claim for e in positive))


@register("accusations", scale="count", unit="statements", queries=("statements-direct.rq",))
def accusations(ctx: Context, a: str, b: str) -> Reading:
    """Statements on behalf of one aimed at the other with a stance in [stances] hostile."""
    _positive, hostile = ctx.statements(a, b)
    return Reading(len(hostile), f"{len(hostile)} hostile statements between the two", tuple(hostile),
                   tuple(e.claim for e in hostile))


@register("public_support", scale="percent", unit="per cent", queries=("observations.rq",))
def public_support(ctx: Context, a: str, b: str) -> Reading:
    """The mean of the two sides' support for cooperation: each side's figure about cooperation with the other
    ([indicators] pair_support), else its figure on regional cooperation (support), else the region-wide figure (a
    declared fallback); each from the analysis year's edition or the nearest earlier one (the latest without
    --as-of); unknown when there is none."""
    sa, basis_a, ev_a = ctx.side_support(a, b)
    sb, basis_b, ev_b = ctx.side_support(b, a)
    known = [s for s in (sa, sb) if s is not None]
    basis = (f"{ctx.name(a)}: {pct(sa) if sa is not None else 'no figure'} ({basis_a}); "
             f"{ctx.name(b)}: {pct(sb) if sb is not None else 'no figure'} ({basis_b})")
    if not known:
        return Reading(None, f"no survey figure: {basis}")
    fallbacks = tuple(("", side) for side, kind in ((a, basis_a), (b, basis_b))
                      if kind.startswith("region-wide fallback"))
    return Reading(mean(known), f"mean of the two sides' figures, {pct(mean(known))} — {basis}", merged(ev_a + ev_b),
                   fallbacks=fallbacks)


@register("shared_threats", scale="count", unit="threats or needs", queries=("observations.rq",))
def shared_threats(ctx: Context, a: str, b: str) -> Reading:
    """Threats or cooperation needs ([indicators] threat, need) both publics name; each side's list is its own figures
    plus the region-wide ones, without the two polities themselves; unknown when a side has no figure."""
    shared, basis, evidence = ctx.shared_threats(a, b)
    if shared is None:
        return Reading(None, f"no threat figures: {basis}")
    pair = frozenset((a, b))
    own = {side: ctx.threats_of(side, pair, own_only=True)[0] for side in (a, b)}
    fallbacks = tuple((t, side) for t in shared for side in (a, b) if t not in own[side])
    return Reading(len(shared), f"{len(shared)} threats named by both publics "
                                f"({', '.join(ctx.name(t) for t in shared) or 'none'}) — {basis}",
                   merged(evidence), tuple(shared), fallbacks=fallbacks)


@register("threat_perception", scale="percent", unit="per cent", queries=("observations.rq",))
def threat_perception(ctx: Context, a: str, b: str) -> Reading:
    """The larger of "share of a's respondents who see b as a threat" and the reverse ([indicators] threat); unknown
    without a figure."""
    value, basis, evidence = ctx.directed(ctx.cfg.threat_indicators, a, b, first_only=False)
    if value is None:
        return Reading(None, f"no survey figure: {basis}")
    return Reading(value, f"larger direction, {pct(value)} — {basis}", merged(evidence))


@register("unfavourable_opinion", scale="percent", unit="per cent", queries=("observations.rq",))
def unfavourable_opinion(ctx: Context, a: str, b: str) -> Reading:
    """The same for unfavourable opinion (the first indicator in [indicators] unfavourable that has a figure per
    direction)."""
    value, basis, evidence = ctx.directed(ctx.cfg.unfavourable_indicators, a, b, first_only=True)
    if value is None:
        return Reading(None, f"no survey figure: {basis}")
    return Reading(value, f"larger direction, {pct(value)} — {basis}", merged(evidence))


def readings(ctx: Context, pairs: Sequence[tuple[str, str]]) -> list[tuple[ComponentSpec, ComponentDef, list[Reading]]]:
    """Every configured component's reading for every pair, in config order (the facts are read once, before)."""
    return [(spec, cdef, [cdef.compute(ctx, a, b) for a, b in pairs]) for spec, cdef in resolve(ctx.cfg)]


def component_table(cfg: GapConfig) -> str:
    """A Markdown table of every configured component: key, weight and range, function, definition, unit, scale,
    queries.

    >>> from graph.gaps.config import load_config
    >>> component_table(load_config()).splitlines()[0]
    '| component (config key) | weight (range) | function | definition | unit | scale | source queries |'
    """
    lines = ["| component (config key) | weight (range) | function | definition | unit | scale | source queries |",
             "|---|---|---|---|---|---|---|"]
    for spec, cdef in resolve(cfg):
        scale = "÷ 100" if cdef.scale == "percent" else "normalised count ([normalisation])"
        queries = ", ".join(f"`ontology/gaps/{q}`" for q in cdef.queries)
        lines.append(f"| `[{spec.aggregate}.{spec.name}]` | {spec.weight:g} ({spec.weight_range[0]:g}–"
                     f"{spec.weight_range[1]:g}) | `{cdef.name}` | {cdef.definition.replace('|', '/')} | {cdef.unit} "
                     f"| {scale} | {queries} |")
    return "\n".join(lines) + "\n"
