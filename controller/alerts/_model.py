"""What chat hears about: drifts, their fingerprints, and alerts as plain data.

A drift carries its field paths and, per field, the before and after values as chat may
show them (``_values.shown_value``: harmless values clipped, anything secret-like
"(sensitive)"), never the raw values of a plan. Everything here is pure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from controller.alerts._values import shown_value
from controller.plan import Change

AlertKind = Literal["drift", "resolved", "rotation", "desired-state", "summary"]

FINGERPRINT_LENGTH = 16  # hex digits: 64 bits tell drifts apart and stay readable in chat


@dataclass(frozen=True)
class FieldDelta:
    """One drifted field, its values already made safe to show (``None``: no value)."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Drift:
    """Live state that left the desired state outside the controller's own writes.

    ``id`` should stay stable while the drift lasts (a task-definition family rather than
    ``family:revision``), because it is part of the fingerprint. ``corrected`` says what
    was done: true in enforce mode (the controller wrote the fix), false in detect mode.
    ``fields`` are the values chat shows; ``actor`` is who made the change, when known
    (from a CloudTrail event).
    """

    object: str  # "Service/orders-api"
    resource: str  # "ecs:task-definition"
    id: str
    paths: tuple[str, ...]  # "containerDefinitions[app].secrets"
    corrected: bool
    fields: tuple[FieldDelta, ...] = ()
    actor: str | None = None

    @classmethod
    def from_change(cls, change: Change, *, corrected: bool, actor: str | None = None) -> Drift:
        """The drift a planned change repairs. ``before`` is the live (drifted) value and
        ``after`` the desired one, both through ``shown_value``: a secret never gets in."""
        return cls(
            change.object,
            change.resource,
            change.id,
            tuple(field.path for field in change.diff),
            corrected,
            tuple(
                FieldDelta(
                    field.path,
                    shown_value(field.path, field.before),
                    shown_value(field.path, field.after),
                )
                for field in change.diff
            ),
            actor,
        )


def fingerprint(drift: Drift) -> str:
    """Stable across processes and cycles: object, resource, id and the set of paths.

    Values, ``actor`` and ``corrected`` stay out, so a secret value never influences or
    leaks into it and switching a service from detect to enforce does not announce the
    drift twice.
    """
    return digest(drift.object, drift.resource, drift.id, *sorted(set(drift.paths)))


def digest(*parts: str) -> str:
    """A short stable hash of ``parts``; their boundaries count, so ("ab", "c") != ("a", "bc")."""
    encoded = json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Origin:
    """Where every message comes from: which controller, AWS account and Region, which
    environment, and where its status page is. The notifier stamps it on each alert."""

    controller_id: str = ""
    account: str = ""
    region: str = ""
    environment: str | None = None
    status_url: str | None = None


@dataclass(frozen=True)
class Alert:
    """One chat message, before formatting.

    ``status`` names what happened within the kind ("corrected", "left-alone", "resolved",
    "completed", "failed", "stuck", "invalid", "recovered", "held"); formatters use it for
    the webhook document's ``action`` and the Slack icon. ``details`` are extra lines shown
    verbatim (the FILE:LINE diagnostics of an invalid desired state). ``drifts`` are an
    incident's resources and fields. ``fingerprint`` lets a receiver pair a "resolved"
    message with the incident it ends.
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
    drifts: tuple[Drift, ...] = ()
    actor: str | None = None
    origin: Origin = Origin()
