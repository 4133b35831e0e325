"""Render query results for people and programs: table, CSV, TSV, JSON, Markdown or RDF.

Formats of a SELECT result:

- ``table``: aligned columns for a terminal; IRIs compacted with a label
  beside them (``wb:AL (Albania)``) unless the query also selects the label
  itself (a column ``?xLabel`` or ``?xName`` next to ``?x``), cells longer than
  :data:`TABLE_CELL_WIDTH` characters shortened with ``…``;
- ``csv``: the W3C SPARQL 1.1 Query Results CSV format (RFC 4180, CRLF line
  ends, a header of variable names, IRIs in full, literals as their lexical
  form, blank nodes ``_:id``, unbound cells empty): what SPARQL tools read
  back, with no cell altered;
- ``tsv``: the W3C SPARQL 1.1 Query Results TSV format (a header of
  ``?name``, every term in Turtle syntax: ``<iri>``, ``"text"@en``,
  ``"12.50"^^<…#decimal>``, with tab, newline, carriage return, quote and
  backslash escaped inside literals);
- ``sheet``: CSV for a spreadsheet: the cells of ``csv`` with formula safety:
  a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading ``'`` so that Excel or LibreOffice show it as text instead
  of running it as a formula (a plain number such as ``-3`` or ``+1.5`` is
  left alone). Use it for files an analyst opens in a spreadsheet program;
- ``json``: the W3C SPARQL 1.1 Query Results JSON format;
- ``md``: a Markdown table with labels as in ``table``.

ASK prints ``true`` or ``false`` (``json``: ``{"head": {}, "boolean": …}``);
CONSTRUCT and DESCRIBE print ``ttl``, ``nt`` (sorted lines) or ``jsonld`` (also for ``json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from graph.errors import InputError
from graph.namespaces import bind_prefixes, compact, label_of
from graph.sparql import NamedQuery, Table, kind, resolve, run
from graph.spreadsheet import csv_table
from graph.store import serialize_verified

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from graph.backends import Backend

SELECT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "sheet", "json", "md")
GRAPH_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld")
ALL_FORMATS: tuple[str, ...] = SELECT_FORMATS + GRAPH_FORMATS

#: Longest cell the ``table`` format prints in full.
TABLE_CELL_WIDTH = 80



def answer(
    g: Graph | Backend,
    query: str | NamedQuery,
    *,
    params: Mapping[str, object] | None = None,
    fmt: str | None = None,
    terminal: bool = False,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
) -> bytes:
    """Run ``query`` on ``g`` and return its rendering in ``fmt`` as UTF-8 bytes.

    ``fmt=None`` picks ``table`` for a terminal and ``csv`` otherwise (SELECT),
    ``true``/``false`` (ASK) or Turtle (CONSTRUCT/DESCRIBE). The format is
    checked before the query runs. Nothing is rendered unless the whole
    result arrived within ``timeout`` and ``max_rows``.
    """

    nq = resolve(query)
    chosen = _choose_format(kind(nq), fmt, terminal)
    result = run(g, nq, timeout=timeout, max_rows=max_rows, params=params)
    return render(result, chosen, _label_source(g, result, chosen))


def _label_source(g: Graph | Backend, result: Table | bool | Graph, fmt: str) -> Graph:
    """``g`` itself, or for a store or endpoint the labels of the result's IRIs (table and md show them)."""
    from rdflib import Graph as RDFGraph

    if isinstance(g, RDFGraph):
        return g
    if fmt in ("table", "md") and isinstance(result, Table):
        return g.labels(cell for row in result.rows for cell in row if cell is not None)
    return g.labels(()) if g.kind == "memory" else bind_prefixes(RDFGraph())


def _choose_format(query_kind: str, fmt: str | None, terminal: bool) -> str:
    if fmt is not None and fmt not in ALL_FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(ALL_FORMATS)}")
    if query_kind in ("CONSTRUCT", "DESCRIBE"):
        if fmt is None:
            return "ttl"
        if fmt == "json":  # the JSON of a graph is JSON-LD
            return "jsonld"
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"--format {fmt} does not apply to a {query_kind} query; use ttl, nt or jsonld")
        return fmt
    if fmt in GRAPH_FORMATS:
        raise InputError(f"--format {fmt} applies to CONSTRUCT/DESCRIBE only; use {', '.join(SELECT_FORMATS)}")
    if fmt is None:
        return "table" if terminal and query_kind == "SELECT" else "csv"
    return fmt


def render(result: Table | bool | Graph, fmt: str, g: Graph) -> bytes:
    """Render a result of :func:`graph.sparql.run`; ``g`` supplies labels for ``table`` and ``md``."""
    if isinstance(result, bool):
        if fmt == "json":
            return (json.dumps({"head": {}, "boolean": result}) + "\n").encode("utf-8")
        return b"true\n" if result else b"false\n"
    if isinstance(result, Table):
        renderers = {"table": _table, "csv": _csv, "tsv": _tsv, "sheet": _sheet, "json": _json, "md": _markdown}
        if fmt not in renderers:
            raise InputError(f"--format {fmt} does not apply to a SELECT query; use {', '.join(SELECT_FORMATS)}")
        return renderers[fmt](result, g).encode("utf-8")
    if fmt not in (*GRAPH_FORMATS, "json"):
        raise InputError(f"--format {fmt} does not apply to a graph result; use ttl, nt or jsonld")
    return serialize_verified(result, "jsonld" if fmt == "json" else fmt)


# --------------------------------------------------------------------------- cells


def plain(node: Node | None) -> str:
    """The text of a cell as CSV/TSV carry it: a full IRI, a literal's lexical form, ``_:id``, or ''."""
    from rdflib import BNode

    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


class _Labeller:
    """Readable cells: ``wb:AL (Albania)`` for IRIs, the text of literals."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.cache: dict[tuple[Node, bool], str] = {}

    def __call__(self, node: Node | None, with_label: bool = True) -> str:
        from rdflib import BNode, URIRef

        if node is None:
            return ""
        key = (node, with_label)
        if key in self.cache:
            return self.cache[key]
        if isinstance(node, URIRef):
            short = compact(self.g, node)
            label = label_of(self.g, node) if with_label else short
            text = short if label == short else f"{short} ({label})"
        elif isinstance(node, BNode):
            text = f"_:{node}"
        else:
            text = str(node)
        text = " ".join(text.split())
        self.cache[key] = text
        return text


def _labelled_columns(columns: Sequence[str]) -> list[bool]:
    """Per column: show a label beside IRIs, unless the query selects ``?xLabel``/``?xName`` itself."""
    names = set(columns)
    return [f"{c}Label" not in names and f"{c}Name" not in names for c in columns]


def _table(table: Table, g: Graph) -> str:
    cell = _Labeller(g)

    def fit(text: str) -> str:
        return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"

    labelled = _labelled_columns(table.columns)
    body = [[fit(cell(v, lab)) for v, lab in zip(row, labelled)] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(table.columns)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [line(table.columns), line(["-" * w for w in widths])]
    out += [line(r) for r in body]
    return "\n".join(out) + "\n"


def _markdown(table: Table, g: Graph) -> str:
    cell = _Labeller(g)

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    out = ["| " + " | ".join(esc(c) for c in table.columns) + " |"]
    out.append("|" + "|".join("---" for _ in table.columns) + "|")
    labelled = _labelled_columns(table.columns)
    out += ["| " + " | ".join(esc(cell(v, lab)) for v, lab in zip(row, labelled)) + " |" for row in table.rows]
    return "\n".join(out) + "\n"


def _csv(table: Table, _g: Graph) -> str:
    """W3C SPARQL 1.1 CSV: every cell exactly as :func:`plain` gives it."""
    return csv_table(table.columns, ([plain(v) for v in row] for row in table.rows), cell=str, newline="\r\n")


def _sheet(table: Table, _g: Graph) -> str:
    """The ``csv`` cells with spreadsheet formula safety (:func:`graph.spreadsheet.csv_safe`)."""
    return csv_table(table.columns, ([plain(v) for v in row] for row in table.rows), newline="\r\n")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def tsv_term(node: Node | None) -> str:
    r"""One term as the W3C SPARQL TSV format writes it (Turtle syntax; '' when unbound).

    >>> from rdflib import Literal, URIRef, XSD
    >>> print(tsv_term(URIRef("https://w3id.org/wbsec/id/AL")), tsv_term(Literal("a\tb", lang="en")))
    <https://w3id.org/wbsec/id/AL> "a\tb"@en
    >>> print(tsv_term(Literal("12.50", datatype=XSD.decimal)))
    "12.50"^^<http://www.w3.org/2001/XMLSchema#decimal>
    """
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    if node is None:
        return ""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        text = '"' + str(node).translate(_TSV_ESCAPES) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^<{node.datatype}>"
        return text
    return '"' + str(node).translate(_TSV_ESCAPES) + '"'


def _tsv(table: Table, _g: Graph) -> str:
    """W3C SPARQL 1.1 TSV: ``?name`` headers, terms in Turtle syntax."""
    out = ["\t".join(f"?{name}" for name in table.columns)]
    out += ["\t".join(tsv_term(v) for v in row) for row in table.rows]
    return "\n".join(out) + "\n"


def results_json(table: Table) -> dict[str, object]:
    """``table`` in the W3C SPARQL 1.1 Query Results JSON structure (unbound cells are left out)."""
    from rdflib import BNode, Literal, URIRef

    bindings: list[dict[str, dict[str, str]]] = []
    for row in table.rows:
        binding: dict[str, dict[str, str]] = {}
        for name, value in zip(table.columns, row):
            if value is None:
                continue
            if isinstance(value, URIRef):
                binding[name] = {"type": "uri", "value": str(value)}
            elif isinstance(value, BNode):
                binding[name] = {"type": "bnode", "value": str(value)}
            elif isinstance(value, Literal):
                term: dict[str, str] = {"type": "literal", "value": str(value)}
                if value.language:
                    term["xml:lang"] = value.language
                elif value.datatype is not None:
                    term["datatype"] = str(value.datatype)
                binding[name] = term
            else:
                binding[name] = {"type": "literal", "value": str(value)}
        bindings.append(binding)
    return {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}


def _json(table: Table, _g: Graph) -> str:
    return json.dumps(results_json(table), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- the catalogue


def catalogue(queries: Sequence[NamedQuery], fmt: str = "text") -> bytes:
    """``wbsec query --list``: each query's name, title and parameters (``text`` or ``json``)."""
    if fmt == "json":
        items = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default, "required": p.required, "meaning": p.meaning}
                    for p in q.params
                ],
            }
            for q in queries
        ]
        return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    width = max((len(q.name) for q in queries), default=0)
    lines: list[str] = []
    for q in queries:
        lines.append(f"{q.name.ljust(width)}  {q.title}")
        for p in q.params:
            if p.default is not None:
                value = f"{p.name}={p.default}"
            else:
                value = f"{p.name}=… ({'required' if p.required else 'optional'})"
            meaning = f"  {p.meaning}" if p.meaning else ""
            lines.append(f"{'':{width}}    --param {value}  [{p.type}]{meaning}")
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
