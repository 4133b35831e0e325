"""Run SPARQL questions safely: the named queries in ontology/queries/, ad-hoc text and bound parameters.

The one way into the query engine for wbsec. A query is either the NAME of a
shipped question (``ontology/queries/NAME.rq``) or SPARQL text. It is checked
statically before anything is evaluated (:func:`check_query`, cached per
text):

- ``SERVICE`` anywhere in the query, ``FROM`` and ``FROM NAMED`` are refused
  with :class:`~graph.errors.PolicyError` (exit 3), and so is an update that
  would ``LOAD`` a document;
- any other SPARQL Update (``INSERT DATA``, ``DELETE``, ``CLEAR`` …) is refused
  with :class:`~graph.errors.InputError` (exit 2): this path is read-only;
- a syntax error becomes :class:`~graph.errors.InputError` naming line and
  column; an undeclared prefix names the prefix.

Every backend evaluates with Oxigraph (:mod:`graph.backends`): the files in
an in-memory store, an Oxigraph store on disk, or a remote endpoint.
Parameters are bound as RDF terms in a ``VALUES`` block built from checked,
escaped terms and are never pasted into query text as raw strings, so a
value such as ``x" || true || "`` is just a string that matches nothing. A
bound variable acts as if its value were written in the query's ``WHERE``
group and every subquery's, so it reaches ``BIND``, ``FILTER`` and
subqueries.

``timeout`` covers the whole query, rows included; ``max_rows`` turns a
larger result into :class:`~graph.errors.LimitError` rather than a silently
truncated one.

>>> from rdflib import Graph
>>> from graph.namespaces import WB, WBO, ORG
>>> g = Graph()
>>> _ = g.add((WB.m1, ORG.member, WB.AL)).add((WB.m1, ORG.organization, WB.NATO))
>>> t = select(g, "SELECT ?who WHERE { ?m org:member ?who ; org:organization ?org } ORDER BY ?who", org=WB.NATO)
>>> t.columns, [str(r["who"]) for r in t.records()]
(['who'], ['https://w3id.org/wbsec/id/AL'])
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

from graph.backends import Backend, MATERIALISE_MAX_TRIPLES, MemoryBackend, as_backend, query_tokens
from graph.errors import GraphError, InputError, LimitError, PolicyError, QueryTimeout
from graph.iri import BAD_IRI_CHARS, IRI_SCHEMES, ISO_DAY, YEAR
from graph.namespaces import PREFIXES, bind_prefixes
from graph.store import ONTOLOGY_DIR, QUERIES_DIR, local_file

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.term import Node


__all__ = [
    "PARAM_TYPES",
    "NamedQuery",
    "QueryParam",
    "Result",
    "Table",
    "ask",
    "bindings",
    "check_query",
    "construct",
    "expand_escapes",
    "kind",
    "named_queries",
    "named_query",
    "prepare",
    "python_value",
    "query_from_bytes",
    "query_from_file",
    "query_from_text",
    "resolve",
    "run",
    "select",
    "term",
]

#: The types a ``# param:`` line may declare, and what a text value becomes.
PARAM_TYPES: dict[str, str] = {
    "IRI": "an IRI: wb:NATO, <https://…>, https://…, urn:…",
    "string": "a plain string literal, exactly as given",
    "integer": "an xsd:integer such as 3 or -1",
    "decimal": "an xsd:decimal such as 12.5",
    "date": "an xsd:date, YYYY-MM-DD",
    "year": "an xsd:gYear, YYYY",
    "term": "an IRI when it looks like one (prefixed name with a known prefix, <…>, http(s):, urn:), "
    "otherwise a plain string literal",
}

#: Largest query file or text accepted (a query is a few kilobytes; this only stops accidents).
MAX_QUERY_BYTES = 256 * 1024

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PNAME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*|):(.*)$")
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_YEAR_RE = re.compile(r"^-?\d{4,}$")
_PARAM_RE = re.compile(
    r"^param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[A-Za-z]+)\)\s*"
    r"(?:(?P<default>default)\s+(?P<value>\"[^\"]*\"|\S+)|(?P<optional>optional)|(?P<required>required))\s*"
    r"(?:(?:—|--)\s*(?P<meaning>.*))?$"
)

_CACHE_SIZE = 4096  # wbsec serve checks every query here; a few hundred distinct ones are common under load
_V = TypeVar("_V")


class _TextCache(Generic[_V]):
    """A thread-safe least-recently-used cache keyed by query text, holding at most :data:`_CACHE_SIZE` values.

    ``get(text, make)`` returns the value kept for ``text``, or calls
    ``make(text)`` (under the lock when ``locked``, so that one text is made
    once) and keeps what it returns.
    """

    def __init__(self, *, locked: bool) -> None:
        self._values: OrderedDict[str, _V] = OrderedDict()
        self._lock = threading.Lock()
        self._locked = locked

    def get(self, text: str, make: Callable[[str], _V]) -> _V:
        with self._lock:
            hit = self._values.get(text)
            if hit is not None:
                self._values.move_to_end(text)
                return hit
            if self._locked:
                return self._keep(text, make(text))
        value = make(text)
        with self._lock:
            return self._keep(text, value)

    def clear(self) -> None:
        """Forget every value kept."""
        with self._lock:
            self._values.clear()

    def _keep(self, text: str, value: _V) -> _V:
        self._values[text] = value
        if len(self._values) > _CACHE_SIZE:
            self._values.popitem(last=False)
        return value


_parsed: _TextCache[Query] = _TextCache(locked=True)  # rdflib's parser is not thread-safe


# --------------------------------------------------------------------------- result types


@dataclass
class Table:
    """The rows of a SELECT query: ``columns`` in projection order, one tuple of terms per row.

    Unbound cells are ``None``. Iterating yields the row tuples; :meth:`records`
    gives dicts of plain Python values for notebooks and pandas.
    """

    columns: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, object]]:
        """Rows as ``{column: value}`` with Python values.

        IRIs stay :class:`rdflib.URIRef` (a ``str``, usable as a parameter
        again); typed literals become ``int``, ``Decimal``, ``float``, ``bool``,
        ``datetime.date`` …; ``xsd:gYear`` becomes an ``int``; other literals
        their lexical form; unbound cells ``None``.
        """
        return [{c: python_value(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame with the named columns and :meth:`records` values.

        pandas comes with the ``notebook`` extra (``pip install 'wbsec[notebook]'``).
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise InputError("pandas is not installed: pip install 'wbsec[notebook]'") from exc
        return pd.DataFrame.from_records(self.records(), columns=list(self.columns))

    def column(self, name: str) -> list[Node | None]:
        """Every value of one column, in row order."""
        try:
            i = self.columns.index(name)
        except ValueError:
            raise InputError(f"no column {name!r}; the columns are {', '.join(self.columns)}") from None
        return [row[i] for row in self.rows]


#: What :func:`run` returns: a table (SELECT), a truth value (ASK) or a graph (CONSTRUCT/DESCRIBE).
Result = Union[Table, bool, "Graph"]


def python_value(node: Node | None) -> object:
    """A plain Python value for one result cell (see :meth:`Table.records`)."""
    from rdflib import XSD, BNode, Literal, URIRef

    if node is None or isinstance(node, URIRef):
        return node
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        if node.datatype == XSD.gYear and _YEAR_RE.match(str(node)):
            return int(str(node))
        if node.ill_typed:
            return str(node)
        value = node.toPython()
        return str(node) if isinstance(value, Literal) else value
    return str(node)


# --------------------------------------------------------------------------- the query catalogue


@dataclass(frozen=True)
class QueryParam:
    """One parameter a query declares in its header: ``# param: NAME (TYPE) default VALUE — meaning``."""

    name: str
    type: str
    default: str | None
    required: bool
    meaning: str


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL question with its header: where it came from, title, description and parameters."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[QueryParam, ...] = ()
    path: Path | None = None
    #: Written by wbsec itself (a query in its code): run in this process like a shipped file,
    #: not in the memory-capped child that guards users' ad-hoc queries.
    own: bool = False

    def param(self, name: str) -> QueryParam | None:
        """The declared parameter called ``name``, if any."""
        return next((p for p in self.params if p.name == name), None)


def named_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every shipped question in ``directory`` (``ontology/queries/``), sorted by name."""
    return [query_from_file(p) for p in sorted(directory.glob("*.rq"))]


def named_query(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    """The shipped question ``name`` (``ontology/queries/NAME.rq``) or :class:`InputError`."""
    path = directory / f"{name}.rq"
    if not _NAME_RE.match(name) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(directory.glob("*.rq")))
        raise InputError(f"unknown query {name!r}; known queries: {known or '(none)'} (see wbsec query --list)")
    return query_from_file(path)


def query_from_file(path: str | Path) -> NamedQuery:
    """Read a ``.rq`` file (UTF-8, at most :data:`MAX_QUERY_BYTES`) with its optional header."""
    p = local_file(path, MAX_QUERY_BYTES, verb="read as queries", limit=" for a query")
    return query_from_bytes(p.read_bytes(), name=p.stem, path=p)


def query_from_bytes(data: bytes, *, name: str = "query", path: Path | None = None) -> NamedQuery:
    """Decode UTF-8 query bytes (a file, standard input) and read them with :func:`query_from_text`."""
    if len(data) > MAX_QUERY_BYTES:
        raise PolicyError(f"{path or name}: the query is over the {MAX_QUERY_BYTES}-byte limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path or name}: not UTF-8 at byte {exc.start}") from exc
    return query_from_text(text.removeprefix("\ufeff"), name=name, path=path)


def query_from_text(text: str, *, name: str = "query", path: Path | None = None, own: bool = False) -> NamedQuery:
    """Wrap SPARQL ``text`` as a :class:`NamedQuery`, reading its header comment if it has one.

    ``own`` marks a query written in wbsec's own code (see :attr:`NamedQuery.own`).

    The header is the block of ``#`` lines at the top::

        # title: Members of an organisation
        # description: Who belongs to an organisation or initiative, in what role, since when.
        # param: org (IRI) default wb:NATO — the organisation or initiative

    ``default VALUE`` is used when the caller gives no value; ``optional``
    leaves the variable unbound (it then matches anything); ``required``
    demands a value.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise PolicyError(f"{path or name}: the query is over the {MAX_QUERY_BYTES}-byte limit")
    title = description = ""
    params: list[QueryParam] = []
    where = str(path) if path else name
    for lineno, raw in enumerate(re.split(r"\r\n|\r|\n", text), 1):  # SPARQL's line ends, not str.splitlines
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        key = body.split(":", 1)[0].strip().lower() if ":" in body else ""
        if key == "title":
            title = body.split(":", 1)[1].strip()
        elif key == "description":
            description = body.split(":", 1)[1].strip()
        elif key == "param":
            m = _PARAM_RE.match(body)
            if not m:
                raise InputError(
                    f"{where}:{lineno}: bad header line; write '# param: NAME (TYPE) default VALUE — meaning' "
                    "(or 'optional'/'required' instead of 'default VALUE')"
                )
            ptype = m["type"]
            if ptype not in PARAM_TYPES:
                raise InputError(f"{where}:{lineno}: unknown parameter type {ptype!r}; use one of {', '.join(PARAM_TYPES)}")
            value = m["value"]
            if value is not None and value.startswith('"'):
                value = value[1:-1]
            param = QueryParam(m["name"], ptype, value, bool(m["required"]), (m["meaning"] or "").strip())
            if value is not None:
                term(value, ptype, name=f"{where}:{lineno}: default of {param.name}")  # fail early on a bad default
            if any(p.name == param.name for p in params):
                raise InputError(f"{where}:{lineno}: parameter {param.name} declared twice")
            params.append(param)
    return NamedQuery(name=name, text=text, title=title, description=description, params=tuple(params), path=path,
                      own=own)


# --------------------------------------------------------------------------- parameters


def term(value: str, type: str = "term", *, name: str = "parameter") -> Node:
    """Turn the text of a parameter value into an RDF term according to its declared ``type``.

    Types are listed in :data:`PARAM_TYPES`. ``IRI`` accepts ``prefix:local``
    for the prefixes in :data:`graph.namespaces.PREFIXES`, ``<…>`` and bare
    ``http``/``https``/``urn`` IRIs; any other scheme, whitespace or one of
    ``<>"{}|^`\\`` is refused. ``term`` (the type of undeclared parameters)
    makes an IRI of what looks like one and a plain string literal of
    everything else — numbers included.

    >>> term("wb:NATO", "IRI")
    rdflib.term.URIRef('https://w3id.org/wbsec/id/NATO')
    >>> term('x" || true || "')
    rdflib.term.Literal('x" || true || "')
    """
    from rdflib import XSD, Literal

    if type not in PARAM_TYPES:
        raise InputError(f"{name}: unknown parameter type {type!r}; use one of {', '.join(PARAM_TYPES)}")
    if type == "IRI":
        return _iri(value, name)
    if type == "term":
        iri = _looks_like_iri(value)
        return _iri(value, name) if iri else Literal(value)
    if type == "string":
        return Literal(value)
    text = value.strip()
    if type == "integer":
        if not _INTEGER_RE.match(text):
            raise InputError(f"{name}: {value!r} is not an integer")
        return Literal(text, datatype=XSD.integer)
    if type == "decimal":
        if not _DECIMAL_RE.match(text):
            raise InputError(f"{name}: {value!r} is not a decimal number (use a dot: 12.5)")
        return Literal(text, datatype=XSD.decimal)
    if type == "date":
        try:
            _dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
        if not ISO_DAY.match(text):
            raise InputError(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        return Literal(text, datatype=XSD.date)
    # year
    if not YEAR.match(text):
        raise InputError(f"{name}: {value!r} is not a year (YYYY)")
    return Literal(text, datatype=XSD.gYear)


def _looks_like_iri(value: str) -> bool:
    if value.startswith("<") and value.endswith(">"):
        return True
    scheme = _SCHEME_RE.match(value)
    if scheme and scheme.group(1).lower() in IRI_SCHEMES:
        return True
    pname = _PNAME_RE.match(value)
    return bool(pname and pname.group(1) in PREFIXES and not any(c.isspace() for c in value))


def _iri(value: str, name: str) -> Node:
    from rdflib import URIRef

    text = value
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        scheme = _SCHEME_RE.match(text)
        pname = _PNAME_RE.match(text)
        is_absolute = scheme is not None and scheme.group(1).lower() in IRI_SCHEMES
        if pname and not is_absolute:
            prefix, local = pname.group(1), pname.group(2)
            if prefix not in PREFIXES:
                raise InputError(
                    f"{name}: {value!r} has an unknown prefix {prefix!r} (known: {', '.join(PREFIXES)}); "
                    "full IRIs must use http, https or urn"
                )
            text = PREFIXES[prefix] + local
    scheme = _SCHEME_RE.match(text)
    if scheme is None:
        raise InputError(f"{name}: {value!r} is not an IRI (write wb:NAME, <https://…> or https://…)")
    if scheme.group(1).lower() not in IRI_SCHEMES:
        raise InputError(f"{name}: IRI scheme {scheme.group(1)!r} is not allowed; use http, https or urn")
    if BAD_IRI_CHARS.search(text):
        raise InputError(f"{name}: IRI {value!r} contains whitespace or one of <>\"{{}}|^`\\")
    return URIRef(text)


def bindings(query: NamedQuery, params: Mapping[str, object], variables: set[str]) -> dict[str, Node]:
    """The ``initBindings`` for ``query``: given values converted by type, then declared defaults.

    A value that is already an RDF term is bound as is; a ``str`` is converted
    with :func:`term` using the declared type (``term`` when undeclared);
    other Python values (int, Decimal, date, bool) become typed literals. A
    name the query does not declare, or whose variable does not occur in the
    query, is an :class:`InputError`.
    """
    from rdflib import Literal
    from rdflib.term import Node as RDFNode

    out: dict[str, Node] = {}
    for key, value in params.items():
        declared = query.param(key)
        if query.params and declared is None:
            names = ", ".join(p.name for p in query.params)
            raise InputError(f"query {query.name} has no parameter {key!r}; its parameters: {names}")
        if declared is None and key not in variables:
            raise InputError(f"parameter {key!r}: the query has no variable ?{key}")
        if isinstance(value, RDFNode):
            out[key] = value
        elif isinstance(value, str):
            out[key] = term(value, declared.type if declared else "term", name=f"parameter {key}")
        elif isinstance(value, (bool, int, float, Decimal, _dt.date)):
            out[key] = Literal(value)
        else:
            raise InputError(f"parameter {key}: cannot bind a {type(value).__name__}; give an RDF term or text")
    for p in query.params:
        if p.name in out:
            continue
        if p.default is not None:
            out[p.name] = term(p.default, p.type, name=f"default of {p.name}")
        elif p.required:
            raise InputError(f"query {query.name} needs a value for {p.name}: --param {p.name}=VALUE ({p.meaning})")
    return out


# --------------------------------------------------------------------------- parse and check


_ESCAPE_RE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)


def expand_escapes(text: str) -> str:
    r"""``text`` with SPARQL's ``\uhhhh``/``\Uhhhhhhhh`` escapes replaced by their characters, as the policy parses it.

    SPARQL defines these escapes as a step before parsing, and rdflib applies
    them to the whole text; Oxigraph decodes them only inside strings and
    IRIs, where ``\u0022`` is a character and not a delimiter. The two
    parsers would then see different queries (a ``SERVICE`` that rdflib reads
    as part of a string), so every backend gets the expanded text: the exact
    characters the policy checked. An escape that spells another escape is
    refused, since a second decoding would change the text again.

    >>> expand_escapes(r'SELECT * WHERE { ?s ?p "\u00e9" }')
    'SELECT * WHERE { ?s ?p "é" }'
    """
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1), 16))
        except (ValueError, OverflowError):
            raise InputError(f"invalid Unicode escape \\u{m.group(1)} in the query") from None

    expanded = _ESCAPE_RE.sub(char, text)
    if expanded != text and _ESCAPE_RE.search(expanded):
        raise InputError("the query has a Unicode escape that spells another escape (\\u005c…); write the character")
    return expanded


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the policy: the text to send to a backend and its form."""

    text: str
    kind: str


def check_query(text: str) -> CheckedQuery:
    """Check ``text`` against the policy and return the text a backend must receive.

    This is the one decision for every path that sends query text elsewhere
    (an Oxigraph store, a remote endpoint, the ``wbsec serve`` workers):
    ``text`` is what the user wrote, :attr:`CheckedQuery.text` what the
    policy approved (escapes expanded, see :func:`expand_escapes`). It refuses
    what :func:`prepare` refuses, with the same errors, but parses with
    rdflib's (slow) grammar only when it must: see :func:`_check`.

    >>> check_query('PREFIX : <http://x/> SELECT * WHERE { ?s :service ?o }').kind
    'SELECT'
    """
    expanded = expand_escapes(text)
    return CheckedQuery(expanded, _check(expanded).kind)


@dataclass(frozen=True)
class _Checked:
    """What the policy check learnt of a query text: its form and the names of its variables."""

    kind: str
    variables: frozenset[str]


#: A word that may be a SERVICE or FROM (FROM NAMED) keyword, outside strings, IRIs, variables and comments.
_SCREEN = re.compile(r"\b(?:SERVICE|FROM)\b", re.IGNORECASE)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_checked: _TextCache[_Checked] = _TextCache(locked=False)
_empty_store: Any = None


def _check(text: str) -> _Checked:
    """The policy check of ``text`` (escapes already expanded), cached per text in this process.

    Two steps, exact together. A screen over the text's tokens looks for the
    words ``SERVICE`` and ``FROM`` outside strings, IRIs, variables and
    comments, including inside prefixed names (``:from``): it can say "maybe"
    but never misses one. Text the screen passes is parsed by Oxigraph (which
    refuses updates, ``LOAD`` included, as syntax errors); a text the screen
    flags or Oxigraph cannot parse gets the full check of :func:`prepare`
    (rdflib's parser and an algebra walk), which refuses exactly what the
    policy forbids and words syntax errors with line and column. A query
    that passes both parsers' checks with a word such as ``:from`` in it is
    therefore answered, never refused.
    """
    return _checked.get(text, _check_uncached)


def _check_uncached(text: str) -> _Checked:
    tokens = query_tokens(text)
    screened = " ".join(t[1] for t in tokens if t[0] not in ("string", "iri", "var"))
    result: _Checked | None = None
    if not _SCREEN.search(screened) and _oxigraph_parses(text):
        form = next((t[1].upper() for t in tokens if t[0] == "name" and t[1].upper() in _FORMS), None)
        if form is not None:
            result = _Checked(form, frozenset(t[1][1:] for t in tokens if t[0] == "var"))
    if result is None:
        prepared = prepare(text)
        result = _Checked(_kind(prepared), frozenset(_variables(prepared)))
    return result


def _oxigraph_parses(text: str) -> bool:
    """True when Oxigraph parses ``text`` as a query (on an empty store: nothing to read, nothing fetched)."""
    import pyoxigraph

    global _empty_store
    if _empty_store is None:
        _empty_store = pyoxigraph.Store()
    try:
        answer = _empty_store.query(text, prefixes=dict(PREFIXES))
    except (SyntaxError, ValueError, OSError, RuntimeError):
        return False
    del answer
    return True


def prepare(text: str) -> Query:
    """Parse ``text`` once (cached, under a lock) and refuse what the policy forbids.

    Raises :class:`InputError` (syntax, unknown prefix, an update) or
    :class:`PolicyError` (``SERVICE``, ``FROM``, ``FROM NAMED``, ``LOAD``).
    """
    return _parsed.get(text, _parse_checked)


def _parse_checked(text: str) -> Query:
    prepared = _parse(text)
    _refuse_forbidden(prepared)
    return prepared


def _parse(text: str) -> Query:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=PREFIXES)
    except ParseBaseException as exc:
        _refuse_update(text)
        found = f", found {exc.line[exc.col - 1:exc.col + 19].strip()!r}" if exc.line else ""
        raise InputError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {_expected(exc)}{found}"
        ) from exc
    except Exception as exc:  # rdflib's translator raises bare Exception for these
        message = str(exc)
        m = re.match(r"Unknown namespace prefix\s*:\s*(\S*)", message)
        if m:
            raise InputError(
                f"unknown prefix {m.group(1)!r} in the query; declare it with PREFIX or use one of: "
                + ", ".join(PREFIXES)
            ) from exc
        raise InputError(f"invalid SPARQL query: {' '.join(message.split())}") from exc


def _expected(exc: Any) -> str:
    msg = str(getattr(exc, "msg", "")) or "unexpected input"
    return " ".join(msg.split())[:160]


def _refuse_update(text: str) -> None:
    """If ``text`` is a SPARQL Update, say so: LOAD is a policy refusal, other updates a usage error."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseBaseException, Exception):  # not an update either: report the query syntax error
        return
    operations = [getattr(op, "name", "") for op in (update.request or [])]
    if "Load" in operations:
        raise PolicyError("SPARQL LOAD is refused: wbsec never fetches documents a query names")
    names = ", ".join(sorted({re.sub(r"(?<!^)([A-Z])", r" \1", n).upper() for n in operations if n})) or "an update"
    raise InputError(f"SPARQL Update ({names}) is not allowed: wbsec query is read-only")


def _refuse_forbidden(prepared: Query) -> None:
    algebra = prepared.algebra
    clauses = getattr(algebra, "datasetClause", None) or []
    for clause in clauses:
        named = "named" in clause
        iri = clause["named"] if named else clause["default"]
        kind = "FROM NAMED" if named else "FROM"
        raise PolicyError(f"SPARQL {kind} <{iri}> is refused: wbsec queries only the graph it has loaded")
    service = _find_service(algebra)
    if service is not None:
        raise PolicyError(f"SPARQL SERVICE {service} is refused: wbsec never queries remote endpoints")


def _algebra_items(root: Any) -> Iterator[Any]:
    """Every node of a parsed query's algebra (each once), depth first: the one walk the checks below share."""
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [root]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, (CompValue, dict)):
            stack.extend(item.values())
            stack.extend(k for k in item.keys() if isinstance(k, Variable))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)


def _find_service(node: Any) -> str | None:
    from rdflib.plugins.sparql.parserutils import CompValue

    for item in _algebra_items(node):
        if isinstance(item, CompValue) and item.name == "ServiceGraphPattern":
            target = item.get("term")
            return target.n3() if hasattr(target, "n3") else str(target)
    return None


def _variables(prepared: Query) -> set[str]:
    from rdflib import Variable

    return {str(item) for item in _algebra_items(prepared.algebra) if isinstance(item, Variable)}


def _kind(prepared: Query) -> str:
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }.get(prepared.algebra.name, prepared.algebra.name)


# --------------------------------------------------------------------------- evaluation


def resolve(query: str | NamedQuery) -> NamedQuery:
    """A :class:`NamedQuery` for ``query``: itself, the shipped question of that name, or the text."""
    if isinstance(query, NamedQuery):
        return query
    if _NAME_RE.match(query.strip()):
        return named_query(query.strip())
    return query_from_text(query)


def kind(query: str | NamedQuery) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (checks the query)."""
    return check_query(resolve(query).text).kind


def run(
    g: Graph | Backend,
    query: str | NamedQuery,
    *,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
    params: Mapping[str, object] | None = None,
) -> Result:
    """Run any query: a :class:`Table` for SELECT, ``bool`` for ASK, a graph for CONSTRUCT/DESCRIBE.

    ``query`` is a shipped question's NAME, SPARQL text or a :class:`NamedQuery`;
    ``params`` maps variable names to RDF terms or text (see :func:`bindings`).
    ``timeout`` is in seconds (``None``: no limit; a backend's ``timeout_limit``,
    a command's ``--timeout``, lowers it); ``max_rows`` caps the rows
    (or, for CONSTRUCT/DESCRIBE, the triples) and raises :class:`LimitError`
    past it.

    Every backend evaluates with Oxigraph (an rdflib graph is copied into an
    in-memory store for the call: pass a :class:`graph.backends.MemoryBackend`
    to copy it once for many queries). A query that did not ship with wbsec
    (ad-hoc text, a user's file), run on the files in memory with a timeout,
    is evaluated in a forked child process that may use at most
    :data:`MAX_QUERY_MEMORY` more bytes and is killed at the deadline:
    Oxigraph cannot be stopped from outside, and an abandoned cross product
    would go on filling memory.
    """

    nq = resolve(query)
    checked = check_query(nq.text)
    init = bindings(nq, params or {}, set(_check(checked.text).variables))
    if timeout is not None and timeout <= 0:
        raise InputError("the timeout must be a positive number of seconds")
    if max_rows is not None and max_rows < 0:
        raise InputError("max_rows must be zero or more")
    backend = as_backend(g)
    if backend.timeout_limit is not None:
        timeout = backend.timeout_limit if timeout is None else min(timeout, backend.timeout_limit)
    if isinstance(backend, MemoryBackend) and timeout is not None and not _shipped(nq) and hasattr(os, "fork"):
        _ = backend.store  # filled before the fork, so this process keeps it for the next query
        return _in_child(lambda: _run_on_backend(backend, nq, checked, init, timeout, max_rows), nq, timeout)
    return _run_on_backend(backend, nq, checked, init, timeout, max_rows)


def _shipped(nq: NamedQuery) -> bool:
    """True for wbsec's own queries (a shipped file under ontology/, or one marked ``own`` in its code)."""
    if nq.own:
        return True
    if nq.path is None:
        return False
    try:
        return nq.path.resolve().is_relative_to(ONTOLOGY_DIR)
    except OSError:
        return False


#: Memory a query run in a child process may use beyond what the process already holds.
MAX_QUERY_MEMORY = 1 << 30


def _in_child(work: Callable[[], Result], nq: NamedQuery, timeout: float) -> Result:
    """Run ``work`` in a forked child with a memory limit; kill it when it outlives ``timeout``.

    The child sends back its result (or its :class:`GraphError`) pickled over a
    pipe. Graph results travel as triples.
    """
    import faulthandler
    import pickle
    import resource
    import select
    import signal

    from rdflib import Graph as RDFGraph

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: evaluate, report, exit without running the parent's cleanup
        status = 0
        try:
            os.close(read_end)
            faulthandler.disable()  # an abort at the memory cap is expected here: the parent reports it
            try:
                _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
                limit = _address_space() + MAX_QUERY_MEMORY
                if hard == resource.RLIM_INFINITY or limit < hard:
                    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
                value = work()
                payload = pickle.dumps(("graph", list(value)) if isinstance(value, RDFGraph) else ("ok", value))
            except GraphError as exc:
                payload = pickle.dumps(("error", type(exc), str(exc)))
            except MemoryError:
                payload = pickle.dumps(("error", LimitError,
                                        f"{_label(nq)} needs more than {MAX_QUERY_MEMORY >> 20} MiB of memory; narrow it"))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:  # nothing may escape into the parent's code from a forked child
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + timeout + 1.0  # the child's own deadline check speaks first
    data = bytearray()
    poller = select.poll()
    poller.register(read_end, select.POLLIN | select.POLLHUP)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise QueryTimeout(_timeout_message(nq, timeout))
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read_end)
        _pid, status = os.waitpid(pid, 0)
    if not data:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            # Oxigraph (Rust) aborts when an allocation fails under the child's address-space cap
            raise LimitError(f"{_label(nq)} needs more than {MAX_QUERY_MEMORY >> 20} MiB of memory; narrow it")
        raise LimitError(f"{_label(nq)} stopped without an answer (out of memory?); narrow it")
    message = pickle.loads(bytes(data))
    if message[0] == "error":
        raise message[1](message[2])
    if message[0] == "graph":
        out = bind_prefixes(RDFGraph())
        for triple in message[1]:
            out.add(triple)
        return out
    return message[1]  # type: ignore[no-any-return]


def _address_space() -> int:
    """Bytes of virtual memory this process holds now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _run_on_backend(
    backend: Backend,
    nq: NamedQuery,
    checked: CheckedQuery,
    init: Mapping[str, Node],
    timeout: float | None,
    max_rows: int | None,
) -> Table | bool | Graph:
    """The checked query text (the characters the policy approved) on a backend (see :mod:`graph.backends`)."""
    kind_ = checked.kind
    try:
        if kind_ == "ASK":
            return backend.ask(checked.text, init, timeout=timeout)
        if kind_ in ("CONSTRUCT", "DESCRIBE"):
            built = backend.construct(checked.text, init, timeout=timeout, max_triples=max_rows)
            for triple in built:
                _check_strings(triple)
            return built
        columns, rows = backend.select(checked.text, init, timeout=timeout, max_rows=max_rows)
        for row in rows:
            _check_strings(row)
        return Table(columns, rows)
    except QueryTimeout as exc:
        raise QueryTimeout(_timeout_message(nq, timeout)) from exc


def select(
    g: Graph | Backend,
    query: str | NamedQuery,
    *,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
    **params: object,
) -> Table:
    """Run a SELECT query (a shipped NAME or SPARQL text) and return its :class:`Table`.

    Keyword arguments are parameters: ``select(g, "members", org=WB.NATO)``.
    """
    out = _run_expecting(g, query, ("SELECT",), timeout=timeout, max_rows=max_rows, params=params)
    assert isinstance(out, Table)
    return out


def ask(g: Graph | Backend, query: str | NamedQuery, *, timeout: float | None = 30.0, **params: object) -> bool:
    """Run an ASK query and return its answer."""
    return bool(_run_expecting(g, query, ("ASK",), timeout=timeout, max_rows=None, params=params))


def construct(
    g: Graph | Backend,
    query: str | NamedQuery,
    *,
    timeout: float | None = 30.0,
    max_rows: int | None = None,
    **params: object,
) -> Graph:
    """Run a CONSTRUCT or DESCRIBE query and return the graph it builds (``max_rows`` caps triples)."""
    from rdflib import Graph as RDFGraph

    out = _run_expecting(g, query, ("CONSTRUCT", "DESCRIBE"), timeout=timeout, max_rows=max_rows, params=params)
    assert isinstance(out, RDFGraph)
    return out


def readable_graph(g: Graph | Backend, query: str | NamedQuery, *, timeout: float | None = 30.0) -> Graph:
    """An rdflib graph to read ``g``'s triples from directly (``g.objects(...)``, labels).

    ``g`` itself when it is an rdflib graph (or files whose graph is already
    parsed); otherwise the triples the CONSTRUCT ``query`` fetches, so only what the caller reads crosses over
    (at most :data:`graph.backends.MATERIALISE_MAX_TRIPLES`, else LimitError).
    The answer is kept for the life of the backend object (backends are
    read-only), so the several projections of one command ask only once.
    """

    if isinstance(g, MemoryBackend) and g.graph_loaded:
        return g.graph
    if not isinstance(g, Backend):
        return g
    fetched = _READABLE.setdefault(g, {})
    if query not in fetched:
        fetched[query] = construct(g, query, timeout=timeout, max_rows=MATERIALISE_MAX_TRIPLES)
    return fetched[query]


#: readable_graph's answers per store or endpoint backend, dropped with the backend.
_READABLE: weakref.WeakKeyDictionary[Backend, dict[str, Graph]] = weakref.WeakKeyDictionary()


def _run_expecting(
    g: Graph | Backend,
    query: str | NamedQuery,
    kinds: tuple[str, ...],
    *,
    timeout: float | None,
    max_rows: int | None,
    params: Mapping[str, object],
) -> Result:
    """:func:`run`, after refusing a query that is not one of ``kinds`` (SELECT, ASK, ...) unevaluated."""
    nq = resolve(query)
    actual = check_query(nq.text).kind
    if actual not in kinds:
        raise InputError(f"{_label(nq)} is a {actual} query; this call needs {' or '.join(kinds)}")
    return run(g, nq, timeout=timeout, max_rows=max_rows, params=params)


def _label(nq: NamedQuery) -> str:
    return f"query {nq.name}" if nq.path is not None else "the query"


def _timeout_message(nq: NamedQuery, timeout: float | None) -> str:
    return f"{_label(nq)} timed out after {timeout:g} s; narrow it or raise --timeout"


#: Longest string (in characters) a query result may hold; nested CONCATs double a string per level.
MAX_RESULT_STRING = 64 * 1024 * 1024


def _check_strings(cells: tuple[Any, ...]) -> None:
    for cell in cells:
        if cell is not None and len(cell) > MAX_RESULT_STRING:
            raise LimitError(
                f"a value in the result is {len(cell)} characters long, over the {MAX_RESULT_STRING}-character "
                "limit; nothing was written"
            )
