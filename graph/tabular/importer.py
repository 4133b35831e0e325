"""Import: CSV rows of one kind turned into validated RDF with provenance, merged into what they restate.

:func:`import_csv` reads UTF-8 CSV files, resolves references to resources
already in the graph (or in the same import), mints ids as slugs under
``wb:``, records provenance, merges rows into resources they restate,
refuses contradictions, and validates the result with the project's SHACL
shapes before returning anything. Every problem names the file, the line and
the column.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.errors import InputError
from graph.namespaces import DCTERMS, PROV, RDF, RDFS, SCHEMA, WB, XSD, bind_prefixes
from graph.overlay import overlay
from graph.store import (
    ONTOLOGY_DIR,
    TBOX_FILE,
    load_files_shared,
    local_file,
    merge_graphs,
    parse_file_shared,
    shipped_files,
)
from graph.tabular.canonical import Described, derive_slug, describe_resources, labels_of, render
from graph.tabular.cells import parse_value
from graph.tabular.index import Index, iri_of
from graph.tabular.layouts import Kind, layout
from graph.tabular.matching import Matcher
from graph.tabular.problems import CellError, ImportRejected, Problem
from graph.tabular.reader import MAX_CSV_BYTES, Row, Table, read_table
from graph.tabular.text import compact, join_cell, norm, slugify, split_cell
from graph.validate import validate

#: At most this many problems are collected before the import stops looking.
MAX_PROBLEMS = 100
_SLUG_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


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


@dataclass
class _Pending:
    """A row on its way to RDF."""

    table: Table
    row: Row
    values: dict[str, list[Node]] = field(default_factory=dict)
    canon: dict[str, list[str]] = field(default_factory=dict)
    subject: URIRef | None = None
    status: str = "new"
    merged_with: str = ""
    failed: bool = False
    in_graph: bool = False  # the row restates a resource already in the loaded graph
    missing: list[str] = field(default_factory=list)  # required columns left empty


@dataclass
class _ImportRun:
    """One import in progress: its layout, what references resolve against, and the problems found so far."""

    spec: Kind
    context: Graph
    #: The file each resource of the context was first described in (named in contradictions).
    origin: dict[URIRef, str]
    index: Index
    #: The resources of ``spec`` by key: those of the context first, then each identified row.
    matcher: Matcher[_Pending]
    problems: list[Problem]

    @classmethod
    def start(cls, spec: Kind, data: Sequence[str | Path], shipped: bool, problems: list[Problem]) -> _ImportRun:
        """Load the context (see :func:`_load_context`) and index it for resolving cells and matching rows."""
        context, shared, origin = _load_context(data, shipped)
        index = Index.of_shared(shared) if shared is not None else Index(context)
        matcher: Matcher[_Pending] = Matcher(spec)
        for d in describe_resources(context, spec):
            matcher.add(d)
        return cls(spec, context, origin, index, matcher, problems)

    def fail(self, p: _Pending, column: str | None, message: str, policy: bool = False) -> None:
        """Refuse row ``p`` for ``message`` about ``column``; give up at once when :data:`MAX_PROBLEMS` are collected."""
        p.failed = True
        self.problems.append(Problem(p.table.name, p.row.line, column, message, policy))
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportRejected(self.problems)


def _load_context(data: Sequence[str | Path], shipped: bool) -> tuple[Graph, Graph | None, dict[URIRef, str]]:
    """The graph references resolve against, its shared part, and the file each resource was first described in.

    The graph is the files' union, merged once per process and shared, seen
    through :func:`graph.overlay.overlay`, so that the import's additions stay
    its own. The second item is that shared union when the graph holds
    nothing more (no spreadsheet among ``data``), else None.

    A ``.csv`` file among ``data`` is a sources or actors spreadsheet (told
    apart by its header): it is imported (checked like ``wbsec import --kind
    sources`` or ``actors``, against the other files; sources first) and what
    it describes joins the graph, so rows can cite and name it.
    """
    rdf_files = [Path(p) for p in data if Path(p).suffix.lower() != ".csv"]
    sheets = sorted((Path(p) for p in data if Path(p).suffix.lower() == ".csv"),
                    key=lambda p: _SHEET_KINDS.index(_sheet_kind(p)))
    paths = [TBOX_FILE, *(shipped_files() if shipped else []), *rdf_files]
    shared = load_files_shared(paths)
    context = overlay(shared)
    origin: dict[URIRef, str] = {}
    for path in paths:
        shown = _shown_path(path)
        for s in parse_file_shared(path).subjects(unique=True):
            if isinstance(s, URIRef):
                origin.setdefault(s, shown)
    done: list[Path] = []
    for kind in _SHEET_KINDS:
        mine = [p for p in sheets if _sheet_kind(p) == kind]
        if mine:
            sheet = merge_graphs([import_csv(mine, kind, data=[*rdf_files, *done], shipped=shipped).graph])
            for s in sheet.subjects(unique=True):
                if isinstance(s, URIRef):
                    origin.setdefault(s, f"the {kind} CSV given with --data")
            context.addN((s, p, o, context) for s, p, o in sheet)
            done.extend(mine)
    return context, (None if sheets else shared), origin


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
    tables = [t for p in paths if (t := read_table(Path(p), spec, delimiter, problems)) is not None]
    if problems:
        raise ImportRejected(problems)
    run = _ImportRun.start(spec, data, shipped, problems)
    pending = [_Pending(t, r) for t in tables for r in t.rows]
    _identify_rows(run, pending)
    if problems:
        raise ImportRejected(problems)
    new = bind_prefixes(Graph())
    files, activities = _record_files(new, tables, spec)
    lines = _add_rows(run, pending, new, activities)
    warnings = _table_warnings(tables)
    warnings += _same_name_elsewhere(spec, pending, run.index)
    warnings += _check_shapes(spec, run.context, new, lines, problems)
    if problems:
        raise ImportRejected(problems)
    outcomes = [
        RowOutcome(p.table.name, p.row.line, str(p.subject), p.status, p.merged_with) for p in pending
    ]
    return ImportResult(kind, new, files, outcomes, warnings)


def _identify_rows(run: _ImportRun, pending: Sequence[_Pending]) -> None:
    """Parse the cells of every row and give each row its subject; refuse required cells left empty."""
    spec = run.spec
    ref_free = all(spec.column(c).value not in {"ref", "place"} for c in (*spec.key, *spec.slug))
    # Pass 1: plain cells; rows whose identity needs no reference get their subject now, so
    # later cells (and rows of other files) can refer to them by id or label.
    for p in pending:
        _parse_cells(run, p, refs=False)
        if ref_free and not p.failed:
            _identify(run, p)
    # Pass 2: references, then identity for the other kinds.
    for p in pending:
        _parse_cells(run, p, refs=True)
        if not p.failed and p.subject is None:
            _identify(run, p)
    # A row that restates a resource already in the graph (an exported row brought back) needs
    # no new source or other required cell: the resource has them, or never needed them.
    for p in pending:
        if not p.in_graph:
            for name in p.missing:
                col = spec.column(name)
                run.fail(p, name, f"required, but empty ({col.help})" if col.help else "required, but empty")


def _record_files(new: Graph, tables: Sequence[Table], spec: Kind) -> tuple[list[ImportedFile], dict[str, URIRef]]:
    """Record each file's provenance in ``new`` (see :func:`_record_file`): the files, and their activities by name."""
    files: list[ImportedFile] = []
    activities: dict[str, URIRef] = {}
    for t in tables:
        digest = hashlib.sha256(t.data).hexdigest()
        entity, activity = _record_file(new, t, digest, spec)
        activities[t.name] = activity
        files.append(ImportedFile(t.name, digest, len(t.data), len(t.rows), str(entity)))
    return files, activities


def _add_rows(run: _ImportRun, pending: Sequence[_Pending], new: Graph, activities: dict[str, URIRef]) -> dict[URIRef, tuple[str, int]]:
    """Add the triples of every row to ``new``, each subject generated by its file's import activity.

    Returns the file and line that first describe each subject (where a shape violation is reported).
    """
    lines: dict[URIRef, tuple[str, int]] = {}
    for p in pending:
        assert p.subject is not None
        lines.setdefault(p.subject, (p.table.name, p.row.line))
        _add_triples(run.spec, p, new, run.context)
        new.add((p.subject, PROV.wasGeneratedBy, activities[p.table.name]))
    return lines


def _table_warnings(tables: Sequence[Table]) -> list[str]:
    """Warnings for blank lines skipped and for files with a header but no rows."""
    warnings = [
        f"{t.name}: skipped blank line{'s' if len(t.blank_lines) > 1 else ''} {', '.join(map(str, t.blank_lines))}"
        for t in tables if t.blank_lines
    ]
    warnings += [f"{t.name}: no rows below the header" for t in tables if not t.rows]
    return warnings


def _same_name_elsewhere(spec: Kind, pending: Sequence[_Pending], index: Index) -> list[str]:
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
        others = sorted({o for name in names for o in index.by_label.get(norm(name), set())
                         if o != p.subject and not index.closure(index.types.get(o, set())) & own}, key=str)
        for other in others:
            out.append(f"{p.table.name}:{p.row.line}: {index.show(other)} has the same name but is not one of the "
                       f"{spec.name}; if both are one instrument entered through two templates, keep one row "
                       f"(its kinds can be several), else rename one")
    return out


def _parse_cells(run: _ImportRun, p: _Pending, *, refs: bool) -> None:
    """Parse the reference cells of row ``p`` (``refs=True``) or all its other cells; refuse those that do not parse."""
    spec = run.spec
    for col in spec.columns:
        if (col.value in {"ref", "place"}) != refs or col.value in {"id"}:
            continue
        cell = p.row.cells.get(col.name, "")
        parts = split_cell(cell) if col.multi else ([cell] if cell else [])
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
                        raise CellError(f"{part!r} is not a type of {spec.name}; use one of: {', '.join(choices)}")
                    nodes.extend(choices[part.lower()])
                    canon.append(part.lower())
                    continue
                node = parse_value(col, part, run.index)
            except CellError as exc:
                run.fail(p, col.name, str(exc), exc.policy)
                continue
            nodes.append(node)
            rendered = render(col, node)
            canon.append(rendered if rendered is not None else part)
        p.values[col.name] = nodes
        p.canon[col.name] = sorted(set(canon))


def _conflicts(spec: Kind, row: dict[str, list[str]], other: Described) -> list[tuple[str, str, str]]:
    out = []
    for name in spec.compare:
        mine, theirs = row.get(name, []), other.values.get(name, [])
        if mine and theirs and sorted(mine) != sorted(theirs):
            out.append((name, join_cell(mine), join_cell(theirs)))
    return out


def _differing(mine: dict[str, list[str]], theirs: dict[str, list[str]], skip: tuple[str, ...]) -> list[str]:
    """The columns two rows fill differently (an empty cell differs from a filled one), ``id`` and ``skip`` aside.

    Provenance columns are skipped: two rows may state the same thing from two sources.
    """
    return sorted(c for c in set(mine) | set(theirs)
                  if c != "id" and c not in skip and sorted(mine.get(c, [])) != sorted(theirs.get(c, [])))


#: A resource of the row's kind (from the context, or from an earlier row when the second item is that row).
_Match = tuple[Described, _Pending | None]


def _identify(run: _ImportRun, p: _Pending) -> None:
    """Give the row its subject: the id cell, a resource it restates, or a new slug; refuse contradictions."""
    id_cell = p.row.cells.get("id", "")
    found = _named_by_id(run, p, id_cell) if id_cell else _restated_by_key(run, p)
    if found is None:
        return
    subject, matches = found
    if id_cell:
        _refuse_reused_id(run, p, id_cell, matches)
        if p.failed:
            return
    _refuse_contradictions(run, p, matches, "same id" if id_cell else f"same {', '.join(run.spec.key)}")
    if p.failed:
        return
    if subject is None:
        subject = _new_subject(run, p)
    elif matches:
        _mark_merged(run, p, subject, matches)
    elif (subject, None, None) in run.context:
        kinds = ", ".join(sorted(compact(t) for t in run.context.objects(subject, RDF.type))) or "no type"
        run.fail(p, "id", f"{compact(subject)} already exists as {kinds}, not as {run.spec.name}; choose another id")
        return
    if subject is not None:
        _take_subject(run, p, subject)


def _take_subject(run: _ImportRun, p: _Pending, subject: URIRef) -> None:
    """Give row ``p`` its subject and make it findable: by key for later rows, by id and label for later cells."""
    p.subject = subject
    run.matcher.add(Described(subject, p.canon, labels_of(run.spec, p.canon)), p)
    run.index.add(subject, _classes(run.spec, p), [v for c in run.spec.columns if c.labels for v in p.canon.get(c.name, [])])


def _named_by_id(run: _ImportRun, p: _Pending, id_cell: str) -> tuple[URIRef, list[_Match]] | None:
    """The subject the id cell names and the resources (of the graph or earlier rows) with that id; None if refused."""
    try:
        subject = _parse_id(id_cell)
    except CellError as exc:
        run.fail(p, "id", str(exc), exc.policy)
        return None
    return subject, run.matcher.by_iri.get(subject, [])


def _restated_by_key(run: _ImportRun, p: _Pending) -> tuple[URIRef | None, list[_Match]] | None:
    """The one resource the row restates by its key columns (None: a new one) and its matches; None if refused."""
    matches = run.matcher.matching(p.canon)
    found = sorted({d.iri for d, _q in matches})
    if len(found) > 1:
        listed = "; ".join(run.index.show(i) for i in found)
        run.fail(p, None, f"this row matches several resources ({listed}); fill the id column to say which one")
        return None
    return (found[0] if found else None), matches


def _refuse_reused_id(run: _ImportRun, p: _Pending, id_cell: str, matches: Sequence[_Match]) -> None:
    """Refuse the row if an earlier row of this import has the same id but says something else."""
    for d, q in matches:
        differing = _differing(p.canon, d.values, run.spec.provenance_columns) if q is not None else []
        if differing:
            run.fail(p, "id", f"{id_cell!r} is also the id of line {q.row.line} of {q.table.name}, "  # type: ignore[union-attr]
                              f"which differs in {', '.join(differing)}; give each row its own id")


def _refuse_contradictions(run: _ImportRun, p: _Pending, matches: Sequence[_Match], same: str) -> None:
    """Refuse the row for each ``compare`` column it fills differently from a resource it restates (``same`` key)."""
    for d, q in matches:
        for col, mine, theirs in _conflicts(run.spec, p.canon, d):
            where = run.origin.get(d.iri, "the loaded data") if q is None else f"line {q.row.line} of {q.table.name}"
            what = f"{run.index.show(d.iri)} in {where}" if q is None else where
            run.fail(p, col, f"contradicts {what}, which says {theirs!r} where this row says {mine!r} ({same}); "
                             "correct one of them")


def _mark_merged(run: _ImportRun, p: _Pending, subject: URIRef, matches: Sequence[_Match]) -> None:
    """Mark the row as merged into ``subject``: a resource of the loaded graph, or the first row that describes it."""
    in_graph = any(q is None for _d, q in matches)
    rows = [q for _d, q in matches if q is not None]
    p.status = "merged"
    p.in_graph = in_graph
    p.merged_with = run.origin.get(subject, "") if in_graph else f"{rows[0].table.name}:{rows[0].row.line}"


def _new_subject(run: _ImportRun, p: _Pending) -> URIRef | None:
    """The id derived from the row (see :func:`derive_slug`) under ``wb:``; None (row refused) if empty or taken."""
    slug = derive_slug(run.spec, p.canon)
    if not slug or slug == run.spec.prefix:
        run.fail(p, "id", "cannot derive an id from this row; fill the id column")
        return None
    subject = WB[slug]
    if (subject, None, None) in run.context or subject in run.matcher.by_iri:
        run.fail(p, "id", f"the derived id {compact(subject)} is already used by {run.index.show(subject)} for "
                          "something else; fill the id column with another id")
        return None
    return subject


def _parse_id(cell: str) -> URIRef:
    local = cell[3:] if cell.startswith("wb:") else cell
    if _SLUG_ID.match(local):
        return WB[local]
    iri = iri_of(cell)
    if iri is not None:
        return iri
    suggestion = slugify(cell)
    raise CellError(f"{cell!r} is not an id: use letters, digits and '-' only" + (f", e.g. {suggestion}" if suggestion else ""))


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


def _record_file(new: Graph, t: Table, digest: str, spec: Kind) -> tuple[URIRef, URIRef]:
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

    The new triples are added to ``context`` itself (the import's own view of the shared
    files' graph, not used afterwards; see :func:`graph.overlay.overlay`).
    """
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
            short = compact(URIRef(prop))
            if short in message and f"column {names[0]}" not in message:
                message = message.replace(short, f"{short} (column {'/'.join(names)})", 1)
        if v.severity == "Violation":
            problems.append(Problem(where[0], where[1], "/".join(cols) or None, f"{message} [shape {compact(URIRef(v.shape))}]"))
        else:
            col_text = f": column '{'/'.join(cols)}'" if cols else ""
            warnings.append(f"{where[0]}:{where[1]}{col_text}: {message}")
    return sorted(set(warnings))
