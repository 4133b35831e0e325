"""Load RDF files into one graph, safely: the shipped ontology and data plus the user's files.

Every file is opened by wbsec itself (never by rdflib from a URL), checked
against a size cap, pre-checked for the dangerous parts of its format (DTDs in
RDF/XML, remote or file contexts in JSON-LD), parsed into its own graph so
blank nodes never clash across files, checked term by term (strict Unicode,
IRIs that N-Triples would accept, ill-typed literals) and only then merged.
Errors name the file and line.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from graph.errors import InputError, OutputError, PolicyError
from graph.iri import BAD_IRI_CHARS, URL_LIKE
from graph.namespaces import DCTERMS, PROV, WBO, bind_prefixes, label_of
from graph.sandbox import guarded_parse

if TYPE_CHECKING:
    from rdflib import Graph

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_DIR = PACKAGE_DIR.parent / "ontology"
TBOX_FILE = ONTOLOGY_DIR / "wbsec.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
DATA_DIR = ONTOLOGY_DIR / "data"
QUERIES_DIR = ONTOLOGY_DIR / "queries"
PROJECTIONS_DIR = ONTOLOGY_DIR / "projections"

#: Files larger than this are refused before parsing (override with ``max_bytes``).
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Deepest nesting of objects and arrays accepted in JSON-LD (parsers recurse once per level).
MAX_JSON_DEPTH = 256

log = logging.getLogger("wbsec")
_V = TypeVar("_V")


@dataclass(frozen=True)
class RDFFormat:
    """One input/output format: its rdflib parser name and the file endings it owns."""

    name: str
    rdflib: str
    suffixes: tuple[str, ...]
    media_type: str


FORMATS: tuple[RDFFormat, ...] = (
    RDFFormat("ttl", "turtle", (".ttl", ".turtle"), "text/turtle"),
    RDFFormat("nt", "nt", (".nt", ".ntriples"), "application/n-triples"),
    RDFFormat("trig", "trig", (".trig",), "application/trig"),
    RDFFormat("jsonld", "json-ld", (".jsonld", ".json"), "application/ld+json"),
    RDFFormat("xml", "xml", (".rdf", ".owl", ".xml"), "application/rdf+xml"),
)
_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdfxml": "xml", "rdf": "xml"}
#: Line ends in N-Triples, Turtle and SPARQL text (the Unicode line separators are ordinary characters there).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def rdf_format(name: str) -> RDFFormat:
    """Return the :class:`RDFFormat` called ``name`` (``ttl``, ``nt``, ``trig``, ``jsonld``, ``xml``)."""
    key = _ALIASES.get(name.lower(), name.lower())
    for fmt in FORMATS:
        if fmt.name == key:
            return fmt
    known = ", ".join(f.name for f in FORMATS)
    raise InputError(f"unknown RDF format {name!r}; use one of: {known}")


def format_for_path(path: Path) -> RDFFormat:
    """Guess the format from the file ending, or raise :class:`InputError` naming the file."""
    suffix = path.suffix.lower()
    for fmt in FORMATS:
        if suffix in fmt.suffixes:
            return fmt
    endings = ", ".join(s for f in FORMATS for s in f.suffixes)
    raise InputError(f"{path}: unknown file ending {suffix or '(none)'!r}; use one of {endings} or pass --format")


def shipped_files() -> list[Path]:
    """The curated data files under ``ontology/data/``, in a fixed order."""
    return sorted(DATA_DIR.glob("*.ttl"))


def load_graph(
    extra_files: Sequence[str | Path] = (),
    *,
    shipped: bool = True,
    ontology: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Graph:
    """Load the ontology, the shipped data and ``extra_files`` into one rdflib graph.

    ``shipped=False`` leaves out ``ontology/data/``; ``ontology=False`` leaves
    out the TBox (``ontology/wbsec.ttl``). Each file is read with
    :func:`parse_file_shared` (parsed once per process while unchanged) and
    copied into a new graph, yours to change; blank nodes stay distinct per file.
    """
    return load_files(graph_files(extra_files, shipped=shipped, ontology=ontology), max_bytes=max_bytes)


def load_files(paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """The union of the files ``paths``, each read by :func:`parse_file_shared`, in a new graph of its own."""
    return merge_graphs(parse_file_shared(p, max_bytes=max_bytes) for p in paths)


def graph_files(
    extra_files: Sequence[str | Path] = (), *, shipped: bool = True, ontology: bool = True
) -> list[str | Path]:
    """The files :func:`load_graph` reads, in its order: the TBox, the curated data, then ``extra_files``."""
    paths: list[str | Path] = []
    if ontology:
        paths.append(TBOX_FILE)
    if shipped:
        paths.extend(shipped_files())
    paths.extend(extra_files)  # as given: Path("http://x") would hide the URL as "http:/x"
    return paths


def read_rdf_text(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Path, RDFFormat, str | None]:
    """A local RDF file checked as :func:`parse_file` checks it before parsing, with its text.

    Not a URL, at most ``max_bytes``, a known ending, strict UTF-8 (a BOM is
    dropped). The text is ``None`` for an empty file (warned about, as
    :func:`parse_bytes` does).
    """
    p = local_file(path, max_bytes)
    spec = format_for_path(p)
    text = decode_utf8(p.read_bytes(), str(p))
    if not text.strip():
        log.warning("%s: 0 triples loaded (the file is empty)", p)
        return p, spec, None
    return p, spec, text


def warn_ill_typed(literals: Iterable[Any], name: str) -> None:
    """Log, once each, the literals of ``literals`` whose lexical form is not valid for their datatype."""
    from rdflib import Literal

    with quiet_rdflib_terms():
        for term in dict.fromkeys(literals):
            if isinstance(term, Literal) and term.ill_typed:
                log.warning("%s: literal %r is not a valid %s", name, str(term), term.datatype)


@contextlib.contextmanager
def quiet_rdflib_terms() -> Iterator[None]:
    """Silence rdflib's own warning for each ill-typed literal it builds (wbsec reports them in one line each)."""
    rdflib_term_log = logging.getLogger("rdflib.term")
    previous = rdflib_term_log.level
    rdflib_term_log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        rdflib_term_log.setLevel(previous)


def merge_graphs(graphs: Iterable[Graph]) -> Graph:
    """Union of ``graphs``; each input's blank nodes are renamed so none are shared."""
    from rdflib import BNode, Graph

    merged = Graph()
    bind_prefixes(merged)
    for part in graphs:
        fresh: dict[BNode, BNode] = {}

        def rename(term: Any) -> Any:
            if isinstance(term, BNode):
                return fresh.setdefault(term, BNode())
            return term

        merged.addN((rename(s), p, rename(o), merged) for s, p, o in part)
    return merged


def parse_file(path: str | Path, fmt: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """Parse one local RDF file safely and return it as a fresh graph.

    Refuses URLs (only local files), files over ``max_bytes``, RDF/XML with a
    DTD and JSON-LD that points at a remote or file context. A syntax error
    becomes :class:`InputError` with ``file:line``.
    """
    p = local_file(path, max_bytes)
    spec = rdf_format(fmt) if fmt else format_for_path(p)
    data = p.read_bytes()
    return parse_bytes(data, spec, name=str(p))


#: A file's identity and version: the path as given, device, inode, size, modification and change times (ns).
FileVersion = tuple[str, int, int, int, int, int]


def file_version(path: str | Path, max_bytes: int) -> FileVersion:
    """The identity and version of the local file ``path``, once :func:`local_file` has accepted it.

    Editing or replacing the file changes it (a rewrite keeps neither the
    change time nor, usually, the inode), so values computed from a file can
    be kept under this key for as long as it is unchanged.
    """
    st = local_file(path, max_bytes).stat()
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class FileDerivedCache(Generic[_V]):
    """Values computed from files, kept per process while the files are unchanged (least recently used dropped).

    Each value is kept with the warnings its computation logged, and those
    are logged again whenever the value is reused, as computing it afresh
    would (unless warnings are turned off then). A value computed while
    warnings are off (the ``wbsec`` logger's level above WARNING; ``wbsec -q``
    only silences the printing) is not kept, as its warnings were never
    made. Safe to use from several threads (two threads asking at once may
    both compute the value; either result is correct).
    """

    def __init__(self, max_bytes: int) -> None:
        #: key -> (value, its warnings, the bytes of the files it was computed from)
        self._entries: OrderedDict[Hashable, tuple[_V, tuple[logging.LogRecord, ...], int]] = OrderedDict()
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], _V], *, size: int) -> _V:
        """The value kept under ``key``, or ``compute()``, kept for next time.

        ``size`` is the bytes of the files the value is computed from; the
        values kept add up to at most ``max_bytes`` of files (the least
        recently used go first), and a value over that is not kept.
        """
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if hit is not None:
            for record in hit[1]:
                logger = logging.getLogger(record.name)
                if logger.isEnabledFor(record.levelno):  # warnings turned off now: not again
                    logger.handle(record)
            return hit[0]
        if not log.isEnabledFor(logging.WARNING):  # quiet: the warnings would not be recorded to give again
            return compute()
        records: list[logging.LogRecord] = []
        keep = _Collect(records)
        log.addHandler(keep)
        try:
            value = compute()
        finally:
            log.removeHandler(keep)
        if size > self._max_bytes:
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, tuple(records), size)
                self._bytes += size
            while self._bytes > self._max_bytes:
                _key, (_value, _records, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value


class _Collect(logging.Handler):
    """A logging handler that keeps the records this thread logs (they still go on to the usual handlers)."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:  # not what another thread logs meanwhile
            self.records.append(record)


#: What the per-process caches keep, in bytes of the files read (the curated data and ontology are about 2 MB):
#: a big one-off input is read again rather than held in memory.
SHARED_MAX_BYTES = 16 * 1024 * 1024
_PARSED: FileDerivedCache[Graph] = FileDerivedCache(SHARED_MAX_BYTES)
_MERGED: FileDerivedCache[Graph] = FileDerivedCache(SHARED_MAX_BYTES)


def parse_file_shared(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """The graph of one file as :func:`parse_file` gives it, parsed once per process while the file is unchanged.

    Every command reads the ontology and the curated data, and a process that
    runs several (a notebook, ``wbsec serve``, a test session) would parse the
    same files again each time. Here a file is parsed once and its graph kept
    under its :func:`file_version`, so an edited or replaced file is parsed
    again. The checks of :func:`local_file` run on every call, and the
    warnings the parse logged (an empty file, an ill-typed literal) are logged
    again on every reuse. At most 16 MB of files are kept (the least
    recently used go first).

    The graph is shared: read it, never change it. :func:`load_files` and
    :func:`merge_graphs` copy what they read into a new graph.
    """
    version = file_version(path, max_bytes)
    return _PARSED.get(version, lambda: parse_file(path, max_bytes=max_bytes), size=version[3])


def load_files_shared(paths: Sequence[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """The union of the files ``paths`` as :func:`load_files` gives it, merged once per process while they are unchanged.

    The graph is shared, like :func:`parse_file_shared`'s: read it, never
    change it; :func:`graph.overlay.overlay` gives a graph of your own on top
    of it without copying. The warnings the files' parses logged are logged
    again on every reuse.
    """
    versions = tuple(file_version(p, max_bytes) for p in paths)
    return _MERGED.get(versions, lambda: load_files(paths, max_bytes=max_bytes), size=sum(v[3] for v in versions))


def local_file(path: str | Path, max_bytes: int, *, verb: str = "loaded", limit: str = "") -> Path:
    """``path`` once it is known to be a local file (not a URL) of at most ``max_bytes``.

    Every reader of user files checks them this way before reading a byte;
    ``verb`` and ``limit`` word the refusals for the caller ("only local files
    can be imported", "over the N-byte limit for CSV files").
    """
    text_path = str(path)
    if URL_LIKE.match(text_path):
        raise PolicyError(f"{text_path}: only local files can be {verb}, not URLs")
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    size = p.stat().st_size
    if size > max_bytes:
        raise PolicyError(f"{p}: {size} bytes is over the {max_bytes}-byte limit{limit}")
    return p


def parse_bytes(data: bytes, spec: RDFFormat, *, name: str, base: str | None = None) -> Graph:
    """Parse ``data`` in format ``spec``; ``name`` is used in error messages."""
    from rdflib import Dataset, Graph

    text = decode_utf8(data, name)
    if not text.strip():
        log.warning("%s: 0 triples loaded (the file is empty)", name)
        return Graph()
    if spec.name == "xml":
        refuse_dtd(data, name)
    elif spec.name == "jsonld":
        refuse_remote_context(text, name)
    parsed: Graph
    try:
        with quiet_rdflib_terms(), guarded_parse(name):  # ill-typed literals are reported below, in one line
            if spec.name == "nt":
                parsed = _parse_ntriples(text)
            elif spec.name == "trig":
                ds = Dataset()
                ds.parse(data=text, format="trig", publicID=base)
                parsed = Graph()
                for s, p, o, _ctx in ds.quads((None, None, None, None)):
                    parsed.add((s, p, o))
            else:
                parsed = Graph()
                parsed.parse(data=text if spec.name != "xml" else data, format=spec.rdflib, publicID=base)
    except (InputError, PolicyError):
        raise
    except RecursionError as exc:
        raise InputError(f"{name}: the data nest too deeply to parse; flatten the document") from exc
    except Exception as exc:  # third-party parser errors are wrapped with the file and line
        raise _syntax_error(exc, spec, name, text) from exc
    _check_terms(parsed, name)
    return parsed


class _Lines:
    """``text`` handed out one line at a time, line end included, as rdflib's N-Triples reader asks for it.

    rdflib reads N-Triples 2,048 characters at a time and matches its line
    pattern against everything buffered after each read, which is quadratic
    in the length of a line: a 2 MiB literal took 32 s. Given whole lines, it
    matches each line once.
    """

    encoding = "utf-8"

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def read(self, _size: int = -1) -> str:
        if self.pos >= len(self.text):
            return ""
        m = _LINE_BREAK.search(self.text, self.pos)
        end = m.end() if m else len(self.text)
        chunk = self.text[self.pos : end]
        self.pos = end
        return chunk


def _parse_ntriples(text: str) -> Graph:
    """Parse N-Triples ``text`` with rdflib's strict N-Triples parser, in time linear in its size."""
    from rdflib import Graph
    from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser

    parsed = Graph()
    W3CNTriplesParser(NTGraphSink(parsed)).parse(_Lines(text), bnode_context={})  # type: ignore[arg-type]
    return parsed


def decode_utf8(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not UTF-8 at byte {exc.start}; re-encode the file as UTF-8") from exc
    return text[1:] if text.startswith("\ufeff") else text


def refuse_dtd(data: bytes, name: str) -> None:
    import xml.sax

    from defusedxml.common import DefusedXmlException
    from defusedxml.sax import parseString

    try:
        parseString(data, xml.sax.handler.ContentHandler(), forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise PolicyError(f"{name}: DTD and entity declarations are not allowed in RDF/XML input") from exc
    except xml.sax.SAXParseException as exc:
        raise InputError(
            f"{name}:{exc.getLineNumber()}: RDF/XML syntax error ({exc.getMessage()}, column {exc.getColumnNumber()})"
        ) from exc


def refuse_remote_context(text: str, name: str) -> None:
    """Refuse JSON-LD that names a context to fetch (``"@context": "http://…"``, ``@import``) or nests too deeply."""
    too_deep = f"{name}: the JSON nests more than {MAX_JSON_DEPTH} levels deep; flatten the document"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: JSON syntax error ({exc.msg}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise InputError(too_deep) from exc
    stack: list[tuple[Any, int, bool]] = [(doc, 0, False)]  # (node, depth, is a context value)
    while stack:
        node, depth, in_context = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InputError(too_deep)
        if in_context:
            for item in node if isinstance(node, list) else [node]:
                if isinstance(item, str):
                    raise PolicyError(
                        f"{name}: remote JSON-LD contexts are disabled ({item}); inline the context in the file"
                    )
                stack.append((item, depth + 1, False))
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@import":
                    raise PolicyError(f"{name}: JSON-LD @import is disabled; inline the context instead")
                stack.append((value, depth + 1, key == "@context"))
        elif isinstance(node, list):
            stack.extend((item, depth + 1, False) for item in node)


def _syntax_error(exc: Exception, spec: RDFFormat, name: str, text: str) -> InputError:
    import xml.sax

    kind = {"ttl": "Turtle", "nt": "N-Triples", "trig": "TriG", "jsonld": "JSON-LD", "xml": "RDF/XML"}[spec.name]
    line: int | None = None
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    raw = getattr(exc, "_str", None)
    offset = getattr(exc, "_i", None)
    if isinstance(raw, (bytes, str)) and isinstance(offset, int):  # rdflib's notation3 BadSyntax
        chunk = raw[:offset]
        line = (chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")) + 1
        reason = str(getattr(exc, "_why", reason))
    elif isinstance(exc, xml.sax.SAXParseException):
        line, reason = exc.getLineNumber(), exc.getMessage()
    elif isinstance(exc, json.JSONDecodeError):
        line, reason = exc.lineno, exc.msg
    elif spec.name == "nt":
        line = _first_bad_ntriples_line(text)
        reason = "invalid line"
    hint = ""
    stripped = text.lstrip()
    if spec.name in {"ttl", "nt", "trig"} and stripped[:1] in "{[":
        hint = "; the file looks like JSON-LD: pass --format jsonld"
    elif spec.name in {"ttl", "nt", "trig", "jsonld"} and stripped.startswith("<?xml"):
        hint = "; the file looks like RDF/XML: pass --format xml"
    where = f"{name}:{line}" if line else name
    return InputError(f"{where}: {kind} syntax error ({reason}){hint}")


def _first_bad_ntriples_line(text: str) -> int | None:
    from rdflib import Graph

    for number, line in enumerate(_LINE_BREAK.split(text), 1):  # not splitlines: U+2028, \v … are data
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=line + "\n", format="nt")
        except Exception:  # the first line rdflib rejects is the one to report
            return number
    return None


def _check_terms(g: Graph, name: str) -> None:
    """Refuse what a strict serializer would refuse; report ill-typed literals once each."""
    from rdflib import Literal, URIRef

    ill_typed: dict[Literal, None] = {}
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef):
                if BAD_IRI_CHARS.search(term):
                    raise InputError(f"{name}: IRI <{term}> contains a space or a character IRIs may not hold")
                _strict_unicode(term, name)
            elif isinstance(term, Literal):
                _strict_unicode(term, name)
                if term.datatype is not None:
                    _strict_unicode(term.datatype, name)
                if term.ill_typed:
                    ill_typed[term] = None
    warn_ill_typed(ill_typed, name)


def _strict_unicode(value: str, name: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"{name}: invalid Unicode in literal or IRI (lone surrogate at position {exc.start})") from exc


@dataclass(frozen=True)
class ClassCount:
    """How many distinct subjects carry one ``rdf:type``."""

    iri: str
    label: str
    count: int


@dataclass(frozen=True)
class SourceInfo:
    """A document the facts were read from."""

    iri: str
    title: str
    claims: int


@dataclass(frozen=True)
class GraphSummary:
    """What ``wbsec info`` reports about a loaded graph."""

    triples: int
    classes: list[ClassCount]
    sources: list[SourceInfo]


def summary(g: Graph) -> GraphSummary:
    """Count triples, instances per class and claims per source in ``g``."""
    from collections import Counter

    from rdflib import RDF, URIRef

    per_class: Counter[URIRef] = Counter()
    for _s, cls in g.subject_objects(RDF.type):
        if isinstance(cls, URIRef):
            per_class[cls] += 1
    classes = sorted(
        (ClassCount(str(c), label_of(g, c), n) for c, n in per_class.items()),
        key=lambda c: (-c.count, c.iri),
    )
    sources: list[SourceInfo] = []
    source_types = {WBO.Source, WBO.Survey}
    source_nodes = {s for t in source_types for s in g.subjects(RDF.type, t)}
    for src in sorted(source_nodes, key=str):
        title = g.value(src, DCTERMS.title)
        claims = len(set(g.subjects(PROV.wasDerivedFrom, src)) | set(g.subjects(PROV.hadPrimarySource, src)))
        sources.append(SourceInfo(str(src), str(title) if title is not None else label_of(g, src), claims))
    return GraphSummary(len(g), classes, sources)


#: The JSON-LD context of every JSON-LD export: the vocabulary's prefixes (published as ``ontology/context.jsonld``).
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"


def serialize_verified(g: Graph, fmt: str) -> bytes:
    """Serialize ``g`` as ``fmt`` and prove the bytes parse back to exactly the same graph.

    Catches what rdflib's serializers lose silently (characters RDF/XML cannot
    hold, lone surrogates written as ``?``, ``"68"^^xsd:decimal`` written as
    ``68.0``). The same graph always gives the same bytes, whatever the process:
    triples are written in a sorted order and blank nodes get canonical labels.

    * ``ttl`` and ``trig`` keep every literal's spelling; the TriG file holds
      every triple in the default graph (it is the Turtle text, which is valid
      TriG), so a plain query over the default graph finds them all.
    * ``jsonld`` is compacted with the context in ``ontology/context.jsonld``
      (the vocabulary's prefixes), written inline: no remote context is needed.
      Typed literals keep their lexical form (``{"@value": "68", "@type":
      "xsd:decimal"}``), never a JSON number that a reader would respell.
    * N-Triples lines are sorted.

    The bytes are read back with rdflib's reader for ``fmt`` and compared
    with ``g`` by :func:`same_graph`.
    """
    spec = rdf_format(fmt)
    if spec.name == "xml":
        _refuse_xml_unsafe(g)
    # N-Triples lines are sorted below and the JSON-LD writer sorts what it writes, so the triples' order does not
    # matter there: only the blank-node labels
    try:
        with warnings.catch_warnings():  # rdflib warns of each ill-typed number it writes; the read reported them
            warnings.filterwarnings("ignore", message="Serializing weird numerical", category=UserWarning)
            ordered = _canonical(g) if spec.name in ("nt", "jsonld") else _ordered_copy(g)
            data = _serialize(ordered, spec)
    except (UnicodeEncodeError, ValueError) as exc:
        raise OutputError(f"cannot write the graph as {spec.name}: {exc}") from exc
    if spec.name == "nt":
        # N-Triples lines end at LF (the serializer escapes CR and LF in literals); str.splitlines would
        # also break at U+2028, U+0085, \v, \f and \x1c-\x1e, which literals may hold as they are
        lines = sorted(line for line in data.split(b"\n") if line.strip(b" \t\r"))
        data = b"\n".join(lines) + b"\n" if lines else b""
    check_round_trip(g, data, spec, what=f"the {spec.name} export")
    return data


def check_round_trip(g: Graph, data: bytes, spec: RDFFormat, *, what: str) -> None:
    """Raise :class:`OutputError` unless ``data`` (``g`` written in format ``spec``) reads back as ``g``, term for term.

    ``data`` is read with rdflib's reader for ``spec`` and compared by
    :func:`same_graph`; ``what`` names the output in the message ("the
    JSON-LD dump"). Ill-typed literals are not reported again: the reading
    of the data reported them.
    """
    try:
        with quiet_rdflib_terms():
            back = _parse_back(data, spec)
    except Exception as exc:  # whatever the parser raises, the output is not trustworthy
        raise OutputError(f"{what} does not parse back ({type(exc).__name__}); nothing written") from exc
    if not same_graph(g, back):
        raise OutputError(f"{what} does not round-trip to the same graph; nothing written")


def _serialize(g: Graph, spec: RDFFormat) -> bytes:
    """``g`` in format ``spec``: Turtle and TriG and JSON-LD by wbsec's own writers, the others by rdflib's."""
    if spec.name in ("ttl", "trig"):
        return _exact_turtle(g)
    if spec.name == "jsonld":
        return _compact_jsonld(g)
    data: bytes = g.serialize(format=spec.rdflib, encoding="utf-8")
    return data


class _TripleSink:
    """Where rdflib's N-Triples reader puts each triple it reads: a set, without a graph's indexes."""

    __slots__ = ("triples",)

    def __init__(self) -> None:
        self.triples: set[tuple[Any, Any, Any]] = set()

    def triple(self, s: Any, p: Any, o: Any) -> None:
        self.triples.add((s, p, o))


@functools.cache
def _collecting_store() -> type:
    """An rdflib store that only collects the triples added to it, of every graph, in ``.triples``.

    rdflib's Turtle, TriG, RDF/XML and JSON-LD readers only ever add to the
    graph they fill; indexing what they add (as rdflib's memory store does)
    is half of their time and not needed to compare the triples once.
    """
    from rdflib.plugins.stores.memory import Memory

    class CollectingStore(Memory):  # context-aware, as the TriG and JSON-LD readers require
        def __init__(self) -> None:
            super().__init__()
            self.triples: set[tuple[Any, Any, Any]] = set()

        def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
            self.triples.add(triple)

    return CollectingStore


def _parse_back(data: bytes, spec: RDFFormat) -> set[tuple[Any, Any, Any]]:
    """The triples rdflib reads from an export ``data`` in format ``spec`` (TriG: of every graph).

    The reader is rdflib's own for each format; only where the triples go is
    chosen for speed: a set, not an indexed graph. N-Triples is read line by
    line, as :func:`parse_bytes` reads it, so a long literal costs time linear
    in its length.
    """
    from rdflib import Dataset, Graph
    from rdflib.plugins.parsers.ntriples import W3CNTriplesParser

    if spec.name == "nt":
        sink = _TripleSink()
        W3CNTriplesParser(sink).parse(_Lines(data.decode("utf-8")), bnode_context={})  # type: ignore[arg-type]
        return sink.triples
    store = _collecting_store()()
    (Dataset if spec.name == "trig" else Graph)(store=store).parse(data=data, format=spec.rdflib)
    triples: set[tuple[Any, Any, Any]] = store.triples
    return triples


def _ordered_copy(g: Graph) -> Graph:
    """``g`` with canonical blank-node labels, its triples inserted in sorted order, its prefixes kept.

    rdflib's serializers write triples in the store's insertion order and blank
    nodes under random labels; this copy makes both a function of the graph alone.
    """
    from rdflib import Graph

    triples = _canonical(g)
    out = Graph(store="SimpleMemory")  # iterates in insertion order (the default store iterates a set)
    for prefix, namespace in sorted(g.namespace_manager.namespaces()):
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        out.add(triple)
    return out


def _canonical(g: Graph) -> Graph:
    """``g`` itself when it has no blank nodes, else a copy whose blank nodes have canonical labels."""
    from rdflib import BNode
    from rdflib.compare import to_canonical_graph

    if any(isinstance(t, BNode) for triple in g for t in triple):
        return to_canonical_graph(g)
    return g


def jsonld_context() -> dict[str, str]:
    """The ``@context`` of wbsec's JSON-LD: prefix -> namespace IRI, read from ``ontology/context.jsonld``."""
    try:
        context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{CONTEXT_FILE}: not a JSON-LD context file ({exc})") from exc
    return {str(k): str(v) for k, v in context.items()}


def _compact_jsonld(g: Graph) -> bytes:
    """``g`` as compacted JSON-LD: the shipped context inline, one node object per subject, sorted.

    Written here rather than by rdflib, whose compaction turns typed literals
    into JSON numbers (``"1.50"^^xsd:double`` would read back as ``1.5E0``).
    Every literal keeps its exact lexical form; only plain strings are bare.
    The bytes depend on the triples and their blank-node labels only, not on
    the order ``g`` gives them in: nodes, keys and values are sorted (two
    values that sort alike are written alike).
    """
    from rdflib import RDF, BNode, Literal
    from rdflib.namespace import XSD

    context = jsonld_context()
    by_length = sorted(context.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def short(iri: str) -> str:
        for prefix, namespace in by_length:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if local and not local.startswith("//") and ":" not in local.split("/", 1)[0]:
                    return f"{prefix}:{local}"
        return iri

    def node_id(term: Any) -> str:
        return f"_:{term}" if isinstance(term, BNode) else short(str(term))

    def value(term: Any) -> Any:
        if not isinstance(term, Literal):
            return {"@id": node_id(term)}
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is not None and term.datatype != XSD.string:
            return {"@value": str(term), "@type": short(str(term.datatype))}
        return str(term)

    nodes: dict[str, dict[str, list[Any]]] = {}
    for s, p, o in g:
        node = nodes.setdefault(node_id(s), {})
        if p == RDF.type and not isinstance(o, Literal):
            node.setdefault("@type", []).append(node_id(o))
        else:
            node.setdefault(short(str(p)), []).append(value(o))

    def sort_key(item: Any) -> str:
        return json.dumps(item, sort_keys=True, ensure_ascii=False)

    graph_objects = []
    for ident in sorted(nodes):
        obj: dict[str, Any] = {"@id": ident}
        for key in sorted(nodes[ident]):
            values = sorted(nodes[ident][key], key=sort_key)
            obj[key] = values[0] if len(values) == 1 else values
        graph_objects.append(obj)
    doc = {"@context": context, "@graph": graph_objects}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _exact_turtle(g: Graph) -> bytes:
    """Turtle that keeps every typed literal's spelling.

    rdflib's Turtle writer prints ``"42"^^xsd:decimal`` as ``42.0``, which reads
    back as a different term: merged with the curated data, a figure would then
    have two values. Such literals are written in full instead.
    """
    import io

    from rdflib import Literal
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    class _Exact(TurtleSerializer):
        def label(self, node: Any, position: int) -> str:
            short: str = super().label(node, position)
            if isinstance(node, Literal) and node.datatype is not None:
                if not short.startswith('"') and short != str(node):
                    return str(node.n3(self.store.namespace_manager))
            return short

    buffer = io.BytesIO()
    _Exact(g).serialize(buffer, encoding="utf-8")
    return buffer.getvalue()


def same_graph(a: Iterable[tuple[Any, Any, Any]], b: Iterable[tuple[Any, Any, Any]]) -> bool:
    """True when ``a`` and ``b`` hold the same statements, term for term; blank nodes up to renaming.

    ``a`` and ``b`` are graphs or any collections of rdflib triples (a
    duplicate counts once). Literals are compared as written (lexical form,
    datatype, language tag with its case), not by value: ``"66"^^xsd:decimal``
    and ``66.0`` are two different terms, and a file that turned one into the
    other would give a figure two values. (rdflib's own equality ignores the
    case of a language tag, so each literal is compared by its parts.)

    The triples without blank nodes are compared as sets; a renaming of blank
    nodes leaves them as they are, so only the triples with blank nodes go to
    rdflib's isomorphism check, which costs far more per triple.

    >>> from rdflib import Graph
    >>> same_graph(Graph().parse(data="<x:a> <x:b> 66.0 .", format="turtle"),
    ...            Graph().parse(data='<x:a> <x:b> "66"^^<http://www.w3.org/2001/XMLSchema#decimal> .', format="turtle"))
    False
    >>> same_graph(Graph().parse(data='<x:a> <x:b> "Beograd"@sr-Latn .', format="turtle"),
    ...            Graph().parse(data='<x:a> <x:b> "Beograd"@sr-latn .', format="turtle"))
    False
    >>> same_graph(Graph().parse(data='<x:a> <x:b> [ <x:c> "Beograd"@sr-Latn ] .', format="turtle"),
    ...            Graph().parse(data='<x:a> <x:b> _:z . _:z <x:c> "Beograd"@sr-latn .', format="turtle"))
    False
    >>> same_graph(Graph().parse(data="<x:a> <x:b> [ <x:c> 1 ] .", format="turtle"),
    ...            Graph().parse(data="<x:a> <x:b> _:z . _:z <x:c> 1 .", format="turtle"))
    True
    """
    ground_a, blank_a = _split_exact(a)
    ground_b, blank_b = _split_exact(b)
    if ground_a != ground_b or len(blank_a) != len(blank_b):
        return False
    if not blank_a:
        return True
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graphs = []
    for blank in (blank_a, blank_b):
        part = Graph()
        part.addN((s, p, o, part) for s, p, o in blank)
        graphs.append(part)
    try:
        return bool(isomorphic(graphs[0], graphs[1]))
    except UnicodeEncodeError:
        return False


def _split_exact(triples: Iterable[tuple[Any, Any, Any]]) -> tuple[set[tuple[Any, ...]], set[tuple[Any, Any, Any]]]:
    """``triples`` as (those without blank nodes, those with), each literal replaced by an exact stand-in.

    Outside the blank-node triples the stand-in is a tuple of the literal's
    parts; inside them (which go to rdflib's isomorphism check, which needs
    rdflib terms) it is an IRI that spells the parts.
    """
    from urllib.parse import quote

    from rdflib import BNode, Literal, URIRef

    ground: set[tuple[Any, ...]] = set()
    blank: set[tuple[Any, Any, Any]] = set()
    for triple in triples:
        if any(isinstance(term, BNode) for term in triple):
            blank.add(tuple(  # type: ignore[arg-type]
                URIRef("urn:wbsec:literal:" + quote(json.dumps([str(t), t.language, t.datatype and str(t.datatype)]),
                                                    safe=""))
                if isinstance(t, Literal) else t for t in triple))
        else:
            ground.add(tuple((Literal, str(t), t.language, t.datatype) if isinstance(t, Literal) else t for t in triple))
    return ground, blank


def _refuse_xml_unsafe(g: Graph) -> None:
    bad = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    for triple in g:
        for term in triple:
            if bad.search(term):
                raise OutputError(
                    "a literal contains characters XML 1.0 cannot represent; export as ttl, nt or jsonld instead"
                )
