"""Cells -> RDF terms: one value of a cell parsed by its column's value type, or a :class:`CellError` saying why not."""

from __future__ import annotations

import re
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
    kind = col.value
    if kind == "text":
        return Literal(cell)
    if kind == "en":
        return Literal(cell, lang="en")
    if kind == "ref":
        return index.resolve(cell, col.range)
    if kind == "place":
        iri = iri_of(cell)
        return index.resolve(cell, col.range) if iri is not None else Literal(cell)
    if kind == "code":
        assert col.scheme is not None
        return index.code(cell, col.scheme)
    if kind in {"date", "day", "year"}:
        return _parse_date(cell, kind)
    if kind == "count":
        return _parse_count(cell)
    if kind == "percent":
        return _parse_percent(cell)
    if kind == "url":
        if re.match(r"https?://", cell, re.IGNORECASE) and re.search(r"\s", cell):
            raise CellError(f"{cell!r} contains a space: write it as %20")
        iri = iri_of(cell)
        if iri is None or not str(iri).lower().startswith(("http://", "https://")):
            raise CellError(f"{cell!r} is not a web address: write it in full, starting with https://")
        return iri
    if kind == "qid":
        m = QID.match(cell)
        if not m:
            raise CellError(f"{cell!r} is not a Wikidata id: write Q followed by digits, e.g. Q1246")
        return WD[m.group(1)]
    if kind == "language":
        if not _LANGUAGE.match(cell):
            raise CellError(f"{cell!r} is not a language code: write e.g. en, sq, sr-Latn")
        return Literal(cell)
    raise AssertionError(kind)


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
