"""Read where claims come from: their sources, the place in each source and the evidence quote.

Every claim in the data (a membership, a bilateral-cooperation claim, an
agreement, a statement, a survey figure, an initiative's description…) carries
``prov:wasDerivedFrom`` (the document it was read in), optionally
``prov:hadPrimarySource`` (the original the document relays), ``wbo:locator``
("p. 28", "para. 4") and ``wbo:evidence`` (a short verbatim quote). This
module turns those into plain dataclasses so the NetworkX world (metrics,
viz) can show provenance without touching RDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.namespaces import DCTERMS, PROV, WBO, label_of
from graph.sparql import query_from_text, readable_graph

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from graph.backends import Backend

__all__ = ["Provenance", "SourceRef", "claim_provenance"]


@dataclass(frozen=True)
class SourceRef:
    """A document a claim was read in (``primary``: the original that document relays)."""

    iri: str
    title: str
    primary: bool = False


@dataclass(frozen=True)
class Provenance:
    """Where one claim comes from. Empty strings and an empty tuple mean "not recorded"."""

    claim: str
    sources: tuple[SourceRef, ...]
    locator: str
    evidence: str


def claim_provenance(g: Graph | Backend, claim_iris: Iterable[str]) -> dict[str, Provenance]:
    """The provenance of each claim IRI in ``claim_iris``, keyed by IRI (sorted, without duplicates).

    A source's title is its ``dcterms:title`` (English first), else its label.
    Claims recorded in no source still get an entry, with no sources. Several
    locators or quotes on one claim are joined with " · " in sorted order, so
    the result is deterministic. On a store or endpoint the provenance
    triples are fetched with one CONSTRUCT query first.
    """
    from rdflib import URIRef

    g = readable_graph(g, query_from_text(_PROVENANCE_FACTS, name="provenance facts", own=True), timeout=_TIMEOUT)
    titles: dict[Node, str] = {}

    def title(source: Node) -> str:
        if source not in titles:
            titles[source] = _title(g, source)
        return titles[source]

    out: dict[str, Provenance] = {}
    for iri in sorted({c for c in claim_iris if c}):
        claim = URIRef(iri)
        derived = sorted(set(g.objects(claim, PROV.wasDerivedFrom)), key=str)
        primary = sorted(set(g.objects(claim, PROV.hadPrimarySource)) - set(derived), key=str)
        sources = tuple(SourceRef(str(s), title(s)) for s in derived) + tuple(
            SourceRef(str(s), title(s), primary=True) for s in primary
        )
        locator = " · ".join(sorted({str(x) for x in g.objects(claim, WBO.locator)}))
        evidence = " · ".join(sorted({str(x) for x in g.objects(claim, WBO.evidence)}))
        out[iri] = Provenance(iri, sources, locator, evidence)
    return out


#: Seconds the provenance query of a store or endpoint may run.
_TIMEOUT = 120.0
#: What claim_provenance reads, for a store or endpoint: where each claim comes from, and the sources' names.
_PROVENANCE_FACTS = """CONSTRUCT { ?s ?p ?o } WHERE {
  { VALUES ?p { prov:wasDerivedFrom prov:hadPrimarySource wbo:locator wbo:evidence } ?s ?p ?o }
  UNION
  { VALUES ?p { dcterms:title skos:prefLabel foaf:name rdfs:label } ?s ?p ?o
    FILTER EXISTS { [] prov:wasDerivedFrom|prov:hadPrimarySource ?s } }
}"""


def _title(g: Graph, source: Node) -> str:
    values = sorted(
        g.objects(source, DCTERMS.title),
        key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)),
    )
    return str(values[0]) if values else label_of(g, source)
