"""Answer SPARQL from wherever the data live: rdflib in memory, an Oxigraph store on disk or a remote endpoint.

Every backend implements :class:`Backend`: ``select``, ``ask`` and
``construct`` take query text that :mod:`graph.sparql` has already checked
(no ``SERVICE``, ``FROM``, ``FROM NAMED`` or update) plus parameters as rdflib
terms, and return rdflib terms, so named queries and projections run unchanged
on all three. The files and a store are both evaluated by Oxigraph (one
engine, the same W3C semantics, the same rows):

- :class:`MemoryBackend` wraps an rdflib graph (what every command uses by
  default) and answers from a copy of it in an in-memory pyoxigraph store;
- :class:`OxigraphBackend` reads a pyoxigraph store directory filled by
  :func:`load_store` (``wbsec load FILE... --store DIR``);
- :class:`EndpointBackend` sends queries to a SPARQL 1.1 endpoint with
  ``urllib``, read-only, with a total deadline and a response-size cap, inside
  :func:`graph.sandbox.network_allowed` for that URL only. It reads one named
  graph when given one (``default-graph-uri``), checks once that the graph
  holds wbsec data, and never returns an answer a server cut at its row cap
  (``X-SPARQL-MaxRows``): it pages through it (:func:`paged_select`) or
  raises :class:`~graph.errors.LimitError` naming the cap.

Parameters on Oxigraph and endpoints become a ``VALUES`` block placed at the
start of the query's outermost ``WHERE`` group (on Oxigraph, in memory or on
disk, also of every subquery's), built only from terms this module serialises
itself (IRIs checked against the characters an IRI may not hold, literals
escaped), never from raw text. pyoxigraph's own ``substitutions=`` only
accepts variables of the SELECT projection, which most parameters are not.
On an endpoint the block does not reach a variable used only inside a
subquery; nowhere may a parameter also be assigned with ``BIND``.

Timeouts: endpoints stop at the deadline. pyoxigraph has no query
timeout (oxigraph issue #1926); the query runs in a worker thread (pyoxigraph
releases the GIL) and the caller gets :class:`~graph.errors.LimitError` at the
deadline while the abandoned evaluation finishes in the background.
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import gc
import glob
import itertools
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph.errors import GraphError, InputError, LimitError, OutputError, PolicyError, QueryTimeout
from graph.iri import BAD_IRI_CHARS as _BAD_IRI_CHARS
from graph.iri import LANGUAGE_TAG as _LANG
from graph.iri import URL_LIKE as _URL_LIKE
from graph.sandbox import network_allowed
from graph.store import (
    DEFAULT_MAX_BYTES,
    SHARED_MAX_BYTES,
    TBOX_FILE,
    FileDerivedCache,
    RDFFormat,
    file_version,
    format_for_path,
    graph_files,
    parse_bytes,
    rdf_format,
    shipped_files,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = [
    "Backend",
    "EndpointBackend",
    "LoadReport",
    "MemoryBackend",
    "OxigraphBackend",
    "Rows",
    "as_backend",
    "is_store",
    "load_store",
    "no_redirect_handler",
    "open_backend",
    "oxigraph_copy",
    "query_tokens",
]

#: Columns and rows of a SELECT result, cells as rdflib terms (``None`` when unbound).
Rows = tuple[list[str], list[tuple["Node | None", ...]]]

#: Largest response accepted from a remote endpoint (JSON results or N-Triples).
ENDPOINT_MAX_BYTES = 256 * 1024 * 1024
#: Most triples a backend copies into an rdflib graph for commands that need one.
MATERIALISE_MAX_TRIPLES = 2_000_000

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: A language tag as Turtle writes one after a string (``"…"@sr-Latn``).
_LANG_TAG = re.compile(r"[\"']@([A-Za-z]+(?:-[A-Za-z0-9]+)+)")
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_T = TypeVar("_T")
log = logging.getLogger("wbsec")


# --------------------------------------------------------------------------- the interface


class Backend(abc.ABC):
    """Where SPARQL is answered. Query text must already have passed :func:`graph.sparql.prepare`."""

    #: ``memory``, ``oxigraph`` or ``endpoint``.
    kind: str = ""
    #: The most seconds any one query may run (a command's ``--timeout``); None: only the caller's own limit.
    timeout_limit: float | None = None

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """A short human description for messages: ``Oxigraph store /data/wb``."""

    @abc.abstractmethod
    def select(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_rows: int | None
    ) -> Rows:
        """Run a SELECT; ``max_rows`` exceeded is :class:`LimitError`, never a silent cut."""

    @abc.abstractmethod
    def ask(self, text: str, params: Mapping[str, Node], *, timeout: float | None) -> bool:
        """Run an ASK query."""

    @abc.abstractmethod
    def construct(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_triples: int | None
    ) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query into a fresh rdflib graph."""

    @abc.abstractmethod
    def triple_count(self) -> int:
        """How many triples the backend holds."""

    def to_graph(self, *, max_triples: int | None = MATERIALISE_MAX_TRIPLES) -> Graph:
        """Every triple as an rdflib graph (for commands that need one); over ``max_triples`` is LimitError."""
        return self.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {}, timeout=None, max_triples=max_triples
        )

    def labels(self, nodes: Iterable[Node]) -> Graph:
        """A small rdflib graph with the labels (skos:prefLabel, foaf:name, rdfs:label) of the IRIs in ``nodes``."""
        from rdflib import Graph as RDFGraph
        from rdflib import URIRef

        from graph.namespaces import bind_prefixes

        out = bind_prefixes(RDFGraph())
        iris = sorted({n for n in nodes if isinstance(n, URIRef) and not _BAD_IRI_CHARS.search(n)})
        for start in range(0, len(iris), 200):
            values = " ".join(sparql_term(n) for n in iris[start : start + 200])
            text = (
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
                "VALUES ?p { skos:prefLabel foaf:name rdfs:label } ?s ?p ?o }"
            )
            _cols, rows = self.select(text, {}, timeout=60.0, max_rows=None)
            for s, p, o in rows:
                if s is not None and p is not None and o is not None:
                    out.add((s, p, o))
        return out

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections (idempotent)."""

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- Oxigraph: the one engine


class _OxigraphEngine(Backend):
    """Evaluation shared by the in-memory and on-disk backends: pyoxigraph answers, rows become rdflib terms.

    Subclasses provide ``store`` (a :class:`pyoxigraph.Store`) and ``_convert``
    (an :class:`_OxigraphTerms`). Parameters become ``VALUES`` blocks opening
    the outer ``WHERE`` group and the group of every subquery (see
    :func:`inject_values`).
    """

    store: Any
    _convert: _OxigraphTerms

    def _query(self, text: str, params: Mapping[str, Node]) -> Any:
        from graph.namespaces import PREFIXES

        query = inject_values(text, params, subqueries=True) if params else text
        try:
            return self.store.query(query, prefixes=dict(PREFIXES))
        except SyntaxError as exc:
            raise InputError(f"Oxigraph cannot parse the query: {_one_line(exc)}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise InputError(f"Oxigraph query failed: {_one_line(exc)}") from exc

    def select(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_rows: int | None
    ) -> Rows:
        def work() -> Rows:
            solutions = self._query(text, params)
            columns = [v.value for v in solutions.variables]
            width = len(columns)
            term = self._convert.term
            rows: list[tuple[Node | None, ...]] = []
            append = rows.append
            for solution in solutions:
                if max_rows is not None and len(rows) >= max_rows:
                    raise LimitError(f"the result has more than {max_rows} rows (--max-rows); nothing was written")
                append(tuple(None if (v := solution[i]) is None else term(v) for i in range(width)))
            return columns, rows

        return _with_deadline(work, timeout)

    def ask(self, text: str, params: Mapping[str, Node], *, timeout: float | None) -> bool:
        return _with_deadline(lambda: bool(self._query(text, params)), timeout)

    def construct(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_triples: int | None
    ) -> Graph:
        def work() -> Graph:
            return self._convert.graph(
                ((t.subject, t.predicate, t.object) for t in self._query(text, params)), max_triples
            )

        return _with_deadline(work, timeout)

    def triple_count(self) -> int:
        return len(self.store)


# --------------------------------------------------------------------------- the files, in memory


class MemoryBackend(_OxigraphEngine):
    """The files in memory: an in-memory Oxigraph store that answers the queries, and the rdflib graph.

    Queries are answered by Oxigraph, with the same engine and semantics as
    an Oxigraph store on disk. The rdflib graph (for SHACL, exact exports and
    code that walks triples) is either the one given, copied into Oxigraph on
    the first query, or, for :meth:`from_files`, parsed from the files only
    when something asks for :attr:`graph`. Oxigraph keeps literals normalised
    (``"47.0"^^xsd:decimal`` reads back as ``"47"``, ``xsd:nonNegativeInteger``
    as ``xsd:integer``); answers here are given back in the spelling of the
    data wherever the normalised term stands for exactly one literal of the
    data; a folded datatype is given back in CONSTRUCT and DESCRIBE results
    (which copy triples of the data) but stays folded in SELECT rows, as on a
    store, where it cannot be told from a computed integer. The data must not
    change once the backend has answered a query.
    """

    kind = "memory"

    def __init__(self, graph: Graph) -> None:
        self._graph: Graph | None = graph
        self._files: list[str | Path] = []
        self._max_bytes = DEFAULT_MAX_BYTES
        self._store: Any = None
        self._convert = _OxigraphTerms()

    @classmethod
    def from_files(cls, paths: Sequence[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> MemoryBackend:
        """The files ``paths`` (checked and parsed as :func:`graph.store.parse_file` does) in an Oxigraph store.

        Turtle and N-Triples are parsed by Oxigraph itself, after the same
        checks (a local file, the size cap, strict UTF-8; ill-typed literals
        are warned about); a file Oxigraph refuses, and RDF/XML, JSON-LD and
        TriG, go through rdflib's checked parser, which gives its error
        messages. Blank nodes stay distinct per file.

        The store is read-only once filled, so the same unchanged files (by
        :func:`graph.store.file_version`, up to 16 MB in all) opened again in
        this process share the store filled the first time, with its warnings
        logged again: every command of a notebook or a test session reads the
        ontology and the curated data without loading them anew.
        """
        backend = cls.__new__(cls)
        backend._graph = None
        backend._files = list(paths)
        backend._max_bytes = max_bytes
        try:
            versions = tuple(file_version(p, max_bytes) for p in backend._files)
        except GraphError:  # a missing or refused file: the load below words the error, in file order
            versions = None
        if versions is None:
            backend._store, backend._convert = _fill_from_files(backend._files, max_bytes)
        else:  # the same unchanged files again in this process: the store is read-only, so it is shared
            backend._store, backend._convert = _FILLED.get(
                (versions, max_bytes), lambda: _fill_from_files(backend._files, max_bytes),
                size=sum(v[3] for v in versions))
        return backend

    @property
    def graph(self) -> Graph:
        """The rdflib graph of the data (for :meth:`from_files`, parsed from the files on first use)."""
        if self._graph is None:
            from graph.store import load_files

            self._graph = load_files(self._files, max_bytes=self._max_bytes)
        return self._graph

    @property
    def graph_loaded(self) -> bool:
        """True when :attr:`graph` is at hand without parsing the files again."""
        return self._graph is not None

    @property
    def description(self) -> str:
        return f"the files in memory ({self.triple_count()} triples)"

    @property
    def store(self) -> Any:  # type: ignore[override]
        """The pyoxigraph store holding the data (filled from the rdflib graph on first use)."""
        if self._store is None:
            filler = _Filler()
            filler.add_graph(self.graph, keep_blank_nodes=True)
            self._store = filler.finish(self._convert)
        return self._store

    def triple_count(self) -> int:
        return len(self._graph) if self._graph is not None else len(self.store)

    def to_graph(self, *, max_triples: int | None = MATERIALISE_MAX_TRIPLES) -> Graph:
        return self.graph

    def labels(self, nodes: Iterable[Node]) -> Graph:
        return self.graph if self.graph_loaded else super().labels(nodes)


def oxigraph_copy(graph: Graph) -> Any:
    """An in-memory pyoxigraph store holding the triples of the rdflib ``graph``."""
    filler = _Filler()
    filler.add_graph(graph, keep_blank_nodes=False)
    return filler.finish(None)


#: In-memory stores filled from files, kept while the files are unchanged (see :meth:`MemoryBackend.from_files`).
_FILLED: FileDerivedCache[tuple[Any, _OxigraphTerms]] = FileDerivedCache(SHARED_MAX_BYTES)


def _fill_from_files(paths: Sequence[str | Path], max_bytes: int) -> tuple[Any, _OxigraphTerms]:
    """A new in-memory Oxigraph store holding the files ``paths``, and the converter that reads its answers."""
    convert = _OxigraphTerms()
    filler = _Filler()
    for path in paths:
        filler.add_file(path, max_bytes)
    return filler.finish(convert), convert


class _Filler:
    """Fills an in-memory pyoxigraph store from rdflib graphs and files, noting how the data spell typed literals."""

    def __init__(self) -> None:
        import pyoxigraph

        self.ox = pyoxigraph
        self.store = pyoxigraph.Store()
        self.default = pyoxigraph.DefaultGraph()
        self.named: dict[Any, Any] = {}
        self.literals: dict[Any, Any] = {}  # rdflib literal -> pyoxigraph literal, as the data write them
        self.blanks: dict[Any, Any] = {}  # pyoxigraph blank node -> rdflib blank node of a given graph

    def add_graph(self, graph: Graph, *, keep_blank_nodes: bool) -> None:
        """Add an rdflib graph; with ``keep_blank_nodes`` answers give back its own blank nodes."""
        from rdflib import BNode, Literal, URIRef

        ox, named, literals = self.ox, self.named, self.literals
        fresh: dict[Any, Any] = {}

        def term(node: Any) -> Any:
            if isinstance(node, URIRef):
                hit = named.get(node)
                if hit is None:
                    hit = named[node] = ox.NamedNode(str(node))
                return hit
            if isinstance(node, Literal):
                hit = literals.get(node)
                if hit is None:
                    if node.language:
                        hit = ox.Literal(str(node), language=node.language)
                    elif node.datatype is not None:
                        hit = ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
                    else:
                        hit = ox.Literal(str(node))
                    literals[node] = hit
                return hit
            if isinstance(node, BNode):
                hit = fresh.get(node)
                if hit is None:
                    hit = fresh[node] = ox.BlankNode()
                return hit
            raise InputError(f"cannot store {node!r}")

        self._extend(ox.Quad(term(s), term(p), term(o), self.default) for s, p, o in graph)
        if keep_blank_nodes:
            self.blanks.update({b: node for node, b in fresh.items()})

    def add_file(self, path: str | Path, max_bytes: int) -> None:
        """Add one file: Turtle and N-Triples parsed by Oxigraph, the rest (and what it refuses) by rdflib."""
        from rdflib import Literal, URIRef

        from graph.store import parse_file, quiet_rdflib_terms, read_rdf_text, warn_ill_typed

        ox = self.ox
        p, spec, text = read_rdf_text(path, max_bytes=max_bytes)
        if text is None:
            return
        formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
        typed: dict[Any, None] | None = None
        # Oxigraph lowercases language tags; the files' own spelling of each (sr-Latn) is restored in answers
        tags: dict[str, set[str]] = {}
        for m in _LANG_TAG.finditer(text):
            if m.group(1) != m.group(1).lower():
                tags.setdefault(m.group(1).lower(), set()).add(m.group(1))
        written_tag = {low: next(iter(spellings)) for low, spellings in tags.items() if len(spellings) == 1}
        if spec.name in formats:
            plain = (_XSD_STRING, _RDF_LANGSTRING)
            OxLiteral = ox.Literal
            try:  # a first pass checks the syntax and collects the literals Oxigraph may respell, as written
                typed = {o: None for q in ox.parse(text, format=formats[spec.name])
                         if type(o := q.object) is OxLiteral
                         and (o.datatype.value not in plain or o.language in written_tag)}
            except (SyntaxError, ValueError):
                typed = None  # rdflib's parse below words the error (or reads what Oxigraph does not)
        if typed is None:
            self.add_graph(parse_file(p, max_bytes=max_bytes), keep_blank_nodes=False)
            return
        self.store.load(input=text, format=formats[spec.name])  # blank nodes renamed per call: distinct per file
        with quiet_rdflib_terms():
            written = {Literal(t.value, lang=written_tag[t.language]) if t.language
                       else Literal(t.value, datatype=URIRef(t.datatype.value)): t for t in typed}
        warn_ill_typed(written, str(p))
        for node, t in written.items():
            self.literals.setdefault(node, t)

    def _extend(self, quads: Iterable[Any]) -> None:
        batch: list[Any] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= 50_000:
                self.store.extend(batch)
                batch.clear()
        self.store.extend(batch)

    def finish(self, convert: _OxigraphTerms | None) -> Any:
        """The store; ``convert`` (which will read its answers) learns the data's blank nodes and spellings."""
        if convert is not None:
            spelled, folded = _spellings(self.ox, self.literals)
            convert.remember(self.blanks)
            convert.remember(spelled)
            convert.remember(folded, in_triples_only=True)
        return self.store


def _spellings(pyoxigraph: Any, literals: Mapping[Any, Any]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Oxigraph's normalised literal -> the rdflib literal of the data it stands for (only where it stands for one).

    Two maps: literals Oxigraph respells in their own datatype (``"47.0"`` ->
    ``"47"``, a language tag ``sr-Latn`` -> ``sr-latn``), and literals whose derived datatype it folds
    (``xsd:nonNegativeInteger`` -> ``xsd:integer``). The second applies to
    CONSTRUCT and DESCRIBE results only, which copy triples of the data: in a
    SELECT a folded value cannot be told from a computed one (a COUNT).
    """
    typed = [(node, lit) for node, lit in literals.items()
             if (node.datatype is not None and not node.language and str(node.datatype) != _XSD_STRING)
             or (node.language and node.language != node.language.lower())]
    if not typed:
        return {}, {}
    scratch = pyoxigraph.Store()
    p = pyoxigraph.NamedNode("urn:x-wbsec:spelling")
    scratch.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:x-wbsec:{i}"), p, lit) for i, (_n, lit) in enumerate(typed))
    originals: dict[Any, set[Any]] = {}
    for quad in scratch.quads_for_pattern(None, p, None):
        originals.setdefault(quad.object, set()).add(typed[int(quad.subject.value.rsplit(":", 1)[1])][0])
    spelled: dict[Any, Any] = {}
    folded: dict[Any, Any] = {}
    for normalised, nodes in originals.items():
        if len(nodes) == 1:
            (node,) = nodes
            if node.language:
                if node.language != normalised.language or str(node) != normalised.value:
                    spelled[normalised] = node
            elif str(node) != normalised.value or str(node.datatype) != normalised.datatype.value:
                same_type = str(node.datatype) == normalised.datatype.value
                (spelled if same_type else folded)[normalised] = node
    return spelled, folded


# --------------------------------------------------------------------------- Oxigraph on disk


def is_store(directory: str | Path) -> bool:
    """True when ``directory`` holds an Oxigraph (RocksDB) store."""
    return (Path(directory) / "CURRENT").is_file()


class OxigraphBackend(_OxigraphEngine):
    """A pyoxigraph store directory, opened read-only (other readers and ``wbsec serve`` may share it)."""

    kind = "oxigraph"

    def __init__(self, directory: str | Path) -> None:
        import pyoxigraph

        self.directory = Path(directory)
        if not is_store(self.directory):
            raise InputError(
                f"{self.directory}: not an Oxigraph store; create one with: wbsec load --store {self.directory} FILE..."
            )
        try:
            self.store: Any = pyoxigraph.Store.read_only(str(self.directory))
        except OSError as exc:
            raise InputError(f"{self.directory}: cannot open the Oxigraph store ({_one_line(exc)})") from exc
        self._convert = _OxigraphTerms()

    @property
    def description(self) -> str:
        return f"Oxigraph store {self.directory}"

    def to_graph(self, *, max_triples: int | None = MATERIALISE_MAX_TRIPLES) -> Graph:
        if max_triples is not None and len(self.store) > max_triples:
            raise LimitError(
                f"{self.directory} holds {len(self.store)} triples, more than the {max_triples} this command "
                "copies into memory; use wbsec query, metrics or export --view, which read the store directly"
            )
        return self._convert.graph(
            ((q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(None, None, None)), None
        )

    def close(self) -> None:
        self.store = None


class _OxigraphTerms:
    """pyoxigraph terms -> rdflib terms, with a cache (results repeat IRIs, roles and dates)."""

    def __init__(self) -> None:
        from rdflib import BNode, Literal, URIRef

        self._URIRef, self._BNode, self._Literal = URIRef, BNode, Literal
        self._cache: dict[Any, Any] = {}
        self._in_triples: dict[Any, Any] = {}

    def remember(self, terms: Mapping[Any, Any], *, in_triples_only: bool = False) -> None:
        """Answer these pyoxigraph terms with these rdflib terms (blank nodes and spellings of the data).

        ``in_triples_only``: only in graphs (CONSTRUCT, DESCRIBE), not in SELECT rows.
        """
        (self._in_triples if in_triples_only else self._cache).update(terms)

    def term(self, t: Any) -> Node:
        cache = self._cache
        hit = cache.get(t)
        if hit is not None:
            return hit
        name = type(t).__name__
        if name == "NamedNode":
            out: Any = self._URIRef(t.value)
        elif name == "BlankNode":
            out = self._BNode(t.value)
        elif name == "Literal":
            if t.language:
                out = self._Literal(t.value, lang=t.language)
            else:
                dt = t.datatype.value
                # rdflib keeps plain literals untyped, so xsd:string maps back to a plain literal
                out = self._Literal(t.value) if dt == _XSD_STRING else self._Literal(t.value, datatype=self._URIRef(dt))
        else:
            raise InputError(f"cannot use an RDF-star triple term here: {t}")
        if len(cache) < 500_000:
            cache[t] = out
        return out

    def graph(self, triples: Iterable[tuple[Any, Any, Any]], max_triples: int | None) -> Graph:
        from rdflib import Graph as RDFGraph

        from graph.namespaces import bind_prefixes

        out = bind_prefixes(RDFGraph())
        term = self.term
        if self._in_triples:
            in_triples, plain = self._in_triples, self.term

            def term(t: Any) -> Node:
                hit = in_triples.get(t)
                return hit if hit is not None else plain(t)

        batch: list[tuple[Any, Any, Any, Any]] = []
        count = 0
        for s, p, o in triples:
            count += 1
            if max_triples is not None and count > max_triples:
                raise LimitError(f"the result has more than {max_triples} triples (--max-rows); nothing was written")
            batch.append((term(s), term(p), term(o), out))
            if len(batch) >= 10_000:
                out.addN(batch)
                batch.clear()
        out.addN(batch)
        return out


def _with_deadline(work: Callable[[], _T], timeout: float | None) -> _T:
    """Run ``work`` in a worker thread and give up waiting at the deadline (pyoxigraph has no timeout)."""
    if timeout is None:
        return work()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread below
            # drop the frames here: pyoxigraph's result iterators must be freed on the thread that made them
            outcome["error"] = exc.with_traceback(None)
            exc.__context__ = exc.__cause__ = None

    worker = threading.Thread(target=target, name="wbsec-oxigraph-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout("query timed out")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --------------------------------------------------------------------------- loading a store


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_store` did: the files loaded (in order) and the triple counts."""

    store: Path
    files: list[Path]
    created: bool
    triples_before: int
    triples_after: int


@dataclass(frozen=True)
class _Input:
    path: Path
    spec: RDFFormat
    data: bytes | None  # pre-read (and pre-checked) bytes for RDF/XML and JSON-LD; None: oxigraph reads the path


def load_store(
    directory: str | Path,
    files: Sequence[str | Path],
    *,
    shipped: bool = True,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadReport:
    """Bulk-load local RDF ``files`` into the Oxigraph store in ``directory`` (created if needed).

    A new store first gets the ontology and, unless ``shipped=False``, the
    curated data, so named queries and projections work on it (``max_bytes``
    applies to ``files`` only). Inputs are checked like
    :func:`graph.store.parse_file` before anything is written: local files
    only, at most ``max_bytes`` each, no DTD in RDF/XML, no remote or file
    contexts in JSON-LD. Loading happens in a copy of the store (a hard-linked
    checkpoint) that takes the original's place only when every file has
    loaded, so a syntax error in the last file leaves the store as it was.
    Blank nodes stay distinct per file.

    Runs on stores in one directory take turns: a second run waits (with a
    warning) until the first has finished, then loads into its result, so
    no run's data are lost. The copy replaces the store in one atomic
    exchange where the system has one (Linux), so there is no moment without
    a store at ``directory``; copies left by a run that was killed are
    removed by the next run. Readers (``wbsec serve``) keep the version they
    opened; restart them to see the new data. Errors writing (a read-only or
    full disk) are :class:`OutputError`.
    """
    import pyoxigraph

    target, parent = _store_target(directory)
    checked = [_checked_input(p, fmt, max_bytes) for p in files]
    with _store_lock(target.resolve()):
        _clean_leftovers(target.resolve())
        exists = target.exists()
        created = not (exists and is_store(target))
        if exists and created and any(target.iterdir()):
            raise InputError(f"{target}: the directory is not empty and holds no Oxigraph store; choose another one")
        inputs = [*_new_store_inputs(shipped), *checked] if created else checked
        work = _work_directory(target, parent)
        store: Any = None
        before = 0
        try:
            store, before = _open_copy(pyoxigraph, target, work, created)
            for item in inputs:
                _bulk_load(pyoxigraph, store, item)
            try:
                store.flush()
            except OSError as exc:
                raise OutputError(f"{target}: cannot write the new store ({_one_line(exc)})") from exc
            after = len(store)
            del store
            store = None
            _swap_in(work, target, created and exists)
        except BaseException as exc:
            store = None
            # the traceback's frames still hold the open store; release it before removing its files
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
            shutil.rmtree(work, ignore_errors=True)
            raise
    return LoadReport(target, [i.path for i in inputs], created, before, after)


def _store_target(directory: str | Path) -> tuple[Path, Path]:
    """``directory`` as the path of a store to load into, and its parent directory (created if missing).

    A URL or an existing file is an :class:`InputError`; a parent that cannot
    be created is an :class:`OutputError`.
    """
    target = Path(directory)
    if _URL_LIKE.match(str(directory)):
        raise InputError(f"{directory}: --store takes a local directory")
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a directory")
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the directory {parent} ({exc.strerror or exc})") from exc
    return target, parent


def _new_store_inputs(shipped: bool) -> list[_Input]:
    """What a new store gets before the user's files: the ontology and, with ``shipped``, the curated data."""
    inputs = [_checked_input(TBOX_FILE, None, DEFAULT_MAX_BYTES)]
    if shipped:
        inputs.extend(_checked_input(p, None, DEFAULT_MAX_BYTES) for p in shipped_files())
    return inputs


def _work_directory(target: Path, parent: Path) -> Path:
    """A new, empty, hidden directory in ``parent`` where the loaded copy of ``target`` is built."""
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.loading-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(work, 0o777 & ~umask)  # a store directory like any other, not mkdtemp's private 0700
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {parent} ({exc.strerror or exc})") from exc
    return work


def _open_copy(pyoxigraph: Any, target: Path, work: Path, created: bool) -> tuple[Any, int]:
    """The store to load into, opened in ``work``, and the number of triples it starts with.

    For a new store (``created``) it is empty; otherwise ``work`` is replaced
    by a checkpoint (hard-linked backup) of the store at ``target``.
    """
    try:
        if created:
            return pyoxigraph.Store(str(work)), 0
        shutil.rmtree(work)
        source = _open_writable(pyoxigraph, target)
        before = len(source)
        source.backup(str(work))
        del source
        return pyoxigraph.Store(str(work)), before
    except OSError as exc:
        raise OutputError(f"{target}: cannot write the new store ({_one_line(exc)})") from exc


@contextlib.contextmanager
def _store_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock for loading into ``target``: on its parent directory, so nothing is left behind.

    The lock goes with the process: a killed run releases it. A second run
    waits for it, saying so once.
    """
    import fcntl

    parent = target.parent
    try:
        fd = os.open(parent, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"{target}: cannot open the directory {parent} ({exc.strerror or exc})") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: another wbsec load is writing in %s; waiting until it has finished", target, parent)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _clean_leftovers(target: Path) -> None:
    """Remove the copies a killed run left next to ``target``; put back a store a crash left renamed away."""
    parent = target.parent
    olds = sorted(parent.glob(f".{glob.escape(target.name)}.old-*"), key=lambda p: p.stat().st_mtime)
    if not target.exists() and olds and is_store(olds[-1]):
        try:
            os.replace(olds[-1], target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot restore the store from {olds[-1]} ({exc.strerror or exc})") from exc
        log.warning("%s: restored the store a crashed wbsec load had moved to %s", target, olds[-1].name)
    for pattern in (f".{glob.escape(target.name)}.loading-*", f".{glob.escape(target.name)}.old-*"):
        for leftover in parent.glob(pattern):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
                log.warning("%s: removed %s, left by a wbsec load that did not finish", target, leftover.name)


def _open_writable(pyoxigraph: Any, target: Path) -> Any:
    try:
        return pyoxigraph.Store(str(target))
    except OSError as exc:
        raise InputError(
            f"{target}: cannot open the store for writing ({_one_line(exc)}); is another wbsec load running?"
        ) from exc


def _checked_input(path: str | Path, fmt: str | None, max_bytes: int) -> _Input:
    """The same pre-checks as :func:`graph.store.parse_file`, without parsing into rdflib."""
    from graph.store import decode_utf8, local_file, refuse_dtd, refuse_remote_context

    p = local_file(path, max_bytes)
    spec = rdf_format(fmt) if fmt else format_for_path(p)
    if spec.name not in ("xml", "jsonld"):
        return _Input(p, spec, None)
    data = p.read_bytes()
    text = decode_utf8(data, str(p))
    if spec.name == "xml":
        refuse_dtd(data, str(p))
    else:
        refuse_remote_context(text, str(p))
    return _Input(p, spec, data)


_SMALL_FILE = 4 * 1024 * 1024
_BATCH = 100_000  # quads handed to the bulk loader at a time: bounds its memory, costs no speed
_OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "jsonld": "JSON_LD", "xml": "RDF_XML"}


def _bulk_load(pyoxigraph: Any, store: Any, item: _Input) -> None:
    """Load one checked input; big files stream through the bulk loader in batches of ``_BATCH`` quads.

    Oxigraph's ``bulk_load`` buffers a whole file (about 840 MB of memory for
    a million triples); parsing as a stream and handing the bulk loader
    bounded batches keeps the peak near 160 MB, no slower. Blank-node
    labels are renamed once per file, so they stay distinct across files and
    consistent across the batches of one file, as with ``load``.
    """
    fmt = getattr(pyoxigraph.RdfFormat, _OX_FORMATS[item.spec.name])
    source = {"path": str(item.path)} if item.data is None else {"input": item.data}
    # bulk loading writes new files on every call, a fixed cost that dominates for small inputs
    small = (len(item.data) if item.data is not None else item.path.stat().st_size) < _SMALL_FILE
    ill_typed = _IllTyped(item.path)
    try:
        if small:
            store.load(format=fmt, **source)
            ill_typed.check(pyoxigraph.parse(format=fmt, **source))  # a second, fast pass for the warnings
        else:
            quads = pyoxigraph.parse(format=fmt, rename_blank_nodes=True, **source)
            while batch := list(itertools.islice(quads, _BATCH)):
                ill_typed.check(batch)
                store.bulk_extend(batch)
        ill_typed.report()
    except SyntaxError as exc:
        raise InputError(_syntax_message(exc, item)) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"{item.path}: cannot load ({_one_line(exc)})") from exc


_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_INTEGER = r"[+-]?\d+"
#: Lexical forms of the XSD datatypes wbsec data use (XML Schema 1.1, whitespace collapsed first).
_LEXICAL: dict[str, re.Pattern[str]] = {
    **{t: re.compile(_INTEGER) for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
        "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")},
    "decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    "double": re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN"),
    "float": re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN"),
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"-?\d{4,}-\d{2}-\d{2}" + _TZ),
    "dateTime": re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?" + _TZ),
    "gYear": re.compile(r"-?\d{4,}" + _TZ),
    "gYearMonth": re.compile(r"-?\d{4,}-\d{2}" + _TZ),
}


class _IllTyped:
    """Warn about literals whose lexical form does not fit their XSD datatype, as ``--data`` does.

    Checked with the lexical patterns in :data:`_LEXICAL` (and the calendar
    for dates), in one pass over the quads the loader reads anyway.
    """

    #: Warnings printed per file; the rest are counted.
    SHOWN = 10

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bad = 0

    def check(self, quads: Iterable[Any]) -> None:
        xsd = "http://www.w3.org/2001/XMLSchema#"
        lexical = _LEXICAL
        for quad in quads:
            datatype = getattr(quad.object, "datatype", None)
            if datatype is None:
                continue
            iri = datatype.value
            pattern = lexical.get(iri[len(xsd):]) if iri.startswith(xsd) else None
            if pattern is None:
                continue
            text = " ".join(quad.object.value.split())
            if pattern.fullmatch(text) and (not iri.endswith("#date") or _real_date(text)):
                continue
            self.bad += 1
            if self.bad <= self.SHOWN:
                log.warning("%s: literal %r is not a valid %s", self.path, quad.object.value, iri)

    def report(self) -> None:
        if self.bad > self.SHOWN:
            log.warning("%s: %d more literals do not fit their datatype", self.path, self.bad - self.SHOWN)


def _real_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return not re.match(r"\d{4}-", text)  # years beyond 9999 or before 0: the pattern alone decides
    return True


def _syntax_message(exc: SyntaxError, item: _Input) -> str:
    """``file:line: Turtle syntax error (reason, column N)``, like :func:`graph.store.parse_file`."""
    kind = {"ttl": "Turtle", "nt": "N-Triples", "trig": "TriG", "jsonld": "JSON-LD", "xml": "RDF/XML"}[item.spec.name]
    message = str(exc.msg or exc)
    reason = message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
    where = f"{item.path}:{exc.lineno}" if exc.lineno else str(item.path)
    column = f", column {exc.offset}" if exc.offset else ""
    return f"{where}: {kind} syntax error ({' '.join(reason.split())}{column})"


def _swap_in(work: Path, target: Path, replace_empty_dir: bool) -> None:
    """Put the loaded copy in place of ``target``, atomically where the system can exchange two directories."""
    try:
        if target.exists() and not replace_empty_dir:
            if _exchange(work, target):
                shutil.rmtree(work, ignore_errors=True)  # ``work`` now holds the previous store
                return
            # no atomic exchange here: two renames; a crash between them is repaired by the next run
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=work.parent))
            old.rmdir()
            os.replace(target, old)
            os.replace(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, target)  # onto nothing or an empty directory: one atomic rename
    except OSError as exc:
        raise OutputError(f"{target}: cannot put the loaded store in place ({_one_line(exc)})") from exc


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directories ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    import ctypes
    import ctypes.util
    import errno

    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


# --------------------------------------------------------------------------- remote endpoint


class EndpointBackend(Backend):
    """A remote SPARQL 1.1 endpoint, read-only: only queries are sent (HTTP POST, form-encoded)."""

    kind = "endpoint"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        max_bytes: int = ENDPOINT_MAX_BYTES,
        user_agent: str = "wbsec (SPARQL client)",
        graph: str | None = None,
        check: bool = True,
    ) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--endpoint {url!r}: give an http:// or https:// URL of a SPARQL endpoint")
        if _BAD_IRI_CHARS.search(url):
            raise InputError(f"--endpoint {url!r}: the URL contains whitespace or one of <>\"{{}}|^`\\")
        if graph is not None and (not _URL_LIKE.match(graph) and not graph.startswith("urn:")
                                  or _BAD_IRI_CHARS.search(graph)):
            raise InputError(f"--graph {graph!r}: give the absolute IRI of a named graph (https://… or urn:…)")
        self.url = url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        #: the named graph sent as ``default-graph-uri`` with every query (None: the server's default graph)
        self.graph = graph
        #: the row cap the server announced (``X-SPARQL-MaxRows``), once seen
        self.server_cap: int | None = None
        self._uncapped_upto = 0  # a probe showed no cap at or below this many rows
        self._last_cap: int | None = None  # the cap announced with the latest answer
        self._check = check

    @property
    def description(self) -> str:
        where = f" (graph <{self.graph}>)" if self.graph else ""
        return f"SPARQL endpoint {self.url}{where}"

    def _text(self, text: str, params: Mapping[str, Node]) -> str:
        from graph.namespaces import PREFIXES

        query = inject_values(text, params) if params else text
        declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:", query)}
        missing = [f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items() if k not in declared]
        return "\n".join(missing + [query])

    def _post(self, query: str, accept: str, timeout: float | None) -> bytes:
        """POST ``query``; the answer's bytes, after :meth:`_note_signals` read its headers."""
        raw, headers = self._exchange(query, accept, timeout)
        self._note_signals(headers)
        return raw

    def _exchange(self, query: str, accept: str, timeout: float | None) -> tuple[bytes, Mapping[str, str]]:
        import ipaddress
        import urllib.error
        import urllib.parse
        import urllib.request

        budget = self.timeout if timeout is None else min(timeout, self.timeout)
        deadline = time.monotonic() + budget
        form = {"query": query}
        if self.graph is not None:
            form["default-graph-uri"] = self.graph
        body = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": self.user_agent,
            },
        )
        host = urllib.parse.urlsplit(self.url).hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = False
        handlers: list[Any] = [no_redirect_handler()]
        if loopback:
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)

        def fetch() -> tuple[bytes, Mapping[str, str]]:
            with network_allowed(self.url):
                with opener.open(request, timeout=budget) as response:
                    headers = {k.lower(): v for k, v in response.getheaders()}
                    return _read_capped(response, self.max_bytes, deadline, self.url), headers

        # socket timeouts bound each read, not the whole answer: a server that trickles a byte at a
        # time would never trip them. The request runs in a thread the caller stops waiting for at
        # the deadline (its socket closes when the timeout of its current read expires).
        context = contextvars.copy_context()
        try:
            return _with_deadline(lambda: context.run(fetch), budget)
        except QueryTimeout as exc:  # worded for an endpoint (a plain LimitError, so callers keep the words)
            raise LimitError(f"{self.url}: the endpoint did not answer within {budget:g} s") from exc
        except urllib.error.HTTPError as exc:
            raise _http_error(exc, self.url) from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                raise LimitError(f"{self.url}: the endpoint did not answer within {budget:g} s") from exc
            raise InputError(f"{self.url}: cannot reach the endpoint ({_one_line(reason)})") from exc
        except TimeoutError as exc:
            raise LimitError(f"{self.url}: the endpoint did not answer within {budget:g} s") from exc
        except (OSError, ValueError) as exc:
            if isinstance(exc, GraphError):
                raise
            raise InputError(f"{self.url}: request failed ({_one_line(exc)})") from exc

    # -- what the server says about its answer

    def _note_signals(self, headers: Mapping[str, str]) -> None:
        """Remember a row cap the server announced; refuse an answer it marked as partial.

        Virtuoso sends ``X-SPARQL-MaxRows: N`` when an answer reached its
        ``ResultSetMaxRows`` (and then holds at most N rows), and
        ``X-SQL-State: S1TAT`` when its "anytime query" limit cut a query
        short and sent what it had.
        """
        self._last_cap = None
        cap = headers.get("x-sparql-maxrows")
        if cap is not None:
            try:
                self._last_cap = self.server_cap = max(1, int(cap.strip()))
            except ValueError:
                raise InputError(f"{self.url}: the endpoint sent an unreadable X-SPARQL-MaxRows: {cap[:40]!r}") from None
        state = headers.get("x-sql-state", "")
        if state.strip().upper() == "S1TAT":
            said = " ".join(headers.get("x-sql-message", "").split())[:200]
            raise LimitError(
                f"{self.url}: the server stopped the query at its own time limit and sent a partial answer"
                f"{': ' + said if said else ''}; narrow the query or raise the server's limit "
                "(Virtuoso: MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini)"
            )

    def _cap_message(self, cap: int, why: str) -> str:
        return (
            f"{self.url}: the server caps answers at {cap} rows (X-SPARQL-MaxRows: {cap}) and {why}; "
            "raise the server's cap (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini) "
            "or narrow the query (wbsec never returns a cut answer)"
        )

    def check_data(self, timeout: float | None = None) -> None:
        """:class:`InputError` unless the endpoint (and ``graph``) holds wbsec data: one cheap ASK.

        Done once per backend, before the first query: a wrong
        ``default-graph-uri`` or an empty store would otherwise look like an
        empty answer.
        """
        if not self._check:
            return
        self._check = False
        probe = f"ASK {{ VALUES ?t {{ <{_WBO}Polity> <{_WBO}Actor> <{_WBO}Source> }} ?s a ?t }}"
        doc = self._json(probe, timeout)
        if doc.get("boolean") is True:
            return
        where = f"the graph <{self.graph}>" if self.graph else "its default graph"
        hint = "; give the graph that holds it with --graph IRI"
        with contextlib.suppress(GraphError):
            graphs = self.data_graphs(timeout)
            if graphs:
                hint = "; these named graphs do: " + ", ".join(f"<{g}>" for g in graphs[:5]) + " (use --graph IRI)"
        raise InputError(f"{self.url}: {where} holds no wbsec data (no wbo:Polity, wbo:Actor or wbo:Source){hint}")

    def data_graphs(self, timeout: float | None = None) -> list[str]:
        """The named graphs of the endpoint that hold wbsec data (actors, polities or sources), sorted."""
        text = (f"SELECT DISTINCT ?g WHERE {{ VALUES ?t {{ <{_WBO}Polity> <{_WBO}Actor> <{_WBO}Source> }} "
                "GRAPH ?g { ?s a ?t } } ORDER BY ?g")
        saved, self.graph = self.graph, None
        try:
            doc = self._json(text, timeout)
        finally:
            self.graph = saved
        try:
            return sorted(b["g"]["value"] for b in doc["results"]["bindings"] if b.get("g", {}).get("type") == "uri")
        except (KeyError, TypeError) as exc:
            raise InputError(f"{self.url}: the endpoint's answer is not a SELECT result") from exc

    # -- queries

    def _json(self, query: str, timeout: float | None) -> dict[str, Any]:
        raw = self._post(query, "application/sparql-results+json", timeout)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{self.url}: the endpoint did not return SPARQL JSON results") from exc
        if not isinstance(doc, dict):
            raise InputError(f"{self.url}: the endpoint did not return SPARQL JSON results")
        return doc

    def _results(self, text: str, params: Mapping[str, Node], timeout: float | None) -> dict[str, Any]:
        self.check_data(timeout)
        return self._json(self._text(text, params), timeout)

    def _rows(self, doc: dict[str, Any]) -> Rows:
        try:
            columns = [str(v) for v in doc["head"]["vars"]]
            bindings = doc["results"]["bindings"]
        except (KeyError, TypeError) as exc:
            raise InputError(f"{self.url}: the endpoint's answer is not a SELECT result") from exc
        convert = _json_term
        return columns, [tuple(convert(b.get(c), self.url) for c in columns) for b in bindings]

    def select(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_rows: int | None
    ) -> Rows:
        """Run a SELECT; an answer the server capped is paged (see :func:`paged_select`) or refused, never cut."""
        columns, rows = self._rows(self._results(text, params, timeout))
        cap = self._last_cap
        if cap is not None and len(rows) >= cap:
            if max_rows is not None and len(rows) > max_rows:
                raise LimitError(f"the result has more than {max_rows} rows (--max-rows); nothing was written")
            columns, rows = self._paged(text, params, columns, cap, timeout, max_rows)
        if max_rows is not None and len(rows) > max_rows:
            raise LimitError(f"the result has more than {max_rows} rows (--max-rows); nothing was written")
        return columns, rows

    def _paged(self, text: str, params: Mapping[str, Node], columns: list[str], cap: int,
               timeout: float | None, max_rows: int | None) -> Rows:
        query = self._text(text, params)
        pages = paged_select(query, columns)
        if isinstance(pages, str):
            raise LimitError(self._cap_message(cap, pages))
        rows: list[tuple[Node | None, ...]] = []
        offset = 0
        while True:
            page_columns, page = self._rows(self._json(pages(cap, offset), timeout))
            if page_columns != columns:
                raise InputError(f"{self.url}: a page of the answer has other columns ({page_columns})")
            rows.extend(page)
            if max_rows is not None and len(rows) > max_rows:
                raise LimitError(f"the result has more than {max_rows} rows (--max-rows); nothing was written")
            if len(page) < cap:
                return columns, rows
            if self._last_cap is not None and self._last_cap < cap:  # the server lowered its cap meanwhile
                raise LimitError(self._cap_message(self._last_cap, "lowered it while the answer was paged"))
            offset += cap

    def ask(self, text: str, params: Mapping[str, Node], *, timeout: float | None) -> bool:
        doc = self._results(text, params, timeout)
        answer = doc.get("boolean")
        if not isinstance(answer, bool):
            raise InputError(f"{self.url}: the endpoint's answer is not an ASK result")
        return answer

    def construct(
        self, text: str, params: Mapping[str, Node], *, timeout: float | None, max_triples: int | None
    ) -> Graph:
        """Run a CONSTRUCT or DESCRIBE; an answer at the server's cap is paged or refused, never cut.

        ``CONSTRUCT { ?s ?p ?o } WHERE { … }`` (what the commands fetch) runs
        as ``SELECT DISTINCT ?s ?p ?o``, which pages; other forms are checked
        against the server's cap, learnt from a cheap probe if not yet known.
        """
        from rdflib import Graph as RDFGraph
        from rdflib import Literal

        from graph.namespaces import bind_prefixes

        where = _spo_construct(text)
        if where is not None:
            _cols, rows = self.select(f"{where[0]}SELECT DISTINCT ?s ?p ?o WHERE {where[1]}", params,
                                      timeout=timeout, max_rows=max_triples)
            out = bind_prefixes(RDFGraph())
            for s, p, o in rows:
                if s is not None and p is not None and o is not None and not isinstance(s, Literal):
                    out.add((s, p, o))
            return out
        self.check_data(timeout)
        raw = self._post(self._text(text, params), "application/n-triples", timeout)
        # the endpoint's bytes get the same strict parse (and errors) as a local file
        g = parse_bytes(raw, rdf_format("nt"), name=f"answer of {self.url}")
        if max_triples is not None and len(g) > max_triples:
            raise LimitError(f"the result has more than {max_triples} triples (--max-rows); nothing was written")
        cap = self._cap_at_or_below(len(g), timeout)
        if cap is not None:
            raise LimitError(self._cap_message(cap, f"this {len(g)}-triple answer may have been cut"))
        return bind_prefixes(g)

    def _cap_at_or_below(self, n: int, timeout: float | None) -> int | None:
        """The server's row cap if it is ``n`` or less (a graph answer of ``n`` triples may then be cut).

        Servers announce a cap on SELECT answers only; when none was seen yet,
        a probe of ``n`` generated rows (no data read) shows whether one applies.
        """
        if n == 0:
            return None
        if self.server_cap is not None:
            return self.server_cap if self.server_cap <= n else None
        if n <= self._uncapped_upto:
            return None
        digits = max(1, len(str(n)))
        values = " ".join(f"VALUES ?d{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(digits))
        self._json(f"SELECT ?d0 WHERE {{ {values} }} LIMIT {n}", timeout)
        if self._last_cap is not None and self._last_cap <= n:
            return self._last_cap
        self._uncapped_upto = max(self._uncapped_upto, n)
        return None

    def triple_count(self) -> int:
        _cols, rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}, timeout=None, max_rows=1)
        value = rows[0][0] if rows else None
        return int(str(value)) if value is not None else 0

    def to_graph(self, *, max_triples: int | None = MATERIALISE_MAX_TRIPLES) -> Graph:
        count = self.triple_count()
        if max_triples is not None and count > max_triples:
            raise LimitError(
                f"{self.url} holds more than {max_triples} triples, more than this command copies into memory; "
                "use wbsec query, metrics or export --view, which query the endpoint directly"
            )
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {}, timeout=None, max_triples=None)


_WBO = "https://w3id.org/wbsec/def#"


def _prologue_end(tokens: Sequence[tuple[str, str, int, int]]) -> int:
    """Index of the first significant token after the ``PREFIX``/``BASE`` declarations."""
    i = 0
    while i < len(tokens):
        word = tokens[i][1].upper() if tokens[i][0] == "name" else ""
        if word == "PREFIX" and i + 2 < len(tokens):
            i += 3 if tokens[i + 1][0] == "name" else 2  # PREFIX p: <iri>, or PREFIX : <iri>
        elif word == "BASE" and i + 1 < len(tokens):
            i += 2
        else:
            return i
    return i


def paged_select(query: str, columns: Sequence[str]) -> Callable[[int, int], str] | str:
    """``page(limit, offset)`` giving one stable page of the SELECT ``query``, or why it cannot be paged.

    The query becomes a subquery ordered by its own ``ORDER BY`` keys (when
    they are projected variables) and then every projected variable, so
    consecutive pages neither overlap nor skip a row; ``LIMIT``/``OFFSET``
    stand outside, as Virtuoso needs for offsets past its sort limit. A query
    with its own ``LIMIT``/``OFFSET``, or whose ``ORDER BY`` reads a variable
    it does not return, cannot be paged without changing its answer.

    >>> page = paged_select("PREFIX a: <urn:a#> SELECT ?x WHERE { ?x a:p ?y } ORDER BY DESC(?x)", ["x"])
    >>> page(100, 200)
    'PREFIX a: <urn:a#> SELECT * WHERE { { SELECT * WHERE { { SELECT ?x WHERE { ?x a:p ?y } ORDER BY DESC(?x) } } ORDER BY DESC ( ?x ) ?x } } LIMIT 100 OFFSET 200'
    """
    significant = query_tokens(query)
    start = _prologue_end(significant)
    if start >= len(significant):
        return "the query is empty"
    prologue, body = query[: significant[start][2]], query[significant[start][2]:].strip()
    top = _top_level_keywords(significant, start)
    # the query's own ORDER BY conditions, reused when they read only the columns it returns
    conditions = " ".join(t[1] for t in significant[top["ORDER"] + 2:]) if "ORDER" in top else ""
    refusal = _paging_refusal(top, conditions, columns)
    if refusal is not None:
        return refusal
    order = " ".join(([conditions] if conditions else []) + [f"?{c}" for c in columns])
    prefix = prologue.rstrip() + " " if prologue.strip() else ""
    inner = f"SELECT * WHERE {{ {{ {body} }} }} ORDER BY {order}" if order else f"SELECT * WHERE {{ {{ {body} }} }}"

    def page(limit: int, offset: int) -> str:
        return f"{prefix}SELECT * WHERE {{ {{ {inner} }} }} LIMIT {int(limit)} OFFSET {int(offset)}"

    return page


def _top_level_keywords(significant: Sequence[tuple[str, str, int, int]], start: int) -> dict[str, int]:
    """The words outside any bracket from token ``start`` on (upper-cased), each with the index of its last use.

    >>> _top_level_keywords(query_tokens("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x"), 0)
    {'SELECT': 0, 'WHERE': 2, 'ORDER': 8, 'BY': 9}
    """
    depth = 0
    top: dict[str, int] = {}
    for at in range(start, len(significant)):
        kind, value = significant[at][0], significant[at][1]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif depth == 0 and kind == "name":
            top[value.upper()] = at
    return top


def _paging_refusal(top: Mapping[str, int], conditions: str, columns: Sequence[str]) -> str | None:
    """Why a query cannot be paged without changing its answer, or None when it can.

    ``top`` holds its keywords outside brackets (:func:`_top_level_keywords`),
    ``conditions`` the text of its own ``ORDER BY`` conditions and
    ``columns`` the variables it returns.
    """
    if "LIMIT" in top or "OFFSET" in top:
        return "the query has its own LIMIT/OFFSET, so it cannot be paged"
    if "ORDER" not in top:
        return None
    if "VALUES" in top and top["VALUES"] > top["ORDER"]:
        return "it ends in a VALUES block after its ORDER BY, so it cannot be paged"
    for name in re.findall(r"[?$](\w+)", conditions):
        if name not in columns:
            return f"its ORDER BY uses ?{name}, which it does not return, so it cannot be paged"
    return None


_SPO_TEMPLATE = re.compile(r"(?is)^\s*CONSTRUCT\s*\{\s*\?s\s+\?p\s+\?o\s*\.?\s*\}\s*WHERE\s*(\{.*\})\s*$")


def _spo_construct(text: str) -> tuple[str, str] | None:
    """``(prologue, where-group)`` of a ``CONSTRUCT { ?s ?p ?o } WHERE { … }`` query, else None.

    >>> _spo_construct("PREFIX a: <urn:a#> CONSTRUCT { ?s ?p ?o } WHERE { ?s a:p ?o }")
    ('PREFIX a: <urn:a#> ', '{ ?s a:p ?o }')
    """
    tokens = [(m.lastgroup or "other", m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    significant = [t for t in tokens if t[0] not in ("ws", "comment")]
    start = _prologue_end(significant)
    if start >= len(significant):
        return None
    at = significant[start][2]
    found = _SPO_TEMPLATE.match(text[at:])
    return None if found is None else (text[:at], found.group(1))


def no_redirect_handler() -> Any:
    """A urllib handler that turns a redirect into PolicyError: the endpoint URL is the only one allowed."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            raise PolicyError(
                f"{req.full_url}: the endpoint redirects (HTTP {code}) to {newurl}; give the final URL with --endpoint"
            )

    return NoRedirect()


def _read_capped(response: Any, limit: int, deadline: float, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise LimitError(f"{url}: the endpoint's answer took longer than the timeout")
        chunk = response.read1(1 << 16)  # what has arrived, not a full 64 KiB that a trickle never fills
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise LimitError(f"{url}: the answer is larger than {limit} bytes; add LIMIT to the query")
        chunks.append(chunk)


def _http_error(exc: Any, url: str) -> GraphError:
    try:
        detail = exc.read(2048).decode("utf-8", "replace")
    except Exception:  # the body is only a courtesy
        detail = ""
    detail = " ".join(detail.split())[:200]
    said = f": {detail}" if detail else ""
    if exc.code in (503, 504, 408):
        return LimitError(f"{url}: the endpoint gave up (HTTP {exc.code}){said}")
    if exc.code in (401, 403):
        return PolicyError(f"{url}: the endpoint refused the query (HTTP {exc.code}){said}")
    return InputError(f"{url}: the endpoint answered HTTP {exc.code}{said}")


def _json_term(cell: Any, url: str) -> Node | None:
    from rdflib import BNode, Literal, URIRef

    if cell is None:
        return None
    try:
        kind, value = cell["type"], cell["value"]
    except (KeyError, TypeError) as exc:
        raise InputError(f"{url}: malformed binding in the endpoint's answer") from exc
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = cell.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        dt = cell.get("datatype")
        if dt and dt not in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(value, datatype=URIRef(dt))
        return Literal(value)
    raise InputError(f"{url}: unknown term type {kind!r} in the endpoint's answer")


# --------------------------------------------------------------------------- parameters as VALUES


def sparql_term(node: Node) -> str:
    """``node`` written as SPARQL, refusing anything that could change the query around it.

    >>> from rdflib import Literal, URIRef
    >>> sparql_term(Literal('x" || true || "'))
    '"x\\\\" || true || \\\\""'
    >>> sparql_term(URIRef("https://w3id.org/wbsec/id/AL"))
    '<https://w3id.org/wbsec/id/AL>'
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return f"<{_checked_iri(str(node))}>"
    if isinstance(node, Literal):
        lexical = str(node)
        try:
            lexical.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError("parameter: invalid Unicode (lone surrogate) in a literal") from exc
        escaped = (
            lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
        if node.language:
            if not _LANG.match(node.language):
                raise InputError(f"parameter: bad language tag {node.language!r}")
            return f'"{escaped}"@{node.language}'
        if node.datatype is not None:
            return f'"{escaped}"^^<{_checked_iri(str(node.datatype))}>'
        return f'"{escaped}"'
    if isinstance(node, BNode):
        raise InputError("a blank node cannot be a parameter on an Oxigraph store or a remote endpoint")
    raise InputError(f"cannot use {node!r} as a parameter")


def _checked_iri(iri: str) -> str:
    if _BAD_IRI_CHARS.search(iri) or not iri:
        raise InputError(f"parameter: IRI {iri!r} contains whitespace or one of <>\"{{}}|^`\\")
    try:
        iri.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError("parameter: invalid Unicode (lone surrogate) in an IRI") from exc
    return iri


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>[^\s{}()\[\]<>"',;.\#?$][^\s{}()\[\]<>"',;\#]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def query_tokens(text: str) -> list[tuple[str, str, int, int]]:
    """SPARQL ``text`` cut into ``(kind, text, start, end)`` tokens, whitespace and comments left out.

    Kinds: ``string``, ``iri``, ``var``, ``name`` (keywords, prefixed names,
    numbers), ``open``/``close`` (brackets) and ``other``. Enough to find
    clauses and groups without parsing; not a validator.
    """
    return [(kind, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)
            if (kind := m.lastgroup or "other") not in ("ws", "comment")]


def inject_values(text: str, params: Mapping[str, Node], *, subqueries: bool = False) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` opening its outermost WHERE group.

    Only SELECT, ASK, DESCRIBE … WHERE and CONSTRUCT queries can take
    parameters; the short form ``CONSTRUCT WHERE { … }`` is expanded first.
    With ``subqueries`` the block also opens the WHERE group of every
    subquery, so a parameter reaches a variable used only inside one (as if
    its value were written there).
    """
    block = _values_block(params)
    significant = query_tokens(text)
    form_at = next(
        (i for i, t in enumerate(significant) if t[0] == "name" and t[1].upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")),
        None,
    )
    if form_at is None:
        raise InputError("parameters need a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    form = significant[form_at][1].upper()
    rest = significant[form_at + 1 :]
    if form == "CONSTRUCT" and rest and rest[0][0] == "name" and rest[0][1].upper() == "WHERE":
        return _expanded_construct_where(text, rest, block)
    places = _where_openings(rest, after_template=form == "CONSTRUCT", subqueries=subqueries)
    for at in sorted(set(places), reverse=True):
        text = text[:at] + block + text[at:]
    return text


def _values_block(params: Mapping[str, Node]) -> str:
    """``params`` as one ``VALUES (?a ?b) { (term term) }`` row, names sorted, padded with a space each side.

    >>> from rdflib import Literal
    >>> _values_block({"y": Literal(2), "x": Literal("a")})
    ' VALUES (?x ?y) { ("a" "2"^^<http://www.w3.org/2001/XMLSchema#integer>) } '
    """
    names = sorted(params)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError(f"parameter name {name!r} is not a SPARQL variable name")
    return (
        " VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
        + " ".join(sparql_term(params[n]) for n in names) + ") } "
    )


def _expanded_construct_where(text: str, rest: Sequence[tuple[str, str, int, int]], block: str) -> str:
    """The short form ``CONSTRUCT WHERE { P }`` of ``text`` written out as ``CONSTRUCT {P} WHERE {block P}``.

    ``rest`` are the tokens after ``CONSTRUCT`` (the first is ``WHERE``).
    """
    start, end = _block(rest, 1)
    template = text[rest[start][3] : rest[end][2]]
    return text[: rest[0][2]] + "{" + template + "} WHERE {" + block + template + "}" + text[rest[end][3] :]


def _where_openings(rest: Sequence[tuple[str, str, int, int]], *, after_template: bool, subqueries: bool) -> list[int]:
    """Character offsets just inside the ``{`` of the query's outermost WHERE group (and of its subqueries').

    ``rest`` are the tokens after the query form keyword; ``after_template``
    skips a CONSTRUCT template first. With ``subqueries`` the WHERE group of
    every nested SELECT is included too.
    """
    i = 0
    if after_template:
        _start, end = _block(rest, i)
        i = end + 1
    start, _end = _block(rest, i)
    places = [rest[start][3]]
    if subqueries:
        for j, t in enumerate(rest):
            if j > start and t[0] == "name" and t[1].upper() == "SELECT":
                inner, _inner_end = _block(rest, j + 1)
                places.append(rest[inner][3])
    return places


def _block(tokens: Sequence[tuple[str, str, int, int]], begin: int) -> tuple[int, int]:
    """Indexes of the next ``{`` at bracket depth 0 from ``begin`` and of its matching ``}``."""
    depth = 0
    start = None
    for i in range(begin, len(tokens)):
        kind, value = tokens[i][0], tokens[i][1]
        if kind == "open":
            if value == "{" and depth == 0 and start is None:
                start = i
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and start is not None:
                return start, i
    raise InputError("cannot find the WHERE group of the query to bind its parameters")


# --------------------------------------------------------------------------- choosing a backend


def as_backend(g: Graph | Backend) -> Backend:
    """``g`` itself when it is a backend, else a :class:`MemoryBackend` over the rdflib graph ``g``.

    The memory backend copies the graph into Oxigraph on its first query; a
    caller that runs several queries on one rdflib graph wraps it once here.
    """
    return g if isinstance(g, Backend) else MemoryBackend(g)


def open_backend(
    extra_files: Sequence[str | Path] = (),
    *,
    shipped: bool = True,
    store: str | Path | None = None,
    endpoint: str | None = None,
    timeout: float = 60.0,
    graph: str | None = None,
    timeout_limit: float | None = None,
) -> Backend:
    """The backend a command reads: ``endpoint``, else ``store``, else the files loaded in memory.

    ``extra_files`` and ``shipped`` apply to the in-memory backend only: a
    store holds what ``wbsec load`` put in it and an endpoint what its owner
    did, so combining them with files is an :class:`InputError`. ``graph`` is
    the endpoint's named graph to read (sent as ``default-graph-uri``);
    ``timeout_limit`` caps every query of the backend (``--timeout``).
    """
    backend = _open_backend(extra_files, shipped=shipped, store=store, endpoint=endpoint,
                            timeout=timeout if timeout_limit is None else timeout_limit, graph=graph)
    backend.timeout_limit = timeout_limit
    return backend


def _open_backend(
    extra_files: Sequence[str | Path],
    *,
    shipped: bool,
    store: str | Path | None,
    endpoint: str | None,
    timeout: float,
    graph: str | None,
) -> Backend:
    if graph is not None and endpoint is None:
        raise InputError("--graph names a graph of an endpoint: give --endpoint URL too")
    if store is not None and endpoint is not None:
        raise InputError("give --store or --endpoint, not both")
    if (store is not None or endpoint is not None) and extra_files:
        where = "--store" if store is not None else "--endpoint"
        raise InputError(f"--data cannot be combined with {where}; add files to a store with: wbsec load --store DIR FILE...")
    if endpoint is not None:
        return EndpointBackend(endpoint, timeout=timeout, graph=graph)
    if store is not None:
        return OxigraphBackend(store)
    return MemoryBackend.from_files(graph_files(extra_files, shipped=shipped))


def _one_line(exc: object) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("…" if len(text) > 300 else "")
