"""RDF terms -> cells: the canonical text of values and of whole resources, the form rows are compared and exported in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.iri import local_name
from graph.namespaces import RDF, WBO, WD
from graph.tabular.layouts import Column, Kind
from graph.tabular.text import compact, norm, slugify

#: A text column adds at most this many words to a derived id.
_SLUG_WORDS = 8
#: Derived ids longer than this are cut at a word and end in a short hash.
_MAX_SLUG = 80


def _literal_text(node: Node) -> str | None:
    """A literal's text as it is (text, language codes, dates, counts)."""
    return str(node) if isinstance(node, Literal) else None


def _english_text(node: Node) -> str | None:
    """An English (or untagged) literal; text in another language belongs in another column."""
    if isinstance(node, Literal) and (node.language or "en").lower().startswith("en"):
        return str(node)
    return None


def _reference_text(node: Node) -> str | None:
    """A reference as a prefixed name (``wb:XK``), or the full IRI outside the known namespaces."""
    return compact(node) if isinstance(node, URIRef) else None


def _place_text(node: Node) -> str | None:
    """A place: a reference as a prefixed name, or the place name as written."""
    return compact(node) if isinstance(node, URIRef) else str(node)


def _code_text(node: Node) -> str | None:
    """A project code by its name (``NoProgress``), any other concept as a prefixed name."""
    if not isinstance(node, URIRef):
        return None
    return local_name(str(node)) if str(node).startswith(str(WBO)) else compact(node)


def _percent_text(node: Node) -> str | None:
    """A percentage in its shortest form: Turtle writes "42"^^xsd:decimal as 42.0, compared and exported as 42."""
    return _short_decimal(str(node)) if isinstance(node, Literal) else None


def _url_text(node: Node) -> str | None:
    """A web address in full."""
    return str(node) if isinstance(node, URIRef) else None


def _qid_text(node: Node) -> str | None:
    """A Wikidata entity by its id alone (``Q1246``)."""
    return str(node)[len(str(WD)):] if isinstance(node, URIRef) and str(node).startswith(str(WD)) else None


#: How each value type of a column writes a value; ``id`` and ``type`` columns are filled otherwise.
_RENDERERS: dict[str, Callable[[Node], str | None]] = {
    "text": _literal_text,
    "language": _literal_text,
    "en": _english_text,
    "ref": _reference_text,
    "place": _place_text,
    "code": _code_text,
    "percent": _percent_text,
    "date": _literal_text,
    "day": _literal_text,
    "year": _literal_text,
    "count": _literal_text,
    "url": _url_text,
    "qid": _qid_text,
}


def render(col: Column, node: Node) -> str | None:
    """The cell text for one value, or None when the value does not belong in this column."""
    renderer = _RENDERERS.get(col.value)
    return renderer(node) if renderer is not None else None


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


def derive_slug(kind: Kind, values: dict[str, list[str]]) -> str:
    """The id a row gets when its ``id`` cell is empty: prefix + the slug columns, e.g. coop-mk-xk-<source>."""
    parts: list[str] = [kind.prefix] if kind.prefix else []
    for group in kind.groups(kind.slug):
        col = group[0]
        vals = sorted(v for c in group for v in values.get(c.name, []))
        for v in vals:
            if col.value in {"ref", "code", "place"} and (":" in v or col.value == "code"):
                part = slugify(local_name(str(URIRef(v))) if v.startswith(("http", "urn")) else v.split(":", 1)[-1])
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
class Described:
    """A resource of a kind as rows see it: canonical cell values per column and every label."""

    iri: URIRef
    values: dict[str, list[str]]
    labels: frozenset[str]


def labels_of(spec: Kind, values: dict[str, list[str]]) -> frozenset[str]:
    """The values of the label columns in ``values``, as labels are compared (case and spacing ignored)."""
    return frozenset(norm(v) for c in spec.columns if c.labels for v in values.get(c.name, []))


def describe_resources(g: Graph, kind: Kind) -> list[Described]:
    """Every resource of ``kind`` in ``g`` in canonical form (used by export and by merging)."""
    subjects = sorted({s for cls in kind.select for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)})
    out: list[Described] = []
    for s in subjects:
        values = _resource_values(g, s, kind)
        out.append(Described(s, values, labels_of(kind, values)))
    return out


def _resource_values(g: Graph, s: URIRef, kind: Kind) -> dict[str, list[str]]:
    """The canonical cells of resource ``s`` by column name, as a row of ``kind`` would hold them (no ``id``)."""
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
        rendered = sorted({r for o in g.objects(s, col.property) if (r := render(col, o)) is not None})
        if len(group) == 1:
            values[col.name] = rendered
            continue
        for i, member in enumerate(group):  # party_a, party_b: the sorted values in turn, the rest in the last
            values[member.name] = rendered[i : i + 1] if i < len(group) - 1 else rendered[i:]
            done.add(member.name)
    return values
