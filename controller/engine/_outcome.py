"""What reconciling one object found and did, collected as it goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from controller.plan import Action, Change, FieldChange, Problem, Withheld


class Progress(Protocol):
    """Told when a write starts and when it ended: the CLI's progress lines. A write
    ends where the object's next step begins (its next change, a problem, or the end of
    the reconcile), so its time includes the reads that confirm it."""

    def started(self, change: Change) -> None: ...

    def finished(self, change: Change, seconds: float, failure: str | None) -> None: ...


class NotInPlan(Exception):
    """A write the plan being applied does not hold: the object stops before making it."""

    def __init__(self, change: Change) -> None:
        super().__init__(
            f"{change.resource} {change.id} ({change.action}) is not in the plan being "
            "applied: nothing more is written for this object; run plan again"
        )
        self.change = change


@dataclass
class Outcome:
    """Changes (planned or made), problems, and the ids of what the object owns.

    ``writes`` says whether changes are carried out: false for ``plan`` and for objects in
    detect mode, whose changes are reported as ``withheld`` instead. ``records`` says
    whether the controller's own records (registration handles an IdP rotated) may be kept
    current: true in detect mode, where losing a handle would lose the client; false for
    ``plan``, which writes nothing at all. ``allowed``, when set, is the plan being
    applied: a write it does not hold raises :class:`NotInPlan` instead of being made.
    """

    key: str
    writes: bool
    withheld: Withheld = ""
    records: bool = True
    allowed: Callable[[Change], bool] | None = None
    progress: Progress | None = None
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    resources: dict[str, str] = field(default_factory=dict)
    ready: bool = True
    resource: str = "-"  # what was under way, for error messages
    action: str = "read"
    # The inputs generation the object's anchor says it last converged at (_converged).
    converged_at: str | None = None
    _writing: tuple[Change, float] | None = None

    @property
    def drift(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.drift)

    def change(
        self,
        resource: str,
        id_: str,
        action: Action,
        diff: tuple[FieldChange, ...] = (),
        *,
        on_behalf_of: str | None = None,
    ) -> bool:
        """Record a change; true when the caller should now make it."""
        self.finish()
        self.resource, self.action = resource, action
        owner = on_behalf_of or self.key
        found = Change(owner, resource, id_, action, diff, withheld=self.withheld)
        self.changes.append(found)
        if not self.writes:
            return False
        if self.allowed is not None and not self.allowed(found):
            self.changes.pop()  # not made: apply reports it as a problem, not a change
            raise NotInPlan(found)
        if self.progress is not None:
            self.progress.started(found)
            self._writing = (found, time.monotonic())
        return True

    def at(self, resource: str) -> None:
        """Mark the start of a step: errors from here on name this resource."""
        self.finish()
        self.resource, self.action = resource, "read"

    def problem(self, resource: str, id_: str, reason: str, message: str) -> None:
        writing = self._writing is not None and self._writing[0].resource == resource
        self.finish(failure=reason if writing else None)
        self.ready = False
        self.problems.append(Problem(self.key, resource, id_, reason, message))

    def finish(self, failure: str | None = None) -> None:
        """The write under way, if any, is over: tell the progress seam."""
        if self._writing is None or self.progress is None:
            return
        change, started = self._writing
        self._writing = None
        self.progress.finished(change, time.monotonic() - started, failure)
