"""Templates and documentation of the layouts: CSV templates with an example row, Markdown tables of the columns."""

from __future__ import annotations

import csv
import io

from rdflib import Graph

from graph.iri import local_name
from graph.spreadsheet import csv_table
from graph.store import ONTOLOGY_DIR, TBOX_FILE, parse_file
from graph.tabular.index import Index, with_article
from graph.tabular.layouts import kind_names, layout
from graph.tabular.text import compact, escape_cell

#: One example CSV per kind, built from the curated facts.
EXAMPLES_DIR = ONTOLOGY_DIR / "examples"


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
    return csv_table(spec.header, rows, cell=escape_cell)


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
    index = Index(g)
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
            holds = f"reference to {with_article(index.what(col.range))}"
        holds += "; several, split by \\|" if col.multi else ""
        notes = col.help
        if col.value == "code" and col.scheme is not None:
            codes = ", ".join(sorted(local_name(str(c)) for c in index.schemes.get(col.scheme, ())))
            notes += f" Codes: {codes}."
        if col.value == "type":
            notes += " Choices: " + ", ".join(f"{n} ({' + '.join(compact(c) for c in cl)})" for n, cl in col.choices) + "."
        prop = "" if col.property is None else f"`{compact(col.property)}`"
        lines.append(f"| `{col.name}` | {'yes' if col.required else ''} | {holds} | {prop} | {notes.replace('|', chr(92) + '|')} |")
    lines.append("")
    return "\n".join(lines)


def layouts_markdown(g: Graph | None = None) -> str:
    """Documentation of every layout (the body of ``ontology/examples/README.md`` below its marker)."""
    g = g if g is not None else parse_file(TBOX_FILE)
    return "\n".join(describe(k, g) for k in kind_names())
