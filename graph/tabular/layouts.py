"""The declared layouts: one kind of row per table of ontology/csv-layouts.toml, read into :class:`Kind` and :class:`Column`.

The layouts are data: one kind per table in the TOML file, one entry per
column, saying which property a column fills, what kind of value it holds
(text, reference, code, date, count, percentage, ...), whether it is
required, and which columns identify a row (``key``) or must agree when rows
merge (``compare``). This module reads and checks that file once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from graph.errors import InputError
from graph.namespaces import PREFIXES
from graph.store import ONTOLOGY_DIR

#: The declared layouts (one per kind of row).
LAYOUTS_FILE = ONTOLOGY_DIR / "csv-layouts.toml"

VALUE_TYPES = frozenset(
    {"id", "type", "text", "en", "ref", "place", "code", "date", "day", "year", "count", "percent", "url", "qid", "language"}
)
_COLUMN_KEYS = frozenset(
    {"name", "value", "property", "range", "scheme", "required", "multi", "labels", "default", "choices", "help"}
)
_KIND_KEYS = frozenset({"title", "select", "prefix", "slug", "key", "compare", "provenance", "columns"})


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

    def groups(self, names: Iterable[str]) -> list[tuple[Column, ...]]:
        """The :meth:`group` of each of ``names``, in order, each group once (``party_a``, ``party_b`` -> one)."""
        out: list[tuple[Column, ...]] = []
        done: set[str] = set()
        for name in names:
            group = self.group(name)
            if not any(c.name in done for c in group):
                done.update(c.name for c in group)
                out.append(group)
        return out


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
