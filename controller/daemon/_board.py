"""What the daemon reports: per-object conditions and the controller's own state.

Pure: the board is fed observations (what one reconcile found) and renders SPEC's
``/status`` document; it never does I/O, so every rule here is unit-tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from controller.daemon._conditions import CONDITION_TYPES, Condition, Status, rfc3339, set_condition
from controller.plan import Change, Problem


@dataclass(frozen=True)
class Observation:
    """One reconcile of one object, reduced to what status needs."""

    key: str
    generation: str
    changes: tuple[Change, ...]
    problems: tuple[Problem, ...]
    applied: bool  # changes were written (enforce) rather than left alone (detect, plan)
    drifted: tuple[Change, ...] = ()
    resources: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # the object's, for selectors


@dataclass
class ObjectStatus:
    kind: str
    name: str
    observed_generation: str = ""
    conditions: dict[str, Condition] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    rotation: dict[str, Any] | None = None  # Services: the credential rotation's phase

    def condition(self, type_: str) -> Condition | None:
        return self.conditions.get(type_)

    def as_json(self) -> dict[str, Any]:
        document = {
            "kind": self.kind,
            "name": self.name,
            "labels": dict(sorted(self.labels.items())),
            "observedGeneration": self.observed_generation,
            "conditions": [
                self.conditions[t].as_json() for t in CONDITION_TYPES if t in self.conditions
            ],
            "resources": dict(sorted(self.resources.items())),
        }
        if self.rotation is not None:
            document["rotation"] = self.rotation
        return document


@dataclass
class Cycle:
    started_at: datetime
    finished_at: datetime | None = None
    objects: int = 0
    ready: int = 0
    changes: int = 0
    problems: int = 0

    def as_json(self) -> dict[str, Any]:
        duration = (
            (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
        )
        return {
            "startedAt": rfc3339(self.started_at),
            "finishedAt": rfc3339(self.finished_at) if self.finished_at else None,
            "durationSeconds": round(duration, 3) if duration is not None else None,
            "objects": self.objects,
            "ready": self.ready,
            "changes": self.changes,
            "problems": self.problems,
        }


@dataclass
class StatusBoard:
    controller_id: str
    desired_path: str
    objects: dict[str, ObjectStatus] = field(default_factory=dict)
    controller_conditions: dict[str, Condition] = field(default_factory=dict)
    desired_errors: list[str] = field(default_factory=list)
    last_cycle: Cycle | None = None
    leader: bool = True
    revision: str | None = None  # a git source's commit being reconciled

    def observe(self, seen: Observation, now: datetime) -> ObjectStatus:
        kind, name = seen.key.split("/", 1)
        status = self.objects.setdefault(seen.key, ObjectStatus(kind, name))
        status.observed_generation = seen.generation
        status.labels = dict(seen.labels)
        status.resources = {**status.resources, **seen.resources}
        for type_, (state, reason, message) in _conditions(seen).items():
            status.conditions = set_condition(status.conditions, type_, state, reason, message, now)
        return status

    def forget(self, key: str) -> None:
        self.objects.pop(key, None)

    def desired_state(self, errors: list[str], now: datetime) -> None:
        """The desired-state files' health: errors keep the last valid state running."""
        self.desired_errors = list(errors)
        if errors:
            message = f"{len(errors)} error(s); reconciling the last valid state: {errors[0]}"
            state: tuple[Status, str, str] = ("False", "DesiredStateInvalid", message)
        else:
            state = ("True", "DesiredStateValid", "the desired state is valid")
        self.controller_conditions = set_condition(
            self.controller_conditions, "DesiredStateValid", *state, now
        )

    def _desired_state(self) -> dict[str, Any]:
        """The source and its health; ``revision`` only for a git source, where it names
        the commit reconciled while ``errors`` may name a newer one refused."""
        document: dict[str, Any] = {"path": self.desired_path, "errors": self.desired_errors}
        if self.revision is not None:
            document["revision"] = self.revision
        return document

    def as_json(self) -> dict[str, Any]:
        return {
            "controller": {
                "id": self.controller_id,
                "leader": self.leader,
                "lastCycle": self.last_cycle.as_json() if self.last_cycle else None,
                "desiredState": self._desired_state(),
                "conditions": [c.as_json() for c in self.controller_conditions.values()],
            },
            "objects": [self.objects[key].as_json() for key in sorted(self.objects)],
        }


def _conditions(seen: Observation) -> dict[str, tuple[Status, str, str]]:
    """Ready, Synced and Drifted for one observation."""
    if seen.problems:
        first = seen.problems[0]
        more = f" (and {len(seen.problems) - 1} more)" if len(seen.problems) > 1 else ""
        ready: tuple[Status, str, str] = ("False", first.reason, first.message + more)
        synced: tuple[Status, str, str] = ("False", first.reason, first.message + more)
    elif seen.changes and not seen.applied:
        left = ", ".join(sorted({c.resource for c in seen.changes}))
        missing = any(c.action == "create" for c in seen.changes)
        ready = (
            ("False", "NotCreated", f"detect mode: would create {left}")
            if missing
            else ("True", "Ready", "every managed resource exists")
        )
        synced = ("False", "ChangesNotApplied", f"detect mode: {left} differ; left alone")
    else:
        ready = ("True", "Ready", "every managed resource exists")
        applied = f"applied {len(seen.changes)} change(s)" if seen.changes else "nothing to change"
        synced = ("True", "Synced", applied)
    if seen.drifted:
        reason = "DriftCorrected" if seen.applied else "DriftDetected"
        drifted: tuple[Status, str, str] = ("True", reason, describe_drift(seen.drifted))
    else:
        drifted = ("False", "InSync", "live state matches the desired state")
    return {"Ready": ready, "Synced": synced, "Drifted": drifted}


def describe_drift(changes: tuple[Change, ...]) -> str:
    """``ecs:task-definition orders-api: taskRoleArn`` per resource; paths, never values."""
    parts = []
    for change in changes:
        paths = ", ".join(fc.path for fc in change.diff) or change.action
        parts.append(f"{change.resource} {change.id}: {paths}")
    return "; ".join(parts)
