"""What is already in the graph: an :class:`Index` of typed resources that resolves reference and code cells."""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal, URIRef

from graph.iri import BAD_IRI_CHARS, IRI_SCHEMES, local_name
from graph.namespaces import DCTERMS, FOAF, OWL, PREFIXES, QB, RDF, RDFS, SKOS, WB, WBO, WD
from graph.tabular.problems import CellError
from graph.tabular.text import compact, fold, norm

_SCHEME_LIKE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):\S*$")
QID = re.compile(r"^(?:wd:|https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
#: Resources that describe the vocabulary itself are never the target of a reference.
_VOCABULARY_TYPES = frozenset(
    {
        OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
        RDF.Property, OWL.Ontology, QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty,
        QB.ComponentProperty, OWL.FunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
    }
)
_LABEL_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, FOAF.name, RDFS.label, DCTERMS.title)
#: The index of each shared graph (see :meth:`Index.of_shared`), dropped with the graph.
_SHARED: weakref.WeakKeyDictionary[Graph, Index] = weakref.WeakKeyDictionary()


class Index:
    """Typed resources of a graph by id, label, Wikidata id and ISO code, for resolving cells."""

    def __init__(self, g: Graph) -> None:
        #: The direct superclasses of each class, and a class's English label (for messages).
        self.supers: dict[URIRef, set[URIRef]] = {}
        self.class_labels: dict[URIRef, str] = {}
        #: The classes of each resource that can be referred to, and its labels in the graph's order.
        self.types: dict[URIRef, set[URIRef]] = {}
        self.labels: dict[URIRef, list[str]] = {}
        #: Resources by label (see :func:`norm`), by loosely folded label, by local name under wb:/wbo:, by QID.
        self.by_label: dict[str, set[URIRef]] = {}
        self.by_fold: dict[str, set[URIRef]] = {}
        self.by_local: dict[str, set[URIRef]] = {}
        self.by_qid: dict[str, set[URIRef]] = {}
        #: The concepts of each SKOS concept scheme (the codes of a code column).
        self.schemes: dict[URIRef, set[URIRef]] = {}
        self._read_classes(g)
        self._read_resources(g)
        for concept, scheme in g.subject_objects(SKOS.inScheme):
            if isinstance(concept, URIRef) and isinstance(scheme, URIRef):
                self.schemes.setdefault(scheme, set()).add(concept)

    @classmethod
    def of_shared(cls, g: Graph) -> Index:
        """An index of ``g``, a shared graph that is never changed, of your own to :meth:`add` to.

        The index of each such graph is built once per process (it is most of
        the cost of starting an import) and copied for each caller.
        """
        kept = _SHARED.get(g)
        if kept is None:
            kept = _SHARED[g] = cls(g)
        return kept.copy()

    def copy(self) -> Index:
        """A copy whose :meth:`add` leaves this index unchanged."""
        twin = object.__new__(Index)
        twin.supers = self.supers  # never changed after reading the graph
        twin.class_labels = self.class_labels
        twin.schemes = self.schemes
        twin.types = {k: set(v) for k, v in self.types.items()}
        twin.labels = {k: list(v) for k, v in self.labels.items()}
        twin.by_label = {k: set(v) for k, v in self.by_label.items()}
        twin.by_fold = {k: set(v) for k, v in self.by_fold.items()}
        twin.by_local = {k: set(v) for k, v in self.by_local.items()}
        twin.by_qid = {k: set(v) for k, v in self.by_qid.items()}
        return twin

    def _read_classes(self, g: Graph) -> None:
        """Fill ``supers`` from ``rdfs:subClassOf`` and ``class_labels`` with each class's first English label."""
        for sub, sup in g.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                self.supers.setdefault(sub, set()).add(sup)
        classes = set(self.supers) | {s for v in self.supers.values() for s in v}
        classes |= {c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        for cls in classes:
            labels = sorted(str(lab) for lab in g.objects(cls, RDFS.label) if isinstance(lab, Literal)
                            and (lab.language or "en").startswith("en"))
            if labels:
                self.class_labels[cls] = labels[0]

    def _read_resources(self, g: Graph) -> None:
        """Register every typed resource that is not part of the vocabulary, with its labels and Wikidata ids."""
        for s, _p, cls in g.triples((None, RDF.type, None)):
            if isinstance(s, URIRef) and isinstance(cls, URIRef):
                self.types.setdefault(s, set()).add(cls)
        for s in list(self.types):
            if self.types[s] & _VOCABULARY_TYPES:
                del self.types[s]
                continue
            labels = [str(o) for p in _LABEL_PROPERTIES for o in g.objects(s, p) if isinstance(o, Literal)]
            qids = [str(o)[len(str(WD)):] for o in g.objects(s, SKOS.exactMatch) if str(o).startswith(str(WD))]
            self._register(s, labels, qids)

    def _register(self, s: URIRef, labels: Iterable[str], qids: Iterable[str] = ()) -> None:
        mine = self.labels.setdefault(s, [])
        for label in labels:
            if label not in mine:
                mine.append(label)
            self.by_label.setdefault(norm(label), set()).add(s)
            self.by_fold.setdefault(fold(label), set()).add(s)
        for qid in qids:
            self.by_qid.setdefault(qid, set()).add(s)
        text = str(s)
        for ns in (str(WB), str(WBO)):
            if text.startswith(ns):
                self.by_local.setdefault(text[len(ns):], set()).add(s)

    def add(self, s: URIRef, classes: Iterable[URIRef], labels: Iterable[str]) -> None:
        """Make a resource from the import itself resolvable by later cells."""
        self.types.setdefault(s, set()).update(classes)
        self._register(s, labels)

    def closure(self, classes: Iterable[URIRef]) -> set[URIRef]:
        seen: set[URIRef] = set()
        todo = list(classes)
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.supers.get(c, ()))
        return seen

    def fits(self, node: URIRef, rng: Sequence[URIRef]) -> bool:
        if node not in self.types:
            return False
        return not rng or bool(self.closure(self.types[node]) & set(rng))

    def what(self, rng: Sequence[URIRef]) -> str:
        if not rng:
            return "resource"
        words = []
        for c in rng:
            word = self.class_labels.get(c, local_name(str(c)))
            if word not in words:
                words.append(word)
        return " or ".join(words)

    def show(self, node: URIRef) -> str:
        labels = self.labels.get(node, [])
        return f"{compact(node)} ({labels[0]})" if labels else compact(node)

    def resolve(self, cell: str, rng: Sequence[URIRef]) -> URIRef:
        """The resource ``cell`` names (IRI, prefixed name, id, QID, ISO code, label), checked against ``rng``."""
        what = self.what(rng)
        qid = QID.match(cell)
        if qid:
            return self._one(cell, self.by_qid.get(qid.group(1), set()), rng, what)
        iri = iri_of(cell)
        if iri is not None:
            return self._one(cell, {iri} if iri in self.types else set(), rng, what)
        steps: list[set[URIRef]] = [
            self.by_local.get(cell, set()),
            {WB[cell.upper()]} if re.fullmatch(r"[A-Za-z]{2}", cell) and WB[cell.upper()] in self.types else set(),
            self.by_label.get(norm(cell), set()),
            self.by_fold.get(fold(cell), set()) if fold(cell) else set(),
        ]
        for found in steps:
            if found:
                fitting = {n for n in found if self.fits(n, rng)}
                if fitting:
                    return self._one(cell, fitting, rng, what)
        for found in steps:
            if found:
                return self._one(cell, found, rng, what)
        return self._one(cell, set(), rng, what)

    def _one(self, cell: str, found: set[URIRef], rng: Sequence[URIRef], what: str) -> URIRef:
        if not found:
            raise CellError(f"unknown {what} {cell!r}{self._suggest(cell, rng)}")
        fitting = sorted(n for n in found if self.fits(n, rng))
        if not fitting:
            node = sorted(found)[0]
            kinds = " and ".join(sorted(self.class_labels.get(c, compact(c)) for c in self.types.get(node, ())))
            hint = self._containing(cell, rng)
            raise CellError(f"{cell!r} is {self.show(node)}, {with_article(kinds or 'resource')}, not {with_article(what)}{hint}")
        if len(fitting) > 1:
            listed = "; ".join(self.show(n) for n in fitting)
            raise CellError(f"{cell!r} is ambiguous: it names {listed}; write the id (e.g. {compact(fitting[0])}) instead")
        return fitting[0]

    def _containing(self, cell: str, rng: Sequence[URIRef]) -> str:
        """Resources of the wanted kind whose label contains the cell ("Euractiv" -> the Euractiv report)."""
        wanted = fold(cell)
        hits = sorted(
            n for n, labels in self.labels.items()
            if wanted and self.fits(n, rng) and any(wanted in fold(lab) for lab in labels)
        )
        if not hits:
            return ""
        return f"; did you mean {' or '.join(self.show(n) for n in hits[:3])}?"

    def _suggest(self, cell: str, rng: Sequence[URIRef]) -> str:
        options: dict[str, URIRef] = {}
        for node, labels in self.labels.items():
            if self.fits(node, rng):
                for label in labels:
                    options.setdefault(norm(label), node)
                options.setdefault(norm(local_name(str(node))), node)
        close = difflib.get_close_matches(norm(cell), list(options), n=3, cutoff=0.6)
        if not close:
            return "; check the spelling, or add it first (an actors or sources CSV passed with --data)"
        shown: list[str] = []
        for c in close:
            text = self.show(options[c])
            if text not in shown:
                shown.append(text)
        return f"; did you mean {' or '.join(shown)}?"

    def code(self, cell: str, scheme: URIRef) -> URIRef:
        """The concept of ``scheme`` that ``cell`` names: its name, prefixed name or label, any case."""
        concepts = self.schemes.get(scheme, set())
        iri = iri_of(cell)
        if iri is not None and iri in concepts:
            return iri
        wanted = fold(cell)
        found = sorted(
            c for c in concepts
            if wanted and (wanted == fold(local_name(str(c))) or any(wanted == fold(lab) for lab in self.labels.get(c, ())))
        )
        if len(found) == 1:
            return found[0]
        allowed = ", ".join(sorted(local_name(str(c)) for c in concepts))
        raise CellError(f"{cell!r} is not in {compact(scheme)}; allowed: {allowed}")


def with_article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def iri_of(cell: str) -> URIRef | None:
    """The IRI a cell spells out (full http/https/urn IRI or known prefixed name); None for other text.

    A cell that looks like an IRI with any other scheme (``javascript:alert(1)``,
    ``file:///etc/passwd``) is refused: IRIs are only ever minted under ``wb:``.
    """
    m = _SCHEME_LIKE.match(cell)
    if not m:
        return None
    scheme = m.group(1)
    if scheme.lower() in PREFIXES and not cell.startswith(f"{scheme}://"):
        iri = PREFIXES[scheme.lower()] + cell[len(scheme) + 1:]
    elif scheme.lower() in IRI_SCHEMES:
        iri = cell
    else:
        raise CellError(
            f"{cell!r} looks like an IRI with the scheme '{scheme}', which is not allowed (only http, https and urn, "
            "or a prefixed name such as wb:AL)",
            policy=True,
        )
    if BAD_IRI_CHARS.search(iri):
        raise CellError(f"{cell!r} contains a space or a character IRIs may not hold")
    return URIRef(iri)
