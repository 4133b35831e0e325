"""The text rules of cells: slugs, loose label keys, multi-valued cells, formula escapes, short IRIs.

>>> split_cell("a | b\\\\|c |"), join_cell(["a", "b|c"])
(['a', 'b|c'], 'a|b\\\\|c')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rdflib.term import Node

from graph.namespaces import qname
from graph.spreadsheet import FORMULA_START

#: Characters that make a spreadsheet treat a cell as a formula, plus the quote itself (so the prefix can be undone).
_FORMULA_START = (*FORMULA_START, "'")
_SEPARATOR = "|"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TRANSLITERATION = str.maketrans(
    {
        "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "þ": "th", "ð": "d", "ı": "i", "ħ": "h",
        # Serbian and Macedonian Cyrillic (plus the Russian letters) -> Latin, as the sources spell names
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "d", "е": "e", "ё": "e", "ж": "z",
        "з": "z", "и": "i", "й": "j", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
        "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "у": "u", "ф": "f",
        "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s", "щ": "sc", "ъ": "", "ы": "y", "ь": "",
        "э": "e", "ю": "ju", "я": "ja", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
    }
)


def slugify(text: str, max_words: int | None = None) -> str:
    """Lower-case ASCII words joined by ``-``: diacritics dropped, Cyrillic transliterated, camelCase split.

    Scripts the project's own table does not cover (Greek, Chinese, Arabic …)
    are transliterated with ``anyascii``, so every name gets an id.

    >>> slugify("Xhelal Sveçla"), slugify("Ивица Дачић"), slugify("Ελευθέριος Βενιζέλος"), slugify("习近平")
    ('xhelal-svecla', 'ivica-dacic', 'eleytherios-venizelos', 'xijinping')
    """
    text = _CAMEL.sub(" ", text).lower().translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    if max_words is not None:
        words = words[:max_words]
    return "-".join(words)


def norm(text: str) -> str:
    """A label as compared: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def fold(text: str) -> str:
    """A label as compared loosely: case, spacing, punctuation and diacritics ignored."""
    return slugify(text).replace("-", "")


def escape_cell(cell: object) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (and to one already starting with ``'``).

    Unlike :func:`graph.spreadsheet.csv_safe` this is reversible (:func:`unescape_cell`), so a
    value such as ``-3`` or ``'quoted'`` comes back from a spreadsheet round trip unchanged.
    """
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_cell(cell: str) -> str:
    """Undo :func:`escape_cell`: drop one leading ``'`` that comes before a formula character."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r'":
        return cell[1:]
    return cell


def split_cell(cell: str) -> list[str]:
    """Values of a multi-valued cell: split on ``|`` (``\\|`` is a literal bar), blanks dropped."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            if nxt in (_SEPARATOR, "\\"):
                current.append(nxt)
            else:
                current.append(ch + nxt)
        elif ch == _SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def join_cell(values: Iterable[str]) -> str:
    return _SEPARATOR.join(v.replace("\\", "\\\\").replace(_SEPARATOR, "\\" + _SEPARATOR) for v in values)


def compact(node: Node) -> str:
    """``wb:AL`` for a node in a known namespace (longest match) with a plain local name, else the full IRI."""
    return qname(str(node), strict=True)
