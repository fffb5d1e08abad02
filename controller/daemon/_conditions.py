"""Status conditions, Kubernetes style: pure data and one pure transition rule.

``lastTransitionTime`` moves only when a condition's status flips; a new reason or message
on the same status keeps the time, so "since when is this not Ready?" stays answerable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

Status = Literal["True", "False"]
CONDITION_TYPES = ("Ready", "Synced", "Drifted")


@dataclass(frozen=True)
class Condition:
    type: str
    status: Status
    reason: str  # CamelCase
    message: str
    last_transition_time: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "lastTransitionTime": rfc3339(self.last_transition_time),
        }


def transition(
    previous: Condition | None, status: Status, reason: str, message: str, now: datetime
) -> Condition:
    """The condition after an observation: the time moves only on a flip."""
    if previous is None or previous.status != status:
        return Condition(previous.type if previous else "", status, reason, message, now)
    return replace(previous, reason=reason, message=message)


def set_condition(
    conditions: dict[str, Condition],
    type_: str,
    status: Status,
    reason: str,
    message: str,
    now: datetime,
) -> dict[str, Condition]:
    updated = transition(conditions.get(type_), status, reason, message, now)
    return {**conditions, type_: replace(updated, type=type_)}


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
