"""What chat hears about: drifts, their fingerprints, and alerts as plain data.

Alerts carry object names, resource names and field paths, never field values, so a secret
cannot reach chat however the caller builds them. Everything here is pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from controller.plan import Change

AlertKind = Literal["drift", "resolved", "rotation", "desired-state"]

FINGERPRINT_LENGTH = 16  # hex digits: 64 bits tell drifts apart and stay readable in chat


@dataclass(frozen=True)
class Drift:
    """Live state that left the desired state outside the controller's own writes.

    ``id`` should stay stable while the drift lasts (a task-definition family rather than
    ``family:revision``), because it is part of the fingerprint. ``corrected`` says what
    was done: true in enforce mode (the controller wrote the fix), false in detect mode.
    """

    object: str  # "Service/orders-api"
    resource: str  # "ecs:task-definition"
    id: str
    paths: tuple[str, ...]  # "containerDefinitions[app].secrets"
    corrected: bool
    actor: str | None = None  # who made the change, when a CloudTrail event said so

    @classmethod
    def from_change(cls, change: Change, *, corrected: bool) -> Drift:
        """The drift a planned change repairs: its paths, never its before/after values."""
        return cls(
            change.object,
            change.resource,
            change.id,
            tuple(field.path for field in change.diff),
            corrected,
        )


def fingerprint(drift: Drift) -> str:
    """Stable across processes and cycles: object, resource, id and the set of paths.

    Values and ``corrected`` stay out, so a secret value never influences or leaks into
    it and switching a service from detect to enforce does not announce the drift twice.
    """
    return digest(drift.object, drift.resource, drift.id, *sorted(set(drift.paths)))


def digest(*parts: str) -> str:
    """A short stable hash of ``parts``; their boundaries count, so ("ab", "c") != ("a", "bc")."""
    encoded = json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Alert:
    """One chat message, before formatting.

    ``status`` names what happened within the kind ("corrected", "left-alone", "resolved",
    "completed", "failed", "stuck", "invalid", "recovered"); formatters use it for the
    webhook document and the Slack icon. ``details`` are extra lines shown verbatim (the
    FILE:LINE diagnostics of an invalid desired state). ``fingerprint`` lets a receiver
    pair a "resolved" message with the drift it ends.
    """

    kind: AlertKind
    object: str
    resource: str
    paths: tuple[str, ...]
    title: str
    text: str
    status: str
    fingerprint: str
    details: tuple[str, ...] = ()


def _listed(paths: Iterable[str]) -> str:
    unique = list(dict.fromkeys(paths))
    return ", ".join(unique) if unique else "the whole resource"


def drift_alert(drift: Drift) -> Alert:
    """The first sighting of a drift, saying what the controller did about it."""
    done = "corrected" if drift.corrected else "left alone (detect mode)"
    by = f", changed by {drift.actor}" if drift.actor else ""
    return Alert(
        kind="drift",
        object=drift.object,
        resource=drift.resource,
        paths=tuple(dict.fromkeys(drift.paths)),
        title=f"Drift {done} on {drift.object}",
        text=(
            f"{drift.object}: {drift.resource} {drift.id} drifted in "
            f"{_listed(drift.paths)}{by}; {done}."
        ),
        status="corrected" if drift.corrected else "left-alone",
        fingerprint=fingerprint(drift),
    )


def resolved_alert(drift: Drift) -> Alert:
    """A drift announced earlier is gone: corrected by us, or put back by hand."""
    return Alert(
        kind="resolved",
        object=drift.object,
        resource=drift.resource,
        paths=tuple(dict.fromkeys(drift.paths)),
        title=f"Drift resolved on {drift.object}",
        text=(
            f"{drift.object}: {drift.resource} {drift.id} is back in sync ({_listed(drift.paths)})."
        ),
        status="resolved",
        fingerprint=fingerprint(drift),
    )
