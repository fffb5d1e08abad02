"""A plan: the changes that would bring the live world to the desired state.

Plain data, so it renders to text or JSON, compares in tests and crosses no I/O boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["create", "update", "delete", "adopt"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "adopt")
# Why a found change is not made: the object is in detect mode, or the change deletes an
# orphan while pruning is off.
Withheld = Literal["", "detect", "prune"]

SENSITIVE = "(sensitive)"
KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One write to one live resource, on behalf of one desired object."""

    object: str  # "Service/orders-api"
    resource: str  # "ecs:task-definition"
    id: str
    action: Action
    diff: tuple[FieldChange, ...] = ()
    # Repairs a change made outside the controller: the object had converged at the same
    # inputs before (its durable record says so), so no edit of the desired state made it.
    drift: bool = False
    # Found but not made (nor to be made by apply): why, or "" for a change apply makes.
    withheld: Withheld = ""

    @property
    def applied(self) -> bool:
        return not self.withheld


@dataclass(frozen=True)
class Problem:
    """Something that blocks convergence of one object: reported, never silently skipped."""

    object: str
    resource: str
    id: str
    reason: str  # CamelCase, as status conditions carry it
    message: str

    def as_json(self) -> dict[str, str]:
        return dict(vars(self))


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def applicable(self) -> list[Change]:
        """The changes apply makes; detect-mode findings and orphans kept by a disabled
        prune are reported apart and never counted as changes."""
        return [change for change in self.changes if change.applied]

    def withheld(self, reason: Withheld) -> list[Change]:
        return [change for change in self.changes if change.withheld == reason]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for change in self.applicable:
            counts[change.action] += 1
        counts["detect"] = len(self.withheld("detect"))
        counts["orphaned"] = len(self.withheld("prune"))
        counts["problems"] = len(self.problems)
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.applicable)
