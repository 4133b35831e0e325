"""Why rows are refused: a :class:`Problem` names the file, line and column, :class:`ImportRejected` carries them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.errors import InputError, PolicyError


@dataclass(frozen=True, order=True)
class Problem:
    """Why a file, row or cell was refused; ``line`` 0 means the whole file."""

    file: str
    line: int
    column: str | None
    message: str
    policy: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f": column '{self.column}'" if self.column else ""
        return f"{where}{col}: {self.message}"


class ImportRejected(InputError):
    """Rows were refused; ``problems`` lists each one (file, line, column). Nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column or "", p.message))
        # a cell refused by the security policy (an IRI scheme) makes the whole run a policy refusal
        self.exit_code = PolicyError.exit_code if any(p.policy for p in self.problems) else InputError.exit_code
        if len(self.problems) == 1:
            message = f"{self.problems[0]}; nothing written"
        else:
            files = sorted({p.file for p in self.problems})
            lines = sorted({p.line for p in self.problems if p.line})
            shown = ", ".join(map(str, lines[:20])) + (", ..." if len(lines) > 20 else "")
            where = f" (line{'s' if len(lines) > 1 else ''} {shown})" if lines else ""
            message = f"{len(self.problems)} problems in {', '.join(files)}{where}; nothing written"
        super().__init__(message)


class CellError(Exception):
    def __init__(self, message: str, *, policy: bool = False) -> None:
        super().__init__(message)
        self.policy = policy
