"""Describe what a loaded graph holds: triples, instances per class, sources, conformance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.store import GraphSummary, TBOX_FILE, load_graph, shipped_files, summary


@dataclass(frozen=True)
class Inventory:
    """What ``wbsec info`` reports; ``conforms`` is None when the SHACL check was skipped."""

    summary: GraphSummary
    conforms: bool | None


def inventory(files: Sequence[str | Path] = (), *, shipped: bool = True, check: bool = True) -> Inventory:
    """Load the ontology, the shipped data (if ``shipped``) and ``files``, and describe them.

    The SHACL verdict is cached per exact input bytes
    (:func:`graph.validate.conforms_cached`), so an unchanged graph skips pySHACL.
    """
    from graph.validate import conforms_cached

    g = load_graph(files, shipped=shipped)
    conforms = None
    if check:
        conforms = conforms_cached(g, [TBOX_FILE, *(shipped_files() if shipped else []), *files])
    return Inventory(summary(g), conforms)


def inventory_json(inv: Inventory) -> str:
    """``inv`` as indented JSON: triples, conforms, classes (id, label, count), sources (id, title, claims)."""
    s = inv.summary
    out = {
        "triples": s.triples,
        "conforms": inv.conforms,
        "classes": [{"id": c.iri, "label": c.label, "count": c.count} for c in s.classes],
        "sources": [{"id": x.iri, "title": x.title, "claims": x.claims} for x in s.sources],
    }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def inventory_text(inv: Inventory) -> str:
    """``inv`` as aligned text for a terminal."""
    s = inv.summary
    state = {None: "not checked", True: "yes", False: "NO (run wbsec validate)"}[inv.conforms]
    lines = [f"triples: {s.triples}", f"conforms to shapes: {state}", "", "instances per class:"]
    width = max((len(c.label) for c in s.classes), default=0)
    lines += [f"  {c.count:>6}  {c.label:<{width}}  {c.iri}" for c in s.classes]
    lines += ["", "sources (claims citing each):"]
    lines += [f"  {x.claims:>6}  {x.title}  <{x.iri}>" for x in s.sources]
    return "\n".join(lines) + "\n"
