"""Measure, for every pair of a region's polities, how far wanted and needed cooperation exceeds recorded cooperation.

The analysis is transparent by construction: every number is a weighted mean
of components in [0, 1], every component says how its raw value was computed
and lists the claims (with source and locator) behind it, and the weights come
from ``ontology/gaps.toml`` (override with :func:`load_config`). README.md,
section "gaps", states every formula in words.

Three kinds of ignorance are kept apart. A bilateral relation no source
describes is ``no-data``: its bilateral component is unknown, which makes the
pair's actual cooperation an interval ``[low, high]`` instead of a number, so
the pair gets a score range and no rank. A source saying cooperation has made
no progress is ``stated-absent``: a known zero. Counts of recorded claims
(shared affiliations, statements) are zero when the graph records none.

>>> from graph.gaps import load_config
>>> load_config().actual["bilateral_agreements"]
0.4
"""

from __future__ import annotations

import functools
import itertools
import math
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.namespaces import WB, WBO
from graph.store import ONTOLOGY_DIR

#: The shipped settings; a user file passed to :func:`load_config` overrides single keys.
DEFAULT_CONFIG = ONTOLOGY_DIR / "gaps.toml"
#: The SPARQL questions the analysis asks (declared in files, read with graph.sparql).
QUERIES_DIR = ONTOLOGY_DIR / "gaps"

COOPERATING = "cooperating"
STATED_ABSENT = "stated-absent"
NO_DATA = "no-data"
STATUSES = (COOPERATING, STATED_ABSENT, NO_DATA)

ACTUAL_COMPONENTS = ("bilateral_agreements", "shared_affiliations", "shared_agreements", "positive_statements")
DEMAND_COMPONENTS = ("public_support", "shared_threats")
FRICTION_COMPONENTS = ("threat_perception", "unfavourable_opinion", "accusations")
SUGGESTION_METHODS = ("jaccard", "adamic_adar")

_EPS = 1e-9


# --------------------------------------------------------------------------- result types


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
        return self.low if abs(self.high - self.low) < _EPS else None

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
        return self.low if abs(self.high - self.low) < _EPS else None

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
        return self.score_low if abs(self.score_high - self.score_low) < _EPS else None

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
class Connectivity:
    """How the polities hang together in one network: components and shortest paths among them."""

    components: int
    groups: tuple[tuple[str, ...], ...]
    reachable_pairs: int
    pairs: int
    average_path_length: float | None


@dataclass(frozen=True)
class CarrierShare:
    """How much of the shortest-path traffic among the polities one intermediate node carries."""

    actor: str
    outside: bool
    share: float
    pairs: int
    sole_carrier_pairs: int


@dataclass(frozen=True)
class PairPaths:
    """The shortest paths between two polities and how many of them run through outside actors."""

    a: str
    b: str
    distance: int | None
    paths: int
    through_outside: int
    carriers: tuple[str, ...]
    outside_carriers: tuple[str, ...]


@dataclass(frozen=True)
class ExternalDependence:
    """Connectivity of the polities with and without outside actors, and who carries it.

    ``direct_only`` keeps only the ties among the polities themselves (no
    intermediary of any kind). ``outside_actors`` lists the carriers that are
    outside actors.
    """

    with_outside: Connectivity
    without_outside: Connectivity
    direct_only: Connectivity
    share_through_outside: float | None
    carriers: tuple[CarrierShare, ...]
    pairs: tuple[PairPaths, ...]
    relations: tuple[str, ...]
    outside_nodes: int

    @property
    def outside_actors(self) -> tuple[CarrierShare, ...]:
        """The carriers that are outside actors, largest share first."""
        return tuple(c for c in self.carriers if c.outside)


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


@dataclass(frozen=True)
class GapConfig:
    """The weights and choices of the analysis, read from a TOML file (see ``ontology/gaps.toml``)."""

    actual: Mapping[str, float]
    demand: Mapping[str, float]
    friction: Mapping[str, float]
    friction_weight: float
    cooperating_statuses: tuple[str, ...]
    absent_statuses: tuple[str, ...]
    roles: tuple[str, ...]
    pair_support_indicators: tuple[str, ...]
    support_indicators: tuple[str, ...]
    threat_indicators: tuple[str, ...]
    need_indicators: tuple[str, ...]
    unfavourable_indicators: tuple[str, ...]
    initiative_support_indicators: tuple[str, ...]
    positive_stances: tuple[str, ...]
    solidarity_stances: tuple[str, ...]
    hostile_stances: tuple[str, ...]
    external_relations: tuple[str, ...]
    multilateral_agreements_as_hub: bool
    extra_outside: tuple[str, ...]
    suggestion_method: str
    min_shared_affiliations: int
    require_shared_threat: bool
    suggestion_limit: int
    files: tuple[str, ...] = ()


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


# --------------------------------------------------------------------------- configuration


def load_config(path: str | Path | None = None) -> GapConfig:
    """Read the shipped settings, then let the TOML file at ``path`` override single keys.

    Unknown sections or keys, wrong types, negative weights, all-zero weights
    and concept names the ontology does not have raise :class:`InputError`
    naming the file and the key.
    """
    base = _read_toml(DEFAULT_CONFIG)
    files = ["ontology/gaps.toml"]
    if path is not None:
        user = _read_toml(Path(path))
        _merge(base, user, Path(path))
        files.append(str(path))
    where = str(path) if path is not None else str(DEFAULT_CONFIG)
    return _build_config(base, where, tuple(files))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the config file ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error ({exc})") from exc


def _merge(base: dict[str, Any], user: dict[str, Any], path: Path) -> None:
    for section, values in user.items():
        if section not in base:
            raise InputError(f"{path}: unknown section [{section}]; known: {', '.join(sorted(base))}")
        if not isinstance(values, dict):
            raise InputError(f"{path}: {section} must be a table ([{section}])")
        for key, value in values.items():
            if key not in base[section]:
                known = ", ".join(sorted(base[section]))
                raise InputError(f"{path}: unknown key {key!r} in [{section}]; known: {known}")
            expected = base[section][key]
            ok = (
                (isinstance(expected, bool) and isinstance(value, bool))
                or (isinstance(expected, float) and isinstance(value, (int, float)) and not isinstance(value, bool))
                or (isinstance(expected, int) and not isinstance(expected, bool) and isinstance(value, int)
                    and not isinstance(value, bool))
                or (isinstance(expected, str) and isinstance(value, str))
                or (isinstance(expected, list) and isinstance(value, list) and all(isinstance(v, str) for v in value))
            )
            if not ok:
                kind = {bool: "true or false", float: "a number", int: "a whole number", str: "a string",
                        list: "a list of strings"}[type(expected)]
                raise InputError(f"{path}: [{section}] {key} must be {kind}, not {value!r}")
            base[section][key] = float(value) if isinstance(expected, float) else value


def _build_config(raw: dict[str, Any], where: str, files: tuple[str, ...]) -> GapConfig:
    def weights(section: str, names: Sequence[str]) -> dict[str, float]:
        table = raw[section]
        out: dict[str, float] = {}
        for name in names:
            w = float(table[name])
            if not math.isfinite(w) or w < 0:
                raise InputError(f"{where}: [{section}] {name} must be a finite number >= 0, not {table[name]!r}")
            out[name] = w
        if sum(out.values()) <= 0:
            raise InputError(f"{where}: [{section}] needs at least one weight above 0")
        return out

    def concepts(section: str, key: str) -> tuple[str, ...]:
        out = []
        for name in raw[section][key]:
            try:
                out.append(str(getattr(WBO, name)))
            except AttributeError:
                raise InputError(f"{where}: [{section}] {key}: {name!r} is not a term of the wbsec ontology") from None
        return tuple(out)

    friction_weight = float(raw["score"]["friction_weight"])
    if not math.isfinite(friction_weight):
        raise InputError(f"{where}: [score] friction_weight must be a finite number")
    method = raw["suggestions"]["method"]
    if method not in SUGGESTION_METHODS:
        raise InputError(f"{where}: [suggestions] method must be one of {', '.join(SUGGESTION_METHODS)}, not {method!r}")
    limit = int(raw["suggestions"]["limit"])
    min_shared = int(raw["suggestions"]["min_shared_affiliations"])
    if limit < 0 or min_shared < 0:
        raise InputError(f"{where}: [suggestions] limit and min_shared_affiliations must be 0 or more")
    return GapConfig(
        actual=weights("actual", ACTUAL_COMPONENTS),
        demand=weights("demand", DEMAND_COMPONENTS),
        friction=weights("friction", FRICTION_COMPONENTS),
        friction_weight=friction_weight,
        cooperating_statuses=concepts("status", "cooperating"),
        absent_statuses=concepts("status", "absent"),
        roles=concepts("affiliation", "roles"),
        pair_support_indicators=concepts("indicators", "pair_support"),
        support_indicators=concepts("indicators", "support"),
        threat_indicators=concepts("indicators", "threat"),
        need_indicators=concepts("indicators", "need"),
        unfavourable_indicators=concepts("indicators", "unfavourable"),
        initiative_support_indicators=concepts("indicators", "initiative_support"),
        positive_stances=concepts("stances", "positive"),
        solidarity_stances=concepts("stances", "solidarity"),
        hostile_stances=concepts("stances", "hostile"),
        external_relations=tuple(raw["external"]["relations"]),
        multilateral_agreements_as_hub=bool(raw["external"]["multilateral_agreements_as_hub"]),
        extra_outside=tuple(_prefixed(name, where, "[external] extra_outside") for name in raw["external"]["extra_outside"]),
        suggestion_method=method,
        min_shared_affiliations=min_shared,
        require_shared_threat=bool(raw["suggestions"]["require_shared_threat"]),
        suggestion_limit=limit,
        files=files,
    )


def _prefixed(name: str, where: str, key: str) -> str:
    from graph.namespaces import PREFIXES

    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and local and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if name.startswith(("http://", "https://")):
        return name
    raise InputError(f"{where}: {key}: {name!r} is not a prefixed name (wb:EU) or an http(s) IRI")


# --------------------------------------------------------------------------- reading the graph


@dataclass(frozen=True)
class _Obs:
    obs: str
    area: str
    indicator: str
    abouts: frozenset[str]
    pct: float
    period: str
    threat_abouts: frozenset[str]


@dataclass
class _Facts:
    """What the SPARQL questions return, grouped for the analysis."""

    polities: list[str]
    provenance: dict[str, Evidence]
    bilateral: dict[tuple[str, str], list[tuple[str, int | None, str | None]]]
    agreements: dict[str, tuple[frozenset[str], str | None]]
    memberships: dict[str, dict[str, list[str]]]
    member_polity: dict[str, str]
    observations: list[_Obs]
    statements: list[tuple[str, str, str, str, str, str | None]]


@functools.lru_cache(maxsize=None)
def _query(name: str) -> Any:
    from graph.sparql import query_from_file

    return query_from_file(QUERIES_DIR / f"{name}.rq")


def _rows(g: Any, name: str, **params: Any) -> list[dict[str, object]]:
    from graph.sparql import select

    return select(g, _query(name), timeout=None, **params).records()


def _facts(g: Any, region: str, cfg: GapConfig) -> _Facts:
    from rdflib import URIRef

    reg = URIRef(region)
    polities = sorted(str(r["polity"]) for r in _rows(g, "polities", region=reg))

    prov_rows: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(g, "provenance"):
        entry = prov_rows[str(r["claim"])]
        for key in ("source", "locator", "quote", "primary"):
            if r[key] is not None:
                entry[key].add(str(r[key]))
    provenance = {
        claim: Evidence(
            claim=claim,
            sources=tuple(sorted(e["source"])),
            locator="; ".join(sorted(e["locator"])),
            note="",
            quote=" / ".join(sorted(e["quote"])),
            primary_sources=tuple(sorted(e["primary"])),
        )
        for claim, e in prov_rows.items()
    }

    bilateral: dict[tuple[str, str], list[tuple[str, int | None, str | None]]] = defaultdict(list)
    for r in _rows(g, "bilateral", region=reg):
        count = r["count"]
        bilateral[(str(r["a"]), str(r["b"]))].append(
            (str(r["claim"]), int(count) if isinstance(count, (int, float)) else None,
             str(r["status"]) if r["status"] is not None else None)
        )

    parties: dict[str, set[str]] = defaultdict(set)
    frameworks: dict[str, str | None] = {}
    for r in _rows(g, "agreements"):
        agreement = str(r["agreement"])
        parties[agreement].add(str(r["party"]))
        if r["framework"] is not None:
            frameworks[agreement] = min(str(r["framework"]), frameworks.get(agreement) or "\uffff")
        else:
            frameworks.setdefault(agreement, None)
    agreements = {a: (frozenset(p), frameworks.get(a)) for a, p in parties.items()}

    roles = set(cfg.roles)
    memberships: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    member_polity: dict[str, str] = {}
    for r in _rows(g, "memberships", region=reg):
        member_polity.setdefault(str(r["member"]), str(r["polity"]))
        if r["role"] is None or str(r["role"]) not in roles or r["until"] is not None:
            continue
        claims = memberships[str(r["polity"])][str(r["organization"])]
        if str(r["membership"]) not in claims:
            claims.append(str(r["membership"]))

    grouped: dict[str, dict[str, Any]] = {}
    for r in _rows(g, "observations"):
        o = grouped.setdefault(str(r["obs"]), {
            "area": str(r["area"]), "indicator": str(r["indicator"]), "abouts": set(), "threats": set(),
            "pct": float(r["pct"]),  # type: ignore[arg-type]
            "period": "" if r["period"] is None else str(r["period"]),
        })
        if r["about"] is not None:
            o["abouts"].add(str(r["about"]))
            if r["threat"] is True:
                o["threats"].add(str(r["about"]))
    observations = [
        _Obs(k, v["area"], v["indicator"], frozenset(v["abouts"]), v["pct"], v["period"], frozenset(v["threats"]))
        for k, v in sorted(grouped.items())
    ]

    statements = [
        (str(r["statement"]), str(r["from"]), str(r["to"]), str(r["stance"]), "direct", None)
        for r in _rows(g, "statements-direct", region=reg)
    ] + [
        (str(r["statement"]), str(r["from"]), str(r["to"]), str(r["stance"]), "incident", str(r["incident"]))
        for r in _rows(g, "statements-incident", region=reg)
    ]
    return _Facts(polities, provenance, bilateral, agreements, memberships, member_polity, observations, statements)


# --------------------------------------------------------------------------- small helpers


def _ev(facts: _Facts, claim: str, note: str) -> Evidence:
    base = facts.provenance.get(claim)
    if base is None:
        return Evidence(claim=claim, sources=(), locator="", note=note)
    return Evidence(claim, base.sources, base.locator, note, base.quote, base.primary_sources)


def _latest(obs: Iterable[_Obs]) -> list[_Obs]:
    """Keep, per question (area, indicator, about), only the figures of the most recent period."""
    groups: dict[tuple[str, str, frozenset[str]], list[_Obs]] = defaultdict(list)
    for o in obs:
        groups[(o.area, o.indicator, o.abouts)].append(o)
    out: list[_Obs] = []
    for items in groups.values():
        newest = max(o.period for o in items)
        out.extend(o for o in items if o.period == newest)
    return sorted(out, key=lambda o: o.obs)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _merged(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One entry per claim, in first-seen order; the notes of repeated claims are joined."""
    from dataclasses import replace

    out: dict[str, Evidence] = {}
    for ev in evidence:
        seen = out.get(ev.claim)
        if seen is None:
            out[ev.claim] = ev
        elif ev.note and ev.note not in seen.note.split("; "):
            out[ev.claim] = replace(seen, note=f"{seen.note}; {ev.note}")
    return tuple(out.values())


def _known(name: str, raw: float | None, value: float, weight: float, basis: str,
           evidence: Iterable[Evidence] = (), items: Sequence[str] = ()) -> Component:
    v = min(1.0, max(0.0, value))
    return Component(name, raw, v, v, weight, basis, _merged(evidence), tuple(items))


def _unknown(name: str, weight: float, basis: str, evidence: Iterable[Evidence] = ()) -> Component:
    return Component(name, None, 0.0, 1.0, weight, basis, _merged(evidence))


def _aggregate(name: str, components: Sequence[Component]) -> Aggregate:
    total = sum(c.weight for c in components)
    low = sum(c.weight * c.low for c in components) / total
    high = sum(c.weight * c.high for c in components) / total
    return Aggregate(name, low, high, tuple(components))


# --------------------------------------------------------------------------- per-pair raw values


@dataclass
class _PairRaw:
    status: str
    status_note: str
    status_evidence: list[Evidence]
    bilateral: int | None
    bilateral_evidence: list[Evidence]
    shared_orgs: list[str]
    shared_org_evidence: list[Evidence]
    shared_agreements: list[str]
    shared_agreement_evidence: list[Evidence]
    positive: list[Evidence]
    support: float | None
    support_basis: str
    support_evidence: list[Evidence]
    threats: list[str] | None
    threat_basis: str
    threat_evidence: list[Evidence]
    threat_perception: float | None
    threat_perception_basis: str
    threat_perception_evidence: list[Evidence]
    unfavourable: float | None
    unfavourable_basis: str
    unfavourable_evidence: list[Evidence]
    hostile: list[Evidence]


class _Analyst:
    """Turns the grouped facts into per-pair raw values; one instance per analysis."""

    def __init__(self, facts: _Facts, cfg: GapConfig, region: str, labels: Mapping[str, str]) -> None:
        self.f = facts
        self.cfg = cfg
        self.region = region
        self.labels = labels
        self.latest = _latest(facts.observations)

    def name(self, iri: str) -> str:
        return self.labels.get(iri, iri)

    # -- bilateral status and count

    def bilateral(self, a: str, b: str) -> tuple[str, str, list[Evidence], int | None]:
        cfg = self.cfg
        claims = self.f.bilateral.get((a, b), [])
        positive: dict[str, Evidence] = {}
        absent: dict[str, Evidence] = {}
        counts: list[int] = []
        for claim, count, status in claims:
            if count is not None and count > 0:
                counts.append(count)
                positive[claim] = _ev(self.f, claim, f"a source states {count} agreements")
            elif count == 0:
                absent.setdefault(claim, _ev(self.f, claim, "a source states 0 agreements"))
            if status in cfg.cooperating_statuses:
                positive.setdefault(claim, _ev(self.f, claim, f"a source describes the cooperation as {self.name(status)}"))
            elif status in cfg.absent_statuses:
                absent.setdefault(claim, _ev(self.f, claim, f"a source says: {self.name(status)}"))
        named = sorted(ag for ag, (parties, _fw) in self.f.agreements.items() if parties == frozenset((a, b)))
        for ag in named:
            positive.setdefault(ag, _ev(self.f, ag, f"a named agreement between the two: {self.name(ag)}"))
        counts_max = max(counts) if counts else None
        if named:
            counts_max = max(counts_max or 0, len(named))
        if positive:
            note = "bilateral cooperation is recorded"
            if absent:
                note += "; another claim says it is absent (the sources disagree, both are listed)"
            evidence = list(positive.values()) + list(absent.values())
            return COOPERATING, note, evidence, counts_max
        if absent:
            return STATED_ABSENT, "a source says there is no cooperation: a known zero, not a missing figure", \
                list(absent.values()), 0
        return NO_DATA, "no source describes bilateral cooperation between the two", [], None

    # -- affiliations, agreements, statements

    def shared_orgs(self, a: str, b: str) -> tuple[list[str], list[Evidence]]:
        ma, mb = self.f.memberships.get(a, {}), self.f.memberships.get(b, {})
        shared = sorted(set(ma) & set(mb))
        evidence = []
        for org in shared:
            for polity, claims in ((a, ma[org]), (b, mb[org])):
                for claim in sorted(claims):
                    evidence.append(_ev(self.f, claim, f"{self.name(polity)} belongs to {self.name(org)}"))
        return shared, evidence

    def shared_agreements(self, a: str, b: str) -> tuple[list[str], list[Evidence]]:
        found = sorted(ag for ag, (parties, _fw) in self.f.agreements.items()
                       if len(parties) >= 3 and a in parties and b in parties)
        return found, [_ev(self.f, ag, f"both are parties to {self.name(ag)} ({len(self.f.agreements[ag][0])} parties)")
                       for ag in found]

    def statements(self, a: str, b: str) -> tuple[list[Evidence], list[Evidence]]:
        cfg = self.cfg
        positive: dict[str, Evidence] = {}
        hostile: dict[str, Evidence] = {}
        for stmt, frm, to, stance, route, incident in self.f.statements:
            if {frm, to} != {a, b}:
                continue
            who, whom, verb = self.name(frm), self.name(to), self.name(stance)
            if route == "direct" and stance in cfg.positive_stances:
                positive.setdefault(stmt, _ev(self.f, stmt, f"{who}: {verb} {whom}"))
            elif route == "incident" and stance in cfg.solidarity_stances and incident is not None:
                positive.setdefault(stmt, _ev(self.f, stmt, f"{who}: {verb} {self.name(incident)}, aimed at {whom} (solidarity)"))
            if route == "direct" and stance in cfg.hostile_stances:
                hostile.setdefault(stmt, _ev(self.f, stmt, f"{who}: {verb} {whom}"))
        return sorted(positive.values(), key=lambda e: e.claim), sorted(hostile.values(), key=lambda e: e.claim)

    # -- survey figures

    def side_support(self, side: str, other: str) -> tuple[float | None, str, list[Evidence]]:
        cfg = self.cfg
        pair = [o for o in self.latest
                if o.area == side and o.indicator in cfg.pair_support_indicators and other in o.abouts]
        if pair:
            return _mean([o.pct for o in pair]), "pair-specific", [
                _ev(self.f, o.obs, f"{self.name(side)} respondents: {_pct(o.pct)} {self.name(o.indicator)} "
                                   f"with {self.name(other)}") for o in pair]
        own = [o for o in self.latest if o.area == side and o.indicator in cfg.support_indicators]
        if own:
            return _mean([o.pct for o in own]), "own", [
                _ev(self.f, o.obs, f"{self.name(side)} respondents: {_pct(o.pct)} {self.name(o.indicator)}")
                for o in own]
        region = [o for o in self.latest if o.area == self.region and o.indicator in cfg.support_indicators]
        if region:
            return _mean([o.pct for o in region]), "region-wide fallback", [
                _ev(self.f, o.obs, f"region-wide figure used for {self.name(side)} (fallback): "
                                   f"{_pct(o.pct)} {self.name(o.indicator)}") for o in region]
        return None, "no figure", []

    def threats_of(self, side: str, pair: frozenset[str]) -> tuple[dict[str, list[_Obs]], str]:
        """What the side's public names as threats or cooperation needs: its own figures plus the region-wide ones.

        Region-wide surveys sampled every polity of the region, so their
        answers apply to each side (marked as region-wide in the evidence);
        the pair's own members are left out (those figures are friction).
        """
        wanted = set(self.cfg.threat_indicators) | set(self.cfg.need_indicators)
        out: dict[str, list[_Obs]] = defaultdict(list)
        found = {"own": False, "region-wide": False}
        for o in self.latest:
            if o.indicator in wanted and o.area in (side, self.region):
                for t in o.abouts - pair - {self.region}:
                    out[t].append(o)
                    found["own" if o.area == side else "region-wide"] = True
        basis = " + ".join(k for k, v in found.items() if v) or "no figure"
        return out, basis

    def shared_threats(self, a: str, b: str) -> tuple[list[str] | None, str, list[Evidence]]:
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
                    evidence.append(_ev(self.f, o.obs, f"{who}: {_pct(o.pct)} {self.name(o.indicator)} "
                                                       f"({self.name(t)})"))
        return shared, basis, evidence

    def directed(self, indicators: Sequence[str], a: str, b: str,
                 first_only: bool) -> tuple[float | None, str, list[Evidence]]:
        """The larger of the two directions' figures (a's respondents about b, b's about a)."""
        best: float | None = None
        parts: list[str] = []
        evidence: list[Evidence] = []
        for side, other in ((a, b), (b, a)):
            figures: list[_Obs] = []
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
            parts.append(f"{self.name(side)} about {self.name(other)}: {_pct(top)}")
            best = top if best is None else max(best, top)
            evidence.extend(_ev(self.f, o.obs, f"{self.name(side)} respondents: {_pct(o.pct)} "
                                               f"{self.name(o.indicator)} ({self.name(other)})") for o in figures)
        return best, "; ".join(parts), evidence

    def pair(self, a: str, b: str) -> _PairRaw:
        status, note, status_ev, count = self.bilateral(a, b)
        orgs, org_ev = self.shared_orgs(a, b)
        ags, ag_ev = self.shared_agreements(a, b)
        positive, hostile = self.statements(a, b)
        sa, basis_a, ev_a = self.side_support(a, b)
        sb, basis_b, ev_b = self.side_support(b, a)
        known = [s for s in (sa, sb) if s is not None]
        support = _mean(known) if known else None
        support_basis = (f"{self.name(a)}: {_pct(sa) if sa is not None else 'no figure'} ({basis_a}); "
                         f"{self.name(b)}: {_pct(sb) if sb is not None else 'no figure'} ({basis_b})")
        threats, threat_basis, threat_ev = self.shared_threats(a, b)
        tp, tp_basis, tp_ev = self.directed(self.cfg.threat_indicators, a, b, first_only=False)
        un, un_basis, un_ev = self.directed(self.cfg.unfavourable_indicators, a, b, first_only=True)
        return _PairRaw(status, note, status_ev, count, status_ev,
                        orgs, org_ev, ags, ag_ev, positive, support, support_basis, ev_a + ev_b,
                        threats, threat_basis, threat_ev, tp, tp_basis, tp_ev, un, un_basis, un_ev, hostile)


# --------------------------------------------------------------------------- the dyad table


def _ratio(x: float, top: float) -> float:
    return x / top if top > 0 else 0.0


def _dyads(raws: Mapping[tuple[str, str], _PairRaw], cfg: GapConfig,
           analyst: _Analyst) -> tuple[list[Dyad], dict[str, float]]:
    norm = {
        "bilateral_agreements": float(max((r.bilateral for r in raws.values() if r.bilateral is not None), default=0)),
        "shared_affiliations": float(max((len(r.shared_orgs) for r in raws.values()), default=0)),
        "shared_agreements": float(max((len(r.shared_agreements) for r in raws.values()), default=0)),
        "positive_statements": float(max((len(r.positive) for r in raws.values()), default=0)),
        "shared_threats": float(max((len(r.threats) for r in raws.values() if r.threats is not None), default=0)),
        "accusations": float(max((len(r.hostile) for r in raws.values()), default=0)),
    }
    wa, wd, wf = cfg.actual, cfg.demand, cfg.friction
    dyads: list[Dyad] = []
    for (a, b), r in raws.items():
        top = norm["bilateral_agreements"]
        if r.status == NO_DATA:
            bil = _unknown("bilateral_agreements", wa["bilateral_agreements"],
                           "no source describes bilateral cooperation: unknown, between 0 and 1")
        elif r.bilateral is None:
            bil = _unknown("bilateral_agreements", wa["bilateral_agreements"],
                           "the sources say the two cooperate but give no number of agreements: between 0 and 1",
                           r.bilateral_evidence)
        elif r.status == STATED_ABSENT:
            bil = _known("bilateral_agreements", 0, 0.0, wa["bilateral_agreements"],
                         "a source says there is no cooperation: 0", r.bilateral_evidence)
        else:
            bil = _known("bilateral_agreements", r.bilateral, _ratio(r.bilateral, top), wa["bilateral_agreements"],
                         f"{r.bilateral} agreements (largest stated count) / {_fmt(top)} (largest count of any pair)",
                         r.bilateral_evidence)
        n_org, n_ag, n_pos = len(r.shared_orgs), len(r.shared_agreements), len(r.positive)
        actual = _aggregate("actual", [
            bil,
            _known("shared_affiliations", n_org, _ratio(n_org, norm["shared_affiliations"]), wa["shared_affiliations"],
                   f"{n_org} shared ({', '.join(analyst.name(o) for o in r.shared_orgs) or 'none'}) / "
                   f"{_fmt(norm['shared_affiliations'])} (most shared by any pair)", r.shared_org_evidence,
                   r.shared_orgs),
            _known("shared_agreements", n_ag, _ratio(n_ag, norm["shared_agreements"]), wa["shared_agreements"],
                   f"{n_ag} multilateral agreements signed by both / {_fmt(norm['shared_agreements'])} (most of any pair)",
                   r.shared_agreement_evidence, r.shared_agreements),
            _known("positive_statements", n_pos, _ratio(n_pos, norm["positive_statements"]), wa["positive_statements"],
                   f"{n_pos} supportive or solidarity statements / {_fmt(norm['positive_statements'])} (most of any pair)",
                   r.positive, [e.claim for e in r.positive]),
        ])
        if r.support is None:
            support = _unknown("public_support", wd["public_support"], f"no survey figure: {r.support_basis}")
        else:
            support = _known("public_support", r.support, r.support / 100, wd["public_support"],
                             f"mean of the two sides' figures, {_pct(r.support)} / 100 — {r.support_basis}",
                             r.support_evidence)
        if r.threats is None:
            threats = _unknown("shared_threats", wd["shared_threats"], f"no threat figures: {r.threat_basis}")
        else:
            n_thr = len(r.threats)
            threats = _known("shared_threats", n_thr, _ratio(n_thr, norm["shared_threats"]), wd["shared_threats"],
                             f"{n_thr} threats named by both publics "
                             f"({', '.join(analyst.name(t) for t in r.threats) or 'none'}) / "
                             f"{_fmt(norm['shared_threats'])} (most of any pair) — {r.threat_basis}", r.threat_evidence,
                             r.threats)
        demand = _aggregate("demand", [support, threats])
        if r.threat_perception is None:
            tp = _unknown("threat_perception", wf["threat_perception"], f"no survey figure: {r.threat_perception_basis}")
        else:
            tp = _known("threat_perception", r.threat_perception, r.threat_perception / 100, wf["threat_perception"],
                        f"larger direction, {_pct(r.threat_perception)} / 100 — {r.threat_perception_basis}",
                        r.threat_perception_evidence)
        if r.unfavourable is None:
            un = _unknown("unfavourable_opinion", wf["unfavourable_opinion"], f"no survey figure: {r.unfavourable_basis}")
        else:
            un = _known("unfavourable_opinion", r.unfavourable, r.unfavourable / 100, wf["unfavourable_opinion"],
                        f"larger direction, {_pct(r.unfavourable)} / 100 — {r.unfavourable_basis}",
                        r.unfavourable_evidence)
        n_host = len(r.hostile)
        acc = _known("accusations", n_host, _ratio(n_host, norm["accusations"]), wf["accusations"],
                     f"{n_host} hostile statements between the two / {_fmt(norm['accusations'])} (most of any pair)",
                     r.hostile, [e.claim for e in r.hostile])
        friction = _aggregate("friction", [tp, un, acc])
        fw = cfg.friction_weight
        lows = (demand.low - actual.high, fw * (friction.low if fw >= 0 else friction.high))
        highs = (demand.high - actual.low, fw * (friction.high if fw >= 0 else friction.low))
        dyads.append(Dyad(a, b, r.status, r.status_note, tuple(r.status_evidence), actual, demand, friction,
                          sum(lows), sum(highs)))
    return _ranked(dyads), norm


def _ranked(dyads: list[Dyad]) -> list[Dyad]:
    """Pairs with a score first, by score (ties share a rank); pairs with a range after, unranked."""
    from dataclasses import replace

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


# --------------------------------------------------------------------------- external dependence


def cooperation_network(G: Any, *, relations: Sequence[str], roles: Sequence[str],
                        route_via: Mapping[str, str] | None = None, extra_outside: Iterable[str] = (),
                        merge_into: Mapping[str, str] | None = None) -> Any:
    """The undirected network of cooperative ties among all actors, taken from a projected view.

    Keeps edges whose ``relation`` is in ``relations`` and whose ``sign`` is not
    negative; affiliation edges only in one of ``roles`` (role IRIs) and
    without an end date. An edge whose ``claim`` is in ``route_via``
    (agreement -> hub) is replaced by ties from both ends to the hub (the
    agreement's framework, or the agreement). Nodes in ``merge_into`` (a
    ministry -> its polity) are merged into that node. Node attributes are
    copied; nodes in ``extra_outside`` get ``external=True``.
    """
    import networkx as nx

    keep, role_set, via, merge = set(relations), set(roles), route_via or {}, dict(merge_into or {})
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if n not in merge)
    for u0, v0, data in G.edges(data=True):
        u, v = merge.get(u0, u0), merge.get(v0, v0)
        if data.get("relation") not in keep or float(data.get("sign", 1) or 1) < 0 or u == v:
            continue
        if data.get("relation") == "affiliation" and (str(data.get("role", "")) not in role_set or data.get("until")):
            continue
        hub = via.get(str(data.get("claim", "")))
        if hub:
            if hub not in H:
                H.add_node(hub, external=False, kind="other", label=hub)
            for end in (u, v):
                if end != hub:
                    H.add_edge(end, hub)
        else:
            H.add_edge(u, v)
    for node in extra_outside:
        if node in H:
            H.nodes[node]["external"] = True
    return H


def _bfs(H: Any, source: str) -> tuple[dict[str, int], dict[str, int], list[str], dict[str, list[str]]]:
    dist, sigma, order, preds = {source: 0}, {source: 1}, [source], {source: []}
    head = 0
    while head < len(order):
        u = order[head]
        head += 1
        for w in sorted(H.adj[u]):
            if w not in dist:
                dist[w] = dist[u] + 1
                sigma[w] = 0
                preds[w] = []
                order.append(w)
            if dist[w] == dist[u] + 1:
                sigma[w] += sigma[u]
                preds[w].append(u)
    return dist, sigma, order, preds


def _connectivity(H: Any, polities: Sequence[str]) -> Connectivity:
    import networkx as nx

    groups: dict[frozenset[str], list[str]] = {}
    for p in polities:
        comp = frozenset(nx.node_connected_component(H, p)) if p in H else frozenset((p,))
        groups.setdefault(comp, []).append(p)
    lengths: list[int] = []
    pairs = 0
    for a, b in itertools.combinations(polities, 2):
        pairs += 1
        if a in H and b in H:
            try:
                lengths.append(nx.shortest_path_length(H, a, b))
            except nx.NetworkXNoPath:
                pass
    return Connectivity(
        components=len(groups),
        groups=tuple(sorted(tuple(sorted(g)) for g in groups.values())),
        reachable_pairs=len(lengths),
        pairs=pairs,
        average_path_length=_mean(lengths) if lengths else None,
    )


def external_dependence(H: Any, polities: Sequence[str], relations: Sequence[str] = ()) -> ExternalDependence:
    """How much of the connectivity among ``polities`` in the undirected network ``H`` runs through outside actors.

    Outside actors are nodes with ``external=True`` that are not among
    ``polities``. For each pair of polities, all shortest paths (in hops) are
    counted, and how many pass at least one outside node. A carrier's share is
    the mean, over connected pairs, of the fraction of the pair's shortest
    paths that pass it; carriers are every intermediate node (outside actors
    and others, such as initiatives), flagged ``outside``.

    >>> import networkx as nx
    >>> H = nx.Graph([("A", "EU"), ("EU", "B")]); H.nodes["EU"]["external"] = True
    >>> ed = external_dependence(H, ["A", "B"])
    >>> ed.share_through_outside, ed.carriers[0].actor, ed.without_outside.components
    (1.0, 'EU', 2)
    """
    six = sorted(polities)
    members = set(six)
    outside = {n for n, d in H.nodes(data=True) if d.get("external") and n not in members}
    inside_graph = H.subgraph([n for n in H if n not in outside])
    direct_graph = H.subgraph([n for n in H if n in members])
    bfs = {p: _bfs(H, p) for p in six if p in H}
    pair_rows: list[PairPaths] = []
    via_share: dict[str, float] = defaultdict(float)
    via_pairs: dict[str, int] = defaultdict(int)
    sole: dict[str, int] = defaultdict(int)
    fractions: list[float] = []
    for a, b in itertools.combinations(six, 2):
        if a not in bfs or b not in bfs or b not in bfs[a][0]:
            pair_rows.append(PairPaths(a, b, None, 0, 0, (), ()))
            continue
        dist_a, sigma_a, order_a, preds_a = bfs[a]
        dist_b, sigma_b, _o, _p = bfs[b]
        d, total = dist_a[b], sigma_a[b]
        # inner[v]: shortest a-v paths whose intermediate nodes are all inside the region
        inner: dict[str, int] = {a: 1}
        for node in order_a[1:]:
            if dist_a[node] > d:
                break
            inner[node] = sum(inner[u] for u in preds_a[node] if u == a or u not in outside)
        through = total - inner.get(b, 0)
        fractions.append(through / total)
        carriers: list[tuple[float, str]] = []
        for x in order_a[1:]:
            if dist_a[x] >= d:
                break
            if x in dist_b and dist_a[x] + dist_b[x] == d:
                n = sigma_a[x] * sigma_b[x]
                via_share[x] += n / total
                via_pairs[x] += 1
                if n == total:
                    sole[x] += 1
                carriers.append((-n / total, x))
        carriers.sort()
        pair_rows.append(PairPaths(a, b, d, total, through, tuple(x for _s, x in carriers),
                                   tuple(x for _s, x in carriers if x in outside)))
    reachable = len(fractions)
    found = sorted(
        (CarrierShare(x, x in outside, via_share[x] / reachable, via_pairs[x], sole[x]) for x in via_share),
        key=lambda c: (-round(c.share, 12), not c.outside, c.actor),
    )
    return ExternalDependence(
        with_outside=_connectivity(H, six),
        without_outside=_connectivity(inside_graph, six),
        direct_only=_connectivity(direct_graph, six),
        share_through_outside=_mean(fractions) if fractions else None,
        carriers=tuple(found),
        pairs=tuple(pair_rows),
        relations=tuple(relations),
        outside_nodes=len(outside),
    )


# --------------------------------------------------------------------------- missing-tie suggestions


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

    out: list[Suggestion] = []
    for d in dyads:
        if d.status == COOPERATING:
            continue
        na, nb = orgs.get(d.a, set()), orgs.get(d.b, set())
        shared = sorted(na & nb)
        union = na | nb
        if len(shared) < cfg.min_shared_affiliations or not shared:
            continue
        threat_claims = list(d.demand.component("shared_threats").items)
        if cfg.require_shared_threat and not threat_claims:
            continue
        jac = len(shared) / len(union)
        aa = sum(1 / math.log(degree[z]) for z in shared if degree.get(z, 0) > 1)
        score = jac if cfg.suggestion_method == "jaccard" else aa
        where = "no source records bilateral cooperation between them" if d.status == NO_DATA else \
            "a source says their cooperation has made no progress"
        threats_text = (f"; both publics name {', '.join(name(t) for t in threat_claims)} as a threat or need"
                        if threat_claims else "")
        support = d.demand.component("public_support")
        support_text = f"; public support for cooperation {support.raw:.1f}%" if support.raw is not None else ""
        friction = [f"{c.name.replace('_', ' ')} {c.raw:.1f}%" if c.name != "accusations" else
                    f"{int(c.raw or 0)} hostile statement(s)"
                    for c in d.friction.components if c.raw]
        friction_text = f"; mind the friction ({', '.join(friction)})" if friction else ""
        reason = (f"{name(d.a)} and {name(d.b)} share {len(shared)} of {len(union)} affiliations "
                  f"({', '.join(name(o) for o in shared)}){threats_text}{support_text}; {where}{friction_text}.")
        out.append(Suggestion(d.a, d.b, d.status, score, jac, aa, tuple(shared), len(union), tuple(threat_claims),
                              0, reason))
    demand = {(d.a, d.b): d.demand.low for d in dyads}
    out.sort(key=lambda s: (-round(s.score, 12), -len(s.shared_threats),
                            -round(s.adamic_adar if cfg.suggestion_method == "jaccard" else s.jaccard, 12),
                            -round(demand[(s.a, s.b)], 12), s.a, s.b))
    from dataclasses import replace

    return [replace(s, rank=i) for i, s in enumerate(out[: cfg.suggestion_limit], 1)]


# --------------------------------------------------------------------------- perception versus reality


def _profiles(analyst: _Analyst, dyads: Sequence[Dyad], polities: Sequence[str],
              raws: Mapping[tuple[str, str], _PairRaw]) -> list[PolityProfile]:
    cfg = analyst.cfg
    out = []
    for p in polities:
        own = [o for o in analyst.latest if o.area == p and o.indicator in cfg.support_indicators]
        basis = "own"
        if not own:
            own = [o for o in analyst.latest if o.area == analyst.region and o.indicator in cfg.support_indicators]
            basis = "region-wide fallback" if own else "no figure"
        support = _mean([o.pct for o in own]) if own else None
        support_ev = tuple(_ev(analyst.f, o.obs, f"{_pct(o.pct)} {analyst.name(o.indicator)}"
                               + ("" if basis == "own" else f" (region-wide, used for {analyst.name(p)})"))
                           for o in own)
        initiatives = tuple(
            InitiativeSupport(about, o.pct, _ev(analyst.f, o.obs, f"{_pct(o.pct)} {analyst.name(o.indicator)} "
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
            actual_low=_mean([d.actual.low for d in mine]) if mine else 0.0,
            actual_high=_mean([d.actual.high for d in mine]) if mine else 0.0,
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
    facts = _facts(g, region, cfg)
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

    labels = _labels(node_facts(g), facts, H, G_aff)
    analyst = _Analyst(facts, cfg, region, labels)
    raws = {(a, b): analyst.pair(a, b) for a, b in itertools.combinations(polities, 2)}
    dyads, norm = _dyads(raws, cfg, analyst)
    suggestions = missing_ties(orgs, degree, dyads, cfg, labels)
    return GapAnalysis(
        region=region,
        polities=tuple(polities),
        dyads=tuple(dyads),
        external_dependence=external_dependence(H, polities, cfg.external_relations),
        perception_vs_reality=tuple(_profiles(analyst, dyads, polities, raws)),
        suggestions=tuple(suggestions),
        normalisers=norm,
        config=cfg,
        labels=labels,
    )


def _labels(g: Any, facts: _Facts, *graphs: Any) -> dict[str, str]:
    """The label of every IRI the analysis mentions, read from ``g`` (an rdflib graph holding the labels)."""
    from rdflib import URIRef

    from graph.store import label_of

    iris: set[str] = set(facts.polities) | set(facts.provenance) | {facts_source for e in facts.provenance.values()
                                                                     for facts_source in e.sources + e.primary_sources}
    for claims in facts.bilateral.values():
        iris.update(s for _c, _n, s in claims if s)
    iris.update(facts.agreements)
    iris.update(fw for _p, fw in facts.agreements.values() if fw)
    for by_org in facts.memberships.values():
        iris.update(by_org)
    for o in facts.observations:
        iris.update((o.indicator, o.area, *o.abouts))
    for stmt, _f, _t, stance, _r, incident in facts.statements:
        iris.update(x for x in (stmt, stance, incident) if x)
    for G in graphs:
        iris.update(str(n) for n in G.nodes)
    labels: dict[str, str] = {}
    for iri in sorted(iris):
        labels[iri] = label_of(g, URIRef(iri))
    return labels
