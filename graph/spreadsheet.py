"""Write CSV that Excel, LibreOffice and Google Sheets open as data, never as formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula (OWASP "CSV injection"); a label such as
``=HYPERLINK("http://…")`` in imported data would then act on the analyst's
machine. Every CSV that wbsec writes goes through :func:`csv_table`, which
prefixes such a cell with ``'`` (shown as text, the apostrophe hidden). Plain
numbers such as ``-3`` or ``+1.5`` are left alone. ``wbsec import`` reverses
the prefix with its own, reversible variant (see :mod:`graph.tabular`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_safe(cell: str) -> str:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")"), csv_safe("-3"), csv_safe("Albania")
    ('\\'=HYPERLINK("http://x")', '-3', 'Albania')
    """
    if cell.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


def csv_cell(value: object) -> str:
    """One value as a safe CSV cell: ``None`` empty, booleans ``true``/``false``, floats in full precision.

    >>> [csv_cell(v) for v in (None, True, 3, 0.1, "@SUM(A1)")]
    ['', 'true', '3', '0.1', "'@SUM(A1)"]
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return csv_safe(str(value))


def csv_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    cell: Callable[[object], str] = csv_cell,
    newline: str = "\n",
) -> str:
    """``header`` and ``rows`` as RFC 4180 CSV text, every cell (header included) passed through ``cell``.

    >>> csv_table(["label", "n"], [["=1+1", 2]])
    "label,n\\n'=1+1,2\\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()
