"""Export: the resources of one kind in a graph written as the rows of its layout (CSV), and Turtle for imports."""

from __future__ import annotations

from rdflib import Graph

from graph.namespaces import WB
from graph.spreadsheet import csv_table
from graph.store import serialize_verified
from graph.tabular.canonical import Described, derive_slug, describe_resources
from graph.tabular.layouts import Kind, layout
from graph.tabular.matching import Matcher
from graph.tabular.text import compact, escape_cell, join_cell


def _id_cell(kind: Kind, d: Described, *, ambiguous: bool = False) -> str:
    """The id to write: empty when the row would get it anyway, unless its key also names another resource."""
    if not ambiguous and str(d.iri) == str(WB[derive_slug(kind, d.values)]):
        return ""
    text = compact(d.iri)
    return text[3:] if text.startswith("wb:") else text


def export_rows(g: Graph, kind: str) -> list[list[str]]:
    """The rows of ``kind`` in ``g``, one per resource, cells in the layout's column order, sorted.

    References are written as prefixed names (``wb:XK``), codes by name
    (``NoProgress``), several values joined with ``|``. The ``id`` cell is
    empty when the id is the one the row would be given anyway and no other
    resource has the same key (two resources with one label each get their
    id, so that importing the file back knows which is which).
    """
    spec = layout(kind)
    described = describe_resources(g, spec)
    matcher: Matcher[None] = Matcher(spec)
    for d in described:
        matcher.add(d)
    rows = []
    for d in described:
        ambiguous = len({entry[0].iri for entry in matcher.matching(d.values)}) > 1
        row = [_id_cell(spec, d, ambiguous=ambiguous) if c.value == "id" else join_cell(d.values.get(c.name, []))
               for c in spec.columns]
        rows.append((row, str(d.iri)))
    rows.sort(key=lambda r: ([cell.casefold() for cell in r[0][1:]], r[0], r[1]))
    return [r for r, _iri in rows]


def export_csv(g: Graph, kind: str) -> str:
    """``kind`` rows of ``g`` as CSV text (header first); cells that a spreadsheet would run as formulas get a ``'``.

    ``wbsec import`` removes that ``'`` again, so export -> import gives back the same values.
    """
    return csv_table(layout(kind).header, export_rows(g, kind), cell=escape_cell)


def turtle(g: Graph) -> bytes:
    """``g`` as Turtle that keeps every literal exactly as it is, checked by parsing it back."""
    return serialize_verified(g, "ttl")
