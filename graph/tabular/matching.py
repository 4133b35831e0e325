"""Finding the resources a row restates: a :class:`Matcher` buckets resources of one kind by the layout's key columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from rdflib import URIRef

from graph.tabular.canonical import Described
from graph.tabular.layouts import Kind
from graph.tabular.text import norm


@dataclass(frozen=True)
class _KeyGroup:
    """Key columns that fill one property (``party_a`` + ``party_b``), compared as one sorted set."""

    columns: tuple[str, ...]
    labels: bool
    multi: bool


@cache
def _key_groups(spec: Kind) -> tuple[_KeyGroup, ...]:
    return tuple(_KeyGroup(tuple(c.name for c in group), any(c.labels for c in group), any(c.multi for c in group))
                 for group in spec.groups(spec.key))


#: What a resource was added with: the row it comes from (None for a resource already in the graph).
Origin = TypeVar("Origin")


class Matcher(Generic[Origin]):
    """Resources of one kind (from the graph, then from rows) by key, so a row finds what it restates quickly.

    Key columns match when equal; a label column matches any label of the
    resource (case-insensitive); a multi-valued column (``source``) matches
    when one side's values include the other's. Each entry is the resource
    and its origin (the import passes the row that added it, None for a
    resource of the graph).
    """

    def __init__(self, spec: Kind) -> None:
        self.groups = _key_groups(spec)
        self.blocks: dict[str, list[tuple[Described, Origin | None]]] = {}
        self.by_iri: dict[URIRef, list[tuple[Described, Origin | None]]] = {}

    def _blocks(self, values: dict[str, list[str]], labels: frozenset[str] | None) -> set[str]:
        """Bucket names: two entries can only match when they share one (labels: all of a resource's)."""
        if not self.groups:
            return {"*"}
        first = self.groups[0]
        vals = sorted(v for c in first.columns for v in values.get(c, []))
        if first.labels:
            return {"L" + lab for lab in labels} if labels is not None else {"L" + norm(v) for v in vals}
        if first.multi:
            return {"M" + v for v in vals} or {"M"}
        return {"V" + "\x1f".join(vals)}

    def add(self, d: Described, p: Origin | None = None) -> None:
        """Make ``d`` findable by the rows checked after it; ``p`` is where it comes from."""
        entry: tuple[Described, Origin | None] = (d, p)
        for block in self._blocks(d.values, d.labels):
            self.blocks.setdefault(block, []).append(entry)
        self.by_iri.setdefault(d.iri, []).append(entry)

    def matching(self, row: dict[str, list[str]]) -> list[tuple[Described, Origin | None]]:
        """The entries whose resource ``row`` (canonical cells by column) restates, in bucket order."""
        seen: set[int] = set()
        out: list[tuple[Described, Origin | None]] = []
        for block in sorted(self._blocks(row, None)):
            for entry in self.blocks.get(block, []):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    if self._matches(row, entry[0]):
                        out.append(entry)
        return out

    def _matches(self, row: dict[str, list[str]], other: Described) -> bool:
        for group in self.groups:
            mine = sorted(v for c in group.columns for v in row.get(c, []))
            theirs = sorted(v for c in group.columns for v in other.values.get(c, []))
            if group.labels:
                if not mine or not all(norm(v) in other.labels for v in mine):
                    return False
            elif group.multi:
                if (mine or theirs) and not (mine and theirs and (set(mine) <= set(theirs) or set(theirs) <= set(mine))):
                    return False
            elif mine != theirs:
                return False
        return True
