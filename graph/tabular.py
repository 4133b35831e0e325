"""Convert spreadsheet rows (CSV) to project RDF and back, following the layouts in ontology/csv-layouts.toml.

The layouts are data: one kind per table in the TOML file, one entry per
column, saying which property a column fills, what kind of value it holds
(text, reference, code, date, count, percentage, ...), whether it is
required, and which columns identify a row (``key``) or must agree when rows
merge (``compare``). This module is the generic reader of that file.

Import (:func:`import_csv`) reads UTF-8 CSV files, resolves references to
resources already in the graph (or in the same import), mints ids as slugs
under ``wb:``, records provenance, merges rows into resources they restate,
refuses contradictions, and validates the result with the project's SHACL
shapes before returning anything. Every problem names the file, the line
and the column. Export (:func:`export_csv`) writes the same layouts back from
a graph, so a spreadsheet round-trips.

>>> slugify("Xhelal Sveçla")
'xhelal-svecla'
>>> slugify("Josip Brkić, Đorđe Ђорђевић")
'josip-brkic-dorde-dordevic'
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Protocol
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.errors import InputError, PolicyError
from graph.iri import BAD_IRI_CHARS, IRI_SCHEMES, ISO_DAY, YEAR, local_name
from graph.namespaces import (
    DCTERMS,
    FOAF,
    OWL,
    PREFIXES,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WB,
    WBO,
    WD,
    XSD,
    bind_prefixes,
    qname,
)
from graph.spreadsheet import FORMULA_START, csv_table
from graph.store import (
    ONTOLOGY_DIR,
    TBOX_FILE,
    local_file,
    merge_graphs,
    parse_file,
    shipped_files,
)

__all__ = [
    "EXAMPLES_DIR",
    "LAYOUTS_FILE",
    "Column",
    "ImportRejected",
    "ImportResult",
    "ImportedFile",
    "Kind",
    "Problem",
    "RowOutcome",
    "describe",
    "example_rows",
    "export_csv",
    "export_rows",
    "import_csv",
    "kind_names",
    "layout",
    "layouts_markdown",
    "slugify",
    "template",
    "turtle",
]

#: The declared layouts (one per kind of row).
LAYOUTS_FILE = ONTOLOGY_DIR / "csv-layouts.toml"
#: One example CSV per kind, built from the curated facts.
EXAMPLES_DIR = ONTOLOGY_DIR / "examples"
#: CSV files larger than this are refused before reading.
MAX_CSV_BYTES = 64 * 1024 * 1024
#: At most this many problems are collected before the import stops looking.
MAX_PROBLEMS = 100

VALUE_TYPES = frozenset(
    {"id", "type", "text", "en", "ref", "place", "code", "date", "day", "year", "count", "percent", "url", "qid", "language"}
)
_COLUMN_KEYS = frozenset(
    {"name", "value", "property", "range", "scheme", "required", "multi", "labels", "default", "choices", "help"}
)
_KIND_KEYS = frozenset({"title", "select", "prefix", "slug", "key", "compare", "provenance", "columns"})
#: Characters that make a spreadsheet treat a cell as a formula, plus the quote itself (so the prefix can be undone).
_FORMULA_START = (*FORMULA_START, "'")
_SEPARATOR = "|"
_SCHEME_LIKE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):\S*$")
_SLUG_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_QID = re.compile(r"^(?:wd:|https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SLUG_WORDS = 8
_MAX_SLUG = 80
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
#: Resources that describe the vocabulary itself are never the target of a reference.
_VOCABULARY_TYPES = frozenset(
    {
        OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
        RDF.Property, OWL.Ontology, QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty,
        QB.ComponentProperty, OWL.FunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
    }
)
_LABEL_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, FOAF.name, RDFS.label, DCTERMS.title)


# ---------------------------------------------------------------------------
# The declared layouts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, what it holds and the property it fills."""

    name: str
    value: str
    property: URIRef | None = None
    range: tuple[URIRef, ...] = ()
    scheme: URIRef | None = None
    required: bool = False
    multi: bool = False
    labels: bool = False
    default: str | None = None
    choices: tuple[tuple[str, tuple[URIRef, ...]], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Kind:
    """One layout: the columns of a kind of row and how rows are identified and merged."""

    name: str
    title: str
    select: tuple[URIRef, ...]
    prefix: str
    slug: tuple[str, ...]
    key: tuple[str, ...]
    compare: tuple[str, ...]
    provenance: bool
    columns: tuple[Column, ...]
    #: The shared provenance columns (source, locator, evidence …) when ``provenance`` is set.
    provenance_columns: tuple[str, ...] = ()

    @property
    def header(self) -> list[str]:
        """The column names in the declared order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def group(self, name: str) -> tuple[Column, ...]:
        """The columns that fill the same property as ``name`` (``party_a`` and ``party_b``)."""
        col = self.column(name)
        if col.property is None or col.value in {"id", "type"}:
            return (col,)
        return tuple(c for c in self.columns if c.property == col.property and c.value not in {"id", "type"})


def _expand(curie: str, where: str) -> URIRef:
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise InputError(f"{LAYOUTS_FILE}: {where}: {curie!r} is not a prefixed name with a known prefix")
    return URIRef(PREFIXES[prefix] + local)


def _column(raw: dict[str, object], where: str) -> Column:
    unknown = set(raw) - _COLUMN_KEYS
    if unknown:
        raise InputError(f"{LAYOUTS_FILE}: {where}: unknown keys {sorted(unknown)}")
    value = str(raw.get("value", ""))
    if value not in VALUE_TYPES:
        raise InputError(f"{LAYOUTS_FILE}: {where}: value {value!r} is not one of {sorted(VALUE_TYPES)}")
    prop = raw.get("property")
    if value != "id" and not isinstance(prop, str):
        raise InputError(f"{LAYOUTS_FILE}: {where}: needs a property")
    choices_raw = raw.get("choices", {})
    assert isinstance(choices_raw, dict)
    choices = tuple(
        (str(name), tuple(_expand(str(c), where) for c in classes))  # type: ignore[union-attr]
        for name, classes in choices_raw.items()
    )
    if value == "type" and not choices:
        raise InputError(f"{LAYOUTS_FILE}: {where}: a type column needs choices")
    scheme = raw.get("scheme")
    if value == "code" and not isinstance(scheme, str):
        raise InputError(f"{LAYOUTS_FILE}: {where}: a code column needs a scheme")
    range_raw = raw.get("range", [])
    assert isinstance(range_raw, list)
    return Column(
        name=str(raw["name"]),
        value=value,
        property=_expand(prop, where) if isinstance(prop, str) else None,
        range=tuple(_expand(str(r), where) for r in range_raw),
        scheme=_expand(scheme, where) if isinstance(scheme, str) else None,
        required=bool(raw.get("required", False)),
        multi=bool(raw.get("multi", False)),
        labels=bool(raw.get("labels", False)),
        default=str(raw["default"]) if "default" in raw else None,
        choices=choices,
        help=str(raw.get("help", "")),
    )


@cache
def _layouts() -> dict[str, Kind]:
    try:
        doc = tomllib.loads(LAYOUTS_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{LAYOUTS_FILE}: cannot read the CSV layouts ({exc})") from exc
    provenance = [_column(c, f"provenance column {i + 1}") for i, c in enumerate(doc.get("provenance", []))]
    kinds: dict[str, Kind] = {}
    for name, raw in doc.get("kinds", {}).items():
        unknown = set(raw) - _KIND_KEYS
        if unknown:
            raise InputError(f"{LAYOUTS_FILE}: kind {name}: unknown keys {sorted(unknown)}")
        columns = [_column(c, f"kind {name}, column {c.get('name', i + 1)}") for i, c in enumerate(raw["columns"])]
        if raw.get("provenance"):
            columns += provenance
        names = [c.name for c in columns]
        for listed in ("slug", "key", "compare"):
            missing = [c for c in raw.get(listed, []) if c not in names]
            if missing:
                raise InputError(f"{LAYOUTS_FILE}: kind {name}: {listed} names unknown columns {missing}")
        if len(set(names)) != len(names):
            raise InputError(f"{LAYOUTS_FILE}: kind {name}: a column name is used twice")
        kinds[name] = Kind(
            name=name,
            title=str(raw.get("title", name)),
            select=tuple(_expand(str(c), f"kind {name}") for c in raw["select"]),
            prefix=str(raw.get("prefix", "")),
            slug=tuple(raw.get("slug", [])),
            key=tuple(raw.get("key", [])),
            compare=tuple(raw.get("compare", [])),
            provenance=bool(raw.get("provenance", False)),
            columns=tuple(columns),
            provenance_columns=tuple(c.name for c in provenance) if raw.get("provenance") else (),
        )
    return kinds


def kind_names() -> list[str]:
    """The kinds of rows in the declared order (``actors``, ``affiliations``, ...)."""
    return list(_layouts())


def layout(kind: str) -> Kind:
    """The layout called ``kind``, or :class:`InputError` listing the kinds."""
    kinds = _layouts()
    if kind not in kinds:
        raise InputError(f"unknown kind {kind!r}; use one of: {', '.join(kinds)}")
    return kinds[kind]


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------


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


def _norm(text: str) -> str:
    """A label as compared: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def _fold(text: str) -> str:
    """A label as compared loosely: case, spacing, punctuation and diacritics ignored."""
    return slugify(text).replace("-", "")


def _escape_cell(cell: object) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (and to one already starting with ``'``).

    Unlike :func:`graph.spreadsheet.csv_safe` this is reversible (:func:`_unescape_cell`), so a
    value such as ``-3`` or ``'quoted'`` comes back from a spreadsheet round trip unchanged.
    """
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unescape_cell(cell: str) -> str:
    """Undo :func:`_escape_cell`: drop one leading ``'`` that comes before a formula character."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r'":
        return cell[1:]
    return cell


def _split(cell: str) -> list[str]:
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


def _join(values: Iterable[str]) -> str:
    return _SEPARATOR.join(v.replace("\\", "\\\\").replace(_SEPARATOR, "\\" + _SEPARATOR) for v in values)


def _compact(node: Node) -> str:
    """``wb:AL`` for a node in a known namespace (longest match) with a plain local name, else the full IRI."""
    return qname(str(node), strict=True)


def _local(node: Node) -> str:
    return local_name(str(node))


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """Why a file, row or cell was refused; ``line`` 0 means the whole file."""

    file: str
    line: int
    column: str | None
    message: str
    policy: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f": column '{self.column}'" if self.column else ""
        return f"{where}{col}: {self.message}"


class ImportRejected(InputError):
    """Rows were refused; ``problems`` lists each one (file, line, column). Nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column or "", p.message))
        # a cell refused by the security policy (an IRI scheme) makes the whole run a policy refusal
        self.exit_code = PolicyError.exit_code if any(p.policy for p in self.problems) else InputError.exit_code
        if len(self.problems) == 1:
            message = f"{self.problems[0]}; nothing written"
        else:
            files = sorted({p.file for p in self.problems})
            lines = sorted({p.line for p in self.problems if p.line})
            shown = ", ".join(map(str, lines[:20])) + (", ..." if len(lines) > 20 else "")
            where = f" (line{'s' if len(lines) > 1 else ''} {shown})" if lines else ""
            message = f"{len(self.problems)} problems in {', '.join(files)}{where}; nothing written"
        super().__init__(message)


class _CellError(Exception):
    def __init__(self, message: str, *, policy: bool = False) -> None:
        super().__init__(message)
        self.policy = policy


# ---------------------------------------------------------------------------
# Reading CSV
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


@dataclass
class _Table:
    path: Path
    name: str
    data: bytes
    rows: list[_Row] = field(default_factory=list)
    blank_lines: list[int] = field(default_factory=list)


def _read_table(path: Path, kind: Kind, delimiter: str, problems: list[Problem]) -> _Table | None:
    """Read one CSV file into rows keyed by column name; file and header problems go to ``problems``."""
    name = str(path)
    data = local_file(path, MAX_CSV_BYTES, verb="imported", limit=" for CSV files").read_bytes()

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
    table = _Table(path, name, data)
    first_line = text.split("\n", 1)[0].strip().strip('"')
    skip = 0
    if re.fullmatch(r"sep=.", first_line):  # Excel's explicit separator line
        delimiter = first_line[-1]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skip = 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    columns: list[str | None] = []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1 + skip
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                if header is not None:
                    table.blank_lines.append(start)
                continue
            if header is None:
                header = record
                columns = _check_header(record, kind, delimiter, name, start, problems)
                if any(p.file == name and p.line == start for p in problems):
                    return table
                continue
            cells: dict[str, str] = {}
            extra = [c for c in record[len(columns):] if c.strip()]
            if extra:
                problems.append(
                    Problem(name, start, None, f"{len(record)} cells but the header has {len(columns)} columns; "
                            "quote cells that contain the delimiter")
                )
                continue
            for col, raw in zip(columns, record):
                if col is None:
                    if raw.strip():
                        problems.append(Problem(name, start, None, "a value in a column without a header name"))
                    continue
                cells[col] = _unescape_cell(raw.strip())
            table.rows.append(_Row(start, cells))
    except csv.Error as exc:
        refuse(f"CSV syntax error ({exc})", reader.line_num + skip)
        return None
    if header is None:
        refuse("the file is empty: the first row must name the columns")
        return None
    return table


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
        col = re.sub(r"[\s-]+", "_", _unescape_cell(raw.strip()).lstrip("\ufeff")).lower()
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


# ---------------------------------------------------------------------------
# What is already in the graph: an index for resolving references
# ---------------------------------------------------------------------------


class _Index:
    """Typed resources of a graph by id, label, Wikidata id and ISO code, for resolving cells."""

    def __init__(self, g: Graph) -> None:
        self.supers: dict[URIRef, set[URIRef]] = {}
        for sub, sup in g.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                self.supers.setdefault(sub, set()).add(sup)
        self.class_labels: dict[URIRef, str] = {}
        classes = set(self.supers) | {s for v in self.supers.values() for s in v}
        classes |= {c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        for cls in classes:
            labels = sorted(str(lab) for lab in g.objects(cls, RDFS.label) if isinstance(lab, Literal)
                            and (lab.language or "en").startswith("en"))
            if labels:
                self.class_labels[cls] = labels[0]
        self.types: dict[URIRef, set[URIRef]] = {}
        self.labels: dict[URIRef, list[str]] = {}
        self.by_label: dict[str, set[URIRef]] = {}
        self.by_fold: dict[str, set[URIRef]] = {}
        self.by_local: dict[str, set[URIRef]] = {}
        self.by_qid: dict[str, set[URIRef]] = {}
        self.schemes: dict[URIRef, set[URIRef]] = {}
        for s, _p, cls in g.triples((None, RDF.type, None)):
            if isinstance(s, URIRef) and isinstance(cls, URIRef):
                self.types.setdefault(s, set()).add(cls)
        for s in list(self.types):
            if self.types[s] & _VOCABULARY_TYPES:
                del self.types[s]
                continue
            labels = [str(o) for p in _LABEL_PROPERTIES for o in g.objects(s, p) if isinstance(o, Literal)]
            qids = [str(o)[len(str(WD)):] for o in g.objects(s, SKOS.exactMatch) if str(o).startswith(str(WD))]
            self._register(s, labels, qids)
        for concept, scheme in g.subject_objects(SKOS.inScheme):
            if isinstance(concept, URIRef) and isinstance(scheme, URIRef):
                self.schemes.setdefault(scheme, set()).add(concept)

    def _register(self, s: URIRef, labels: Iterable[str], qids: Iterable[str] = ()) -> None:
        mine = self.labels.setdefault(s, [])
        for label in labels:
            if label not in mine:
                mine.append(label)
            self.by_label.setdefault(_norm(label), set()).add(s)
            self.by_fold.setdefault(_fold(label), set()).add(s)
        for qid in qids:
            self.by_qid.setdefault(qid, set()).add(s)
        text = str(s)
        for ns in (str(WB), str(WBO)):
            if text.startswith(ns):
                self.by_local.setdefault(text[len(ns):], set()).add(s)

    def add(self, s: URIRef, classes: Iterable[URIRef], labels: Iterable[str]) -> None:
        """Make a resource from the import itself resolvable by later cells."""
        self.types.setdefault(s, set()).update(classes)
        self._register(s, labels)

    def closure(self, classes: Iterable[URIRef]) -> set[URIRef]:
        seen: set[URIRef] = set()
        todo = list(classes)
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.supers.get(c, ()))
        return seen

    def fits(self, node: URIRef, rng: Sequence[URIRef]) -> bool:
        if node not in self.types:
            return False
        return not rng or bool(self.closure(self.types[node]) & set(rng))

    def what(self, rng: Sequence[URIRef]) -> str:
        if not rng:
            return "resource"
        words = []
        for c in rng:
            word = self.class_labels.get(c, _local(c))
            if word not in words:
                words.append(word)
        return " or ".join(words)

    def show(self, node: URIRef) -> str:
        labels = self.labels.get(node, [])
        return f"{_compact(node)} ({labels[0]})" if labels else _compact(node)

    def resolve(self, cell: str, rng: Sequence[URIRef]) -> URIRef:
        """The resource ``cell`` names (IRI, prefixed name, id, QID, ISO code, label), checked against ``rng``."""
        what = self.what(rng)
        qid = _QID.match(cell)
        if qid:
            return self._one(cell, self.by_qid.get(qid.group(1), set()), rng, what)
        iri = _iri_of(cell)
        if iri is not None:
            return self._one(cell, {iri} if iri in self.types else set(), rng, what)
        steps: list[set[URIRef]] = [
            self.by_local.get(cell, set()),
            {WB[cell.upper()]} if re.fullmatch(r"[A-Za-z]{2}", cell) and WB[cell.upper()] in self.types else set(),
            self.by_label.get(_norm(cell), set()),
            self.by_fold.get(_fold(cell), set()) if _fold(cell) else set(),
        ]
        for found in steps:
            if found:
                fitting = {n for n in found if self.fits(n, rng)}
                if fitting:
                    return self._one(cell, fitting, rng, what)
        for found in steps:
            if found:
                return self._one(cell, found, rng, what)
        return self._one(cell, set(), rng, what)

    def _one(self, cell: str, found: set[URIRef], rng: Sequence[URIRef], what: str) -> URIRef:
        if not found:
            raise _CellError(f"unknown {what} {cell!r}{self._suggest(cell, rng)}")
        fitting = sorted(n for n in found if self.fits(n, rng))
        if not fitting:
            node = sorted(found)[0]
            kinds = " and ".join(sorted(self.class_labels.get(c, _compact(c)) for c in self.types.get(node, ())))
            hint = self._containing(cell, rng)
            raise _CellError(f"{cell!r} is {self.show(node)}, {_a(kinds or 'resource')}, not {_a(what)}{hint}")
        if len(fitting) > 1:
            listed = "; ".join(self.show(n) for n in fitting)
            raise _CellError(f"{cell!r} is ambiguous: it names {listed}; write the id (e.g. {_compact(fitting[0])}) instead")
        return fitting[0]

    def _containing(self, cell: str, rng: Sequence[URIRef]) -> str:
        """Resources of the wanted kind whose label contains the cell ("Euractiv" -> the Euractiv report)."""
        wanted = _fold(cell)
        hits = sorted(
            n for n, labels in self.labels.items()
            if wanted and self.fits(n, rng) and any(wanted in _fold(lab) for lab in labels)
        )
        if not hits:
            return ""
        return f"; did you mean {' or '.join(self.show(n) for n in hits[:3])}?"

    def _suggest(self, cell: str, rng: Sequence[URIRef]) -> str:
        options: dict[str, URIRef] = {}
        for node, labels in self.labels.items():
            if self.fits(node, rng):
                for label in labels:
                    options.setdefault(_norm(label), node)
                options.setdefault(_norm(_local(node)), node)
        close = difflib.get_close_matches(_norm(cell), list(options), n=3, cutoff=0.6)
        if not close:
            return "; check the spelling, or add it first (an actors or sources CSV passed with --data)"
        shown: list[str] = []
        for c in close:
            text = self.show(options[c])
            if text not in shown:
                shown.append(text)
        return f"; did you mean {' or '.join(shown)}?"

    def code(self, cell: str, scheme: URIRef) -> URIRef:
        """The concept of ``scheme`` that ``cell`` names: its name, prefixed name or label, any case."""
        concepts = self.schemes.get(scheme, set())
        iri = _iri_of(cell)
        if iri is not None and iri in concepts:
            return iri
        wanted = _fold(cell)
        found = sorted(
            c for c in concepts
            if wanted and (wanted == _fold(_local(c)) or any(wanted == _fold(lab) for lab in self.labels.get(c, ())))
        )
        if len(found) == 1:
            return found[0]
        allowed = ", ".join(sorted(_local(c) for c in concepts))
        raise _CellError(f"{cell!r} is not in {_compact(scheme)}; allowed: {allowed}")


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _iri_of(cell: str) -> URIRef | None:
    """The IRI a cell spells out (full http/https/urn IRI or known prefixed name); None for other text.

    A cell that looks like an IRI with any other scheme (``javascript:alert(1)``,
    ``file:///etc/passwd``) is refused: IRIs are only ever minted under ``wb:``.
    """
    m = _SCHEME_LIKE.match(cell)
    if not m:
        return None
    scheme = m.group(1)
    if scheme.lower() in PREFIXES and not cell.startswith(f"{scheme}://"):
        iri = PREFIXES[scheme.lower()] + cell[len(scheme) + 1:]
    elif scheme.lower() in IRI_SCHEMES:
        iri = cell
    else:
        raise _CellError(
            f"{cell!r} looks like an IRI with the scheme '{scheme}', which is not allowed (only http, https and urn, "
            "or a prefixed name such as wb:AL)",
            policy=True,
        )
    if BAD_IRI_CHARS.search(iri):
        raise _CellError(f"{cell!r} contains a space or a character IRIs may not hold")
    return URIRef(iri)


# ---------------------------------------------------------------------------
# Cells -> RDF terms
# ---------------------------------------------------------------------------


def _parse_value(col: Column, cell: str, index: _Index) -> Node:
    """One value of a cell as an RDF term; :class:`_CellError` says what is wrong."""
    kind = col.value
    if kind == "text":
        return Literal(cell)
    if kind == "en":
        return Literal(cell, lang="en")
    if kind == "ref":
        return index.resolve(cell, col.range)
    if kind == "place":
        iri = _iri_of(cell)
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
            raise _CellError(f"{cell!r} contains a space: write it as %20")
        iri = _iri_of(cell)
        if iri is None or not str(iri).lower().startswith(("http://", "https://")):
            raise _CellError(f"{cell!r} is not a web address: write it in full, starting with https://")
        return iri
    if kind == "qid":
        m = _QID.match(cell)
        if not m:
            raise _CellError(f"{cell!r} is not a Wikidata id: write Q followed by digits, e.g. Q1246")
        return WD[m.group(1)]
    if kind == "language":
        if not _LANGUAGE.match(cell):
            raise _CellError(f"{cell!r} is not a language code: write e.g. en, sq, sr-Latn")
        return Literal(cell)
    raise AssertionError(kind)


def _parse_date(cell: str, kind: str) -> Literal:
    if ISO_DAY.match(cell):
        try:
            date.fromisoformat(cell)
        except ValueError:
            raise _CellError(f"{cell!r} is not a real date") from None
        if kind == "year":
            raise _CellError(f"{cell!r}: write the year only, e.g. {cell[:4]}")
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
    raise _CellError(f"{cell!r} is not a date: {hint}")


def _parse_count(cell: str) -> Literal:
    if re.fullmatch(r"\d+", cell):
        return Literal(str(int(cell)), datatype=XSD.nonNegativeInteger)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", cell):
        raise _CellError(f"{cell!r}: write whole numbers without thousands separators, e.g. {cell.replace(',', '')}")
    if re.fullmatch(r"-\d+", cell):
        raise _CellError(f"{cell!r}: a count cannot be negative")
    raise _CellError(f"{cell!r} is not a whole number (leave the cell empty when the source gives no number)")


def _parse_percent(cell: str) -> Literal:
    if re.fullmatch(r"\d+(\.\d+)?", cell):
        if float(cell) > 100:
            raise _CellError(f"{cell!r} is over 100: a percentage runs from 0 to 100")
        return Literal(cell, datatype=XSD.decimal)
    if re.fullmatch(r"\d+,\d+", cell):
        raise _CellError(f"{cell!r} uses a decimal comma: write {cell.replace(',', '.')} with a decimal point")
    if cell.endswith("%"):
        raise _CellError(f"{cell!r}: write the number without the % sign ({cell[:-1].strip()}); the column is a percentage already")
    if re.fullmatch(r"-\d+(\.\d+)?", cell):
        raise _CellError(f"{cell!r}: a percentage cannot be negative")
    raise _CellError(f"{cell!r} is not a number: write a percentage from 0 to 100 with a decimal point, e.g. 63.1")


# ---------------------------------------------------------------------------
# RDF terms -> cells (export, and the canonical form rows are compared in)
# ---------------------------------------------------------------------------


def _render(col: Column, node: Node) -> str | None:
    """The cell text for one value, or None when the value does not belong in this column."""
    kind = col.value
    if kind in {"text", "language"}:
        return str(node) if isinstance(node, Literal) else None
    if kind == "en":
        if isinstance(node, Literal) and (node.language or "en").lower().startswith("en"):
            return str(node)
        return None
    if kind == "ref":
        return _compact(node) if isinstance(node, URIRef) else None
    if kind == "place":
        return _compact(node) if isinstance(node, URIRef) else str(node)
    if kind == "code":
        if not isinstance(node, URIRef):
            return None
        return _local(node) if str(node).startswith(str(WBO)) else _compact(node)
    if kind == "percent":
        # Turtle writes "42"^^xsd:decimal as 42.0: compare and export the shortest form, 42
        return _short_decimal(str(node)) if isinstance(node, Literal) else None
    if kind in {"date", "day", "year", "count"}:
        return str(node) if isinstance(node, Literal) else None
    if kind == "url":
        return str(node) if isinstance(node, URIRef) else None
    if kind == "qid":
        return str(node)[len(str(WD)):] if isinstance(node, URIRef) and str(node).startswith(str(WD)) else None
    return None


def _short_decimal(text: str) -> str:
    """``42.0`` -> ``42``, ``45.50`` -> ``45.5``; anything else unchanged."""
    if re.fullmatch(r"\d+\.\d+", text):
        text = text.rstrip("0").rstrip(".")
    return text


def _type_choice(col: Column, types: set[URIRef]) -> str:
    for name, classes in col.choices:
        if set(classes) <= types:
            return name
    return ""


def _derive_slug(kind: Kind, values: dict[str, list[str]]) -> str:
    """The id a row gets when its ``id`` cell is empty: prefix + the slug columns, e.g. coop-mk-xk-<source>."""
    parts: list[str] = [kind.prefix] if kind.prefix else []
    done: set[str] = set()
    for name in kind.slug:
        group = kind.group(name)
        if any(c.name in done for c in group):
            continue
        done.update(c.name for c in group)
        col = group[0]
        vals = sorted(v for c in group for v in values.get(c.name, []))
        for v in vals:
            if col.value in {"ref", "code", "place"} and (":" in v or col.value == "code"):
                part = slugify(_local(URIRef(v)) if v.startswith(("http", "urn")) else v.split(":", 1)[-1])
            elif col.value in {"text", "en"}:
                part = slugify(v, _SLUG_WORDS)
            else:
                part = slugify(v)
            if part:
                parts.append(part)
    slug = "-".join(p for p in parts if p)
    if len(slug) > _MAX_SLUG:  # keep ids readable: cut at a word, then a short hash of the whole keeps them apart
        digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8]
        slug = slug[: _MAX_SLUG - 9].rsplit("-", 1)[0] + "-" + digest
    return slug


@dataclass(frozen=True)
class _Described:
    """A resource of a kind as rows see it: canonical cell values per column and every label."""

    iri: URIRef
    values: dict[str, list[str]]
    labels: frozenset[str]


def _describe_resources(g: Graph, kind: Kind) -> list[_Described]:
    """Every resource of ``kind`` in ``g`` in canonical form (used by export and by merging)."""
    subjects = sorted({s for cls in kind.select for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)})
    out: list[_Described] = []
    for s in subjects:
        types = {t for t in g.objects(s, RDF.type) if isinstance(t, URIRef)}
        values: dict[str, list[str]] = {}
        done: set[str] = set()
        for col in kind.columns:
            if col.value == "id" or col.name in done:
                continue
            if col.value == "type":
                choice = _type_choice(col, types)
                values[col.name] = [choice] if choice else []
                continue
            assert col.property is not None
            group = kind.group(col.name)
            rendered = sorted({r for o in g.objects(s, col.property) if (r := _render(col, o)) is not None})
            if len(group) == 1:
                values[col.name] = rendered
                continue
            for i, member in enumerate(group):  # party_a, party_b: the sorted values in turn, the rest in the last
                values[member.name] = rendered[i : i + 1] if i < len(group) - 1 else rendered[i:]
                done.add(member.name)
        labels = frozenset(_norm(v) for c in kind.columns if c.labels for v in values.get(c.name, []))
        out.append(_Described(s, values, labels))
    return out


def _id_cell(kind: Kind, d: _Described, *, ambiguous: bool = False) -> str:
    """The id to write: empty when the row would get it anyway, unless its key also names another resource."""
    if not ambiguous and str(d.iri) == str(WB[_derive_slug(kind, d.values)]):
        return ""
    text = _compact(d.iri)
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
    described = _describe_resources(g, spec)
    matcher = _Matcher(spec)
    for d in described:
        matcher.add(d)
    rows = []
    for d in described:
        ambiguous = len({entry[0].iri for entry in matcher.matching(d.values)}) > 1
        row = [_id_cell(spec, d, ambiguous=ambiguous) if c.value == "id" else _join(d.values.get(c.name, []))
               for c in spec.columns]
        rows.append((row, str(d.iri)))
    rows.sort(key=lambda r: ([cell.casefold() for cell in r[0][1:]], r[0], r[1]))
    return [r for r, _iri in rows]


def export_csv(g: Graph, kind: str) -> str:
    """``kind`` rows of ``g`` as CSV text (header first); cells that a spreadsheet would run as formulas get a ``'``.

    ``wbsec import`` removes that ``'`` again, so export -> import gives back the same values.
    """
    return csv_table(layout(kind).header, export_rows(g, kind), cell=_escape_cell)


def turtle(g: Graph) -> bytes:
    """``g`` as Turtle that keeps every literal exactly as it is, checked by parsing it back."""
    from graph.store import serialize_verified

    return serialize_verified(g, "ttl")


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row: a ``new`` resource or ``merged`` into one already there."""

    file: str
    line: int
    subject: str
    status: str
    merged_with: str = ""


@dataclass(frozen=True)
class ImportedFile:
    """One imported CSV file and the provenance resource recorded for it."""

    path: str
    sha256: str
    size: int
    rows: int
    entity: str


@dataclass
class ImportResult:
    """The triples an import adds (``graph``), what happened to each row, and non-blocking warnings."""

    kind: str
    graph: Graph
    files: list[ImportedFile]
    rows: list[RowOutcome]
    warnings: list[str]


class _Fail(Protocol):
    def __call__(self, p: _Pending, column: str | None, message: str, policy: bool = False) -> None: ...


@dataclass
class _Pending:
    """A row on its way to RDF."""

    table: _Table
    row: _Row
    values: dict[str, list[Node]] = field(default_factory=dict)
    canon: dict[str, list[str]] = field(default_factory=dict)
    subject: URIRef | None = None
    status: str = "new"
    merged_with: str = ""
    failed: bool = False
    in_graph: bool = False  # the row restates a resource already in the loaded graph
    missing: list[str] = field(default_factory=list)  # required columns left empty


def _load_context(data: Sequence[str | Path], shipped: bool) -> tuple[Graph, dict[URIRef, str]]:
    """The graph references resolve against, and the file each resource was first described in.

    A ``.csv`` file among ``data`` is a sources or actors spreadsheet (told
    apart by its header): it is imported (checked like ``wbsec import --kind
    sources`` or ``actors``, against the other files; sources first) and what
    it describes joins the graph, so rows can cite and name it.
    """
    rdf_files = [Path(p) for p in data if Path(p).suffix.lower() != ".csv"]
    sheets = sorted((Path(p) for p in data if Path(p).suffix.lower() == ".csv"),
                    key=lambda p: _SHEET_KINDS.index(_sheet_kind(p)))
    paths = [TBOX_FILE, *(shipped_files() if shipped else []), *rdf_files]
    parts: list[Graph] = []
    origin: dict[URIRef, str] = {}
    for path in paths:
        part = parse_file(path)
        shown = _shown_path(path)
        for s in part.subjects(unique=True):
            if isinstance(s, URIRef):
                origin.setdefault(s, shown)
        parts.append(part)
    done: list[Path] = []
    for kind in _SHEET_KINDS:
        mine = [p for p in sheets if _sheet_kind(p) == kind]
        if mine:
            sheet = import_csv(mine, kind, data=[*rdf_files, *done], shipped=shipped).graph
            for s in sheet.subjects(unique=True):
                if isinstance(s, URIRef):
                    origin.setdefault(s, f"the {kind} CSV given with --data")
            parts.append(sheet)
            done.extend(mine)
    return merge_graphs(parts), origin


#: The spreadsheets ``--data`` accepts for an import, in the order they are read (actors may cite sources).
_SHEET_KINDS: tuple[str, ...] = ("sources", "actors")


def _sheet_kind(path: Path) -> str:
    """``sources`` or ``actors``: the layout whose columns hold every header cell of the CSV at ``path``."""
    local_file(path, MAX_CSV_BYTES, verb="imported")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the header of this CSV ({exc})") from exc
    header = {cell.strip().lower().replace(" ", "_") for cell in first if cell.strip()}
    for kind in _SHEET_KINDS:
        spec = layout(kind)
        required = {c.name for c in spec.columns if c.required}
        if header and header <= set(spec.header) and required <= header:
            return kind
    raise InputError(f"{path}: a CSV given with --data must be a sources or actors spreadsheet "
                     f"(see wbsec import --describe sources); its header matches neither")


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ONTOLOGY_DIR.parent))
    except ValueError:
        return str(path)


def import_csv(
    paths: Sequence[str | Path],
    kind: str,
    *,
    data: Sequence[str | Path] = (),
    shipped: bool = True,
    delimiter: str = ",",
) -> ImportResult:
    """Read CSV files of one ``kind`` and return the RDF they add, validated; raise :class:`ImportRejected` otherwise.

    References resolve against the ontology, the curated data (unless
    ``shipped=False``), the ``data`` files and the rows of this import. A row
    that restates a resource already there (same key columns) is merged into
    it; one that disagrees with it on a ``compare`` column is a contradiction.
    The result is checked with the SHACL shapes together with everything
    loaded; all problems are collected, each naming file, line and column.
    Nothing is written here: the caller writes ``result.graph``.
    """
    spec = layout(kind)
    problems: list[Problem] = []
    tables = [t for p in paths if (t := _read_table(Path(p), spec, delimiter, problems)) is not None]
    if problems:
        raise ImportRejected(problems)
    context, origin = _load_context(data, shipped)
    index = _Index(context)
    matcher = _Matcher(spec)
    for d in _describe_resources(context, spec):
        matcher.add(d)
    pending = [_Pending(t, r) for t in tables for r in t.rows]

    def fail(p: _Pending, column: str | None, message: str, policy: bool = False) -> None:
        p.failed = True
        problems.append(Problem(p.table.name, p.row.line, column, message, policy))
        if len(problems) >= MAX_PROBLEMS:
            raise ImportRejected(problems)

    ref_free = all(spec.column(c).value not in {"ref", "place"} for c in (*spec.key, *spec.slug))
    # Pass 1: plain cells; rows whose identity needs no reference get their subject now, so
    # later cells (and rows of other files) can refer to them by id or label.
    for p in pending:
        _parse_cells(spec, p, index, fail, refs=False)
        if ref_free and not p.failed:
            _identify(spec, p, matcher, origin, context, index, fail)
    # Pass 2: references, then identity for the other kinds.
    for p in pending:
        _parse_cells(spec, p, index, fail, refs=True)
        if not p.failed and p.subject is None:
            _identify(spec, p, matcher, origin, context, index, fail)
    # A row that restates a resource already in the graph (an exported row brought back) needs
    # no new source or other required cell: the resource has them, or never needed them.
    for p in pending:
        if not p.in_graph:
            for name in p.missing:
                col = spec.column(name)
                fail(p, name, f"required, but empty ({col.help})" if col.help else "required, but empty")
    if problems:
        raise ImportRejected(problems)
    new = bind_prefixes(Graph())
    files: list[ImportedFile] = []
    activities: dict[str, URIRef] = {}
    for t in tables:
        digest = hashlib.sha256(t.data).hexdigest()
        entity, activity = _record_file(new, t, digest, spec)
        activities[t.name] = activity
        files.append(ImportedFile(t.name, digest, len(t.data), len(t.rows), str(entity)))
    lines: dict[URIRef, tuple[str, int]] = {}
    for p in pending:
        assert p.subject is not None
        lines.setdefault(p.subject, (p.table.name, p.row.line))
        _add_triples(spec, p, new, context)
        new.add((p.subject, PROV.wasGeneratedBy, activities[p.table.name]))
    warnings = [
        f"{t.name}: skipped blank line{'s' if len(t.blank_lines) > 1 else ''} {', '.join(map(str, t.blank_lines))}"
        for t in tables if t.blank_lines
    ]
    warnings += [f"{t.name}: no rows below the header" for t in tables if not t.rows]
    warnings += _same_name_elsewhere(spec, pending, index)
    warnings += _check_shapes(spec, context, new, lines, problems)
    if problems:
        raise ImportRejected(problems)
    outcomes = [
        RowOutcome(p.table.name, p.row.line, str(p.subject), p.status, p.merged_with) for p in pending
    ]
    return ImportResult(kind, new, files, outcomes, warnings)


def _same_name_elsewhere(spec: Kind, pending: Sequence[_Pending], index: _Index) -> list[str]:
    """Warnings for new rows whose name is already a resource of another kind.

    The same agreement entered through two templates (an ``agreements`` row
    and an ``events`` row, say) would otherwise be counted twice in silence;
    a resource of the same kind is merged by the key columns instead.
    """
    own = index.closure(spec.select)
    out: list[str] = []
    for p in pending:
        if p.status != "new" or p.subject is None:
            continue
        names = [v for c in spec.columns if c.labels and c.value in {"en", "text"} for v in p.canon.get(c.name, [])]
        others = sorted({o for name in names for o in index.by_label.get(_norm(name), set())
                         if o != p.subject and not index.closure(index.types.get(o, set())) & own}, key=str)
        for other in others:
            out.append(f"{p.table.name}:{p.row.line}: {index.show(other)} has the same name but is not one of the "
                       f"{spec.name}; if both are one instrument entered through two templates, keep one row "
                       f"(its kinds can be several), else rename one")
    return out


def _parse_cells(spec: Kind, p: _Pending, index: _Index, fail: _Fail, *, refs: bool) -> None:
    for col in spec.columns:
        if (col.value in {"ref", "place"}) != refs or col.value in {"id"}:
            continue
        cell = p.row.cells.get(col.name, "")
        parts = _split(cell) if col.multi else ([cell] if cell else [])
        if not parts:  # an empty type takes its default only for a new resource (see _classes)
            if col.required:  # checked once the row is identified: a restated resource needs nothing new
                p.missing.append(col.name)
            p.values[col.name], p.canon[col.name] = [], []
            continue
        nodes: list[Node] = []
        canon: list[str] = []
        for part in parts:
            try:
                if col.value == "type":
                    choices = dict(col.choices)
                    if part.lower() not in choices:
                        raise _CellError(f"{part!r} is not a type of {spec.name}; use one of: {', '.join(choices)}")
                    nodes.extend(choices[part.lower()])
                    canon.append(part.lower())
                    continue
                node = _parse_value(col, part, index)
            except _CellError as exc:
                fail(p, col.name, str(exc), exc.policy)
                continue
            nodes.append(node)
            rendered = _render(col, node)
            canon.append(rendered if rendered is not None else part)
        p.values[col.name] = nodes
        p.canon[col.name] = sorted(set(canon))


@dataclass(frozen=True)
class _KeyGroup:
    """Key columns that fill one property (``party_a`` + ``party_b``), compared as one sorted set."""

    columns: tuple[str, ...]
    labels: bool
    multi: bool


@cache
def _key_groups(spec: Kind) -> tuple[_KeyGroup, ...]:
    groups: list[_KeyGroup] = []
    done: set[str] = set()
    for name in spec.key:
        group = spec.group(name)
        if any(c.name in done for c in group):
            continue
        done.update(c.name for c in group)
        groups.append(_KeyGroup(tuple(c.name for c in group), any(c.labels for c in group), any(c.multi for c in group)))
    return tuple(groups)


def _labels_of(spec: Kind, values: dict[str, list[str]]) -> frozenset[str]:
    return frozenset(_norm(v) for c in spec.columns if c.labels for v in values.get(c.name, []))


_Entry = tuple[_Described, "_Pending | None"]


class _Matcher:
    """Resources of one kind (from the graph, then from rows) by key, so a row finds what it restates quickly.

    Key columns match when equal; a label column matches any label of the
    resource (case-insensitive); a multi-valued column (``source``) matches
    when one side's values include the other's.
    """

    def __init__(self, spec: Kind) -> None:
        self.groups = _key_groups(spec)
        self.blocks: dict[str, list[_Entry]] = {}
        self.by_iri: dict[URIRef, list[_Entry]] = {}

    def _blocks(self, values: dict[str, list[str]], labels: frozenset[str] | None) -> set[str]:
        """Bucket names: two entries can only match when they share one (labels: all of a resource's)."""
        if not self.groups:
            return {"*"}
        first = self.groups[0]
        vals = sorted(v for c in first.columns for v in values.get(c, []))
        if first.labels:
            return {"L" + lab for lab in labels} if labels is not None else {"L" + _norm(v) for v in vals}
        if first.multi:
            return {"M" + v for v in vals} or {"M"}
        return {"V" + "\x1f".join(vals)}

    def add(self, d: _Described, p: _Pending | None = None) -> None:
        entry: _Entry = (d, p)
        for block in self._blocks(d.values, d.labels):
            self.blocks.setdefault(block, []).append(entry)
        self.by_iri.setdefault(d.iri, []).append(entry)

    def matching(self, row: dict[str, list[str]]) -> list[_Entry]:
        seen: set[int] = set()
        out: list[_Entry] = []
        for block in sorted(self._blocks(row, None)):
            for entry in self.blocks.get(block, []):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    if self._matches(row, entry[0]):
                        out.append(entry)
        return out

    def _matches(self, row: dict[str, list[str]], other: _Described) -> bool:
        for group in self.groups:
            mine = sorted(v for c in group.columns for v in row.get(c, []))
            theirs = sorted(v for c in group.columns for v in other.values.get(c, []))
            if group.labels:
                if not mine or not all(_norm(v) in other.labels for v in mine):
                    return False
            elif group.multi:
                if (mine or theirs) and not (mine and theirs and (set(mine) <= set(theirs) or set(theirs) <= set(mine))):
                    return False
            elif mine != theirs:
                return False
        return True


def _conflicts(spec: Kind, row: dict[str, list[str]], other: _Described) -> list[tuple[str, str, str]]:
    out = []
    for name in spec.compare:
        mine, theirs = row.get(name, []), other.values.get(name, [])
        if mine and theirs and sorted(mine) != sorted(theirs):
            out.append((name, _join(mine), _join(theirs)))
    return out


def _differing(mine: dict[str, list[str]], theirs: dict[str, list[str]], skip: tuple[str, ...]) -> list[str]:
    """The columns two rows fill differently (an empty cell differs from a filled one), ``id`` and ``skip`` aside.

    Provenance columns are skipped: two rows may state the same thing from two sources.
    """
    return sorted(c for c in set(mine) | set(theirs)
                  if c != "id" and c not in skip and sorted(mine.get(c, [])) != sorted(theirs.get(c, [])))


def _identify(
    spec: Kind,
    p: _Pending,
    matcher: _Matcher,
    origin: dict[URIRef, str],
    context: Graph,
    index: _Index,
    fail: _Fail,
) -> None:
    """Give the row its subject: the id cell, a resource it restates, or a new slug; refuse contradictions."""
    id_cell = p.row.cells.get("id", "")
    subject: URIRef | None = None
    if id_cell:
        try:
            subject = _parse_id(id_cell)
        except _CellError as exc:
            fail(p, "id", str(exc), exc.policy)
            return
        matches = matcher.by_iri.get(subject, [])
    else:
        matches = matcher.matching(p.canon)
        found = sorted({d.iri for d, _q in matches})
        if len(found) > 1:
            listed = "; ".join(index.show(i) for i in found)
            fail(p, None, f"this row matches several resources ({listed}); fill the id column to say which one")
            return
        if found:
            subject = found[0]
    if id_cell:
        # two rows of this import with one id describe one resource only if they say the same thing
        for d, q in matches:
            differing = _differing(p.canon, d.values, spec.provenance_columns) if q is not None else []
            if differing:
                fail(p, "id", f"{id_cell!r} is also the id of line {q.row.line} of {q.table.name}, "  # type: ignore[union-attr]
                              f"which differs in {', '.join(differing)}; give each row its own id")
        if p.failed:
            return
    same = "same id" if id_cell else f"same {', '.join(spec.key)}"
    for d, q in matches:
        for col, mine, theirs in _conflicts(spec, p.canon, d):
            where = origin.get(d.iri, "the loaded data") if q is None else f"line {q.row.line} of {q.table.name}"
            what = f"{index.show(d.iri)} in {where}" if q is None else where
            fail(p, col, f"contradicts {what}, which says {theirs!r} where this row says {mine!r} ({same}); "
                         "correct one of them")
    if p.failed:
        return
    in_graph = any(q is None for _d, q in matches)
    rows = [q for _d, q in matches if q is not None]
    if subject is not None and (in_graph or rows):
        p.status = "merged"
        p.in_graph = in_graph
        p.merged_with = origin.get(subject, "") if in_graph else f"{rows[0].table.name}:{rows[0].row.line}"
    if subject is None:
        slug = _derive_slug(spec, p.canon)
        if not slug or slug == spec.prefix:
            fail(p, "id", "cannot derive an id from this row; fill the id column")
            return
        subject = WB[slug]
        if (subject, None, None) in context or subject in matcher.by_iri:
            fail(p, "id", f"the derived id {_compact(subject)} is already used by {index.show(subject)} for something "
                          "else; fill the id column with another id")
            return
    elif not in_graph and not rows and (subject, None, None) in context:
        kinds = ", ".join(sorted(_compact(t) for t in context.objects(subject, RDF.type))) or "no type"
        fail(p, "id", f"{_compact(subject)} already exists as {kinds}, not as {spec.name}; choose another id")
        return
    p.subject = subject
    matcher.add(_Described(subject, p.canon, _labels_of(spec, p.canon)), p)
    index.add(subject, _classes(spec, p), [v for c in spec.columns if c.labels for v in p.canon.get(c.name, [])])


def _parse_id(cell: str) -> URIRef:
    local = cell[3:] if cell.startswith("wb:") else cell
    if _SLUG_ID.match(local):
        return WB[local]
    iri = _iri_of(cell)
    if iri is not None:
        return iri
    suggestion = slugify(cell)
    raise _CellError(f"{cell!r} is not an id: use letters, digits and '-' only" + (f", e.g. {suggestion}" if suggestion else ""))


def _classes(spec: Kind, p: _Pending) -> list[URIRef]:
    """The classes the row asserts: its type cell, the type's default for a new resource, or the kind's class."""
    for col in spec.columns:
        if col.value == "type":
            chosen = [n for n in p.values.get(col.name, []) if isinstance(n, URIRef)]
            if not chosen and p.status == "new" and col.default is not None:
                chosen = list(dict(col.choices)[col.default])
            return chosen
    return [spec.select[0]]


def _add_triples(spec: Kind, p: _Pending, new: Graph, context: Graph) -> None:
    s = p.subject
    assert s is not None
    for cls in _classes(spec, p):
        new.add((s, RDF.type, cls))
    for col in spec.columns:
        if col.value in {"id", "type"}:
            continue
        prop = col.property
        assert prop is not None
        values = p.values.get(col.name, [])
        if col.labels and not col.multi and p.status == "merged":
            # a row matched by one of its labels must not give the resource a second preferred label or title
            have = set(context.objects(s, prop)) | set(new.objects(s, prop))
            if have and not set(values) <= have:
                continue
        for node in values:
            if isinstance(node, Literal) and node.datatype is not None:
                # the same number already there in another spelling (42.0 for 42): keep that one
                node = next((o for o in context.objects(s, prop) if isinstance(o, Literal)
                             and o.datatype == node.datatype and o.eq(node)), node)
            new.add((s, prop, node))


def _record_file(new: Graph, t: _Table, digest: str, spec: Kind) -> tuple[URIRef, URIRef]:
    """A prov:Entity for the CSV file (name, sha256, size) and the import activity that used it; no time stamp.

    The name is the file's own name without its directory, so the same file
    imported from another folder gives the same triples.
    """
    entity = WB[f"csv-{digest[:16]}"]
    activity = WB[f"import-{spec.name}-{digest[:16]}"]
    new.add((entity, RDF.type, PROV.Entity))
    new.add((entity, SCHEMA.name, Literal(Path(t.name).name)))
    new.add((entity, SCHEMA.sha256, Literal(digest)))
    new.add((entity, SCHEMA.contentSize, Literal(len(t.data), datatype=XSD.integer)))
    new.add((entity, DCTERMS.format, Literal("text/csv")))
    new.add((activity, RDF.type, PROV.Activity))
    new.add((activity, RDFS.label, Literal(f"CSV import of {spec.name}", lang="en")))
    new.add((activity, PROV.used, entity))
    return entity, activity


def _check_shapes(spec: Kind, context: Graph, new: Graph, lines: dict[URIRef, tuple[str, int]], problems: list[Problem]) -> list[str]:
    """Validate context + new triples; violations on imported rows become problems, warnings are returned.

    The new triples are added to ``context`` itself (the import's own working copy, not used
    afterwards): copying the curated data first cost a second per 10,000 rows.
    """
    from graph.validate import validate

    context.addN((s, p, o, context) for s, p, o in new)
    # Only violations on the imported rows' resources are reported, so only they are checked.
    report = validate(context, focus=sorted(lines))
    columns_of: dict[str, list[str]] = {}
    for col in spec.columns:
        if col.property is not None:
            columns_of.setdefault(str(col.property), []).append(col.name)
    warnings: list[str] = []
    for v in report.violations:
        where = lines.get(URIRef(v.focus))
        if where is None:
            continue
        cols = columns_of.get(v.path or "", [])
        message = v.message
        for prop, names in columns_of.items():
            short = _compact(URIRef(prop))
            if short in message and f"column {names[0]}" not in message:
                message = message.replace(short, f"{short} (column {'/'.join(names)})", 1)
        if v.severity == "Violation":
            problems.append(Problem(where[0], where[1], "/".join(cols) or None, f"{message} [shape {_compact(URIRef(v.shape))}]"))
        else:
            col_text = f": column '{'/'.join(cols)}'" if cols else ""
            warnings.append(f"{where[0]}:{where[1]}{col_text}: {message}")
    return sorted(set(warnings))


# ---------------------------------------------------------------------------
# Templates and documentation
# ---------------------------------------------------------------------------


def example_rows(kind: str) -> list[list[str]]:
    """The data rows of ``ontology/examples/<kind>.csv`` (cells as written, header left out)."""
    path = EXAMPLES_DIR / f"{kind}.csv"
    if not path.is_file():
        return []
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    rows = [r for r in reader if any(c.strip() for c in r)]
    return rows[1:]


def template(kind: str, *, example: bool = True) -> str:
    """A CSV template: the header row of ``kind`` and (``example=True``) the first row of its example file."""
    spec = layout(kind)
    rows = example_rows(kind)[:1] if example else []
    for row in rows:  # the example is a curated fact: without its id, an edited copy becomes a new resource
        for i, col in enumerate(spec.columns):
            if col.value == "id" and i < len(row):
                row[i] = ""
    return csv_table(spec.header, rows, cell=_escape_cell)


_HOLDS = {
    "id": "id (slug)", "type": "one of the choices", "text": "text", "en": "English text",
    "ref": "reference", "place": "text, or a reference", "code": "code", "date": "date or year",
    "day": "date (YYYY-MM-DD)", "year": "year", "count": "whole number", "percent": "percentage 0-100",
    "url": "web address", "qid": "Wikidata id", "language": "language code",
}


def describe(kind: str, g: Graph | None = None) -> str:
    """Markdown documentation of one layout: its columns, what they hold and the allowed codes (read from ``g``)."""
    spec = layout(kind)
    g = g if g is not None else parse_file(TBOX_FILE)
    index = _Index(g)
    lines = [f"### {spec.name}", "", f"{spec.title}.", ""]
    prefix = f"`{spec.prefix}-` + " if spec.prefix else ""
    lines.append(f"New id when `id` is empty: {prefix}slug of {', '.join(spec.slug)}. "
                 f"A row is merged into the resource with the same {', '.join(spec.key)}"
                 + (f"; a different {' or '.join(spec.compare)} is a contradiction." if spec.compare else "."))
    lines.append("")
    lines += ["| column | required | holds | RDF | notes |", "|---|---|---|---|---|"]
    for col in spec.columns:
        holds = _HOLDS[col.value]
        if col.value == "ref" and col.range:
            holds = f"reference to {_a(index.what(col.range))}"
        holds += "; several, split by \\|" if col.multi else ""
        notes = col.help
        if col.value == "code" and col.scheme is not None:
            codes = ", ".join(sorted(_local(c) for c in index.schemes.get(col.scheme, ())))
            notes += f" Codes: {codes}."
        if col.value == "type":
            notes += " Choices: " + ", ".join(f"{n} ({' + '.join(_compact(c) for c in cl)})" for n, cl in col.choices) + "."
        prop = "" if col.property is None else f"`{_compact(col.property)}`"
        lines.append(f"| `{col.name}` | {'yes' if col.required else ''} | {holds} | {prop} | {notes.replace('|', chr(92) + '|')} |")
    lines.append("")
    return "\n".join(lines)


def layouts_markdown(g: Graph | None = None) -> str:
    """Documentation of every layout (the body of ``ontology/examples/README.md`` below its marker)."""
    g = g if g is not None else parse_file(TBOX_FILE)
    return "\n".join(describe(k, g) for k in kind_names())
