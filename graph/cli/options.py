"""Options and output helpers shared by several ``wbsec`` commands."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from graph.backends import Backend

F = TypeVar("F", bound=Callable[..., Any])


class LibraryChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among names a library module declares, imported only when a value is checked or help is shown.

    The names live once, in the library (``graph.project.VIEWS``,
    ``graph.metrics.METRICS``); importing a command module stays free of
    NetworkX and rdflib.
    """

    def __init__(self, module: str, name: str, *, without: tuple[str, ...] = ()) -> None:
        self._where = (module, name, without)
        self.case_sensitive = True

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        module, name, without = self._where
        names: tuple[str, ...] = getattr(importlib.import_module(module), name)
        return tuple(n for n in names if n not in without)


class ChoicesInHelp(click.Option):
    """An option whose help lists its choices where it says ``{choices}`` (filled in when help is shown)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None or not isinstance(self.type, click.Choice):
            return record
        return record[0], record[1].replace("{choices}", ", ".join(map(str, self.type.choices)))


#: The network views of graph.project.VIEWS.
VIEWS = LibraryChoice("graph.project", "VIEWS")
#: The per-node metrics of graph.metrics.METRICS.
METRICS = LibraryChoice("graph.metrics", "METRICS")


#: Seconds any one query of a command may run when --timeout is not given (``wbsec query``: 30).
COMMAND_TIMEOUT = 120.0
#: Where data_options keeps --graph and --timeout for open_data, in the click context's ``meta``.
_META = "wbsec.data"


def data_options(func: F) -> F:
    """Add ``--data FILE`` (repeatable) and ``--no-shipped`` to a command.

    A command whose function also takes ``store`` and ``endpoint`` gets
    ``--store DIR``, ``--endpoint URL``, ``--graph IRI`` and ``--timeout S``
    too, and reads its data with :func:`open_data`. ``--graph`` and
    ``--timeout`` go to :func:`open_data` through the click context, so the
    command's own function does not take them (``wbsec query`` keeps its own
    ``--timeout``, which open_data reads the same way).
    """
    import functools
    import inspect

    parameters = set(inspect.signature(func).parameters)
    if {"store", "endpoint"} <= parameters:
        own_timeout = "timeout" in parameters
        inner = func

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            graph = kwargs.pop("graph", None)
            timeout = kwargs["timeout"] if own_timeout else kwargs.pop("data_timeout", COMMAND_TIMEOUT)
            click.get_current_context().meta[_META] = {"graph": graph, "timeout": timeout}
            return inner(*args, **kwargs)

        func = wrapper  # type: ignore[assignment]
        if not own_timeout:
            func = click.option(
                "--timeout",
                "data_timeout",
                metavar="SECONDS",
                type=click.FloatRange(min=0),
                default=COMMAND_TIMEOUT,
                show_default=True,
                help="Stop any one query to the data (files, store or endpoint) after this many seconds "
                "(exit 5); 0 means no limit.",
            )(func)
        func = click.option(
            "--graph",
            "graph",
            metavar="IRI",
            default=None,
            help="With --endpoint: read this named graph (sent as default-graph-uri). The endpoint must hold "
            "wbsec data there, else exit 2.",
        )(func)
        func = click.option(
            "--endpoint",
            "endpoint",
            metavar="URL",
            default=None,
            help="Query this SPARQL 1.1 endpoint instead of loading files (read-only, with timeouts).",
        )(func)
        func = click.option(
            "--store",
            "store",
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Read the Oxigraph store in DIR (filled with 'wbsec load') instead of loading files.",
        )(func)
    func = click.option(
        "--no-shipped",
        "no_shipped",
        is_flag=True,
        help="Leave out the curated data in ontology/data/ (the ontology is always loaded).",
    )(func)
    func = click.option(
        "--data",
        "data",
        multiple=True,
        metavar="FILE",
        help="An RDF file to add (Turtle, N-Triples, TriG, JSON-LD or RDF/XML, by file ending). Repeatable.",
    )(func)
    return func


def open_data(data: tuple[str, ...], no_shipped: bool, store: Path | None, endpoint: str | None) -> Backend:
    """The data a command reads: an endpoint, a store, or the curated data plus ``--data`` files in memory.

    ``--graph`` and ``--timeout`` (0: no limit) come from :func:`data_options`
    through the click context.
    """
    from graph.backends import open_backend

    ctx = click.get_current_context(silent=True)
    chosen = (ctx.meta.get(_META) if ctx is not None else None) or {}
    timeout = chosen.get("timeout")
    limit = float(timeout) if timeout else None
    no_limit = timeout is not None and not timeout
    return open_backend(data, shipped=not no_shipped, store=store, endpoint=endpoint, graph=chosen.get("graph"),
                        timeout=86_400.0 if no_limit else 60.0, timeout_limit=limit)


def output_option(func: F) -> F:
    """Add ``--output FILE``: write there atomically instead of to standard output.

    A target that cannot take a file (a directory, a missing directory) is
    refused before the command does its work: exit 4, as the writer would.
    """
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path),
        default=None,
        callback=writable_output,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def writable_output(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """Click callback: the ``--output`` path once it can take a file (:func:`graph.fileio.writable_target`), else
    exit 4 before the command's work (``-``, standard output, passes as it is)."""
    from graph.fileio import writable_target

    return None if value is None else writable_target(value)


def emit(data: str | bytes, output: Path | None) -> None:
    """Print ``data`` to stdout, or write it atomically to ``output`` and say so on stderr."""
    from graph.fileio import atomic_write_bytes

    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    atomic_write_bytes(output, raw)
    click.echo(f"Wrote {output} ({len(raw)} bytes).", err=True)


def stdout_is_terminal() -> bool:
    """True when standard output is a terminal (then tables, otherwise CSV)."""
    return sys.stdout.isatty()


#: The --as-of help, the same on every command.
AS_OF_HELP = ("Keep only claims valid on this date: dated claims by their start (validFrom, date, inForceFrom, "
              "asOf, survey period) and end (validThrough); an undated claim only if its source was issued by then "
              "(a source dated by a year counts from 31 December). Stderr says how many undated claims were kept "
              "and dropped.")
#: The --domain help, the same on every command.
DOMAIN_HELP = ("Keep only agreements, cooperation claims and memberships in this policy domain (repeatable): "
               "police, border, migration, defence, civil-protection, judicial, counter-terrorism, customs, cyber, "
               "security, ... (the skos:notation of the domain code list). Actors, statements and survey figures stay.")


def filter_options(func: F) -> F:
    """Add ``--as-of DATE`` and ``--domain NAME`` (repeatable): the claim filter every command shares."""
    func = click.option("--domain", "domain", multiple=True, metavar="NAME", help=DOMAIN_HELP)(func)
    func = click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        metavar="YYYY-MM-DD", help=AS_OF_HELP)(func)
    return func


def view_options(func: F) -> F:
    """Add ``--view``, ``--as-of`` and ``--domain`` (shared by metrics, neighbours and path)."""
    func = filter_options(func)
    func = click.option(
        "--view",
        "view",
        type=VIEWS,
        default="actors",
        show_default=True,
        help="actors: every relation; polities: the six WB polities, ties = agreements + shared memberships; "
        "affiliation: actor - organisation/initiative; signed: cooperation (+) vs hostility (-).",
    )(func)
    return func


def print_notes(notes: Sequence[str]) -> None:
    """Print each note on stderr as one line starting ``Note:``."""
    for note in notes:
        click.echo(f"Note: {note}", err=True)


def as_date(value: dt.datetime | None) -> dt.date | None:
    """The date part of an ``--as-of`` value."""
    return value.date() if value is not None else None


def format_option(*choices: str, help: str) -> Callable[[F], F]:
    """Add ``--format`` with these ``choices``, the first being the default."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
                        help=help)
