"""Check a data graph against the project's SHACL shapes.

The shapes always come from a trusted graph (``ontology/shapes.ttl`` unless
the caller passes one): shapes that happen to sit in the data are ignored, and
``owl:imports`` is never followed. Each call validates against its own copy of
the shapes graph, because pySHACL changes the shapes graph it is given.

Validate the data *together with the TBox* (``graph.store.load_graph`` does
this): ``sh:class`` and ``sh:targetClass`` then follow ``rdfs:subClassOf``, so
a ``wbo:Survey`` counts as a ``wbo:Source``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from graph.errors import InputError
from graph.iri import local_name
from graph.namespaces import RDF, SH, label as rdf_label, qname
from graph import __version__
from graph.errors import GraphError
from graph.fileio import atomic_write_text
from graph.store import SHAPES_FILE, parse_file_shared

__all__ = ["ValidationReport", "Violation", "conforms_cached", "format_report", "report_json", "validate"]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_DATATYPE = re.compile(r"\^\^<([^<>]*)>$")


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result.

    ``focus`` is the node that failed (an IRI, or ``_:id`` for a blank node);
    ``shape`` the IRI of the shape that reported it (for an anonymous property
    shape, the node shape holding it); ``path`` the property, as an IRI or a
    SPARQL property path; ``value`` the offending value, an IRI or a literal
    in N-Triples syntax (so its datatype shows); ``severity`` is
    ``Violation``, ``Warning`` or ``Info``.
    """

    focus: str
    shape: str
    path: str | None
    value: str | None
    severity: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` is False if any result is a Violation."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)


def validate(data: Graph, shapes: Graph | None = None, *, focus: Sequence[URIRef] | None = None) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (default: the project's shapes file).

    With ``focus``, only those nodes are checked (against every shape that
    targets them), in the context of the whole of ``data``: what an import of
    a few rows into a large graph needs, at a fraction of the cost.

    Results are sorted by shape, focus node, path, value, severity and message,
    so the same data always gives the same report; identical results (one
    value failing several constraints of the same shape) are reported once. Warnings do not make the
    data non-conforming. A shapes graph pySHACL cannot use raises
    :class:`~graph.errors.InputError`.

    >>> from rdflib import Graph
    >>> validate(Graph()).conforms
    True
    """
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    from graph.sandbox import harden_rdflib

    harden_rdflib()  # pySHACL runs sh:sparql constraints on rdflib's engine: no SERVICE, no FROM/LOAD fetch
    if focus is not None:
        _hash_focus_nodes()
    shapes_graph = _load_shapes() if shapes is None else _copy(shapes)
    # pySHACL logs load errors itself; ours below is the one line the user sees.
    logging.getLogger("pyshacl").setLevel(logging.CRITICAL)
    try:
        conforms, results, _text = shacl_validate(
            _PreparingGraph.view_of(data),
            shacl_graph=shapes_graph,
            inference="none",
            do_owl_imports=False,
            abort_on_first=False,
            allow_warnings=True,
            focus_nodes=list(focus) if focus is not None else None,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
        where = _shapes_file() if shapes is None else "the shapes graph"
        raise InputError(f"{where}: SHACL shapes cannot be used: {_one_line(exc)}") from exc
    if isinstance(results, ReportableRuntimeError):  # pySHACL returns (not raises) a validation failure
        where = _shapes_file() if shapes is None else "the shapes graph"
        raise InputError(f"{where}: SHACL validation failed: {_one_line(results.message)}")
    # A value failing several constraints of one shape (say sh:datatype and
    # sh:maxInclusive) yields identical entries: keep one.
    violations = sorted(
        set(_violations(results, shapes_graph)),
        key=lambda v: (v.shape, v.focus, v.path or "", v.value or "",
                       _SEVERITY_ORDER.get(v.severity, 9), v.severity, v.message),
    )
    return ValidationReport(conforms=bool(conforms), violations=violations)


def conforms_cached(g: Graph, files: Sequence[str | Path], *, cache_dir: Path | None = None) -> bool:
    """``validate(g).conforms``, remembered for the exact inputs ``g`` was loaded from.

    ``files`` are the files ``g`` came from, in load order. The verdict is
    keyed by the sha256 of their bytes, of the shapes file and of the wbsec,
    rdflib and pySHACL versions, and kept in ``$XDG_CACHE_HOME/wbsec/conformance/``
    (default ``~/.cache``), so a cold ``wbsec info`` on unchanged data skips
    pySHACL. If the cache cannot be read or written the check just runs.
    """
    import hashlib
    import os
    from importlib import metadata

    import rdflib

    digest = hashlib.sha256()
    try:
        shacl_version = metadata.version("pyshacl")
    except metadata.PackageNotFoundError:
        shacl_version = "?"
    digest.update(f"wbsec {__version__} rdflib {rdflib.__version__} pyshacl {shacl_version}\n".encode())
    for path in [_shapes_file(), *map(Path, files)]:
        data = path.read_bytes()
        digest.update(f"{len(data)}\n".encode())
        digest.update(data)
    base = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wbsec" / "conformance"
    entry = base / digest.hexdigest()
    try:
        return bool(json.loads(entry.read_text(encoding="utf-8"))["conforms"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    verdict = validate(g).conforms
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(entry, json.dumps({"conforms": verdict}) + "\n")
    except (OSError, GraphError):
        pass  # a read-only home: validate every time
    return verdict


def format_report(report: ValidationReport, g: Graph) -> str:
    """Readable text: results grouped by shape, then focus node, with labels from ``g``.

    IRIs are shown in prefixed form (``wb:AL``) followed by their label
    (``skos:prefLabel``, ``foaf:name`` or ``rdfs:label``) when ``g`` has one.
    """
    counts = {name: sum(v.severity == name for v in report.violations) for name in _SEVERITY_ORDER}
    if report.conforms and not report.violations:
        return "Conforms: the data satisfies every shape.\n"
    head = "Conforms" if report.conforms else "Does not conform"
    tally = ", ".join(f"{n} {name.lower()}{'s' if n != 1 else ''}" for name, n in counts.items() if n)
    lines = [f"{head}: {tally}.", ""]
    by_shape: dict[str, dict[str, list[Violation]]] = {}
    for v in report.violations:
        by_shape.setdefault(v.shape, {}).setdefault(v.focus, []).append(v)
    for shape, by_focus in by_shape.items():
        lines.append(f"Shape {_compact(shape)}")
        for focus, results in by_focus.items():
            lines.append(f"  {_describe(focus, g)}")
            for v in results:
                where = f" {_compact(v.path)}" if v.path else ""
                lines.append(f"    {v.severity}{where}: {v.message}")
                if v.value is not None and v.value != v.focus:
                    lines.append(f"      value: {_describe(v.value, g)}")
        lines.append("")
    return "\n".join(lines)


def report_json(report: ValidationReport) -> str:
    """The report as deterministic JSON: ``{"conforms": bool, "violations": [...]}``."""
    payload = {"conforms": report.conforms, "violations": [asdict(v) for v in report.violations]}
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)


def _hash_focus_nodes() -> None:
    """Make pySHACL's focus-node test a set lookup instead of a list scan (done once per process).

    pySHACL 0.40 keeps ``focus_nodes`` as a list and tests ``node in focus_nodes`` for every
    node each shape targets in the whole graph: targets x focus rdflib comparisons, 4 of the
    7 CPU-s of importing 2,000 rows and quadratic beyond. Its executor only ever tests
    membership and emptiness, so a frozenset gives the same results in constant time.
    """
    from pyshacl.validator import Validator

    make_executor = Validator.make_executor
    if getattr(make_executor, "_wbsec_hashed", False):
        return

    def hashed(self: Validator) -> object:
        executor = make_executor(self)
        if executor.focus_nodes:
            executor.focus_nodes = frozenset(executor.focus_nodes)  # type: ignore[assignment]
        return executor

    hashed._wbsec_hashed = True  # type: ignore[attr-defined]
    Validator.make_executor = hashed  # type: ignore[method-assign]


class _PreparingGraph(Graph):
    """A view of a graph (the same store, no copy) that parses each SPARQL text once per process.

    pySHACL hands a ``sh:sparql`` constraint to rdflib as text, once per focus
    node, and rdflib parses it every time (its parser is slow: 89 conflict
    links cost 89 parses, over half of validating the shipped data). The
    query is the same text each time, with ``$this`` bound by
    ``initBindings``, so it is parsed and translated once (as rdflib's own
    ``prepareQuery`` does) and the prepared query is evaluated for each focus
    node: the same answers, and the hardening of
    :func:`graph.sandbox.harden_rdflib` still applies at evaluation.
    """

    @classmethod
    def view_of(cls, data: Graph) -> Graph:
        """``data`` seen through this class; any other kind of graph (a dataset) is returned as it is."""
        if type(data) is not Graph:
            return data
        return cls(store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager)

    def query(self, query_object: Any, processor: Any = "sparql", result: Any = "sparql",  # type: ignore[override]
              initNs: Any = None, initBindings: Any = None, use_store_provided: bool = True,  # noqa: N803
              **kwargs: Any) -> Any:
        """rdflib's :meth:`~rdflib.Graph.query`, with a SPARQL text replaced by its prepared query."""
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = tuple(sorted((initNs or dict(self.namespaces())).items()))
            query_object = _prepared_query(query_object, namespaces)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@functools.lru_cache(maxsize=64)
def _prepared_query(text: str, namespaces: tuple[tuple[str, Any], ...]) -> Any:
    """The parsed and translated query ``text`` with these prefixes (rdflib's ``prepareQuery``), kept per process."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


def _shapes_file() -> Path:
    """The project's shapes file (``ontology/shapes.ttl``)."""

    return SHAPES_FILE


def _load_shapes() -> Graph:
    """A copy of the shapes file's graph (parsed once while the file is unchanged; bad Turtle is an InputError)."""
    return _copy(parse_file_shared(_shapes_file()))


def _copy(shapes: Graph) -> Graph:
    """A new graph with the same triples, so pySHACL's changes never reach the caller's graph."""
    fresh = Graph()
    for triple in shapes:
        fresh.add(triple)
    return fresh


def _one_line(exc: BaseException) -> str:
    """pySHACL's own message without its reference link, on one line and at most 300 characters."""
    lines = str(getattr(exc, "message", exc)).strip().splitlines() or [type(exc).__name__]
    text = " ".join(lines[0].split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _violations(results: Graph, shapes: Graph) -> Iterable[Violation]:
    """Top-level results only: pySHACL also types the nested ``sh:detail`` results of ``sh:node``."""
    top_level = {r for report in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report, SH.result)}
    for result in top_level:
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        yield Violation(
            focus=_term_text(focus),
            shape=_shape_name(shape, shapes),
            path=None if path is None else _path_text(path, results),
            value=None if value is None else _term_text(value),
            severity=local_name(str(severity)) if severity is not None else "Violation",
            message=_message(results, result),
        )


def _term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _shape_name(shape: Node | None, shapes: Graph) -> str:
    """The shape's IRI; an anonymous property shape is named after the node shape holding it."""
    if isinstance(shape, URIRef):
        return str(shape)
    if shape is not None:
        parents = sorted(str(p) for p in shapes.subjects(SH.property, shape) if isinstance(p, URIRef))
        if parents:
            return parents[0]
    return _term_text(shape) or "(unnamed shape)"


def _path_text(path: Node, g: Graph) -> str:
    """A SHACL path as text: an IRI as is, complex paths in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    if (path, RDF.first, None) in g:
        return "/".join(_path_text(p, g) for p in Collection(g, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = g.value(path, predicate)
        if inner is not None:
            return template.format(_path_text(inner, g))
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(p, g) for p in Collection(g, alternatives)) + ")"
    return _term_text(path)


def _message(results: Graph, result: Node) -> str:
    """The English message if there is one, else the first message in a fixed order."""
    messages = sorted(results.objects(result, SH.resultMessage), key=lambda m: (str(getattr(m, "language", "") or ""), str(m)))
    for m in messages:
        if isinstance(m, Literal) and (m.language or "").lower().startswith("en"):
            return str(m)
    return str(messages[0]) if messages else ""


def _compact(text: str) -> str:
    """``https://w3id.org/wbsec/id/AL`` -> ``wb:AL``; an IRI no prefix fits in ``<>``; other text unchanged."""
    short = qname(text)
    if short == text and "/" in text and not text.startswith(("_:", '"')):
        return f"<{text}>"
    return short


def _describe(text: str, g: Graph) -> str:
    """A node as shown to a reader: compact IRI plus its label, or the literal as written."""
    if text.startswith('"'):
        return _DATATYPE.sub(lambda m: "^^" + _compact(m.group(1)), text)
    if text.startswith("_:"):
        return text
    label = rdf_label(g, URIRef(text))
    compact = _compact(text)
    return f"{compact} ({label})" if label else compact
