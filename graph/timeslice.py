"""Keep only the claims that hold on one date and belong to chosen policy domains: the claim filter every command uses.

A *claim* is a resource that states something a source says and that may
stop being true: ``org:Membership``, ``wbo:BilateralCooperation``,
``wbo:Agreement``, ``wbo:Statement``, ``qb:Observation``,
``org:ChangeEvent``, ``wbo:Event`` and ``wbo:Recommendation`` (and their
subclasses). Actors, initiatives, sources and the vocabulary are not claims
and are never dropped.

**On a date** (``as_of``) a claim is kept when it holds that day:

* its start is the earliest of its own dates ``schema:validFrom``,
  ``dcterms:date``, ``wbo:inForceFrom``, ``wbo:asOf`` and, for survey figures,
  ``sdmx-dimension:refPeriod``; its end is ``schema:validThrough``. It is kept
  when the start is on or before the date and the end is not before it. A
  year (``"2009"``) covers 1 January to 31 December, so a membership valid
  from 2009 holds on any day of 2009 (the reading of the network projection);
* a claim **without a start of its own** is kept only when a source dates it:
  the earliest ``dcterms:issued`` of its ``prov:wasDerivedFrom`` sources must
  be on or before the date. A source dated only by a year (or month) dates its
  claims to the **last** day of that year (month): the conservative reading,
  since the claim is only known to hold once the source is out, and a source
  issued in 2023 may have come out on 31 December. Undated claims whose
  sources are undated are dropped.

**In domains** (the ``skos:notation`` of a concept of ``wbo:DomainScheme``,
e.g. ``police``, ``border``): the domain-specific claims - agreements,
bilateral cooperation claims and memberships of organisations and initiatives
(not persons' posts) - are kept only when one of their policy domains is
chosen. A claim's domains are its own ``wbo:domain``; when it states none,
those of the body it is about (a membership's ``org:organization`` and
``wbo:via``, an agreement's ``wbo:framework``, each also through
``wbo:pillarOf``). A domain-specific claim with no domain at all is dropped,
since it cannot be placed in the domain. Every other claim (statements, survey
figures, events) is not domain-specific and stays.

The result is a filtered copy of the graph and a :class:`SliceReport` that
counts what was kept and dropped; its :attr:`~SliceReport.summary` is the
one line the commands print on stderr.

>>> date_bound("2023", end=True), date_bound("2023-05", end=False)
(datetime.date(2023, 12, 31), datetime.date(2023, 5, 1))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.backends import Backend
from graph.errors import InputError
from graph.namespaces import DCTERMS, FOAF, ORG, PROV, QB, RDFS, SCHEMA, SDMX_DIM, SKOS, WBO

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


__all__ = [
    "DateLike",
    "ClaimDating",
    "ClaimSlice",
    "SliceReport",
    "as_date",
    "claim_datings",
    "claim_domains",
    "date_bound",
    "domain_names",
    "resolve_domains",
    "slice_claims",
    "sliced",
]

_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?")


#: What a date parameter (``as_of``) accepts: an ISO date string, a date, a datetime or None.
DateLike = str | dt.date | None


def as_date(value: DateLike, *, name: str = "as_of") -> dt.date | None:
    """``value`` as a :class:`datetime.date`: ISO strings (``"2015-01-01"``, ``"2015"``), dates, datetimes, None.

    Every library function with a date parameter passes it through here, so
    notebooks can write ``as_of="2015-01-01"``. A year alone is its first day;
    anything else that is not an ISO date raises :class:`InputError` naming ``name``.

    >>> as_date("2015-01-01"), as_date("2015"), as_date(dt.datetime(2015, 3, 1, 12)), as_date(None)
    (datetime.date(2015, 1, 1), datetime.date(2015, 1, 1), datetime.date(2015, 3, 1), None)
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 4 and text.isdigit():
                return dt.date(int(text), 1, 1)
            if len(text) == 10 or (len(text) > 10 and text[10] == "T"):
                return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise InputError(f"{name} must be an ISO date such as '2015-01-01', not {value!r}")


def date_bound(text: str, *, end: bool) -> dt.date | None:
    """The first (``end=False``) or last (``end=True``) day a date, month or year covers; None if unreadable.

    ``"2009"`` covers 2009-01-01 to 2009-12-31, ``"2009-02"`` 2009-02-01 to
    2009-02-28; a dateTime is read by its date part.

    >>> date_bound("2009", end=False), date_bound("2009-02", end=True), date_bound("soon", end=True)
    (datetime.date(2009, 1, 1), datetime.date(2009, 2, 28), None)
    """
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else (12 if end else 1)
        if m.group(3):
            return dt.date(year, month, int(m.group(3)))
        if not end:
            return dt.date(year, month, 1)
        nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        return nxt - dt.timedelta(days=1)
    except ValueError:
        return None


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ClaimDating:
    """When one claim holds: its own start and end, and the day its earliest dated source was out.

    ``start`` is None when the claim has no start date of its own; then
    ``source_date`` (the last day of the earliest ``dcterms:issued``) stands
    in for it.
    """

    claim: str
    start: dt.date | None
    end: dt.date | None
    source_date: dt.date | None

    @property
    def dated(self) -> bool:
        """True when the claim has a start date of its own."""
        return self.start is not None

    def holds_on(self, day: dt.date) -> bool:
        """True when the claim holds on ``day`` (an undated claim: when its source is out by then).

        >>> ClaimDating("c", None, None, dt.date(2023, 12, 31)).holds_on(dt.date(2023, 6, 1))
        False
        """
        start = self.start if self.start is not None else self.source_date
        if start is None or start > day:
            return False
        return self.end is None or self.end >= day


@dataclass(frozen=True)
class SliceReport:
    """What the claim filter kept and dropped (counts of claims)."""

    as_of: dt.date | None
    domains: tuple[str, ...]
    claims: int
    kept: int
    dropped_dated: int
    kept_undated: int
    dropped_undated: int
    dropped_domain: int

    @property
    def summary(self) -> str:
        """One line for stderr: what was filtered and how many undated claims were kept and dropped."""
        what = []
        if self.as_of is not None:
            what.append(f"as of {self.as_of.isoformat()}")
        if self.domains:
            what.append(f"in domain{'s' if len(self.domains) > 1 else ''} {', '.join(self.domains)}")
        parts = [f"claims {' and '.join(what)}: kept {self.kept} of {self.claims}"]
        if self.as_of is not None:
            parts.append(f"undated claims kept because their source dates them on or before that day: "
                         f"{self.kept_undated}, dropped: {self.dropped_undated}")
            parts.append(f"dated claims not valid that day: {self.dropped_dated}")
        if self.domains:
            parts.append(f"outside the domain{'s' if len(self.domains) > 1 else ''}: {self.dropped_domain}")
        return "; ".join(parts) + "."


@dataclass(frozen=True)
class ClaimSlice:
    """The filtered copy of the graph and the counts of what was kept and dropped."""

    graph: Graph
    report: SliceReport


# --------------------------------------------------------------------------- reading the graph


def _claim_classes(g: Graph) -> set[Node]:
    from rdflib import RDFS

    roots = (ORG.Membership, WBO.BilateralCooperation, WBO.Agreement, WBO.Statement, QB.Observation,
             ORG.ChangeEvent, WBO.Event, WBO.Recommendation)
    classes: set[Node] = set()
    for root in roots:
        classes.update(g.transitive_subjects(RDFS.subClassOf, root))
    return classes


def _claims(g: Graph) -> list[Node]:
    """Every claim in ``g`` (an IRI or blank node typed with a claim class), sorted."""
    from rdflib import RDF

    classes = _claim_classes(g)
    return sorted({s for cls in classes for s in g.subjects(RDF.type, cls)}, key=str)


def claim_datings(g: Graph) -> dict[str, ClaimDating]:
    """When each claim of ``g`` holds (see the module docstring), by claim IRI."""

    starts = (SCHEMA.validFrom, DCTERMS.date, WBO.inForceFrom, WBO.asOf, SDMX_DIM.refPeriod)
    out: dict[str, ClaimDating] = {}
    for claim in _claims(g):
        start_days = [d for p in starts for o in g.objects(claim, p) if (d := date_bound(str(o), end=False))]
        end_days = [d for o in g.objects(claim, SCHEMA.validThrough) if (d := date_bound(str(o), end=True))]
        issued = [d for src in g.objects(claim, PROV.wasDerivedFrom) for o in g.objects(src, DCTERMS.issued)
                  if (d := date_bound(str(o), end=True))]
        out[str(claim)] = ClaimDating(
            str(claim),
            min(start_days) if start_days else None,
            max(end_days) if end_days else None,
            min(issued) if issued else None,
        )
    return out


def domain_names(g: Graph) -> dict[str, str]:
    """The policy domains of ``wbo:DomainScheme`` by their CLI name (``skos:notation``): ``{"police": IRI}``."""
    from rdflib import URIRef

    names: dict[str, str] = {}
    for concept in g.subjects(SKOS.inScheme, WBO.DomainScheme):
        if isinstance(concept, URIRef):
            for notation in g.objects(concept, SKOS.notation):
                names[str(notation)] = str(concept)
    return dict(sorted(names.items()))


def resolve_domains(g: Graph, names: Iterable[str]) -> dict[str, str]:
    """The domain IRI of each name (``police`` -> ``wbo:PoliceCooperation``), in the order given, once each.

    Names match the ``skos:notation`` in any case. An unknown name raises
    :class:`InputError` naming ``--domain`` and listing the valid names.
    """
    known = domain_names(g)
    folded = {n.casefold(): n for n in known}
    out: dict[str, str] = {}
    for name in names:
        hit = folded.get(name.strip().casefold())
        if hit is None:
            valid = ", ".join(known) or "(none: the graph has no wbo:DomainScheme notations)"
            raise InputError(f"--domain {name!r}: unknown policy domain; use one of: {valid}")
        out.setdefault(hit, known[hit])
    return out


def claim_domains(g: Graph) -> dict[str, frozenset[str]]:
    """The policy domains of every domain-specific claim of ``g`` (empty set: it has none), by claim IRI.

    Domain-specific: agreements, bilateral cooperation claims and memberships
    whose member is not a person. Own ``wbo:domain`` first; when there is none,
    those of the organisation or initiative the claim is about (see the module
    docstring).
    """
    from rdflib import RDF

    def own(node: Node) -> set[str]:
        return {str(d) for d in g.objects(node, WBO.domain)}

    def body(node: Node) -> set[str]:
        found = own(node)
        if not found:  # a pillar without a domain of its own works in its initiative's
            for parent in g.transitive_objects(node, WBO.pillarOf):
                if parent != node and (found := own(parent)):
                    break
        return found

    persons = set(g.transitive_subjects(RDFS.subClassOf, FOAF.Person))
    out: dict[str, frozenset[str]] = {}
    for cls, via in ((WBO.Agreement, (WBO.framework,)), (WBO.BilateralCooperation, ()),
                     (ORG.Membership, (ORG.organization, WBO.via))):
        for sub in set(g.transitive_subjects(RDFS.subClassOf, cls)):
            for c in g.subjects(RDF.type, sub):
                if cls == ORG.Membership and any((m, RDF.type, p) in g for m in g.objects(c, ORG.member)
                                                 for p in persons):
                    continue
                domains = own(c)
                if not domains:
                    for p in via:
                        for target in g.objects(c, p):
                            domains |= body(target)
                out[str(c)] = frozenset(domains)
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- the filter


def slice_claims(
    g: Graph | Backend,
    *,
    as_of: DateLike = None,
    domains: Sequence[str] = (),
    datings: Mapping[str, ClaimDating] | None = None,
) -> ClaimSlice:
    """A copy of ``g`` without the claims that do not hold on ``as_of`` or lie outside ``domains``.

    ``g`` is an rdflib graph or a backend (a store or endpoint is copied into
    memory first, within the backend's size limit). ``domains`` are names
    (``skos:notation``) of ``wbo:DomainScheme`` concepts; an unknown name
    raises :class:`InputError`. A dropped claim loses every triple it is the
    subject of. ``datings`` may pass :func:`claim_datings` of ``g`` computed
    once for several dates. With neither ``as_of`` nor ``domains`` the copy
    holds every triple.

    >>> from rdflib import Graph
    >>> s = slice_claims(Graph(), as_of=dt.date(2020, 1, 1))
    >>> (len(s.graph), s.report.claims)
    (0, 0)
    """
    as_of = as_date(as_of)
    from rdflib import Graph as RDFGraph

    source: Graph = g.to_graph() if isinstance(g, Backend) else g
    chosen = resolve_domains(source, domains)
    wanted = set(chosen.values())
    when = datings if datings is not None else claim_datings(source)
    scoped = claim_domains(source) if chosen else {}
    dropped: set[str] = set()
    dropped_dated = kept_undated = dropped_undated = dropped_domain = 0
    for claim in sorted(when):
        dating = when[claim]
        if as_of is not None and not dating.holds_on(as_of):
            dropped.add(claim)
            if dating.dated:
                dropped_dated += 1
            else:
                dropped_undated += 1
        elif claim in scoped and not scoped[claim] & wanted:
            dropped.add(claim)
            dropped_domain += 1
        elif as_of is not None and not dating.dated:
            kept_undated += 1
    out = RDFGraph()
    for prefix, ns in source.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for triple in source:
        if str(triple[0]) not in dropped:
            out.add(triple)
    report = SliceReport(
        as_of=as_of,
        domains=tuple(chosen),
        claims=len(when),
        kept=len(when) - len(dropped),
        dropped_dated=dropped_dated,
        kept_undated=kept_undated,
        dropped_undated=dropped_undated,
        dropped_domain=dropped_domain,
    )
    return ClaimSlice(out, report)


def sliced(g: Graph | Backend, *, as_of: DateLike = None,
           domains: Sequence[str] = ()) -> tuple[Graph | Backend, tuple[str, ...]]:
    """``g`` with only the claims valid on ``as_of`` and in ``domains``, and the filter's summary as a note.

    What every command calls: without a date or domain it returns ``g``
    itself and no note (nothing is copied).
    """
    as_of = as_date(as_of)
    if as_of is None and not domains:
        return g, ()
    piece = slice_claims(g, as_of=as_of, domains=domains)
    return piece.graph, (piece.report.summary,)
