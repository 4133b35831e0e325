"""Cells -> RDF terms: one value of a cell parsed by its column's value type, or a :class:`CellError` saying why not."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rdflib import Literal
from rdflib.term import Node

from graph.iri import ISO_DAY, YEAR
from graph.namespaces import WD, XSD
from graph.tabular.index import QID, Index, iri_of
from graph.tabular.layouts import Column
from graph.tabular.problems import CellError

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def parse_value(col: Column, cell: str, index: Index) -> Node:
    """One value of a cell as an RDF term; :class:`CellError` says what is wrong."""
    parser = _PARSERS.get(col.value)
    if parser is None:  # id and type cells are read by the import itself
        raise AssertionError(col.value)
    return parser(col, cell, index)


def _parse_text(col: Column, cell: str, index: Index) -> Literal:
    """Text as written, without a language tag."""
    return Literal(cell)


def _parse_english(col: Column, cell: str, index: Index) -> Literal:
    """Text tagged as English."""
    return Literal(cell, lang="en")


def _parse_reference(col: Column, cell: str, index: Index) -> Node:
    """The resource of the column's range that the cell names (see :meth:`Index.resolve`)."""
    return index.resolve(cell, col.range)


def _parse_place(col: Column, cell: str, index: Index) -> Node:
    """A resource when the cell is an IRI or prefixed name, else the place name as text."""
    iri = iri_of(cell)
    return index.resolve(cell, col.range) if iri is not None else Literal(cell)


def _parse_code(col: Column, cell: str, index: Index) -> Node:
    """The concept of the column's scheme that the cell names (see :meth:`Index.code`)."""
    assert col.scheme is not None
    return index.code(cell, col.scheme)


def _parse_url(col: Column, cell: str, index: Index) -> Node:
    """A web address written in full (http or https), without spaces."""
    if re.match(r"https?://", cell, re.IGNORECASE) and re.search(r"\s", cell):
        raise CellError(f"{cell!r} contains a space: write it as %20")
    iri = iri_of(cell)
    if iri is None or not str(iri).lower().startswith(("http://", "https://")):
        raise CellError(f"{cell!r} is not a web address: write it in full, starting with https://")
    return iri


def _parse_qid(col: Column, cell: str, index: Index) -> Node:
    """A Wikidata entity from its id (``Q1246``), ``wd:`` name or address."""
    m = QID.match(cell)
    if not m:
        raise CellError(f"{cell!r} is not a Wikidata id: write Q followed by digits, e.g. Q1246")
    return WD[m.group(1)]


def _parse_language(col: Column, cell: str, index: Index) -> Literal:
    """A language code (``en``, ``sr-Latn``) as text."""
    if not _LANGUAGE.match(cell):
        raise CellError(f"{cell!r} is not a language code: write e.g. en, sq, sr-Latn")
    return Literal(cell)


#: How each value type of a column (other than ``id`` and ``type``) reads one value of a cell.
_PARSERS: dict[str, Callable[[Column, str, Index], Node]] = {
    "text": _parse_text,
    "en": _parse_english,
    "ref": _parse_reference,
    "place": _parse_place,
    "code": _parse_code,
    "date": lambda col, cell, index: _parse_date(cell, "date"),
    "day": lambda col, cell, index: _parse_date(cell, "day"),
    "year": lambda col, cell, index: _parse_date(cell, "year"),
    "count": lambda col, cell, index: _parse_count(cell),
    "percent": lambda col, cell, index: _parse_percent(cell),
    "url": _parse_url,
    "qid": _parse_qid,
    "language": _parse_language,
}


def _parse_date(cell: str, kind: str) -> Literal:
    if ISO_DAY.match(cell):
        try:
            date.fromisoformat(cell)
        except ValueError:
            raise CellError(f"{cell!r} is not a real date") from None
        if kind == "year":
            raise CellError(f"{cell!r}: write the year only, e.g. {cell[:4]}")
        return Literal(cell, datatype=XSD.date)
    if YEAR.match(cell) and kind != "day":
        return Literal(cell, datatype=XSD.gYear)
    if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", cell):
        hint = "write dates as YYYY-MM-DD (2023-10-14): day and month order differs between spreadsheets"
    elif re.fullmatch(r"\d{5}(\.0+)?", cell):
        hint = "this looks like a spreadsheet date number: format the column as text and write YYYY-MM-DD"
    elif kind == "day":
        hint = "write the day as YYYY-MM-DD, e.g. 2023-10-14"
    elif kind == "year":
        hint = "write the year, e.g. 2022"
    else:
        hint = "write YYYY-MM-DD (2023-10-14) or just the year (2023)"
    raise CellError(f"{cell!r} is not a date: {hint}")


def _parse_count(cell: str) -> Literal:
    if re.fullmatch(r"\d+", cell):
        return Literal(str(int(cell)), datatype=XSD.nonNegativeInteger)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", cell):
        raise CellError(f"{cell!r}: write whole numbers without thousands separators, e.g. {cell.replace(',', '')}")
    if re.fullmatch(r"-\d+", cell):
        raise CellError(f"{cell!r}: a count cannot be negative")
    raise CellError(f"{cell!r} is not a whole number (leave the cell empty when the source gives no number)")


def _parse_percent(cell: str) -> Literal:
    if re.fullmatch(r"\d+(\.\d+)?", cell):
        if float(cell) > 100:
            raise CellError(f"{cell!r} is over 100: a percentage runs from 0 to 100")
        return Literal(cell, datatype=XSD.decimal)
    if re.fullmatch(r"\d+,\d+", cell):
        raise CellError(f"{cell!r} uses a decimal comma: write {cell.replace(',', '.')} with a decimal point")
    if cell.endswith("%"):
        raise CellError(f"{cell!r}: write the number without the % sign ({cell[:-1].strip()}); the column is a percentage already")
    if re.fullmatch(r"-\d+(\.\d+)?", cell):
        raise CellError(f"{cell!r}: a percentage cannot be negative")
    raise CellError(f"{cell!r} is not a number: write a percentage from 0 to 100 with a decimal point, e.g. 63.1")
