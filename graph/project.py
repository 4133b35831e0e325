"""Project the RDF graph into a NetworkX MultiDiGraph (and its Gephi files) by the rules in ``ontology/projections/``.

This module is the one bridge from the RDF world to the NetworkX world. The
edges are declared, not coded: each ``ontology/projections/*.rq`` file is a
SPARQL SELECT returning ``?source ?target`` and optionally ``?weight ?sign
?since ?until ?claim ?relation ?role ?via ?status``. Its header comment says
which views use it::

    # views: actors polities signed     (the views that include the rule)
    # output: absences                  (rows are stated absences, not edges)
    # fold: shared-affiliation          (rows are folded by the view, see below)

The relation of an edge is ``?relation`` when the rule returns one, else the
file name (``affiliation.rq`` -> ``"affiliation"``). Adding a relation means
adding a file and its table in ``relations.toml`` beside it (symmetry, style,
whether it is a tie of cooperation; see :mod:`graph.relations`). Each rule runs once (one SELECT per rule, no per-node queries).

Graph contract (``to_networkx``):

* nodes are IRI strings with ``label`` (str), ``kind`` (``polity``,
  ``organisation``, ``initiative``, ``person``, ``event``, ``source``,
  ``concept``, ``region`` or ``other``, from ``rdf:type`` and the TBox
  subclass tree), ``region`` (IRI str or ``""``: ``wbo:region`` of the node,
  else of the body it is transitively ``org:subOrganizationOf``, else for a
  person of the organisation they hold a post in) and ``external`` (True for an
  actor - polity, organisation, person - not anchored in the Western Balkans);
* edges carry ``relation``, ``role`` (IRI or ``""``), ``via`` (IRI or ``""``),
  ``weight`` (float, 1.0 unless stated), ``sign`` (+1 or -1), ``since`` and
  ``until`` (ISO 8601 date or year as written in the data, or ``""``),
  ``claim`` (the IRI of the claim the edge comes from; never empty) and
  ``claims`` (every claim behind the edge, space-separated; equal to ``claim``
  except for folded edges);
* symmetric relations (cooperation, agreement, shared-affiliation) are stored
  once, from the smaller IRI to the larger;
* ``G.graph["absences"]`` lists stated absences of cooperation (``{a, b,
  claim, status}``, ``a < b``): never edges, kept for the gap analysis;
  ``G.graph["view"]`` and ``G.graph["as_of"]`` say how G was made.

Views:

* ``actors`` - every rule tagged ``actors``; nodes are every edge end plus
  every actor and initiative in the data, so isolated actors show up
  (publishers of sources only through their edges: a news outlet is not an
  actor of the field);
* ``polities`` - only the six Western Balkan polities (``wbo:region
  wb:WesternBalkans``), always all six; their cooperation and agreement edges
  plus one ``shared-affiliation`` edge per organisation or initiative both
  are affiliated with. The tie strength metrics use is the sum of the parallel
  edges' weights: ``weight(a, b) = stated agreement counts (cooperation
  claims) + shared named agreements + shared affiliations``;
* ``affiliation`` - actor -> organisation/initiative memberships and posts;
* ``signed`` - cooperation (+1: cooperation, agreements, support, supportive
  statements) against hostility (-1: condemning/accusing/opposing statements,
  threat perceptions).

:func:`network_files` writes a projected graph as GraphML, GEXF or CSV with
every node and edge attribute (see its docstring).

``as_of`` here only compares an edge's own ``since``/``until`` with the date
(a year counts from 1 January through 31 December, read by
:func:`graph.timeslice.date_bound`); edges without dates are kept. The
commands filter claims before projecting instead, with
:func:`graph.timeslice.slice_claims`, which also drops undated claims their
source does not date and filters by policy domain.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from graph.backends import MemoryBackend, as_backend
from graph.errors import InputError
from graph.namespaces import DCTERMS, FOAF, ORG, PREFIXES, SKOS, WB, WBO, bind_prefixes, compact, label_of
from graph.relations import symmetric_relations
from graph.sparql import query_from_text, readable_graph, select
from graph.spreadsheet import csv_table
from graph.store import PROJECTIONS_DIR
from graph.timeslice import DateLike, as_date, date_bound

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from graph.backends import Backend

log = logging.getLogger("wbsec")

VIEWS: tuple[str, ...] = ("actors", "polities", "affiliation", "signed")
KINDS: tuple[str, ...] = ("polity", "organisation", "initiative", "person", "event", "source", "concept", "region", "other")
ACTOR_KINDS = frozenset({"polity", "organisation", "person"})
#: Edge attributes every edge carries (GraphML/GEXF need one type per key).
EDGE_ATTRS: tuple[str, ...] = ("relation", "role", "via", "weight", "sign", "since", "until", "claim", "claims")
NODE_ATTRS: tuple[str, ...] = ("label", "kind", "region", "external")

_HEADER = re.compile(r"^#\s*(views|output|fold)\s*:\s*(.*)$", re.IGNORECASE)
#: Seconds one rule may run before the projection stops with LimitError.
_TIMEOUT = 120.0


@dataclass(frozen=True)
class Rule:
    """One edge rule: a SELECT in ``ontology/projections/NAME.rq`` and the views that use it."""

    name: str
    path: Path
    text: str
    views: frozenset[str]
    output: str = "edges"  # "edges" or "absences"
    fold: str = ""  # relation of the folded edges, or "" for a plain rule


@dataclass(frozen=True)
class EdgeRow:
    """One row of a rule: a would-be edge (or absence) with every attribute filled in."""

    source: str
    target: str
    relation: str
    role: str = ""
    via: str = ""
    weight: float = 1.0
    sign: int = 1
    since: str = ""
    until: str = ""
    claim: str = ""
    status: str = ""

    def attrs(self) -> dict[str, object]:
        """The edge attributes, in the documented order."""
        return {
            "relation": self.relation,
            "role": self.role,
            "via": self.via,
            "weight": self.weight,
            "sign": self.sign,
            "since": self.since,
            "until": self.until,
            "claim": self.claim,
            "claims": self.claim,
        }


def rules(directory: Path | None = None) -> list[Rule]:
    """The edge rules in ``directory`` (default ``ontology/projections/``), sorted by name."""
    folder = directory if directory is not None else PROJECTIONS_DIR
    found: list[Rule] = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            m = _HEADER.match(line.strip())
            if m:
                meta[m.group(1).lower()] = m.group(2).strip()
        views = frozenset(meta.get("views", "").replace(",", " ").split())
        unknown = views - set(VIEWS)
        if unknown or not views:
            raise InputError(
                f"{path}:1: header '# views:' must list some of {', '.join(VIEWS)} (got {meta.get('views', '')!r})"
            )
        output = meta.get("output", "edges")
        if output not in ("edges", "absences"):
            raise InputError(f"{path}:1: '# output:' must be 'edges' or 'absences', not {output!r}")
        found.append(Rule(path.stem, path, text, views, output, meta.get("fold", "")))
    return found


def rule_rows(g: Graph | Backend, rule: Rule) -> list[EdgeRow]:
    """Run one rule against ``g`` (one SELECT) and return its rows in query order."""
    rows: list[EdgeRow] = []
    for rec in _select(g, rule):
        source, target = rec.get("source"), rec.get("target")
        if source is None or target is None:
            continue
        claim = rec.get("claim")
        rows.append(
            EdgeRow(
                source=str(source),
                target=str(target),
                relation=_text(rec.get("relation")) or rule.fold or rule.name,
                role=_text(rec.get("role")),
                via=_text(rec.get("via")),
                weight=_number(rec.get("weight"), 1.0, rule, "weight"),
                sign=-1 if _number(rec.get("sign"), 1.0, rule, "sign") < 0 else 1,
                since=_date_text(rec.get("since")),
                until=_date_text(rec.get("until")),
                claim=str(claim) if claim is not None else "",
                status=_text(rec.get("status")),
            )
        )
    missing = [r for r in rows if not r.claim]
    if missing:
        raise InputError(f"{rule.path}: rule returns rows without ?claim (first: {missing[0].source} -> {missing[0].target})")
    return rows


def to_networkx(
    g: Graph | Backend,
    view: str = "actors",
    *,
    as_of: DateLike = None,
    directory: Path | None = None,
) -> nx.MultiDiGraph:
    """Project ``g`` into a MultiDiGraph for ``view`` (see the module docstring for the contract).

    ``as_of`` is a date or an ISO 8601 date string (``"2015-01-01"``; see
    :func:`graph.timeslice.as_date`).
    ``directory`` replaces ``ontology/projections/`` (for tests and custom
    rule sets). To project several views of the same data, call
    :func:`projections` once.
    """
    return projections(g, (view,), as_of=as_of, directory=directory)[view]


def projections(
    g: Graph | Backend,
    views: Iterable[str],
    *,
    as_of: DateLike = None,
    directory: Path | None = None,
) -> dict[str, nx.MultiDiGraph]:
    """Project ``g`` into each of ``views`` at once: every rule they need runs once, node facts are read once.

    What a command that needs several views (``viz`` with its gap ties,
    ``gaps``) calls, so the data are asked each question a single time. The
    graphs are built in bulk: node attributes come from one query (see
    :class:`_NodeInfo`), nodes and edges are added as batches.
    """

    wanted = list(dict.fromkeys(views))
    for view in wanted:
        if view not in VIEWS:
            raise InputError(f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    day = as_date(as_of)
    backend = as_backend(g)
    needed = [r for r in rules(directory) if r.views & set(wanted)]
    rows = {r.name: [row for row in rule_rows(backend, r) if _valid_on(row, day)] for r in needed}
    info = _NodeInfo.read(backend)
    return {view: _build(view, [r for r in needed if view in r.views], rows, info, day) for view in wanted}


def _build(view: str, selected: Sequence[Rule], rows: Mapping[str, list[EdgeRow]], info: _NodeInfo,
           as_of: dt.date | None) -> nx.MultiDiGraph:
    """The graph of one view from the rows of its rules: node and edge lists first, then two batch inserts."""
    absences: list[dict[str, str]] = []
    edges: list[EdgeRow] = []
    folded: list[tuple[EdgeRow, str]] = []
    for rule in selected:
        found = rows[rule.name]
        if rule.output == "absences":
            for r in found:
                a, b = sorted((r.source, r.target))
                absences.append({"a": a, "b": b, "claim": r.claim, "status": r.status})
        elif rule.fold:
            folded.extend(_fold(found, rule.fold))
        else:
            edges.extend(found)
    order: dict[str, None] = {}  # the nodes, in the order they enter the graph
    keep: set[str] | None = None
    if view == "polities":
        keep = set(info.wb_polities())
        edges = [e for e in edges if e.source in keep and e.target in keep]
        order.update(dict.fromkeys(sorted(keep)))
    elif view == "actors":
        order.update(dict.fromkeys(info.actors_and_initiatives()))
    chosen: list[tuple[EdgeRow, str]] = [(e, e.claim) for e in edges]
    chosen += [(e, c) for e, c in folded if keep is None or (e.source in keep and e.target in keep)]
    used: set[str] = set()
    batch: list[tuple[str, str, str, dict[str, object]]] = []
    for edge, claims in chosen:
        order.setdefault(edge.source)
        order.setdefault(edge.target)
        attrs = edge.attrs()
        attrs["claims"] = claims
        # Keys are unique in the whole graph (GraphML/GEXF/Gephi edge ids): relation|claim[|n].
        key = f"{edge.relation}|{edge.claim}"
        n = 1
        while key in used:
            n += 1
            key = f"{edge.relation}|{edge.claim}|{n}"
        used.add(key)
        batch.append((edge.source, edge.target, key, attrs))
    G = nx.MultiDiGraph()
    G.graph["view"] = view
    G.graph["as_of"] = as_of.isoformat() if as_of else ""
    G.add_nodes_from((node, info.attrs(node)) for node in order)
    G.add_edges_from(batch)
    absences.sort(key=lambda d: (d["a"], d["b"], d["claim"], d["status"]))
    G.graph["absences"] = _dedupe(absences)
    return G


def resolve_node(g: Graph | Backend, text: str, among: Iterable[str] | None = None) -> str:
    """The IRI ``text`` names: a full IRI, a prefixed name (``wb:AL``) or a label/altLabel (any case).

    With ``among`` (e.g. the nodes of a view) an ambiguous label is resolved in
    favour of the one candidate in ``among``, if exactly one is. Raises
    :class:`InputError` listing the candidates when a label is ambiguous, or
    suggesting close labels when nothing matches.
    """
    import difflib

    from rdflib import URIRef

    g = node_facts(g)
    wanted = text.strip()
    pool = set(among) if among is not None else None
    known_subjects = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    if pool is not None:
        known_subjects |= pool
    if wanted in known_subjects:
        return wanted
    prefixed = _prefixed_node(wanted, known_subjects)
    if prefixed is not None:
        return prefixed
    by_label, spelled = _nodes_by_label(g)
    hits = by_label.get(wanted.casefold(), set())
    if len(hits) > 1 and pool is not None:
        narrowed = hits & pool
        if len(narrowed) == 1:
            hits = narrowed
    if len(hits) == 1:
        return next(iter(hits))
    if hits:
        listed = ", ".join(f"{label_of(g, URIRef(h))} <{h}>" for h in sorted(hits))
        raise InputError(f"{wanted!r} is ambiguous: it names {listed}; give the IRI or prefixed name")
    close = difflib.get_close_matches(wanted.casefold(), list(by_label), n=3, cutoff=0.6)
    hint = "; did you mean " + " or ".join(repr(spelled[c]) for c in close) + "?" if close else ""
    raise InputError(f"{wanted!r}: no node has this IRI, prefixed name or label{hint}")


def _prefixed_node(wanted: str, known_subjects: set[str]) -> str | None:
    """The IRI of the prefixed name ``wanted`` (``wb:AL``) when its prefix is a known one, else None.

    An IRI that is not among ``known_subjects`` is an :class:`InputError`.

    >>> _prefixed_node("wb:AL", {"https://w3id.org/wbsec/id/AL"})
    'https://w3id.org/wbsec/id/AL'
    >>> _prefixed_node("Serbia: the state", set()) is None
    True
    """
    if ":" not in wanted or wanted.startswith(("http://", "https://", "urn:")):
        return None
    prefix, _, local = wanted.partition(":")
    if prefix not in PREFIXES:
        return None
    iri = PREFIXES[prefix] + local
    if iri in known_subjects:
        return iri
    raise InputError(f"{wanted}: no such node ({iri} does not occur in the graph)")


def _nodes_by_label(g: Graph) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The IRIs each label or name in ``g`` names (keyed case-folded), and each key as first spelled.

    Labels are read from skos:prefLabel, skos:altLabel, foaf:name and
    rdfs:label, in this order.
    """
    from rdflib import RDFS, URIRef

    by_label: dict[str, set[str]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel, FOAF.name, RDFS.label):
        for s, o in g.subject_objects(prop):
            if isinstance(s, URIRef):
                by_label[str(o).casefold()].add(str(s))
                spelled.setdefault(str(o).casefold(), str(o))
    return by_label, spelled


# --- running rules ---------------------------------------------------------------------------

#: The triples node attributes are read from (kind, label, region), fetched in one CONSTRUCT
#: when the data sit in an Oxigraph store or behind a SPARQL endpoint.
_NODE_FACTS = """CONSTRUCT { ?s ?p ?o } WHERE {
  VALUES ?p { rdf:type rdfs:subClassOf skos:prefLabel skos:altLabel foaf:name rdfs:label wbo:region
              org:subOrganizationOf org:member org:organization org:heldBy org:postIn dcterms:publisher }
  ?s ?p ?o
}"""


def node_facts(g: Graph | Backend) -> Graph:
    """``g`` itself, or for a store or endpoint backend the triples node attributes come from."""

    return readable_graph(g, query_from_text(_NODE_FACTS, name="node facts", own=True), timeout=_TIMEOUT)


def _select(g: Graph | Backend, rule: Rule) -> list[dict[str, Node]]:
    """Run a rule's SELECT through the guarded query engine; returns one dict per row."""

    table = select(g, query_from_text(rule.text, name=rule.name, path=rule.path), timeout=_TIMEOUT)
    return [{c: v for c, v in zip(table.columns, row, strict=True) if v is not None} for row in table.rows]


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def _number(node: Node | None, default: float, rule: Rule, name: str) -> float:
    if node is None:
        return default
    value = getattr(node, "value", None)
    try:
        return float(value if value is not None else str(node))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{rule.path}: ?{name} must be a number, got {str(node)!r}") from exc


def _date_text(node: Node | None) -> str:
    """The lexical form of a date, year or dateTime (dateTime cut to its date)."""
    if node is None:
        return ""
    text = str(node).strip()
    return text.split("T", 1)[0] if "T" in text else text


# --- dates -----------------------------------------------------------------------------------


def _bound(text: str, end: bool) -> dt.date | None:
    """First (or last) day ``text`` covers: "2009" -> 2009-01-01 (2009-12-31); None if unreadable."""
    return date_bound(text, end=end)


def _valid_on(row: EdgeRow, as_of: dt.date | None) -> bool:
    if as_of is None:
        return True
    start = _bound(row.since, end=False) if row.since else None
    stop = _bound(row.until, end=True) if row.until else None
    return (start is None or start <= as_of) and (stop is None or stop >= as_of)


def _later(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    return a if (_bound(a, False) or dt.date.min) >= (_bound(b, False) or dt.date.min) else b


def _earlier(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    return a if (_bound(a, True) or dt.date.max) <= (_bound(b, True) or dt.date.max) else b


# --- folding ---------------------------------------------------------------------------------


def _fold(rows: Sequence[EdgeRow], relation: str) -> list[tuple[EdgeRow, str]]:
    """Turn member -> organisation rows into one member - member edge per shared organisation.

    For each pair of members of one organisation the pair of memberships whose
    validity overlaps (or is unknown) and whose claim IRIs sort first is kept:
    the edge runs from the smaller IRI to the larger, weight 1, claim = the
    first of the two memberships, claims = both, via = the organisation,
    since/until = the overlap. Without ``as_of`` a shared affiliation counts
    even when the two memberships never overlapped in time only if their dates
    say nothing; stated disjoint periods are not shared.
    """
    by_org: dict[str, dict[str, list[EdgeRow]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_org[r.target][r.source].append(r)
    out: list[tuple[EdgeRow, str]] = []
    for org in sorted(by_org):
        members = by_org[org]
        names = sorted(members)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                best: tuple[EdgeRow, str] | None = None
                for ra in sorted(members[a], key=lambda r: r.claim):
                    for rb in sorted(members[b], key=lambda r: r.claim):
                        since, until = _later(ra.since, rb.since), _earlier(ra.until, rb.until)
                        lo, hi = _bound(since, False) if since else None, _bound(until, True) if until else None
                        if lo is not None and hi is not None and lo > hi:
                            continue  # the two memberships never overlapped
                        first, second = sorted((ra.claim, rb.claim))
                        cand = EdgeRow(a, b, relation, via=org, since=since, until=until, claim=first)
                        claims = first if first == second else f"{first} {second}"
                        if best is None or (cand.claim, claims) < (best[0].claim, best[1]):
                            best = (cand, claims)
                if best is not None:
                    out.append(best)
    return out


# --- nodes -----------------------------------------------------------------------------------


#: Every triple node attributes are read from (kind, label, region, publishers), asked in one SELECT.
_NODE_ROWS = """SELECT ?s ?p ?o WHERE {
  VALUES ?p { rdf:type rdfs:subClassOf skos:prefLabel foaf:name rdfs:label wbo:region
              org:subOrganizationOf org:member org:organization org:heldBy org:postIn dcterms:publisher }
  ?s ?p ?o
}"""


class _NodeInfo:
    """Label, kind, region and ``external`` of every node, from the rows of one query (no per-node lookups).

    Everything is keyed by the string of the term. ``label`` is the English
    (or untagged) skos:prefLabel, else foaf:name, else rdfs:label (the first
    in sorted order), else the prefixed name; ``region`` the breadth-first
    nearest ``wbo:region`` (see the module docstring).
    """

    def __init__(self, rows: Iterable[tuple[Node | None, ...]], names: Graph) -> None:
        from rdflib import RDF, RDFS, URIRef

        self._names = names
        self._wb = str(WB.WesternBalkans)
        # (class, kind) in precedence order: a polity is also an org:Organization.
        self._kind_classes = [(str(c), k) for c, k in (
            (WBO.Polity, "polity"),
            (WBO.Initiative, "initiative"),
            (ORG.OrganizationalCollaboration, "initiative"),
            (ORG.FormalOrganization, "organisation"),
            (ORG.Organization, "organisation"),
            (ORG.OrganizationalUnit, "organisation"),
            (FOAF.Person, "person"),
            (WBO.Event, "event"),
            (WBO.Source, "source"),
            (WBO.Region, "region"),
            (SKOS.Concept, "concept"),
        )]
        label_props = {str(SKOS.prefLabel): 0, str(FOAF.name): 1, str(RDFS.label): 2}
        by_prop: dict[str, dict[str, list[str]]] = {
            str(p): defaultdict(list) for p in (RDFS.subClassOf, WBO.region, ORG.subOrganizationOf, ORG.member,
                                                ORG.organization, ORG.heldBy, ORG.postIn)}
        self._types: dict[str, list[str]] = defaultdict(list)
        self._labels: dict[str, list[tuple[int, bool, str]]] = defaultdict(list)
        self.publishers: set[str] = set()
        rdf_type, publisher = str(RDF.type), str(DCTERMS.publisher)
        for s, p, o in rows:
            if s is None or p is None or o is None:
                continue
            prop, subject, obj = str(p), str(s), str(o)
            if prop == rdf_type:
                if isinstance(o, URIRef):
                    self._types[subject].append(obj)
            elif prop in label_props:
                self._labels[subject].append((label_props[prop], getattr(o, "language", None) not in (None, "en"), obj))
            elif prop == publisher:
                self.publishers.add(obj)
            else:
                by_prop[prop][subject].append(obj)
        self._supers_of = by_prop[str(RDFS.subClassOf)]
        self._region = by_prop[str(WBO.region)]
        self._parent = by_prop[str(ORG.subOrganizationOf)]
        self._orgs_of: dict[str, set[str]] = defaultdict(set)  # person -> bodies they belong to or hold a post in
        organisation, post_in = by_prop[str(ORG.organization)], by_prop[str(ORG.postIn)]
        for m, members in by_prop[str(ORG.member)].items():
            for person in members:
                self._orgs_of[person].update(organisation.get(m, ()))
        for post, holders in by_prop[str(ORG.heldBy)].items():
            for person in holders:
                self._orgs_of[person].update(post_in.get(post, ()))
        self._closures: dict[str, set[str]] = {}
        self._kinds: dict[str, str] = {}
        self._regions: dict[str, str] = {}

    @classmethod
    def read(cls, g: Backend) -> _NodeInfo:
        """Ask ``g`` the one node query and index the answer."""
        from rdflib import Graph as RDFGraph

        table = select(g, query_from_text(_NODE_ROWS, name="node facts", own=True), timeout=_TIMEOUT)
        names = g.graph if isinstance(g, MemoryBackend) and g.graph_loaded else bind_prefixes(RDFGraph())
        return cls(table.rows, names)

    def _closure(self, cls: str) -> set[str]:
        """``cls`` and every class it is transitively an rdfs:subClassOf."""
        hit = self._closures.get(cls)
        if hit is None:
            hit, stack = set(), [cls]
            while stack:
                c = stack.pop()
                if c not in hit:
                    hit.add(c)
                    stack.extend(self._supers_of.get(c, ()))
            self._closures[cls] = hit
        return hit

    def kind(self, node: str) -> str:
        if node not in self._kinds:
            classes: set[str] = set()
            for t in self._types.get(node, ()):
                classes |= self._closure(t)
            self._kinds[node] = next((k for c, k in self._kind_classes if c in classes), "other")
        return self._kinds[node]

    def label(self, node: str) -> str:
        from rdflib import URIRef

        found = self._labels.get(node)
        if found:
            return min(found)[2]
        return compact(self._names, URIRef(node))

    def region(self, node: str) -> str:
        if node not in self._regions:
            self._regions[node] = self._find_region(node)
        return self._regions[node]

    def _find_region(self, node: str) -> str:
        seen: set[str] = set()
        frontier = [node]
        if self.kind(node) == "person":
            frontier += sorted(self._orgs_of.get(node, ()))
        while frontier:  # breadth first through org:subOrganizationOf
            nxt: list[str] = []
            for n in frontier:
                if n in seen:
                    continue
                seen.add(n)
                regions = self._region.get(n)
                if regions:
                    return min(regions)
                nxt.extend(sorted(self._parent.get(n, ())))
            frontier = nxt
        return ""

    def external(self, node: str) -> bool:
        return self.kind(node) in ACTOR_KINDS and self.region(node) != self._wb

    def attrs(self, node: str) -> dict[str, object]:
        """The node attributes of the contract: label, kind, region, external."""
        return {"label": self.label(node), "kind": self.kind(node), "region": self.region(node),
                "external": self.external(node)}

    def wb_polities(self) -> list[str]:
        return sorted(s for s, regions in self._region.items()
                      if self._wb in regions and s.startswith(("http://", "https://", "urn:"))
                      and self.kind(s) == "polity")

    def actors_and_initiatives(self) -> list[str]:
        """Every actor and initiative, except publishers: a news outlet is there to date and cite claims.

        A publisher that also acts (the RCC publishes the Balkan Barometer and
        hosts initiatives) still enters the view through its edges.
        """
        wanted = ACTOR_KINDS | {"initiative"}
        return sorted(n for n in self._types if n.startswith(("http://", "https://", "urn:"))
                      and self.kind(n) in wanted and n not in self.publishers)


def _dedupe(items: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for d in items:
        k = tuple(d[x] for x in ("a", "b", "claim", "status"))
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


def edge_table(G: nx.MultiDiGraph) -> list[tuple[str, str, str, Mapping[str, object]]]:
    """Every edge as ``(source, target, key, attrs)``, sorted (for exports and tests)."""
    return sorted(((u, v, str(k), d) for u, v, k, d in G.edges(keys=True, data=True)), key=lambda t: t[:3])


# --- files for Gephi and other tools ----------------------------------------------------------

GRAPH_FORMATS: tuple[str, ...] = ("graphml", "gexf", "csv")
#: Relations that hold both ways; their edges are stored once (smaller IRI first) and exported undirected.
#: Declared in ``ontology/projections/relations.toml`` (``symmetric = true``); this is the shipped set.
SYMMETRIC_RELATIONS: frozenset[str] = symmetric_relations()
_NODE_DEFAULTS: dict[str, object] = {"label": "", "kind": "other", "region": "", "external": False}
_EDGE_DEFAULTS: dict[str, object] = {
    "relation": "", "role": "", "via": "", "weight": 1.0, "sign": 1, "since": "", "until": "", "claim": "", "claims": "",
    "directed": True,
}
_GEXF_NS = "http://www.gexf.net/1.2draft"
_GEXF_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}


@dataclass(frozen=True)
class NetworkFile:
    """One output file: ``suffix`` is appended to the output name ("" for the single-file formats)."""

    suffix: str
    data: bytes


def network_files(G: nx.MultiDiGraph, fmt: str) -> list[NetworkFile]:
    """``G`` as GraphML, GEXF or CSV bytes, with every node and edge attribute.

    Every node carries label, kind, region, external and every edge relation,
    role, via, weight, sign, since, until, claim, claims and ``directed``
    (False for the symmetric relations cooperation, agreement and
    shared-affiliation, True otherwise); a missing or ``None`` value is
    written as ``""`` (``False``/``1.0``/``1`` for the typed ones) so each
    attribute has one type. The three formats agree on every attribute and on
    direction; the same graph always gives the same bytes.

    * GraphML (``edgedefault="directed"``, so NetworkX reads it as a
      MultiDiGraph) keeps the graph's ``view``, ``as_of`` and ``absences`` (as
      a JSON string); booleans are ``true``/``false``.
    * GEXF 1.2 (for Gephi) gives each edge its ``type`` (``directed`` or
      ``undirected``; a graph whose edges are all of one kind says so once in
      ``defaultedgetype``), its relation as ``label`` and its weight; dated
      edges get ``start``/``end`` (``timeformat="date"``, a year spans 1
      January to 31 December) so Gephi's timeline plays the network over time.
      The graph attributes are the JSON ``<description>`` of ``<meta>``.
    * CSV gives two files in the layout of Gephi's spreadsheet import: a
      nodes table (``.nodes.csv``: Id, Label, kind, region, external) and an
      edges table (``.edges.csv``: Source, Target, Type (Directed or
      Undirected), Id (the edge key), Label (the relation), Weight, then the
      other edge attributes). Cells that a spreadsheet would run as a formula
      get a leading apostrophe.
    """
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {fmt!r}; use one of: {', '.join(GRAPH_FORMATS)}")
    H = _scalar_copy(G)
    if fmt == "csv":
        return _csv_files(H)
    if fmt == "graphml":
        return [NetworkFile("", _graphml(G, H))]
    return [NetworkFile("", _gexf(G, H))]


def _graph_attrs(G: nx.MultiDiGraph) -> dict[str, str]:
    import json

    return {
        "view": str(G.graph.get("view", "")),
        "as_of": str(G.graph.get("as_of", "")),
        "absences": json.dumps(G.graph.get("absences", []), sort_keys=True, ensure_ascii=False),
    }


def _graphml(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> bytes:
    """GraphML by NetworkX, with XML Schema booleans (NetworkX writes Python's ``True``/``False``)."""
    import io

    H.graph = _graph_attrs(G)
    buf = io.BytesIO()
    nx.write_graphml(H, buf, encoding="utf-8", prettyprint=True)
    data = buf.getvalue()
    boolean_keys = re.findall(rb'<key id="([^"]+)"[^>]*attr\.type="boolean"', data)
    for key in boolean_keys:
        data = re.sub(rb'(<data key="' + re.escape(key) + rb'">)(True|False)(</data>)',
                      lambda m: m.group(1) + m.group(2).lower() + m.group(3), data)
    return data


def _gexf(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 written element by element: valid against the schema, dated edges, per-edge direction."""
    import json
    import xml.etree.ElementTree as ET

    def q(tag: str) -> str:
        return f"{{{_GEXF_NS}}}{tag}"

    def text(value: object) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    ET.register_namespace("", _GEXF_NS)
    root = ET.Element(q("gexf"), {"version": "1.2"})
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "wbsec"
    attrs = _graph_attrs(G)
    ET.SubElement(meta, q("keywords")).text = f"view={attrs['view']} as_of={attrs['as_of']}".strip()
    ET.SubElement(meta, q("description")).text = json.dumps(
        {"view": attrs["view"], "as_of": attrs["as_of"], "absences": json.loads(attrs["absences"])},
        sort_keys=True, ensure_ascii=False)
    directions = {bool(d["directed"]) for _u, _v, d in H.edges(data=True)}
    mixed = len(directions) > 1
    graph_el = ET.SubElement(root, q("graph"), {
        "defaultedgetype": "undirected" if directions == {False} else "directed",
        "mode": "dynamic",
        "timeformat": "date",
    })
    node_attrs = [a for a in _NODE_DEFAULTS if a != "label"]
    edge_attrs = [a for a in _EDGE_DEFAULTS if a != "weight"]
    for cls, names, defaults in (("node", node_attrs, _NODE_DEFAULTS), ("edge", edge_attrs, _EDGE_DEFAULTS)):
        decl = ET.SubElement(graph_el, q("attributes"), {"class": cls, "mode": "static"})
        for name in names:
            ET.SubElement(decl, q("attribute"), {"id": name, "title": name, "type": _GEXF_TYPES[type(defaults[name])]})
    nodes_el = ET.SubElement(graph_el, q("nodes"), {"count": str(H.number_of_nodes())})
    for n, d in H.nodes(data=True):
        node_el = ET.SubElement(nodes_el, q("node"), {"id": n, "label": str(d["label"])})
        values = ET.SubElement(node_el, q("attvalues"))
        for name in node_attrs:
            ET.SubElement(values, q("attvalue"), {"for": name, "value": text(d[name])})
    edges_el = ET.SubElement(graph_el, q("edges"), {"count": str(H.number_of_edges())})
    for u, v, k, d in H.edges(keys=True, data=True):
        attrib = {"id": k, "source": u, "target": v, "label": str(d["relation"]), "weight": repr(float(d["weight"]))}
        if mixed:
            attrib["type"] = "directed" if d["directed"] else "undirected"
        start = _bound(str(d["since"]), end=False) if d["since"] else None
        stop = _bound(str(d["until"]), end=True) if d["until"] else None
        if start is not None:
            attrib["start"] = start.isoformat()
        if stop is not None:
            attrib["end"] = stop.isoformat()
        edge_el = ET.SubElement(edges_el, q("edge"), attrib)
        values = ET.SubElement(edge_el, q("attvalues"))
        for name in edge_attrs:
            ET.SubElement(values, q("attvalue"), {"for": name, "value": text(d[name])})
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _scalar_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    symmetric = symmetric_relations()
    H = nx.MultiDiGraph()
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        H.add_node(str(n), **{k: _scalar(d.get(k), dflt) for k, dflt in _NODE_DEFAULTS.items()})
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        attrs = {a: _scalar(d.get(a), dflt) for a, dflt in _EDGE_DEFAULTS.items()}
        attrs["directed"] = _scalar(d.get("directed"), str(attrs["relation"]) not in symmetric)
        H.add_edge(str(u), str(v), key=str(k), **attrs)
    return H


def _scalar(value: object, default: object) -> object:
    if value is None:
        return default
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, float):
        return float(value)  # type: ignore[arg-type]
    if isinstance(default, int):
        return int(value)  # type: ignore[call-overload]
    return str(value)


def _csv_files(H: nx.MultiDiGraph) -> list[NetworkFile]:
    nodes = csv_table(["Id", "Label", "kind", "region", "external"],
                      ([n, d["label"], d["kind"], d["region"], _csv_bool(d["external"])]
                       for n, d in H.nodes(data=True)))
    attrs = [a for a in _EDGE_DEFAULTS if a != "weight"]  # Weight is Gephi's own column
    edges = csv_table(
        ["Source", "Target", "Type", "Id", "Label", "Weight", *attrs],
        ([u, v, "Directed" if d["directed"] else "Undirected", k, d["relation"], d["weight"],
          *(_csv_bool(d[a]) if isinstance(d[a], bool) else d[a] for a in attrs)]
         for u, v, k, d in H.edges(keys=True, data=True)),
    )
    return [
        NetworkFile(".nodes.csv", nodes.encode("utf-8")),
        NetworkFile(".edges.csv", edges.encode("utf-8")),
    ]


def _csv_bool(value: object) -> str:
    """Booleans as ``true``/``false``, as GraphML and GEXF write them (and Gephi's CSV import reads)."""
    return "true" if value else "false"
