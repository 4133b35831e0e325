"""A graph that reads a shared graph and keeps its own additions apart: a copy that costs nothing to make.

An import checks a few hundred new rows against the ontology and all the
curated data. Copying the curated data into a graph of its own for every
import cost a third of a second; :func:`overlay` instead gives a graph whose
reads see the shared graph and the additions together, and whose writes go
to the additions only, so the shared graph (kept per process by
:func:`graph.store.load_files_shared`) is never changed.

rdflib (and pySHACL and rdflib's SPARQL engine through it) reads a graph only
through its store's ``triples`` and ``__len__``, which the store here answers
from both parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph
from rdflib.store import Store

from graph.namespaces import bind_prefixes


def overlay(base: Graph) -> Graph:
    """A new graph that holds everything in ``base`` and whatever is added to it, leaving ``base`` unchanged.

    Triples already in ``base`` are not added again, so every triple is read
    once; removing a triple of ``base`` is refused (``base`` is shared).

    >>> from rdflib import Graph, URIRef
    >>> base = Graph()
    >>> _ = base.add((URIRef("urn:a"), URIRef("urn:p"), URIRef("urn:b")))
    >>> mine = overlay(base)
    >>> _ = mine.add((URIRef("urn:b"), URIRef("urn:p"), URIRef("urn:c")))
    >>> len(mine), len(base)
    (2, 1)
    """
    graph = Graph(store=_OverlayStore(base))
    bind_prefixes(graph)
    return graph


class _OverlayStore(Store):
    """The store behind :func:`overlay`: ``base`` read-only, the additions in a graph of their own."""

    # pySHACL wraps the data graph in a dataset over the same store, which rdflib accepts only from a
    # store that says it keeps contexts; this one has a single graph, the one every read sees.
    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, base: Graph) -> None:
        super().__init__()
        self._base = base
        self._own = Graph()

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        """Add ``triple`` to the additions unless ``base`` has it."""
        if triple not in self._base:
            self._own.add(triple)

    def addN(self, quads: Iterable[Any]) -> None:  # noqa: N802 (rdflib's name)
        """Add each quad's triple (its graph is this one: the store keeps no contexts)."""
        base = self._base
        self._own.addN((s, p, o, self._own) for s, p, o, _g in quads if (s, p, o) not in base)

    def remove(self, triple: Any, context: Any = None) -> None:
        """Remove the matching additions; a matching triple of ``base`` is refused."""
        if next(iter(self._base.triples(triple)), None) is not None:
            raise ValueError("this graph reads a shared graph, whose triples cannot be removed")
        self._own.remove(triple)

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Any, Iterator[Any]]]:
        """The triples of ``base`` and then of the additions that match ``triple_pattern``."""
        for triple in self._base.triples(triple_pattern):
            yield triple, iter(())
        for triple in self._own.triples(triple_pattern):
            yield triple, iter(())

    def __len__(self, context: Any = None) -> int:
        return len(self._base) + len(self._own)

    def contexts(self, triple: Any = None) -> Iterator[Any]:
        """No contexts: the graph is one graph."""
        return iter(())

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        """Prefixes are kept with the additions (``base``'s are never changed)."""
        self._own.store.bind(prefix, namespace, override=override)

    def prefix(self, namespace: Any) -> Any:
        return self._own.store.prefix(namespace)

    def namespace(self, prefix: str) -> Any:
        return self._own.store.namespace(prefix)

    def namespaces(self) -> Iterator[tuple[str, Any]]:
        return self._own.store.namespaces()
