"""Convert spreadsheet rows (CSV) to project RDF and back, following the layouts in ontology/csv-layouts.toml.

The layouts are data: one kind per table in the TOML file, one entry per
column, saying which property a column fills, what kind of value it holds
(text, reference, code, date, count, percentage, ...), whether it is
required, and which columns identify a row (``key``) or must agree when rows
merge (``compare``). This package is the generic reader of that file.

Import (:func:`import_csv`) reads UTF-8 CSV files, resolves references to
resources already in the graph (or in the same import), mints ids as slugs
under ``wb:``, records provenance, merges rows into resources they restate,
refuses contradictions, and validates the result with the project's SHACL
shapes before returning anything. Every problem names the file, the line
and the column. Export (:func:`export_csv`) writes the same layouts back from
a graph, so a spreadsheet round-trips.

The modules, lowest first: :mod:`~graph.tabular.layouts` (the declared
layouts), :mod:`~graph.tabular.text` (how cell text is written and compared),
:mod:`~graph.tabular.problems` (why rows are refused),
:mod:`~graph.tabular.reader` (one CSV file into rows),
:mod:`~graph.tabular.index` (resolving references against the graph),
:mod:`~graph.tabular.cells` (cells -> RDF terms),
:mod:`~graph.tabular.canonical` (RDF terms -> cells),
:mod:`~graph.tabular.matching` (the resource a row restates),
:mod:`~graph.tabular.exporter`, :mod:`~graph.tabular.importer` and
:mod:`~graph.tabular.docs` (templates and layout documentation).

>>> slugify("Xhelal Sveçla")
'xhelal-svecla'
>>> slugify("Josip Brkić, Đorđe Ђорђевић")
'josip-brkic-dorde-dordevic'
"""

from __future__ import annotations

from graph.tabular.docs import EXAMPLES_DIR, describe, example_rows, layouts_markdown, template
from graph.tabular.exporter import export_csv, export_rows, turtle
from graph.tabular.importer import ImportedFile, ImportResult, RowOutcome, import_csv
from graph.tabular.layouts import LAYOUTS_FILE, Column, Kind, kind_names, layout
from graph.tabular.problems import ImportRejected, Problem
from graph.tabular.text import slugify

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
