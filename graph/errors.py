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


class QueryTimeout(LimitError):
    """A query ran past its time limit (exit 5); raised by the engines, caught by type, never by message."""
