"""The one exception hierarchy of wbsec, with the exit status each error maps to.

Every error a user can cause is a :class:`GraphError`. The CLI turns it into a
one-line ``Error: …`` message and the exit status in :attr:`GraphError.exit_code`
(see the README's table). Anything else that escapes is a bug and keeps its
traceback.
"""

from __future__ import annotations


class GraphError(Exception):
    """Base class: a problem the user can fix; the message names the file, line or term."""

    exit_code: int = 2


class InputError(GraphError):
    """Bad input: a parse error, an unknown format or term, a wrong parameter (exit 2)."""

    exit_code = 2


class PolicyError(GraphError):
    """Refused by the security policy: network access, SERVICE, DTDs, size limits (exit 3)."""

    exit_code = 3


class OutputError(GraphError):
    """An output file could not be written; the target is left unchanged (exit 4)."""

    exit_code = 4


class LimitError(GraphError):
    """A query ran past its time limit or a result past its row limit (exit 5)."""

    exit_code = 5


class NonConformingError(GraphError):
    """Data does not conform to the SHACL shapes (exit 1); the message summarises the report."""

    exit_code = 1


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "the data does not conform to the SHACL shapes (report printed)",
    2: "usage or input error (syntax error, unknown format, term or parameter)",
    3: "refused by the security policy (network, SERVICE/FROM/LOAD, DTD, size limit)",
    4: "an output file could not be written (the target is unchanged)",
    5: "a query timed out or hit the row limit",
    130: "interrupted (Ctrl-C)",
}
