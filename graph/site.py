"""Publish the graph as a static web site: one page per entity, with every claim about it and its sources.

:func:`build_site` reads an rdflib graph (the ontology plus data, as
:func:`graph.store.load_graph` returns it) and the SHACL shapes, and writes a
directory that works from the file system and from any static host:

- ``index.html``: counts, links to every section, a search over the labels
  in every language (the index is embedded; the page fetches nothing);
- ``id/<local-name>.html`` for every typed ``wb:`` resource (actors,
  initiatives, agreements, events, memberships, statements, survey figures,
  sources…) and ``def/<local-name>.html`` for every ``wbo:`` class, property,
  code list and concept; each page also as ``.ttl`` and ``.jsonld`` next to
  it (the entity's own triples plus those of the claims about it);
- ``list/<section>.html`` (an index per kind), ``sources.html`` (the
  bibliography by kind of source), ``vocabulary.html`` (classes, properties,
  code lists and the SHACL constraints in words);
- ``wbsec.ttl``, ``wbsec.nt``, ``wbsec.jsonld`` (the whole graph) and
  ``void.ttl`` (the dataset in VoID and DCAT: counts measured on the graph,
  licence, publisher, dates, a distribution per dump), also at
  ``.well-known/void``, the VoID discovery address.

Every page is rendered by Jinja2 with autoescaping, carries a
Content-Security-Policy that allows only its own inline style and scripts by
sha256 hash (:func:`graph.viz.content_security_policy`), and links to nothing
outside the site except the sources' own URLs. Output is sorted and
byte-identical across runs; the directory is built next to the target and
renamed into place, so a failed build leaves the old site untouched.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
...   @prefix wb: <https://w3id.org/wbsec/id/> . @prefix wbo: <https://w3id.org/wbsec/def#> .
...   @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
...   wb:AL a wbo:Polity ; skos:prefLabel "Albania"@en , "Shqipëria"@sq .''', format="turtle")
>>> site = site_pages(g)
>>> [(p.path, p.title) for p in site.entities]
[('id/AL.html', 'Albania')]
>>> [(label.lang, label.text) for label in site.entities[0].labels]
[('en', 'Albania'), ('sq', 'Shqipëria')]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends import OxigraphBackend
from graph.errors import InputError, OutputError
from graph.iri import is_web_url
from graph.namespaces import PREFIXES, WB, WBO, compact, label_of
from graph.project import to_networkx
from graph.store import SHAPES_FILE, check_round_trip, parse_file_shared, rdf_format, serialize_verified
from graph.timeslice import date_bound
from graph.viz import EDGE_STYLES, KIND_STYLES, NEGATIVE_COLOR, content_security_policy, layout_positions

if TYPE_CHECKING:
    import networkx as nx
    from jinja2 import Environment
    from rdflib import Graph, Literal
    from rdflib.term import Node, URIRef

__all__ = [
    "SECTIONS",
    "Claim",
    "Constraint",
    "EntityPage",
    "Ref",
    "Section",
    "SiteFile",
    "SiteFiles",
    "SiteModel",
    "SiteReport",
    "build_site",
    "site_pages",
]

log = logging.getLogger("wbsec")

#: A file in every built site: an existing directory is replaced only when it holds this marker (or is empty).
MARKER = ".wbsec-site"

#: Files of the surrounding output directory that the home page links to when they exist.
_EXPLORER = "graph.html"
_GAP_FILE = re.compile(r"^(gaps|external-dependence)[\w.-]*\.(md|csv|json|png|svg|html|txt)$")

#: Local names that are safe as file names as they are; others get a hashed name.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_RESERVED = {"index"}


@dataclass(frozen=True)
class Section:
    """A kind of page, listed together: the first section whose classes a resource has (with superclasses) wins."""

    key: str
    title: str
    classes: tuple[str, ...]


# Class IRIs are given as prefixed names and resolved through graph.namespaces.PREFIXES,
# so this table stays declarative and the order is the precedence.
SECTIONS: tuple[Section, ...] = (
    Section("polities", "Polities", ("wbo:Polity",)),
    Section("regions", "Regions", ("wbo:Region",)),
    Section("initiatives", "Initiatives", ("wbo:Initiative",)),
    Section("missions", "Missions", ("wbo:Mission",)),
    Section("people", "People", ("foaf:Person",)),
    Section("organisations", "Organisations", ("org:FormalOrganization", "org:Organization",
                                               "org:OrganizationalUnit")),
    Section("actors", "Other actors", ("wbo:Actor", "prov:Agent", "foaf:Agent")),
    Section("memberships", "Memberships and posts", ("org:Membership", "org:Post")),
    Section("agreements", "Agreements and instruments", ("wbo:Agreement",)),
    Section("cooperation", "Bilateral cooperation", ("wbo:BilateralCooperation",)),
    Section("events", "Events", ("wbo:Event", "schema:Event", "org:ChangeEvent")),
    Section("statements", "Statements", ("wbo:Statement",)),
    Section("figures", "Survey figures", ("qb:Observation",)),
    Section("recommendations", "Recommendations", ("wbo:Recommendation",)),
    Section("sources", "Sources", ("wbo:Source", "foaf:Document", "dcterms:BibliographicResource")),
    Section("classes", "Classes", ("owl:Class", "rdfs:Class")),
    Section("properties", "Properties", ("owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty",
                                         "rdf:Property")),
    Section("codelists", "Code lists", ("skos:ConceptScheme",)),
    Section("concepts", "Concepts", ("skos:Concept",)),
    Section("other", "Other", ()),
)

#: Properties that name a resource (shown as its labels, searched).
_LABELS = ("skos:prefLabel", "foaf:name", "rdfs:label", "dcterms:title", "skos:altLabel", "skos:hiddenLabel")
#: Properties that describe a resource in words.
_DESCRIPTIONS = ("rdfs:comment", "skos:definition", "dcterms:description", "skos:scopeNote")
#: Provenance of a claim: shown as its source block, not as facts.
_PROVENANCE = ("prov:wasDerivedFrom", "prov:hadPrimarySource", "wbo:locator", "wbo:evidence")
#: Properties holding the dates a timeline is made of.
_DATES = ("dcterms:date", "schema:validFrom", "schema:validThrough", "wbo:asOf", "wbo:inForceFrom",
          "wbo:founded", "schema:foundingDate", "sdmx-dimension:refPeriod")
#: Links that do not make the subject a claim "about" the object.
_NOT_ABOUT = ("rdf:type", "prov:wasDerivedFrom", "prov:hadPrimarySource", "wbo:conflictsWith",
              "rdfs:isDefinedBy", "skos:inScheme", "skos:topConceptOf")
_CODE_LIST_MEMBERSHIP = ("skos:inScheme", "skos:topConceptOf")


@dataclass(frozen=True)
class Ref:
    """A resource as a link: its IRI, its label and its page (site-relative path, "" when it has none)."""

    iri: str
    label: str
    path: str = ""
    short: str = ""


@dataclass(frozen=True)
class Value:
    """One object of a fact: a resource (``ref``) or a literal (``text`` with ``lang`` or ``datatype``)."""

    ref: Ref | None = None
    text: str = ""
    lang: str = ""
    datatype: str = ""


@dataclass(frozen=True)
class Fact:
    """One property of a resource with all its values (``inverse``: the resource is the object)."""

    prop: Ref
    values: tuple[Value, ...]
    inverse: bool = False


@dataclass(frozen=True)
class Label:
    """A name of a resource in one language."""

    prop: str
    lang: str
    text: str


@dataclass(frozen=True)
class SourceCite:
    """A document a claim was read in, as a bibliography entry."""

    ref: Ref
    title: str
    publisher: tuple[Ref, ...]
    issued: str
    url: str
    primary: bool = False


@dataclass(frozen=True)
class Claim:
    """A claim (a resource with ``prov:wasDerivedFrom``) with what it says and where it comes from."""

    ref: Ref
    section: str
    facts: tuple[Fact, ...]
    description: str
    sources: tuple[SourceCite, ...]
    locator: str
    evidence: str
    conflicts: tuple[str, ...]
    first_date: str


@dataclass(frozen=True)
class ClaimGroup:
    """The claims of one kind about an entity, and how the entity figures in each."""

    section: Section
    claims: tuple[tuple[Claim, str], ...]


@dataclass(frozen=True)
class TimelineEntry:
    """One dated fact: the date as written, what it dates and the claim or resource it belongs to."""

    date: str
    what: str
    ref: Ref


@dataclass(frozen=True)
class Constraint:
    """One SHACL constraint in words: the shape, what it applies to, the property and the message."""

    shape: str
    targets: tuple[tuple[str, Ref], ...]
    path: Ref | None
    message: str


@dataclass(frozen=True)
class Concept:
    """A concept of a code list."""

    ref: Ref
    definition: str


@dataclass(frozen=True)
class CodeList:
    """A SKOS concept scheme with its concepts."""

    ref: Ref
    definition: str
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class EntityPage:
    """Everything one entity page shows; ``path`` is relative to the site root."""

    ref: Ref
    path: str
    title: str
    section: Section
    types: tuple[Ref, ...]
    labels: tuple[Label, ...]
    description: tuple[str, ...]
    facts: tuple[Fact, ...]
    own: Claim | None
    groups: tuple[ClaimGroup, ...]
    taken: tuple[ClaimGroup, ...]
    conflicts: tuple[tuple[Claim, Claim], ...]
    timeline: tuple[TimelineEntry, ...]
    related: tuple[Ref, ...]
    instances: tuple[Ref, ...]
    concepts: tuple[Concept, ...]
    constraints: tuple[Constraint, ...]
    cite: SourceCite | None = None
    ego: Mapping[str, object] | None = field(repr=False, default=None)
    rdf_subjects: tuple[str, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class SiteModel:
    """The whole site as data: pages, bibliography, vocabulary and counts (nothing rendered yet)."""

    entities: tuple[EntityPage, ...]
    sections: tuple[tuple[Section, tuple[EntityPage, ...]], ...]
    bibliography: tuple[tuple[str, tuple[SourceCite, ...]], ...]
    claim_counts: Mapping[str, int]
    ontology: Mapping[str, str]
    code_lists: tuple[CodeList, ...]
    constraints: tuple[Constraint, ...]
    triples: int


@dataclass(frozen=True)
class SiteReport:
    """What :func:`build_site` wrote."""

    directory: Path
    pages: int
    files: int
    triples: int
    bytes: int
    links: tuple[str, ...]  # what the home page links to outside the site (the explorer, gap results)


# --- the model: read the graph into page records --------------------------------------------------


def site_pages(g: Graph, shapes: Graph | None = None, *, ego: bool = True) -> SiteModel:
    """Read ``g`` (and the SHACL ``shapes``, for the constraints in words) into a :class:`SiteModel`.

    Every ``wb:`` resource with an ``rdf:type`` and every typed ``wbo:`` term
    gets a page. A *claim* is a resource with ``prov:wasDerivedFrom`` or
    ``prov:hadPrimarySource``; the claims *about* an entity are those that
    point at it (except through ``rdf:type``, provenance, conflict or
    code-list links). ``ego`` adds each actor's ego network (see :func:`ego_networks`).
    """
    return _Reader(g, shapes, ego).model()


#: At most this many neighbours are drawn in a page's ego network (the most tied first).
EGO_NEIGHBOURS = 40


def ego_networks(g: Graph, paths: Mapping[str, str]) -> dict[str, dict[str, object]]:
    """The small network drawn on each actor's page: its neighbours in the explorer's ``actors`` view.

    Keyed by IRI, for the nodes of the view that have a page (``paths``: IRI to
    site-relative page). Each value is the JSON-ready drawing: nodes with
    label, kind colour and shape, fixed position and page; ties with their
    relation's colour and caption, parallel ties of one relation drawn once.
    Positions come from :func:`graph.viz.layout_positions` (seeded), so pages
    are byte-stable. At most :data:`EGO_NEIGHBOURS` neighbours are drawn.
    """

    try:
        G = to_networkx(g, "actors")
    except InputError as exc:  # the pages are still worth having without their drawings
        log.warning("ego networks not drawn: %s", exc)
        return {}
    U = G.to_undirected(as_view=True)
    out: dict[str, dict[str, object]] = {}
    for centre in sorted(n for n in G.nodes if str(n) in paths):
        ties: dict[str, int] = defaultdict(int)
        for _u, v in U.edges(centre):
            if v != centre:
                ties[v] += 1
        if ties:
            out[str(centre)] = _ego_drawing(G, centre, ties, paths)
    return out


def _ego_drawing(G: nx.MultiDiGraph, centre: str, ties: Mapping[str, int],
                 paths: Mapping[str, str]) -> dict[str, object]:
    """The drawing of ``centre``'s ego network: its most tied neighbours (``ties``: neighbour -> edge count).

    The :data:`EGO_NEIGHBOURS` neighbours with the most edges are kept (ties
    broken by label, then IRI); ``hidden`` counts the neighbours left out.
    """
    keep = sorted(ties, key=lambda v: (-ties[v], str(G.nodes[v].get("label") or v), str(v)))[:EGO_NEIGHBOURS]
    H = G.subgraph([centre, *keep])
    return {"centre": str(centre), "nodes": _ego_nodes(G, H, centre, paths), "edges": _ego_edges(H),
            "hidden": len(ties) - len(keep)}


def _ego_nodes(G: nx.MultiDiGraph, H: nx.MultiDiGraph, centre: str,
               paths: Mapping[str, str]) -> list[dict[str, object]]:
    """The nodes of the ego network ``H`` (a subgraph of ``G``), sorted, with their seeded positions and style."""
    positions = layout_positions(H)
    nodes: list[dict[str, object]] = []
    for v in sorted(H.nodes, key=str):
        attrs = G.nodes[v]
        style = KIND_STYLES.get(str(attrs.get("kind") or "other"), KIND_STYLES["other"])
        x, y = positions[v]
        nodes.append({"id": str(v), "label": str(attrs.get("label") or v), "x": x, "y": y,
                      "color": style.color, "shape": style.shape, "centre": v == centre,
                      "page": paths.get(str(v), ""), "kind": style.caption})
    return nodes


def _ego_edges(H: nx.MultiDiGraph) -> list[dict[str, object]]:
    """The ties of the ego network ``H``: one per pair, relation and sign, captioned "×n" when drawn for n edges."""
    seen: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for u, v, attrs in H.edges(data=True):
        sign = -1 if float(attrs.get("sign") or 1) < 0 else 1
        seen[(str(u), str(v), str(attrs.get("relation") or "other"), sign)] += 1
    edges: list[dict[str, object]] = []
    for (u, v, relation, sign), count in sorted(seen.items()):
        style = EDGE_STYLES.get(relation)
        colour = NEGATIVE_COLOR if sign < 0 else style.color if style else "#9e9e9e"
        title = (style.caption if style else relation) + (" (negative)" if sign < 0 else "")
        edges.append({"from": u, "to": v, "color": colour, "arrows": "to" if style is None or style.directed else "",
                      "title": title + (f" ×{count}" if count > 1 else "")})
    return edges


class _Reader:
    """Reads one graph once; caches labels, refs and claims, since the same claim shows on many pages."""

    def __init__(self, g: Graph, shapes: Graph | None, ego: bool = True) -> None:
        self.g = g
        self.shapes = shapes
        self.ego = ego
        self.ns = dict(PREFIXES)
        self.wb, self.wbo = str(WB), str(WBO)
        self.P = {name: self.term(name) for name in
                  (*_LABELS, *_DESCRIPTIONS, *_PROVENANCE, *_DATES, *_NOT_ABOUT, "rdfs:subClassOf",
                   "dcterms:publisher", "dcterms:issued", "schema:url", "wbo:sourceKind",
                   "skos:hasTopConcept", "dcterms:license", "owl:versionInfo", "owl:Ontology")}
        self.section_classes = [(s, {self.term(c) for c in s.classes}) for s in SECTIONS]
        self._labels: dict[Node, str] = {}
        self._refs: dict[Node, Ref] = {}
        self._claims: dict[Node, Claim] = {}
        self._cites: dict[tuple[Node, bool], SourceCite] = {}
        self._superclasses: dict[Node, frozenset[Node]] = {}
        self._constraints: tuple[Constraint, ...] | None = None
        #: Page (site-relative path) and section of every resource that has a page.
        self.paths: dict[Node, str] = self._page_paths()
        self.sections: dict[Node, Section] = {s: self.section_of(s) for s in self.paths}
        self.claim_nodes = set(g.subjects(self.P["prov:wasDerivedFrom"])) | set(
            g.subjects(self.P["prov:hadPrimarySource"]))
        #: Per resource, the (claim, property) pairs of the claims about it and the (page, property)
        #: pairs of the other resources with a page that link to it.
        self.about: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self.incoming: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
        self._index_links()

    def _page_paths(self) -> dict[Node, str]:
        """The page of every typed ``wb:`` resource (``id/``) and ``wbo:`` term (``def/``), by IRI order.

        A local name that is not safe as a file name, or that would clash with
        an earlier page on a case-insensitive file system, gets a hashed name.
        """
        from rdflib import RDF, URIRef

        paths: dict[Node, str] = {}
        taken_names: set[str] = set()
        for s in sorted({s for s in self.g.subjects(RDF.type) if isinstance(s, URIRef)}, key=str):
            place = self._folder_and_local(str(s))
            if place is None:
                continue
            folder, local = place
            name = local if _SAFE_NAME.match(local) and local.lower() not in _RESERVED else _hashed(local)
            key = f"{folder}/{name.lower()}"  # case-insensitive file systems must not merge two pages
            if key in taken_names:
                name = _hashed(local)
                key = f"{folder}/{name.lower()}"
            taken_names.add(key)
            paths[s] = f"{folder}/{name}.html"
        return paths

    def _folder_and_local(self, iri: str) -> tuple[str, str] | None:
        """("id", local name) for a ``wb:`` IRI, ("def", local name) for a ``wbo:`` term, else None (no page)."""
        if iri.startswith(self.wb):
            return "id", iri[len(self.wb):]
        if iri.startswith(self.wbo) and iri != self.wbo:
            return "def", iri[len(self.wbo):]
        return None

    def _index_links(self) -> None:
        """Fill :attr:`about` (claims pointing at a resource) and :attr:`incoming` (pages linking to it).

        Links through ``rdf:type``, provenance, conflict and code-list properties
        are neither, and neither are literals or a resource's links to itself.
        """
        from rdflib import URIRef

        not_about = {self.P[n] for n in _NOT_ABOUT}
        for s, p, o in self.g:
            if not isinstance(o, URIRef) or o == s:
                continue
            if s in self.claim_nodes and p not in not_about:
                self.about[o].add((s, p))
            elif p not in not_about and s in self.paths:
                self.incoming[o].add((s, p))

    # --- terms, labels, refs ---

    def term(self, name: str) -> URIRef:
        from rdflib import URIRef

        prefix, local = name.split(":", 1)
        return URIRef(self.ns[prefix] + local)

    def label(self, node: Node) -> str:
        if node not in self._labels:

            text = label_of(self.g, node)
            if text in (str(node), self.short(node)):  # no name: a source may still have a title
                text = self._english(node, self.P["dcterms:title"]) or text
            self._labels[node] = text
        return self._labels[node]

    def short(self, node: Node) -> str:
        return compact(self.g, node)

    def ref(self, node: Node) -> Ref:
        if node not in self._refs:
            self._refs[node] = Ref(str(node), self.label(node), self.paths.get(node, ""), self.short(node))
        return self._refs[node]

    def _english(self, node: Node, prop: Node) -> str:
        values = sorted(self.g.objects(node, prop),
                        key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
        return str(values[0]) if values else ""

    def superclasses(self, cls: Node) -> frozenset[Node]:
        """``cls`` and every class above it (rdfs:subClassOf, transitively)."""
        if cls not in self._superclasses:
            seen: set[Node] = set()
            todo = [cls]
            while todo:
                c = todo.pop()
                if c in seen:
                    continue
                seen.add(c)
                todo.extend(self.g.objects(c, self.P["rdfs:subClassOf"]))
            self._superclasses[cls] = frozenset(seen)
        return self._superclasses[cls]

    def section_of(self, node: Node) -> Section:
        from rdflib import RDF

        classes: set[Node] = set()
        for t in self.g.objects(node, RDF.type):
            classes |= self.superclasses(t)
        for section, wanted in self.section_classes:
            if classes & wanted:
                return section
        return SECTIONS[-1]

    def value(self, node: Node) -> Value:
        from rdflib import Literal

        if isinstance(node, Literal):
            datatype = self.short(node.datatype) if node.datatype is not None else ""
            return Value(text=str(node), lang=node.language or "", datatype=datatype)
        return Value(ref=self.ref(node))

    def text(self, node: Node, props: Sequence[str]) -> tuple[str, ...]:
        """Every value of ``props`` on ``node``, English first, then by language and text."""
        out: list[str] = []
        for name in props:
            values = sorted(self.g.objects(node, self.P[name]),
                            key=lambda v: (getattr(v, "language", None) not in (None, "en"),
                                           getattr(v, "language", None) or "", str(v)))
            out.extend(str(v) for v in values)
        return tuple(dict.fromkeys(out))

    # --- facts and claims ---

    def facts(self, node: Node, *, skip: Iterable[str]) -> tuple[Fact, ...]:
        from rdflib import RDF

        skipped = {self.P[n] if n in self.P else self.term(n) for n in skip} | {RDF.type}
        by_prop: dict[Node, list[Node]] = defaultdict(list)
        for p, o in self.g.predicate_objects(node):
            if p not in skipped:
                by_prop[p].append(o)
        facts = [Fact(self.ref(p), tuple(sorted((self.value(o) for o in objs), key=_value_key)))
                 for p, objs in by_prop.items()]
        return tuple(sorted(facts, key=lambda f: (f.prop.label.lower(), f.prop.iri)))

    def claim(self, node: Node) -> Claim:
        if node not in self._claims:
            g, P = self.g, self.P
            sources = tuple(self.cite(s) for s in sorted(set(g.objects(node, P["prov:wasDerivedFrom"])), key=str))
            derived = {s.ref.iri for s in sources}
            sources += tuple(self.cite(s, primary=True)
                             for s in sorted(set(g.objects(node, P["prov:hadPrimarySource"])), key=str)
                             if str(s) not in derived)
            dates = sorted(str(d) for name in _DATES for d in g.objects(node, P[name]))
            self._claims[node] = Claim(
                ref=self.ref(node),
                section=self.sections.get(node, SECTIONS[-1]).key,
                facts=self.facts(node, skip=(*_LABELS, *_DESCRIPTIONS, *_PROVENANCE, "wbo:conflictsWith")),
                description=" ".join(self.text(node, _DESCRIPTIONS)),
                sources=sources,
                locator=" · ".join(sorted({str(x) for x in g.objects(node, P["wbo:locator"])})),
                evidence=" · ".join(sorted({str(x) for x in g.objects(node, P["wbo:evidence"])})),
                conflicts=tuple(sorted({str(c) for c in g.objects(node, P["wbo:conflictsWith"])})),
                first_date=dates[0] if dates else "",
            )
        return self._claims[node]

    def cite(self, source: Node, primary: bool = False) -> SourceCite:
        key = (source, primary)
        if key not in self._cites:
            g, P = self.g, self.P
            urls = sorted(str(u) for u in g.objects(source, P["schema:url"]))
            self._cites[key] = SourceCite(
                ref=self.ref(source),
                title=self._english(source, P["dcterms:title"]) or self.label(source),
                publisher=tuple(sorted((self.ref(p) for p in g.objects(source, P["dcterms:publisher"])),
                                       key=lambda r: (r.label, r.iri))),
                issued=min((str(d) for d in g.objects(source, P["dcterms:issued"])), default=""),
                url=next((u for u in urls if is_web_url(u)), ""),
                primary=primary,
            )
        return self._cites[key]

    def groups(self, pairs: Iterable[tuple[Node, Node]], role: str | None = None) -> tuple[ClaimGroup, ...]:
        """Claims grouped by section, each with how the entity figures in it ("party", "member").

        ``role`` replaces the property's label (for a source: "" or "primary source").
        """
        roles: dict[Node, set[str]] = defaultdict(set)
        for claim, prop in pairs:
            roles[claim].add(self.label(prop) if role is None else role)
        by_section: dict[str, list[tuple[Claim, str]]] = defaultdict(list)
        for node, props in roles.items():
            c = self.claim(node)
            by_section[c.section].append((c, ", ".join(sorted(p for p in props if p))))
        out = []
        for section in SECTIONS:
            items = by_section.get(section.key)
            if items:
                items.sort(key=lambda x: (x[0].first_date or "9999", x[0].ref.label.lower(), x[0].ref.iri))
                out.append(ClaimGroup(section, tuple(items)))
        return tuple(out)

    # --- pages ---

    def page(self, node: Node) -> EntityPage:
        """Everything the page of ``node`` shows: its facts, the claims about it (or read in it), their sources."""
        own = self.claim(node) if node in self.claim_nodes else None
        about = self.about.get(node, set())
        groups = self.groups(about)
        taken = self._taken(node)
        claims = [c for grp in (*groups, *taken) for c, _r in grp.claims] + ([own] if own else [])
        conflicts = self._conflicts(claims)
        facts = self.facts(node, skip=(*_LABELS, *_DESCRIPTIONS, *_PROVENANCE, "wbo:conflictsWith"))
        inverse_facts = self._inverse_facts(node)
        timeline = self.timeline(node, [c for grp in groups for c, _r in grp.claims] + ([own] if own else []))
        types = self._types(node)
        shown = [*claims, *(x for pair in conflicts for x in pair)]
        subjects = sorted({str(node)} | {str(c) for c, _p in about}
                          | {c.ref.iri for grp in taken for c, _r in grp.claims})
        return EntityPage(
            ref=self.ref(node),
            path=self.paths[node],
            title=self.label(node),
            section=self.sections[node],
            types=types,
            labels=self.labels(node),
            description=self.text(node, _DESCRIPTIONS),
            facts=facts + inverse_facts,
            own=own,
            groups=groups,
            taken=taken,
            conflicts=conflicts,
            timeline=timeline,
            related=self._related(node, (*facts, *inverse_facts), shown, types),
            instances=self._instances(node),
            concepts=self._concepts(node),
            constraints=self._constraints_on(node),
            cite=self.cite(node) if self.sections[node].key == "sources" else None,
            rdf_subjects=tuple(subjects),
        )

    def _taken(self, node: Node) -> tuple[ClaimGroup, ...]:
        """The claims read in the source ``node`` and those relaying it as their primary source, by section."""
        g, P = self.g, self.P
        taken = self.groups(((s, P["prov:wasDerivedFrom"]) for s in g.subjects(P["prov:wasDerivedFrom"], node)),
                            role="")
        relayed = self.groups(((s, P["prov:hadPrimarySource"]) for s in g.subjects(P["prov:hadPrimarySource"], node)),
                              role="relayed from it as the primary source")
        return _merge_groups(taken, relayed)

    def _conflicts(self, claims: Iterable[Claim]) -> tuple[tuple[Claim, Claim], ...]:
        """Every pair of conflicting claims that one of ``claims`` belongs to, once each, ordered by IRI."""
        conflicts: dict[tuple[str, str], tuple[Claim, Claim]] = {}
        for c in claims:
            for other in c.conflicts:
                a, b = sorted((c.ref.iri, other))
                conflicts.setdefault((a, b), (self.claim(_uri(a)), self.claim(_uri(b))))
        return tuple(conflicts[k] for k in sorted(conflicts))

    def _inverse_facts(self, node: Node) -> tuple[Fact, ...]:
        """The links from other pages to ``node``, one inverse fact per property (code-list membership left out)."""
        membership = {self.P[n] for n in _CODE_LIST_MEMBERSHIP}
        inverse: dict[Node, list[Node]] = defaultdict(list)
        for s, p in self.incoming.get(node, set()):
            inverse[p].append(s)
        return tuple(sorted(
            (Fact(self.ref(p), tuple(sorted((Value(ref=self.ref(s)) for s in subs), key=_value_key)), inverse=True)
             for p, subs in inverse.items() if p not in membership),
            key=lambda f: (f.prop.label.lower(), f.prop.iri)))

    def _types(self, node: Node) -> tuple[Ref, ...]:
        """The classes of ``node``, by label."""
        from rdflib import RDF

        return tuple(sorted((self.ref(t) for t in self.g.objects(node, RDF.type)), key=lambda r: (r.label, r.iri)))

    def _instances(self, node: Node) -> tuple[Ref, ...]:
        """The resources with a page whose class is ``node``, by label."""
        from rdflib import RDF

        return tuple(sorted((self.ref(s) for s in self.g.subjects(RDF.type, node) if s in self.paths),
                            key=lambda r: (r.label.lower(), r.iri)))

    def _concepts(self, node: Node) -> tuple[Concept, ...]:
        """The concepts of ``node`` as a code list (in the scheme or its top concepts), by label."""
        g, P = self.g, self.P
        members = set(g.subjects(P["skos:inScheme"], node)) | set(g.objects(node, P["skos:hasTopConcept"]))
        return tuple(sorted((Concept(self.ref(c), " ".join(self.text(c, ("skos:definition",)))) for c in members),
                            key=lambda c: (c.ref.label.lower(), c.ref.iri)))

    def _constraints_on(self, node: Node) -> tuple[Constraint, ...]:
        """The SHACL constraints that target ``node`` or constrain it as a property."""
        iri = str(node)
        return tuple(c for c in self.constraints() if any(t.iri == iri for _w, t in c.targets)
                     or (c.path is not None and c.path.iri == iri))

    def _related(self, node: Node, facts: Iterable[Fact], claims: Iterable[Claim],
                 types: Iterable[Ref]) -> tuple[Ref, ...]:
        """Every other page the page of ``node`` mentions: in its facts, its claims and their sources, its types.

        One link per page, by label.
        """
        seen_refs: dict[str, Ref] = {}

        def collect(refs: Iterable[Ref | None]) -> None:
            for ref in refs:
                if ref is not None and ref.path and ref.iri != str(node):
                    seen_refs[ref.iri] = ref

        for f in facts:
            collect(v.ref for v in f.values)
        for c in claims:
            collect([c.ref])
            for f in c.facts:
                collect(v.ref for v in f.values)
            for s in c.sources:
                collect([s.ref, *s.publisher])
        collect(types)
        return tuple(sorted(seen_refs.values(), key=lambda r: (r.label.lower(), r.iri)))

    def labels(self, node: Node) -> tuple[Label, ...]:
        from rdflib import Literal

        out = []
        for name in _LABELS:
            for v in self.g.objects(node, self.P[name]):
                if isinstance(v, Literal):
                    out.append(Label(name, v.language or "", str(v)))
        order = {name: i for i, name in enumerate(_LABELS)}
        return tuple(sorted(set(out), key=lambda x: (order[x.prop], x.lang != "en", x.lang, x.text)))

    def timeline(self, node: Node, claims: Sequence[Claim]) -> tuple[TimelineEntry, ...]:
        entries: set[TimelineEntry] = set()
        for subject, ref in [(node, self.ref(node)), *((_uri(c.ref.iri), c.ref) for c in claims)]:
            for name in _DATES:
                for d in self.g.objects(subject, self.P[name]):
                    entries.add(TimelineEntry(str(d), self.label(self.P[name]), ref))
        return tuple(sorted(entries, key=lambda e: (e.date, e.what, e.ref.label.lower(), e.ref.iri)))

    def constraints(self) -> tuple[Constraint, ...]:
        """Every SHACL constraint that has a message, with what it targets (read once)."""
        if self._constraints is None:
            self._constraints = self._read_constraints()
        return self._constraints

    def _read_constraints(self) -> tuple[Constraint, ...]:
        if self.shapes is None:
            return ()
        from rdflib import URIRef
        from rdflib.namespace import SH

        s = self.shapes
        out: set[Constraint] = set()
        targeted = {x for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                    for x in s.subjects(p, None)}
        words = ((SH.targetClass, "every"), (SH.targetSubjectsOf, "everything with"),
                 (SH.targetObjectsOf, "every value of"), (SH.targetNode, "the resource"))
        for shape in targeted:
            targets = tuple(sorted(((w, self.ref(t)) for p, w in words for t in s.objects(shape, p)),
                                   key=lambda x: (x[1].iri, x[0])))
            name = self.short(shape) if isinstance(shape, URIRef) else ""
            parts = [(shape, None)] + [(ps, s.value(ps, SH.path)) for ps in s.objects(shape, SH.property)]
            parts += [(c, None) for c in s.objects(shape, SH.sparql)]
            for part, path in parts:
                for message in s.objects(part, SH.message):
                    if getattr(message, "language", None) not in (None, "en"):
                        continue
                    path_ref = self.ref(path) if isinstance(path, URIRef) else None
                    out.add(Constraint(name or (self.short(part) if isinstance(part, URIRef) else ""),
                                       targets, path_ref, str(message)))
        return tuple(sorted(out, key=lambda c: ([t.iri for _w, t in c.targets], c.path.iri if c.path else "",
                                                c.shape, c.message)))

    def model(self) -> SiteModel:
        """The whole site: every page (with its ego network), the sections, bibliography and vocabulary."""
        pages = self._pages()
        sections = tuple((s, tuple(sorted((p for p in pages if p.section.key == s.key),
                                          key=lambda p: (p.title.lower(), p.ref.iri))))
                         for s in SECTIONS)
        sections = tuple((s, ps) for s, ps in sections if ps)
        counts: dict[str, int] = defaultdict(int)  # claims read in each source (or relaying it)
        for p in pages:
            for grp in p.taken:
                counts[p.ref.iri] += len(grp.claims)
        code_lists = tuple(
            CodeList(p.ref, " ".join(p.description), p.concepts) for s, ps in sections
            if s.key == "codelists" for p in ps
        )
        return SiteModel(pages, sections, self._bibliography(pages), dict(sorted(counts.items())), self._ontology(),
                         code_lists, self.constraints(), len(self.g))

    def _pages(self) -> tuple[EntityPage, ...]:
        """Every entity page, by IRI, each actor's with its ego network (when :attr:`ego` is set)."""
        egos = ego_networks(self.g, {str(n): p for n, p in self.paths.items()}) if self.ego else {}
        return tuple(replace(p, ego=egos.get(p.ref.iri)) if p.ref.iri in egos else p
                     for p in (self.page(n) for n in sorted(self.paths, key=str)))

    def _bibliography(self, pages: Iterable[EntityPage]) -> tuple[tuple[str, tuple[SourceCite, ...]], ...]:
        """The sources among ``pages`` by kind (``wbo:sourceKind``'s label; surveys; "not classified" last)."""
        kinds: dict[str, list[SourceCite]] = defaultdict(list)
        for p in pages:
            if p.section.key != "sources":
                continue
            node = _uri(p.ref.iri)
            kind = sorted(self.label(k) for k in self.g.objects(node, self.P["wbo:sourceKind"]))
            key = kind[0] if kind else ("survey" if p.types and any(t.short == "wbo:Survey" for t in p.types)
                                        else "not classified")
            kinds[key].append(self.cite(node))
        return tuple((k, tuple(sorted(v, key=lambda c: (c.title.lower(), c.ref.iri))))
                     for k, v in sorted(kinds.items(), key=lambda kv: (kv[0] == "not classified", kv[0])))

    def _ontology(self) -> dict[str, str]:
        """The ontology's IRI, title, description, version and licence ({} when the graph declares none)."""
        from rdflib import RDF

        g, P = self.g, self.P
        ontology_node = next(iter(sorted(g.subjects(RDF.type, P["owl:Ontology"]), key=str)), None)
        if ontology_node is None:
            return {}
        return {
            "iri": str(ontology_node),
            "title": self._english(ontology_node, P["dcterms:title"]),
            "description": self._english(ontology_node, P["dcterms:description"]),
            "version": " ".join(str(v) for v in g.objects(ontology_node, P["owl:versionInfo"])),
            "license": " ".join(sorted(str(v) for v in g.objects(ontology_node, P["dcterms:license"]))),
        }


def _merge_groups(a: tuple[ClaimGroup, ...], b: tuple[ClaimGroup, ...]) -> tuple[ClaimGroup, ...]:
    """Claims read in a source and claims relaying it as the primary source, in one list per section."""
    merged: dict[str, dict[str, tuple[Claim, str]]] = defaultdict(dict)
    sections: dict[str, Section] = {}
    for grp in (*a, *b):
        sections[grp.section.key] = grp.section
        for c, role in grp.claims:
            old = merged[grp.section.key].get(c.ref.iri)
            roles = {role, old[1]} if old else {role}
            merged[grp.section.key][c.ref.iri] = (c, ", ".join(sorted(r for r in roles if r)))
    return tuple(ClaimGroup(s, tuple(sorted(merged[s.key].values(),
                                            key=lambda x: (x[0].first_date or "9999", x[0].ref.label.lower(),
                                                           x[0].ref.iri))))
                 for s in SECTIONS if s.key in merged)


def _uri(iri: str) -> URIRef:
    from rdflib import URIRef

    return URIRef(iri)


def _value_key(v: Value) -> tuple[str, str, str]:
    return ((v.ref.label.lower() if v.ref else v.text.lower()), v.ref.iri if v.ref else v.lang, v.datatype)


def _hashed(local: str) -> str:
    return "r-" + hashlib.sha256(local.encode("utf-8")).hexdigest()[:16]


# --- RDF per page and dumps -----------------------------------------------------------------------


Triple = tuple["Node", "Node", "Node"]


def _subgraph(g: Graph, subjects: Iterable[str]) -> Graph | list[Triple]:
    """The triples whose subject is one of ``subjects``, and those of the blank nodes they reach.

    A plain list when no blank node is reached (most pages: building an rdflib
    graph per page cost a quarter of a large site's build), else a graph with
    the blank nodes renamed by content (:func:`_canonical`).
    """
    from rdflib import BNode, Graph, URIRef

    out: list[Triple] = []
    todo: list[Node] = [URIRef(s) for s in subjects]
    seen: set[Node] = set()
    blank = False
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for p, o in g.predicate_objects(s):
            out.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
                blank = True
    if not blank:
        return out
    sub = Graph()
    for triple in out:
        sub.add(triple)
    return _canonical(sub)


def _by_subject(triples: Iterable[Triple]) -> dict[Node, list[tuple[Node, Node]]]:
    """``triples`` grouped by subject: (predicate, object) pairs per subject."""
    out: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in triples:
        out[s].append((p, o))
    return out


def _canonical(g: Graph) -> Graph:
    """``g`` itself, or with its blank nodes renamed by content when it has any (so output is byte-stable)."""
    from rdflib import BNode
    from rdflib.compare import to_canonical_graph

    if any(isinstance(t, BNode) for triple in g for t in triple):
        return to_canonical_graph(g)
    return g


_QNAME_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@lru_cache(maxsize=1)
def _namespaces() -> dict[str, str]:
    """The project's prefixes as a dict (prefix to namespace)."""
    return dict(_prefixes())


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, str], ...]:
    """The project's prefixes, longest namespace first (so ``wbsh:`` is tried before a shorter match)."""

    return tuple(sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0])))


@lru_cache(maxsize=1 << 16)
def _qname(iri: str) -> tuple[str, str] | None:
    """(prefix, local) when ``iri`` has a prefixed name that any Turtle or JSON-LD reader accepts."""
    for prefix, ns in _prefixes():
        if iri.startswith(ns) and _QNAME_LOCAL.match(iri[len(ns):]):
            return prefix, iri[len(ns):]
    return None


def _turtle(triples: Iterable[Triple], extra_prefixes: Mapping[str, str] | None = None) -> bytes:
    """Sorted Turtle of a few triples (a small graph or a list), each literal written exactly as held.

    rdflib's Turtle writer turns ``"42"^^xsd:decimal`` into ``42.0`` (another
    term) and sorts by its own rules; this writer keeps every literal's
    spelling (``Literal.n3``), uses a prefixed name only where it is plainly
    valid, and orders subjects, predicates and objects by their text, so the
    same triples always give the same bytes. The whole-graph dumps go through
    :func:`graph.store.serialize_verified` instead. ``extra_prefixes`` (prefix to
    namespace) are tried before the project's.
    """
    from rdflib import RDF, Literal, URIRef

    used: set[str] = set()
    extras = sorted((extra_prefixes or {}).items(), key=lambda kv: (-len(kv[1]), kv[0]))
    namespaces = {**_namespaces(), **dict(extras)}

    def qname(iri: str) -> tuple[str, str] | None:
        for prefix, ns in extras:
            if iri.startswith(ns) and _QNAME_LOCAL.match(iri[len(ns):]):
                return prefix, iri[len(ns):]
        return _qname(iri)

    def term(t: Node) -> str:
        if isinstance(t, URIRef):
            q = qname(str(t))
            if q is not None:
                used.add(q[0])
                return f"{q[0]}:{q[1]}"
            return f"<{t}>"
        if isinstance(t, Literal) and t.datatype is not None:
            datatype = term(t.datatype)
            return f"{Literal(str(t)).n3()}^^{datatype}"
        return str(t.n3())

    blocks: list[str] = []
    grouped = _by_subject(triples)
    for s in sorted(grouped, key=lambda x: (not isinstance(x, URIRef), str(x))):
        by_p: dict[Node, list[str]] = defaultdict(list)
        for p, o in grouped[s]:
            by_p[p].append(term(o))
        lines = []
        for p in sorted(by_p, key=lambda x: (x != RDF.type, str(x))):
            objects = " ,\n        ".join(sorted(set(by_p[p])))
            lines.append(f"    {'a' if p == RDF.type else term(p)} {objects}")
        blocks.append(term(s) + "\n" + " ;\n".join(lines) + " .\n")
    head = "".join(f"@prefix {k}: <{ns}> .\n" for k, ns in sorted(namespaces.items()) if k in used)
    return (head + ("\n" if head else "") + "\n".join(blocks)).encode("utf-8")


def _jsonld(triples: Iterable[Triple]) -> bytes:
    """JSON-LD of some triples (a graph or a list) with an inline context of the project's prefixes; nodes, keys and values sorted (byte-stable).

    Written directly rather than through rdflib's serializer, whose node order
    varies; each value is an explicit ``@id`` or ``@value`` object, so reading
    it back needs no other context.
    """
    from rdflib import RDF, BNode, Literal, URIRef

    context: dict[str, str] = {}

    def iri(t: Node) -> str:
        if isinstance(t, BNode):
            return f"_:{t}"
        q = _qname(str(t))
        if q is None:
            return str(t)
        context[q[0]] = _namespaces()[q[0]]
        return f"{q[0]}:{q[1]}"

    def value(o: Node) -> dict[str, str]:
        if isinstance(o, Literal):
            v = {"@value": str(o)}
            if o.language:
                v["@language"] = o.language
            elif o.datatype is not None:
                v["@type"] = iri(o.datatype)
            return v
        return {"@id": iri(o)}

    nodes: list[dict[str, Any]] = []
    grouped = _by_subject(triples)
    for s in sorted(grouped, key=lambda x: (not isinstance(x, URIRef), str(x))):
        node: dict[str, Any] = {"@id": iri(s)}
        by_p: dict[str, list[Any]] = defaultdict(list)
        for p, o in grouped[s]:
            if p == RDF.type and not isinstance(o, Literal):
                by_p["@type"].append(iri(o))
            else:
                by_p[iri(p)].append(value(o))
        for key, values in by_p.items():
            node[key] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        nodes.append(node)
    doc = {"@context": dict(sorted(context.items())), "@graph": nodes}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _verified_jsonld(g: Graph) -> bytes:
    """:func:`_jsonld` of the whole graph, read back and compared before anything is written."""
    data = _jsonld(g)
    check_round_trip(g, data, rdf_format("jsonld"), what="the JSON-LD dump")
    return data


#: The whole-graph dumps: file name, title, IANA media type and W3C format IRI.
DUMPS: tuple[tuple[str, str, str, str], ...] = (
    ("wbsec.ttl", "Turtle", "text/turtle", "http://www.w3.org/ns/formats/Turtle"),
    ("wbsec.nt", "N-Triples", "application/n-triples", "http://www.w3.org/ns/formats/N-Triples"),
    ("wbsec.jsonld", "JSON-LD", "application/ld+json", "http://www.w3.org/ns/formats/JSON-LD"),
)
#: Who publishes the data when the ontology names no ``dcterms:publisher`` (as in LICENSE).
PUBLISHER = "the wbsec contributors"
#: The dataset description's place in the site, and its copy at the VoID discovery address (RFC 8615).
VOID_FILE = "void.ttl"
WELL_KNOWN_VOID = ".well-known/void"
#: Sections whose first page (by IRI) is named as a ``void:exampleResource``.
_EXAMPLE_SECTIONS = ("polities", "initiatives", "agreements", "memberships", "sources")
_DCAT = "http://www.w3.org/ns/dcat#"
_IANA = "https://www.iana.org/assignments/media-types/"


def _latest(g: Graph, nodes: Iterable[Node], prop: Node) -> dt.date | None:
    """The latest date any of ``nodes`` has for ``prop`` (a year or month read as its first day)."""

    days = [d for n in nodes for v in g.objects(n, prop) if (d := date_bound(str(v), end=False)) is not None]
    return max(days, default=None)


def _void(g: Graph, model: SiteModel, dump_sizes: Mapping[str, int], *, base: str = "") -> bytes:
    """The dataset described in VoID and DCAT: counts measured on ``g``, licence, publisher, dates, dumps.

    ``wb:dataset`` is both a ``void:Dataset`` and a ``dcat:Dataset``:

    - title and description, ``dcterms:license`` (the ontology's), ``dcterms:publisher``
      (the ontology's, else :data:`PUBLISHER`), ``dcterms:conformsTo`` the ontology;
    - ``dcterms:issued``: the ontology's ``dcterms:issued`` or ``dcterms:created``;
      ``dcterms:modified``: the newest of that date, the ontology's ``dcterms:modified``
      and the ``dcterms:issued`` of every source the data are read from (the data
      cannot be older than the newest document they cite);
    - one ``dcat:distribution`` per dump (:data:`DUMPS`) with ``dcat:mediaType``,
      ``dcterms:format``, ``dcat:byteSize`` (``dump_sizes``, the bytes written) and
      ``dcat:downloadURL`` relative to this file (``base`` is prefixed, "../" for the
      copy in ``.well-known/``); the same files as ``void:dataDump``;
    - ``void:triples``, ``void:entities`` (the ``wb:`` resources with a page),
      ``void:classes``, ``void:properties``, ``void:distinctSubjects``,
      ``void:distinctObjects``; a ``void:classPartition`` per class (``void:entities``:
      its distinct instances) and a ``void:propertyPartition`` per predicate
      (``void:triples``); one ``void:exampleResource`` from each of a few sections.

    No ``void:sparqlEndpoint``: a static site has none (``wbsec serve`` answers at
    ``/query`` wherever it runs). Partition and distribution IRIs are fragments of
    the dataset IRI derived from what they count, so the bytes are stable.
    """
    from rdflib import Graph, URIRef
    from rdflib.namespace import VOID

    out = Graph()
    licences = [URIRef(x) for x in model.ontology.get("license", "").split()]
    ontology = URIRef(model.ontology["iri"]) if model.ontology.get("iri") else None
    for triples in (_void_description(model, licences, base), _void_publisher(g, ontology),
                    _void_dates(g, ontology), _void_distributions(dump_sizes, licences, base),
                    _void_statistics(g, model)):
        for triple in triples:
            out.add(triple)
    return _turtle(out, {"void": str(VOID), "dcat": _DCAT})


#: The dataset that ``void.ttl`` describes.
_DATASET = WB["dataset"]


def _void_description(model: SiteModel, licences: Sequence[URIRef], base: str) -> Iterator[Triple]:
    """The dataset's types, title (with the ontology's subtitle), description, licences, landing page, keywords."""
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, VOID

    dcat = Namespace(_DCAT)
    yield _DATASET, RDF.type, VOID.Dataset
    yield _DATASET, RDF.type, dcat.Dataset
    title = model.ontology.get("title", "").partition(": ")[2] or model.ontology.get("title", "")
    yield _DATASET, DCTERMS.title, Literal("wbsec knowledge graph" + (": " + title if title else ""), lang="en")
    yield _DATASET, DCTERMS.description, Literal(
        "Who cooperates with whom on security in the Western Balkans: memberships in organisations and "
        "initiatives, bilateral cooperation and agreements, events, statements, policy recommendations and "
        "survey figures, each claim with the document, place and quote it was read in.", lang="en")
    for lic in licences:
        yield _DATASET, DCTERMS.license, lic
    yield _DATASET, dcat.landingPage, URIRef(base + "index.html")
    for word in ("Western Balkans", "security cooperation", "knowledge graph", "provenance"):
        yield _DATASET, dcat.keyword, Literal(word, lang="en")


def _void_publisher(g: Graph, ontology: URIRef | None) -> Iterator[Triple]:
    """The ontology's ``dcterms:publisher``s, else an organisation named :data:`PUBLISHER`."""
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF

    publishers = sorted(g.objects(ontology, DCTERMS.publisher), key=str) if ontology is not None else []
    for who in publishers:
        yield _DATASET, DCTERMS.publisher, who
    if not publishers:
        who = URIRef(f"{_DATASET}#publisher")
        yield _DATASET, DCTERMS.publisher, who
        yield who, RDF.type, FOAF.Organization
        yield who, FOAF.name, Literal(PUBLISHER, lang="en")


def _void_dates(g: Graph, ontology: URIRef | None) -> Iterator[Triple]:
    """``dcterms:conformsTo`` the ontology, ``dcterms:issued`` and ``dcterms:modified`` (see :func:`_void`)."""
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import DCTERMS, XSD

    issued = modified_ontology = None
    if ontology is not None:
        yield _DATASET, DCTERMS.conformsTo, ontology
        issued = _latest(g, [ontology], DCTERMS.issued) or _latest(g, [ontology], DCTERMS.created)
        if issued is not None:
            yield _DATASET, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)
        modified_ontology = _latest(g, [ontology], DCTERMS.modified)
    sources = set(g.subjects(RDF.type, URIRef(PREFIXES["wbo"] + "Source")))
    changed = [d for d in (issued, modified_ontology, _latest(g, sources, DCTERMS.issued)) if d is not None]
    modified = max(changed, default=None)
    if modified is not None:
        yield _DATASET, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date)


def _void_distributions(dump_sizes: Mapping[str, int], licences: Sequence[URIRef], base: str) -> Iterator[Triple]:
    """One ``dcat:Distribution`` and ``void:dataDump`` per dump of :data:`DUMPS` written (in ``dump_sizes``)."""
    from rdflib import RDF, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, VOID, XSD

    dcat = Namespace(_DCAT)
    for name, kind, media, fmt in DUMPS:
        if name not in dump_sizes:
            continue
        dist = URIRef(f"{_DATASET}#dump-{name.rsplit('.', 1)[-1]}")
        yield _DATASET, dcat.distribution, dist
        yield _DATASET, VOID.dataDump, URIRef(base + name)
        yield _DATASET, VOID.feature, URIRef(fmt)
        yield dist, RDF.type, dcat.Distribution
        yield dist, DCTERMS.title, Literal(f"The whole graph as {kind}", lang="en")
        yield dist, dcat.mediaType, URIRef(_IANA + media)
        yield dist, DCTERMS["format"], URIRef(fmt)
        yield dist, dcat.byteSize, _integer(dump_sizes[name], XSD.nonNegativeInteger)
        yield dist, dcat.downloadURL, URIRef(base + name)
        yield dist, dcat.accessURL, URIRef(base + name)
        for lic in licences:
            yield dist, DCTERMS.license, lic


def _void_statistics(g: Graph, model: SiteModel) -> Iterator[Triple]:
    """The counts measured on ``g``, its vocabularies, class and property partitions and example resources."""
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import VOID

    classes: dict[Node, set[Node]] = defaultdict(set)
    for s, c in g.subject_objects(RDF.type):
        classes[c].add(s)
    properties: dict[Node, int] = defaultdict(int)
    subjects: set[Node] = set()
    objects: set[Node] = set()
    for s, p, o in g:
        properties[p] += 1
        subjects.add(s)
        objects.add(o)
    entities = sum(1 for p in model.entities if p.ref.iri.startswith(str(WB)))
    for prop, n in ((VOID.triples, len(g)), (VOID.entities, entities), (VOID.classes, len(classes)),
                    (VOID.properties, len(properties)), (VOID.distinctSubjects, len(subjects)),
                    (VOID.distinctObjects, len(objects))):
        yield _DATASET, prop, _integer(n)
    yield _DATASET, VOID.uriSpace, Literal(str(WB))
    vocabularies = {ns for ns in PREFIXES.values()
                    if any(str(t).startswith(ns) for t in (*properties, *classes))}
    for ns in sorted(vocabularies):
        yield _DATASET, VOID.vocabulary, URIRef(ns)
    for cls, members in classes.items():
        part = _fragment("class", str(cls))
        yield _DATASET, VOID.classPartition, part
        yield part, VOID["class"], cls
        yield part, VOID.entities, _integer(len(members))
    for prop, n in properties.items():
        part = _fragment("property", str(prop))
        yield _DATASET, VOID.propertyPartition, part
        yield part, VOID.property, prop
        yield part, VOID.triples, _integer(n)
    for section, pages in model.sections:
        if section.key in _EXAMPLE_SECTIONS and pages:
            first = min(pages, key=lambda p: p.ref.iri)
            yield _DATASET, VOID.exampleResource, URIRef(first.ref.iri)


def _integer(n: int, datatype: URIRef | None = None) -> Literal:
    """``n`` as an ``xsd:integer`` literal (or of ``datatype``)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    return Literal(str(n), datatype=datatype or XSD.integer)


def _fragment(kind: str, key: str) -> URIRef:
    """A fragment IRI of the dataset for a ``kind`` of partition, named by a hash of what it counts (``key``)."""
    from rdflib import URIRef

    return URIRef(f"{_DATASET}#{kind}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}")


# --- rendering -----------------------------------------------------------------------------------


#: vis-network as shipped inside pyvis (the copy the explorer page inlines); its licence header is kept.
_VIS_JS = ("templates", "lib", "vis-9.1.2", "vis-network.min.js")


@lru_cache(maxsize=1)
def _vis_library() -> bytes:
    return resources.files("pyvis").joinpath(*_VIS_JS).read_bytes()


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("graph").joinpath("templates", "site", name).read_text(encoding="utf-8")


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("graph", "templates/site"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["weburl"] = lambda u: u if is_web_url(u) else ""
    return env


def _json_for_html(data: object) -> str:
    """JSON that is inert inside a <script> element (the same escaping as the explorer page)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _search_index(model: SiteModel) -> dict[str, object]:
    """Every label in every language, pointing at the page it names (compact: one list of pages, one of names)."""
    rank = {s.key: i for i, s in enumerate(SECTIONS)}
    pages = [[p.path, p.title, p.section.title, rank[p.section.key]] for p in model.entities]
    names: set[tuple[str, str, int]] = set()
    for i, p in enumerate(model.entities):
        names.add((p.title, "", i))
        for label in p.labels:
            names.add((label.text, label.lang, i))
        tail = p.ref.short.split(":", 1)[-1]
        names.add((tail, "", i))
    return {"pages": pages, "names": [list(n) for n in sorted(names, key=lambda n: (n[2], n[0], n[1]))]}


class _Renderer:
    """Renders pages with one Jinja2 environment; every page gets the same stylesheet and its own CSP."""

    def __init__(self, model: SiteModel, extras: Sequence[tuple[str, str]]) -> None:
        from markupsafe import Markup

        self.env = _environment()
        self.model = model
        self.style = _asset("site.css")
        self.markup = Markup
        self.extras = extras

    def render(self, template: str, path: str, *, scripts: Sequence[str] = (), own_files: bool = False,
               **context: Any) -> str:
        """Render ``template`` for the page at ``path``; ``scripts`` are its inline scripts (pinned by hash),
        ``own_files`` allows script files from the site itself ('self': the ego network's two files)."""

        depth = path.count("/")
        csp = content_security_policy(scripts=list(scripts), styles=[self.style])
        if own_files:
            csp = "; ".join(
                "script-src 'self'" + ("" if d == "script-src 'none'" else d[len("script-src"):])
                if d.startswith("script-src ") else d for d in csp.split("; "))
        return self.env.get_template(template).render(
            root="../" * depth,
            path=path,
            csp=csp,
            style=self.markup(self.style),
            extras=self.extras,
            **context,
        )

    def home(self, index: Mapping[str, object], explorer: str, gap_files: Sequence[str]) -> str:
        payload = _json_for_html(index)
        app = _asset("search.js")
        return self.render("home.html", "index.html", scripts=[payload, app], model=self.model,
                           payload=self.markup(payload), app=self.markup(app), explorer=explorer,
                           gap_files=gap_files)


def _search_json(index: Mapping[str, object]) -> str:
    return json.dumps(index, ensure_ascii=False, sort_keys=True) + "\n"


def _listing_pages(model: SiteModel) -> dict[str, tuple[str, dict[str, Any]]]:
    """The pages besides the home and entity pages: path -> (template, its context)."""
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "sources.html": ("sources.html", {"model": model}),
        "vocabulary.html": ("vocabulary.html", {"model": model}),
    }
    for section, entities in model.sections:
        pages[f"list/{section.key}.html"] = ("list.html", {"section": section, "pages": entities})
    return pages


def _assets() -> dict[str, bytes]:
    """The script files that pages with an ego network load from the site itself."""
    return {"assets/vis-network.min.js": _vis_library(), "assets/ego.js": _asset("ego.js").encode("utf-8")}


def _entity_html(renderer: _Renderer, model: SiteModel, page: EntityPage) -> str:
    """The HTML of one entity page (its ego network's data block pinned in the page's CSP by hash)."""
    ego = _json_for_html(page.ego) if page.ego else ""
    return renderer.render("entity.html", page.path, scripts=[ego] if ego else [], own_files=bool(ego), page=page,
                           ego=renderer.markup(ego), claim_counts=model.claim_counts)


def _write(root: Path, rel: str, data: bytes | str) -> int:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target.write_bytes(raw)
    return len(raw)


def build_site(g: Graph, output: str | os.PathLike[str], *, shapes: Graph | None = None) -> SiteReport:
    """Write the static site of ``g`` into the directory ``output``, replacing it as a whole.

    ``shapes`` (the SHACL shapes graph) adds the constraints in words to the
    vocabulary pages. The site is built in a temporary directory beside
    ``output`` and renamed into place; an existing ``output`` is replaced
    only when it is empty or an earlier wbsec site (it holds ``.wbsec-site``),
    never an unrelated folder. The home page links to ``graph.html`` and the
    gap results (``gaps*``) when they sit in ``output``'s parent directory.
    """
    target = Path(output)
    parent = target.parent
    _check_target(target, parent)
    if len(g) == 0:
        raise InputError("the graph is empty: nothing to publish")

    model = site_pages(g, shapes)
    explorer, gap_files = _neighbours(parent)
    links = (["../" + explorer] if explorer else []) + ["../" + f for f in gap_files]
    extras = ([("Network explorer", "../" + explorer)] if explorer else [])
    renderer = _Renderer(model, extras)

    tmp = Path(tempfile.mkdtemp(prefix=".tmp-wbsec-site-", dir=parent))
    try:
        size = _write_all(g, model, renderer, tmp, explorer, gap_files)
        files = sum(1 for p in tmp.rglob("*") if p.is_file())
        _swap_into_place(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{target}: cannot write the site ({exc.strerror or exc})") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteReport(target, len(model.entities), files, model.triples, size, tuple(links))


def _check_target(target: Path, parent: Path) -> None:
    """Raise :class:`OutputError` unless ``target`` (in ``parent``) may be written: new, empty or an earlier site."""
    if not parent.is_dir():
        raise OutputError(f"{target}: directory {parent} does not exist")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: is a file, not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(f"{target}: not empty and not an earlier wbsec site; choose a new or empty directory")


def _neighbours(parent: Path) -> tuple[str, list[str]]:
    """The files in ``parent`` the home page links to: the explorer page ("" when absent) and the gap results."""
    explorer = _EXPLORER if (parent / _EXPLORER).is_file() else ""
    gap_files = sorted(p.name for p in parent.iterdir() if p.is_file() and _GAP_FILE.match(p.name))
    return explorer, gap_files


def _write_all(g: Graph, model: SiteModel, renderer: _Renderer, root: Path, explorer: str,
               gap_files: Sequence[str]) -> int:
    size = _write(root, MARKER, "A site written by 'wbsec site'; the next build replaces this folder.\n")
    index = _search_index(model)
    size += _write(root, "index.html", renderer.home(index, explorer, gap_files))
    size += _write(root, "search-index.json", _search_json(index))
    for path, (template, context) in _listing_pages(model).items():
        size += _write(root, path, renderer.render(template, path, **context))
    if any(p.ego for p in model.entities):
        for path, data in _assets().items():
            size += _write(root, path, data)
    for page in model.entities:
        sub = _subgraph(g, page.rdf_subjects)
        stem = page.path[: -len(".html")]
        size += _write(root, page.path, _entity_html(renderer, model, page))
        size += _write(root, stem + ".ttl", _turtle(sub))
        size += _write(root, stem + ".jsonld", _jsonld(sub))
    whole = _canonical(g)
    dumps = {name: _whole_dump(whole, name, canonical=True) for name, *_rest in DUMPS}
    for name, data in dumps.items():
        size += _write(root, name, data)
    sizes = {name: len(data) for name, data in dumps.items()}
    size += _write(root, VOID_FILE, _void(g, model, sizes))
    size += _write(root, WELL_KNOWN_VOID, _void(g, model, sizes, base="../"))
    return size


def _swap_into_place(built: Path, target: Path) -> None:
    """Rename ``built`` to ``target``; an old ``target`` is moved aside first and removed after."""
    os.chmod(built, 0o755)
    if not target.exists():
        os.replace(built, target)
        return
    old = Path(tempfile.mkdtemp(prefix=".old-wbsec-site-", dir=target.parent))
    os.rmdir(old)
    os.replace(target, old)
    try:
        os.replace(built, target)
    except OSError:
        os.replace(old, target)  # put the old site back
        raise
    shutil.rmtree(old, ignore_errors=True)


# --- the same files, one at a time (what ``wbsec serve`` answers) ---------------------------------


#: Media type of each kind of file in the site, by file ending.
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
}
#: The representations of an entity (or of the vocabulary) in the order offered: HTML first, for browsers.
_VARIANTS = (("text/html", ".html"), ("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"),
             ("application/n-triples", ".nt"))
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


@dataclass(frozen=True)
class SiteFile:
    """One file of the site: its bytes, media type and, for a page, the Content-Security-Policy in its head."""

    body: bytes
    media_type: str
    csp: str | None = None


class SiteFiles:
    """The files :func:`build_site` writes, rendered one at a time on request, with the same templates.

    ``wbsec serve`` answers ``/id/...`` and ``/def`` from this: :meth:`file`
    gives the bytes of one site path (``id/AL.html``, ``id/AL.ttl``,
    ``assets/ego.js``), :meth:`representations` the files that represent
    the resource behind a document path (``id/AL`` -> HTML, Turtle, JSON-LD,
    N-Triples; ``def`` -> the vocabulary page and the vocabulary's own
    triples). Besides the static site's files there are ``.nt`` files per
    page and ``def.ttl``/``def.jsonld``/``def.nt`` (every ``wbo:`` term with a
    page, and the ontology's header). The home page links to no explorer or
    gap results. Thread-safe: the model is read once; the whole-graph dumps
    are made once, at their first request.
    """

    def __init__(self, g: Graph, shapes: Graph | None = None) -> None:
        import threading

        if len(g) == 0:
            raise InputError("the graph is empty: nothing to publish")
        self.g = g
        self.model = site_pages(g, shapes)
        self._renderer = _Renderer(self.model, [])
        self._pages = {p.path[: -len(".html")]: p for p in self.model.entities}
        self._listings = _listing_pages(self.model)
        self._ego = any(p.ego for p in self.model.entities)
        self._made: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_store(cls, directory: str | os.PathLike[str]) -> SiteFiles:
        """The site of the Oxigraph store at ``directory`` (what ``wbsec serve`` serves), with the shipped shapes.

        Raises :class:`graph.errors.LimitError` for a store too large to copy into memory.
        """

        with OxigraphBackend(directory) as backend:
            g = backend.to_graph()
        return cls(g, parse_file_shared(SHAPES_FILE))  # read only: parsed once per process

    def representations(self, path: str) -> dict[str, str] | None:
        """Media type -> site path of each representation of the resource at document ``path``, or None.

        >>> from rdflib import Graph
        >>> g = Graph().parse(data='<https://w3id.org/wbsec/id/AL> a <https://w3id.org/wbsec/def#Polity> .',
        ...                   format="turtle")
        >>> SiteFiles(g).representations("id/AL")["text/turtle"]
        'id/AL.ttl'
        """
        if path == "def":
            return {media: ("vocabulary.html" if ext == ".html" else "def" + ext) for media, ext in _VARIANTS}
        if path in self._pages:
            return {media: path + ext for media, ext in _VARIANTS}
        return None

    def file(self, path: str) -> SiteFile | None:
        """The file at site ``path`` (relative, no leading ``/``), or None when the site has no such file."""
        if path == WELL_KNOWN_VOID:  # the dataset description at its well-known place (RFC 8615)
            sizes = self._dump_sizes()  # made (once) first, outside the lock
            return SiteFile(self._once(path, lambda: _void(self.g, self.model, sizes, base="../")),
                            MEDIA_TYPES[".ttl"])
        stem, dot, ext = path.rpartition(".")
        media = MEDIA_TYPES.get(dot + ext)
        if not stem or media is None:
            return None
        if media.startswith("text/html"):
            from html import unescape

            html = self._html(path)
            if html is None:
                return None
            found = _META_CSP.search(html)
            return SiteFile(html.encode("utf-8"), media, unescape(found.group(1)) if found else None)
        data = self._data(path, stem, dot + ext)
        return None if data is None else SiteFile(data, media)

    def _html(self, path: str) -> str | None:
        r = self._renderer
        if path == "index.html":
            return r.home(_search_index(self.model), "", ())
        if path in self._listings:
            template, context = self._listings[path]
            return r.render(template, path, **context)
        page = self._pages.get(path[: -len(".html")])
        return _entity_html(r, self.model, page) if page is not None else None

    def _data(self, path: str, stem: str, ext: str) -> bytes | None:
        if self._ego and path in ("assets/vis-network.min.js", "assets/ego.js"):
            return _assets()[path]
        page = self._pages.get(stem)
        if page is not None and ext in (".ttl", ".jsonld", ".nt"):
            return _page_rdf(_subgraph(self.g, page.rdf_subjects), ext)
        if stem == "def" and ext in (".ttl", ".jsonld", ".nt"):
            return self._once(path, lambda: _page_rdf(self._vocabulary(), ext))
        whole = {
            "search-index.json": lambda: _search_json(_search_index(self.model)).encode("utf-8"),
            **{name: (lambda name=name: _whole_dump(self.g, name)) for name, *_rest in DUMPS},
        }
        if path == VOID_FILE:  # the dumps' sizes are part of it: made (once) first, outside the lock
            sizes = self._dump_sizes()
            return self._once(path, lambda: _void(self.g, self.model, sizes))
        return self._once(path, whole[path]) if path in whole else None

    def _dump_sizes(self) -> dict[str, int]:
        """The byte size of each whole-graph dump (made once, at the first call)."""
        return {name: len(self._once(name, lambda name=name: _whole_dump(self.g, name))) for name, *_rest in DUMPS}

    def _vocabulary(self) -> Graph | list[Triple]:
        """The triples of every ``wbo:`` term with a page and of the ontology's own header."""
        from rdflib import OWL, RDF

        subjects = [p.ref.iri for p in self.model.entities if p.path.startswith("def/")]
        subjects += [str(o) for o in self.g.subjects(RDF.type, OWL.Ontology)]
        return _subgraph(self.g, subjects)

    def _once(self, path: str, make: Any) -> bytes:
        with self._lock:
            if path not in self._made:
                self._made[path] = make()
            return self._made[path]


def _page_rdf(sub: Graph | list[Triple], ext: str) -> bytes:
    from rdflib import Graph

    if ext == ".ttl":
        return _turtle(sub)
    if ext == ".jsonld":
        return _jsonld(sub)
    if not isinstance(sub, Graph):
        triples, sub = sub, Graph()
        for triple in triples:
            sub.add(triple)
    return serialize_verified(sub, "nt")


def _whole_dump(g: Graph, name: str, *, canonical: bool = False) -> bytes:
    """The bytes of the whole-graph dump ``name`` (one of :data:`DUMPS`), checked by reading them back.

    ``canonical`` says that ``g`` is already the output of :func:`_canonical`.
    """

    whole = g if canonical else _canonical(g)
    if name == "wbsec.jsonld":
        return _verified_jsonld(whole)
    return serialize_verified(whole, name.rpartition(".")[2])
