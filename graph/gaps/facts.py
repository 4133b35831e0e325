"""Ask the graph, once, the SPARQL questions of ``ontology/gaps/*.rq`` and group the answers for the analysis."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.backends import as_backend
from graph.gaps.model import Evidence
from graph.namespaces import label_of
from graph.sparql import query_from_file, select
from graph.store import ONTOLOGY_DIR

if TYPE_CHECKING:
    from rdflib import URIRef

#: The SPARQL questions the analysis asks (declared in files, read with graph.sparql).
QUERIES_DIR = ONTOLOGY_DIR / "gaps"


@dataclass(frozen=True)
class Observation:
    """One survey figure: whose residents answered (``area``), what was asked, about what, the percentage, the period.

    ``dataset`` is the survey edition (``qb:dataSet``; "" when not given).
    """

    obs: str
    area: str
    indicator: str
    abouts: frozenset[str]
    pct: float
    period: str
    dataset: str = ""

    @property
    def year(self) -> int | None:
        """The year of ``period`` (``"2015"``, ``"2015-06"``), or None when it has none."""
        return period_year(self.period)


@dataclass(frozen=True)
class SourceInfo:
    """What the bibliography says about one source: title, publisher (an IRI or a name), date of issue, address.

    Empty strings mean "not recorded"; several values of one field (rare) are
    joined with "; ".
    """

    iri: str
    title: str = ""
    publisher: str = ""
    issued: str = ""
    url: str = ""


@dataclass
class Facts:
    """What the SPARQL questions return, grouped for the analysis."""

    polities: list[str]
    provenance: dict[str, Evidence]
    bilateral: dict[tuple[str, str], list[tuple[str, int | None, str | None]]]
    agreements: dict[str, tuple[frozenset[str], str | None]]
    memberships: dict[str, dict[str, list[tuple[str, str | None]]]]
    member_polity: dict[str, str]
    observations: list[Observation]
    statements: list[tuple[str, str, str, str, str, str | None]]
    instruments: list[Instrument] = field(default_factory=list)
    sources: dict[str, SourceInfo] = field(default_factory=dict)


@dataclass(frozen=True)
class Instrument:
    """One instrument counted once: a wbo:Agreement, or several linked by wbo:conflictsWith.

    ``agreements`` are the linked resources (one instrument as different
    sources report it); ``parties`` the union of their parties.
    """

    agreements: tuple[str, ...]
    parties: frozenset[str]

    @property
    def iri(self) -> str:
        """The resource that names the instrument (the smallest IRI of the group)."""
        return self.agreements[0]


@functools.lru_cache(maxsize=None)
def query(name: str) -> Any:
    """The prepared SPARQL query ``ontology/gaps/NAME.rq`` (parsed once per process)."""

    return query_from_file(QUERIES_DIR / f"{name}.rq")


def rows(g: Any, name: str, **params: Any) -> list[dict[str, object]]:
    """The answer rows of the question ``name`` on ``g``, with ``params`` bound as RDF terms."""

    return select(g, query(name), timeout=None, **params).records()


def read_facts(g: Any, region: str) -> Facts:
    """Ask every question of ``ontology/gaps/*.rq`` once and group the answers (independent of the settings)."""
    from rdflib import URIRef

    g = as_backend(g)  # one copy into Oxigraph for all the questions
    reg = URIRef(region)
    polities = sorted(str(r["polity"]) for r in rows(g, "polities", region=reg))
    provenance = _provenance(g)
    bilateral = _bilateral(g, reg)
    agreements = _agreements(g)
    links = [(str(r["agreement"]), str(r["other"])) for r in rows(g, "conflicts")]
    memberships, member_polity = _memberships(g, reg)
    observations = _observations(g)
    statements = _statements(g, reg)
    return Facts(polities, provenance, bilateral, agreements, memberships, member_polity, observations, statements,
                 instruments(agreements, links), source_infos(rows(g, "sources")))


def _provenance(g: Any) -> dict[str, Evidence]:
    """The evidence of every claim (``provenance.rq``): its sources, locators, quotes and primary sources, sorted.

    Several values of one field are joined (locators with "; ", quotes with " / "); the note is left empty for
    the analysis to fill in with what the claim contributes.
    """
    fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows(g, "provenance"):
        entry = fields[str(r["claim"])]
        for key in ("source", "locator", "quote", "primary"):
            if r[key] is not None:
                entry[key].add(str(r[key]))
    return {
        claim: Evidence(
            claim=claim,
            sources=tuple(sorted(e["source"])),
            locator="; ".join(sorted(e["locator"])),
            note="",
            quote=" / ".join(sorted(e["quote"])),
            primary_sources=tuple(sorted(e["primary"])),
        )
        for claim, e in fields.items()
    }


def _bilateral(g: Any, region: URIRef) -> dict[tuple[str, str], list[tuple[str, int | None, str | None]]]:
    """The bilateral-cooperation claims of the region's pairs (``bilateral.rq``): (claim, count, status) per pair.

    A count or status the claim does not state is None.
    """
    bilateral: dict[tuple[str, str], list[tuple[str, int | None, str | None]]] = defaultdict(list)
    for r in rows(g, "bilateral", region=region):
        count = r["count"]
        bilateral[(str(r["a"]), str(r["b"]))].append(
            (str(r["claim"]), int(count) if isinstance(count, (int, float)) else None,
             str(r["status"]) if r["status"] is not None else None)
        )
    return bilateral


def _agreements(g: Any) -> dict[str, tuple[frozenset[str], str | None]]:
    """Every agreement (``agreements.rq``) with its parties and its framework (the smallest IRI if several; None)."""
    parties: dict[str, set[str]] = defaultdict(set)
    frameworks: dict[str, str | None] = {}
    for r in rows(g, "agreements"):
        agreement = str(r["agreement"])
        parties[agreement].add(str(r["party"]))
        if r["framework"] is not None:
            frameworks[agreement] = min(str(r["framework"]), frameworks.get(agreement) or "\uffff")
        else:
            frameworks.setdefault(agreement, None)
    return {a: (frozenset(p), frameworks.get(a)) for a, p in parties.items()}


def _memberships(g: Any, region: URIRef) -> tuple[dict[str, dict[str, list[tuple[str, str | None]]]], dict[str, str]]:
    """The current memberships of the region's polities (``memberships.rq``), and the polity of every member.

    The first maps polity -> organisation -> [(membership claim, role or None)], without repeats and without
    memberships that have ended; the second maps each member (a polity or one of its bodies) to its polity,
    ended memberships included.
    """
    memberships: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(lambda: defaultdict(list))
    member_polity: dict[str, str] = {}
    for r in rows(g, "memberships", region=region):
        member_polity.setdefault(str(r["member"]), str(r["polity"]))
        if r["until"] is not None:
            continue
        claims = memberships[str(r["polity"])][str(r["organization"])]
        entry = (str(r["membership"]), None if r["role"] is None else str(r["role"]))
        if entry not in claims:
            claims.append(entry)
    return memberships, member_polity


def _observations(g: Any) -> list[Observation]:
    """Every survey figure (``observations.rq``) as one :class:`Observation`, sorted by IRI.

    The answer has one row per subject (``about``) of a figure; they are gathered into its ``abouts``. A figure
    in several editions keeps the smallest edition IRI.
    """
    grouped: dict[str, dict[str, Any]] = {}
    for r in rows(g, "observations"):
        o = grouped.setdefault(str(r["obs"]), {
            "area": str(r["area"]), "indicator": str(r["indicator"]), "abouts": set(),
            "pct": float(r["pct"]),  # type: ignore[arg-type]
            "period": "" if r["period"] is None else str(r["period"]),
            "dataset": "",
        })
        if r["dataset"] is not None:
            o["dataset"] = min(filter(None, (o["dataset"], str(r["dataset"]))))
        if r["about"] is not None:
            o["abouts"].add(str(r["about"]))
    return [
        Observation(k, v["area"], v["indicator"], frozenset(v["abouts"]), v["pct"], v["period"], v["dataset"])
        for k, v in sorted(grouped.items())
    ]


def _statements(g: Any, region: URIRef) -> list[tuple[str, str, str, str, str, str | None]]:
    """The statements between the region's polities: (statement, from, to, stance, route, incident or None).

    ``route`` is "direct" for a statement aimed at the other polity itself (``statements-direct.rq``), then
    "incident" for one aimed at an incident whose target is the other polity (``statements-incident.rq``).
    """
    return [
        (str(r["statement"]), str(r["from"]), str(r["to"]), str(r["stance"]), "direct", None)
        for r in rows(g, "statements-direct", region=region)
    ] + [
        (str(r["statement"]), str(r["from"]), str(r["to"]), str(r["stance"]), "incident", str(r["incident"]))
        for r in rows(g, "statements-incident", region=region)
    ]


def source_infos(answer: Iterable[Mapping[str, object]]) -> dict[str, SourceInfo]:
    """Group the rows of ``sources.rq`` into one :class:`SourceInfo` per source (values of a field sorted, joined).

    >>> source_infos([{"source": "s", "title": "T", "publisher": None, "issued": "2021", "url": None}])
    {'s': SourceInfo(iri='s', title='T', publisher='', issued='2021', url='')}
    """
    fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in answer:
        entry = fields[str(r["source"])]
        for key in ("title", "publisher", "issued", "url"):
            if r[key] is not None:
                entry[key].add(str(r[key]))
    return {iri: SourceInfo(iri, **{k: "; ".join(sorted(v)) for k, v in e.items()})
            for iri, e in sorted(fields.items())}


def instruments(agreements: Mapping[str, tuple[frozenset[str], str | None]],
                links: Iterable[tuple[str, str]]) -> list[Instrument]:
    """Group agreements linked by wbo:conflictsWith (at any distance) into instruments counted once.

    >>> [i.agreements for i in instruments({"a": (frozenset("XY"), None), "b": (frozenset("XY"), None),
    ...                                      "c": (frozenset("XZ"), None)}, [("b", "a")])]
    [('a', 'b'), ('c',)]
    """
    parent = {a: a for a in agreements}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in links:
        if x in parent and y in parent:
            rx, ry = root(x), root(y)
            parent[max(rx, ry)] = min(rx, ry)
    groups: dict[str, list[str]] = defaultdict(list)
    for a in sorted(agreements):
        groups[root(a)].append(a)
    return [Instrument(tuple(members), frozenset().union(*(agreements[m][0] for m in members)))
            for _r, members in sorted(groups.items())]


def evidence_for(facts: Facts, claim: str, note: str) -> Evidence:
    """The evidence entry of ``claim``: its provenance with ``note`` saying what it contributes."""
    base = facts.provenance.get(claim)
    if base is None:
        return Evidence(claim=claim, sources=(), locator="", note=note)
    return Evidence(claim, base.sources, base.locator, note, base.quote, base.primary_sources)


def period_year(period: str) -> int | None:
    """The year a survey period starts with, or None.

    >>> period_year("2015"), period_year("2022-08"), period_year("")
    (2015, 2022, None)
    """
    head = period.strip()[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None


def latest(obs: Iterable[Observation], up_to: int | None = None) -> list[Observation]:
    """Keep, per question (area, indicator, about), only the figures of the most recent period.

    With ``up_to`` (the year of the analysis date), figures of a later year
    are left out first, so each question keeps the edition of that year or
    the nearest earlier one. A figure without a readable year is kept (the
    claim filter decides whether it holds on the date).
    """
    groups: dict[tuple[str, str, frozenset[str]], list[Observation]] = defaultdict(list)
    for o in obs:
        if up_to is not None and o.year is not None and o.year > up_to:
            continue
        groups[(o.area, o.indicator, o.abouts)].append(o)
    out: list[Observation] = []
    for items in groups.values():
        newest = max(o.period for o in items)
        out.extend(o for o in items if o.period == newest)
    return sorted(out, key=lambda o: o.obs)


def labels_of(g: Any, facts: Facts, *graphs: Any) -> dict[str, str]:
    """The label of every IRI the analysis mentions, read from ``g`` (an rdflib graph holding the labels).

    The IRIs are those of ``facts`` (:func:`_mentioned_iris`) and the nodes of ``graphs`` (NetworkX views).
    """
    from rdflib import URIRef

    iris = _mentioned_iris(facts)
    for G in graphs:
        iris.update(str(n) for n in G.nodes)
    labels: dict[str, str] = {}
    for iri in sorted(iris):
        labels[iri] = label_of(g, URIRef(iri))
    return labels


def _mentioned_iris(facts: Facts) -> set[str]:
    """Every IRI ``facts`` mention: the claims and their context (:func:`_claim_iris`), the sources and publishers.

    >>> f = Facts(["p"], {"c": Evidence("c", ("s",), "", "")}, {}, {}, {}, {}, [], [],
    ...           sources={"s": SourceInfo("s", publisher="http://x; Press")})
    >>> sorted(_mentioned_iris(f))
    ['c', 'http://x', 'p', 's']
    """
    iris = _claim_iris(facts) | set(facts.provenance)
    iris.update(source for e in facts.provenance.values() for source in e.sources + e.primary_sources)
    iris.update(facts.sources)
    iris.update(p for s in facts.sources.values() for p in s.publisher.split("; ") if p.startswith("http"))
    return iris


def _claim_iris(facts: Facts) -> set[str]:
    """The polities, statuses, agreements and frameworks, organisations, survey terms and statements of ``facts``."""
    iris: set[str] = set(facts.polities)
    for claims in facts.bilateral.values():
        iris.update(s for _c, _n, s in claims if s)
    iris.update(facts.agreements)
    iris.update(fw for _p, fw in facts.agreements.values() if fw)
    for by_org in facts.memberships.values():
        iris.update(by_org)
    for o in facts.observations:
        iris.update((o.indicator, o.area, *o.abouts))
        if o.dataset:
            iris.add(o.dataset)
    for stmt, _f, _t, stance, _r, incident in facts.statements:
        iris.update(x for x in (stmt, stance, incident) if x)
    return iris
