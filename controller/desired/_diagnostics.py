"""Where a problem is, and what it is: the unit every desired-state error is reported in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True, slots=True)  # one per YAML node: thousands
class Location:
    """A 1-based line and column inside one file, as editors and compilers count them.

    Line 0 means the file (or folder) as a whole: a problem with no place inside it, such
    as a path that does not exist, is not given a made-up ``:1:1``.
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


# How a diagnostic ranks in a report: causes first, then what follows from them, then
# hints about the whole run; within a rank, by place.
CAUSE, CONSEQUENCE, HINT = 0, 1, 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One error, rendered as ``FILE:LINE:COL: error: MESSAGE`` so editors can jump to it.

    ``rank`` puts a root cause before its consequences (an invalid Role before the Service
    that names it); ``reference`` marks an undefined ``(kind, name)`` a rule looked up, so
    a later step can tell where the definition may be. Neither takes part in equality.
    """

    location: Location
    message: str
    rank: int = field(default=CAUSE, compare=False)
    reference: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def severity(self) -> str:
        """``note`` for a hint (what to do about the errors), ``error`` for the rest."""
        return "note" if self.rank == HINT else "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """``{"file", "line", "column", "severity", "message"}``; a problem with a whole file
        has no line or column."""
        document: dict[str, Any] = {"file": self.location.file}
        if self.location.line > 0:
            document |= {"line": self.location.line, "column": self.location.column}
        return document | {"severity": self.severity, "message": self.message}


def report_order(diagnostic: Diagnostic) -> tuple[int, Location, str]:
    return diagnostic.rank, diagnostic.location, diagnostic.message


class DesiredStateError(Exception):
    """The desired state cannot be used; carries every problem found, not just the first,
    root causes first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics), key=report_order)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
