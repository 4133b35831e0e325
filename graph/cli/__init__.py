"""The ``wbsec`` command line: one lazily loaded click command per module in this package.

Each command parses its options, makes one library call and prints. Errors
raised as :class:`graph.errors.GraphError` are turned into a one-line
``Error: …`` message and an exit status here, and only here.
"""

from __future__ import annotations

import importlib
import keyword
import logging
import pkgutil
import sys
from typing import Any

import click

from graph import __version__

_NOT_COMMANDS = {"options"}


def _module_for(name: str) -> str:
    mod = name.replace("-", "_")
    return f"graph.cli.{mod}_" if keyword.iskeyword(mod) else f"graph.cli.{mod}"


class _Group(click.Group):
    """Finds commands by module name and translates library errors into exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [
            m.name.rstrip("_").replace("_", "-")
            for m in pkgutil.iter_modules(__path__)
            if not m.name.startswith("_") or m.name.endswith("_")
        ]
        return sorted(n for n in names if n not in _NOT_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _NOT_COMMANDS or cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(_module_for(cmd_name))
        command: click.Command = module.command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from graph.errors import GraphError

        try:
            return super().invoke(ctx)
        except GraphError as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            click.echo(f"Error: {message}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to ``sys.stderr`` as it is when the record comes, not when the handler was made.

    ``main`` can run several times in one process (a notebook, click's test
    runner, which gives each run a standard error of its own); a handler
    that kept the first run's stream would send the later runs' warnings there.
    """

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _StderrFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.capitalize()}: {record.getMessage()}"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wbsec")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no warnings or progress.")
def main(quiet: bool) -> None:
    """wbsec: a knowledge graph of security cooperation in the Western Balkans.

    Actors, affiliations, agreements, statements and survey figures from the
    curated sources, with provenance; SPARQL questions, network metrics and
    the cooperation-gap analysis. Add your own files to any command with
    --data FILE.

    \b
    Exit status: 0 ok, 1 data does not conform to the shapes, 2 usage or
    input error, 3 refused by the security policy, 4 output not written,
    5 timeout or row limit, 130 interrupted.
    """
    logger = logging.getLogger("wbsec")
    handler = next((h for h in logger.handlers if getattr(h, "_wbsec", False)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.setFormatter(_StderrFormatter())
        handler._wbsec = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    # -q silences the printing, not the logging: the warnings are still made, so what the per-process
    # file caches compute under -q is kept with its warnings, to be given again to a run without -q
    handler.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.setLevel(logging.INFO)


def run() -> None:
    """Console entry point: install the network/file guard, then run the CLI."""
    from graph.sandbox import install_audit_hook

    install_audit_hook()
    main(prog_name="wbsec")
