"""Describe what a loaded graph holds: triples, instances per class, sources, conformance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph.namespaces import label_of
from graph.sparql import select
from graph.store import GraphSummary, TBOX_FILE, load_graph, shipped_files, summary
from graph.validate import conforms_cached

if TYPE_CHECKING:
    from rdflib import Graph

    from graph.backends import Backend


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


#: The rows of the coverage table in ontology/data/README.md: (column of ``landscape-coverage``, what it counts).
COVERAGE_ROWS: tuple[tuple[str, str], ...] = (
    ("bodies", "bodies of the security architecture (initiatives, missions, organisations the six belong to)"),
    ("memberships", "memberships of polities and bodies (persons' posts left out)"),
    ("datedMemberships", "… of which dated (start, end or a day they held on)"),
    ("instruments", "bilateral and trilateral instruments between two or three of the six and others"),
    ("multilateral", "multilateral instruments (more than three parties)"),
    ("pairsWithInstruments", "pairs of the six (of 15) with at least one bilateral or trilateral instrument"),
    ("conflicts", "claims linked to a conflicting claim (wbo:conflictsWith)"),
    ("sources", "sources"),
    ("official", "… official (the body itself, a government, ministry or gazette)"),
    ("internationalOrganisation", "… international organisation"),
    ("news", "… news"),
    ("research", "… research"),
    ("reference", "… reference works"),
)


def coverage_markdown(g: Graph) -> str:
    """The data README's coverage tables, from the named questions ``landscape-coverage`` and ``instruments-per-pair``.

    ``tests/test_facts.py`` checks that ``ontology/data/README.md`` holds exactly this text.
    """

    counts = select(g, "landscape-coverage")
    values = {name: "" if cell is None else str(cell) for name, cell in zip(counts.columns, counts.rows[0])}
    out = ["| what | count |", "|---|---:|"]
    out += [f"| {label} | {values[name]} |" for name, label in COVERAGE_ROWS]
    pairs = select(g, "instruments-per-pair", timeout=120.0)
    out += ["", "| pair | instruments | dated | first | last | domains |", "|---|---:|---:|---|---|---|"]
    for row in pairs.rows:
        a, b, n, dated, first, last, domains = ("" if cell is None else cell for cell in row)
        # GROUP_CONCAT has no defined order: sort the domain names so the table is stable.
        listed = ", ".join(sorted(d for d in str(domains).split(", ") if d))
        out.append(f"| {label_of(g, a)} – {label_of(g, b)} | {n} | {dated} | {first} | {last} | {listed} |")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class BackendInventory:
    """What ``wbsec info --endpoint URL`` (or ``--store DIR``) reports: counts per class, graphs holding data."""

    where: str
    triples: int
    classes: list[tuple[str, int]]
    graphs: list[str] | None  # the endpoint's named graphs holding wbsec data; None for a store


def backend_inventory(backend: Backend) -> BackendInventory:
    """Count the triples and the instances per class a store or endpoint holds, and (endpoint) its data graphs.

    An endpoint is first checked to hold wbsec data in the graph it reads
    (:meth:`graph.backends.EndpointBackend.check_data`); the error names the
    named graphs that do.
    """
    from graph.backends import EndpointBackend
    from graph.sparql import select

    graphs = backend.data_graphs() if isinstance(backend, EndpointBackend) else None
    table = select(backend, "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class "
                   "ORDER BY DESC(?n) ?class", timeout=None)
    classes = sorted(((str(c), int(str(n))) for c, n in table.rows if c is not None and n is not None),
                     key=lambda item: (-item[1], item[0]))
    return BackendInventory(backend.description, backend.triple_count(), classes, graphs)


def backend_inventory_json(inv: BackendInventory) -> str:
    """``inv`` as indented JSON: where, triples, classes (id, count), graphs."""
    out = {"where": inv.where, "triples": inv.triples,
           "classes": [{"id": iri, "count": n} for iri, n in inv.classes], "graphs": inv.graphs}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def backend_inventory_text(inv: BackendInventory) -> str:
    """``inv`` as aligned text for a terminal."""
    lines = [inv.where, f"triples: {inv.triples}", "", "instances per class:"]
    lines += [f"  {n:>6}  {iri}" for iri, n in inv.classes]
    if inv.graphs is not None:
        lines += ["", "named graphs holding wbsec data:"]
        lines += [f"  <{g}>" for g in inv.graphs] or ["  (none)"]
    return "\n".join(lines) + "\n"
