"""Reading one CSV file of a layout into rows keyed by column name; file and header problems are collected."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from graph.store import local_file
from graph.tabular.layouts import Kind
from graph.tabular.problems import Problem
from graph.tabular.text import unescape_cell

if TYPE_CHECKING:
    from _csv import Reader

#: CSV files larger than this are refused before reading.
MAX_CSV_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


@dataclass
class Table:
    path: Path
    name: str
    data: bytes
    rows: list[Row] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)


def read_table(path: Path, kind: Kind, delimiter: str, problems: list[Problem]) -> Table | None:
    """Read one CSV file into rows keyed by column name; file and header problems go to ``problems``."""
    name = str(path)
    data = local_file(path, MAX_CSV_BYTES, verb="imported", limit=" for CSV files").read_bytes()
    text = _decoded(data, name, problems)
    if text is None:
        return None
    table = Table(path, name, data)
    text, delimiter, skip = _explicit_separator(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header_read = _read_records(table, _numbered(reader, skip), kind, delimiter, problems)
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num + skip, None, f"CSV syntax error ({exc})"))
        return None
    if not header_read:
        problems.append(Problem(name, 0, None, "the file is empty: the first row must name the columns"))
        return None
    return table


def _decoded(data: bytes, name: str, problems: list[Problem]) -> str | None:
    """The text of a UTF-8 file (byte order mark dropped); None, with the reason in ``problems``, for anything else.

    Workbooks, UTF-16 and Windows-1252 files are what spreadsheets save by default,
    so each gets a message saying how to save the file as CSV UTF-8 instead.
    """

    def refuse(message: str, line: int = 0) -> None:
        problems.append(Problem(name, line, None, message))

    if data.startswith(b"PK\x03\x04"):
        refuse("this is a spreadsheet workbook (.xlsx/.ods), not CSV: save it as 'CSV UTF-8 (comma delimited)'")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        refuse("the file is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8 (comma delimited)'")
        return None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        bad = body[exc.start : exc.start + 1].hex()
        refuse(
            f"not UTF-8 (byte 0x{bad} at offset {exc.start + len(data) - len(body)}); the file is probably "
            "Windows-1252 or Latin-1: save it as 'CSV UTF-8 (comma delimited)' or convert it with "
            "'iconv -f cp1252 -t utf-8'",
            line,
        )
        return None
    if "\x00" in text:
        refuse("the file contains NUL bytes, so it is not a text CSV file")
        return None
    return text


def _explicit_separator(text: str, delimiter: str) -> tuple[str, str, int]:
    """Honour Excel's ``sep=;`` first line: the text below it, the delimiter it names, 1 line skipped.

    Text without that line comes back unchanged, with ``delimiter`` and 0.
    """
    first_line = text.split("\n", 1)[0].strip().strip('"')
    if re.fullmatch(r"sep=.", first_line):
        return (text.split("\n", 1)[1] if "\n" in text else ""), first_line[-1], 1
    return text, delimiter, 0


def _numbered(reader: Reader, skip: int) -> Iterator[tuple[int, list[str]]]:
    """Each record of ``reader`` with the file line it starts on (a quoted cell may span lines)."""
    previous_end = 0
    for record in reader:
        yield previous_end + 1 + skip, record
        previous_end = reader.line_num


def _read_records(table: Table, records: Iterable[tuple[int, list[str]]], kind: Kind, delimiter: str,
                  problems: list[Problem]) -> bool:
    """Read the header, then the rows into ``table``; False when there is no header (no record that is not blank).

    Reading stops at a header with problems: the rows below it would be read under the wrong names.
    """
    header_read = False
    columns: list[str | None] = []
    for start, record in records:
        if not any(cell.strip() for cell in record):
            if header_read:
                table.blank_lines.append(start)
            continue
        if not header_read:
            header_read = True
            columns = _check_header(record, kind, delimiter, table.name, start, problems)
            if any(p.file == table.name and p.line == start for p in problems):
                return True
            continue
        cells = _row_cells(record, columns, table.name, start, problems)
        if cells is not None:
            table.rows.append(Row(start, cells))
    return header_read


def _row_cells(record: list[str], columns: list[str | None], name: str, line: int,
               problems: list[Problem]) -> dict[str, str] | None:
    """The cells of one record by column name, formula escapes undone; None (a problem) when it has too many cells."""
    extra = [c for c in record[len(columns):] if c.strip()]
    if extra:
        problems.append(
            Problem(name, line, None, f"{len(record)} cells but the header has {len(columns)} columns; "
                    "quote cells that contain the delimiter")
        )
        return None
    cells: dict[str, str] = {}
    for col, raw in zip(columns, record):
        if col is None:
            if raw.strip():
                problems.append(Problem(name, line, None, "a value in a column without a header name"))
            continue
        cells[col] = unescape_cell(raw.strip())
    return cells


def _check_header(record: list[str], kind: Kind, delimiter: str, name: str, line: int, problems: list[Problem]) -> list[str | None]:
    """Column names by position (None for an empty trailing header); header problems go to ``problems``."""
    names: list[str | None] = []
    allowed = kind.header
    seen: dict[str, int] = {}
    if len(record) == 1 and delimiter == "," and (";" in record[0] or "\t" in record[0]):
        used = ";" if ";" in record[0] else "tab"
        hint = "--delimiter ';'" if used == ";" else "--delimiter tab"
        problems.append(Problem(name, line, None, f"the columns are separated by {used!r}, not commas: pass {hint} "
                                "(or save the file as 'CSV UTF-8 (comma delimited)')"))
        return []
    for position, raw in enumerate(record, 1):
        col = re.sub(r"[\s-]+", "_", unescape_cell(raw.strip()).lstrip("\ufeff")).lower()
        if not col:
            names.append(None)
            continue
        if col in seen:
            problems.append(Problem(name, line, col, f"duplicate column: columns {seen[col]} and {position} are both named '{col}'"))
        seen.setdefault(col, position)
        if col not in allowed:
            close = difflib.get_close_matches(col, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(name, line, col, f"unknown column; {hint}the {kind.name} layout has: {', '.join(allowed)}"))
        names.append(col)
    missing = [c.name for c in kind.columns if c.required and c.name not in seen]
    if missing:
        problems.append(Problem(name, line, None, f"missing required column(s) {', '.join(missing)} "
                                f"(see 'wbsec import --template {kind.name}')"))
    return names
