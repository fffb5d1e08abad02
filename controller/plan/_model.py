"""A plan: the changes that would bring the live world to the desired state.

Plain data, so it renders to text or JSON, compares in tests and crosses no I/O boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["create", "update", "delete", "adopt"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "adopt")

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
    note: str = ""  # e.g. "detect mode: not applied"
    # Repairs a change made outside the controller: the object had converged at the same
    # inputs before (its durable record says so), so no edit of the desired state made it.
    drift: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "resource": self.resource,
            "id": self.id,
            "action": self.action,
            "drift": self.drift,
            "diff": [{"path": c.path, "before": c.before, "after": c.after} for c in self.diff],
        }


@dataclass(frozen=True)
class Problem:
    """Something that blocks convergence of one object: reported, never silently skipped."""

    object: str
    resource: str
    id: str
    reason: str  # CamelCase, as status conditions carry it
    message: str


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "changes": [change.as_json() for change in self.changes],
            "summary": self.summary(),
        }
        if self.problems:
            document["problems"] = [vars(problem) for problem in self.problems]
        return document
