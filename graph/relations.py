"""What each relation of the network means: symmetry, drawing style, whether it is a tie of cooperation.

The edge rules (``ontology/projections/NAME.rq``) say which edges a relation
has; ``ontology/projections/relations.toml`` says the rest, one table per
relation. :mod:`graph.project` reads the symmetry, :mod:`graph.viz` the style
and the gap analysis (:mod:`graph.gaps.config`) the cooperation flag, so a new
relation is a rule file plus a table, with no code to change. :class:`Tie` is
one edge of a relation as the projected graph holds it (one claim), the record
that :mod:`graph.metrics` lists and :mod:`graph.viz` draws. The module needs
no RDF library (the NetworkX side may use it).

>>> spec = relations()["cooperation"]
>>> spec.symmetric, spec.directed, spec.cooperation
(True, False, True)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.errors import InputError

__all__ = ["RELATIONS_FILE", "Relation", "Tie", "cooperation_relations", "relations", "symmetric_relations"]

#: The shipped relation table, next to the rule files.
RELATIONS_FILE = Path(__file__).resolve().parent.parent / "ontology" / "projections" / "relations.toml"

_KEYS = {"symmetric": bool, "directed": bool, "color": str, "caption": str, "dashes": bool, "cooperation": bool}
_REQUIRED = ("symmetric", "directed", "color", "caption")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Relation:
    """One relation's declared meaning (see ``ontology/projections/relations.toml`` for each field)."""

    name: str
    symmetric: bool
    directed: bool
    color: str
    caption: str
    dashes: bool = False
    cooperation: bool = False


@dataclass(frozen=True)
class Tie:
    """One edge of a projected graph (one claim): ``source`` is tied to ``target`` by ``relation``.

    The fields are the edge attributes :func:`graph.project.to_networkx` sets:
    ``role`` (IRI or ""), ``weight``, ``sign`` (+1 or -1), ``since`` and
    ``until`` (dates as written, or "") and ``claim`` (the claim's IRI).
    """

    source: str
    target: str
    relation: str
    role: str
    weight: float
    sign: int
    since: str
    until: str
    claim: str


def relations(path: str | Path | None = None) -> dict[str, Relation]:
    """The relations declared in ``path`` (default :data:`RELATIONS_FILE`), in the file's order.

    A missing key, an unknown key, a value of the wrong type or a colour that
    is not ``#rrggbb`` is an :class:`~graph.errors.InputError` naming the file
    and the relation.
    """
    return dict(_read(Path(path) if path is not None else RELATIONS_FILE))


@lru_cache(maxsize=8)
def _read(path: Path) -> tuple[tuple[str, Relation], ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the relation table ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file ({exc})") from exc
    out: list[tuple[str, Relation]] = []
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise InputError(f"{path}: {name!r} must be a table ([{name}]), not a value")
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise InputError(f"{path}: [{name}] has unknown key {unknown[0]!r}; known: {', '.join(_KEYS)}")
        missing = [k for k in _REQUIRED if k not in table]
        if missing:
            raise InputError(f"{path}: [{name}] lacks {missing[0]!r}")
        for key, value in table.items():
            if not isinstance(value, _KEYS[key]):
                raise InputError(f"{path}: [{name}] {key} must be a {_KEYS[key].__name__}, not {value!r}")
        if not _COLOR.match(table["color"]):
            raise InputError(f"{path}: [{name}] color must be #rrggbb, not {table['color']!r}")
        out.append((name, Relation(name, **table)))
    return tuple(out)


def symmetric_relations(path: str | Path | None = None) -> frozenset[str]:
    """The names of the relations that hold both ways."""
    return frozenset(name for name, spec in relations(path).items() if spec.symmetric)


def cooperation_relations(path: str | Path | None = None) -> tuple[str, ...]:
    """The names of the relations whose edges are ties of cooperation, in the file's order."""
    return tuple(name for name, spec in relations(path).items() if spec.cooperation)
