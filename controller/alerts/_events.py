"""Alerts other parts of the daemon raise: credential rotations and the desired state itself.

Callers pass names, phases, CamelCase reasons and validation diagnostics; none of these
carries a secret value (desired state holds secrets only by reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from controller.alerts._model import Alert, digest

RotationStatus = Literal["completed", "failed", "stuck"]

ROTATION_RESOURCE = "secretsmanager:secret"
DESIRED_STATE_RESOURCE = "desired-state"
# A chat message is read, not searched: the first lines tell what to fix; the count the rest.
MAX_DETAILS = 20
MAX_DETAIL_CHARS = 300


def rotation_alert(
    object: str,
    status: RotationStatus,
    *,
    phase: str,
    reason: str = "",
    resource: str = ROTATION_RESOURCE,
) -> Alert:
    """A rotation completed, failed in ``phase``, or has been stuck in ``phase`` too long."""
    because = f": {reason}" if reason else ""
    if status == "completed":
        title = f"Credential rotated for {object}"
        text = f"{object}: credential rotation completed."
    else:
        title = f"Credential rotation {status} for {object}"
        text = f"{object}: credential rotation {status} in phase {phase}{because}."
    return Alert(
        kind="rotation",
        object=object,
        resource=resource,
        paths=(),
        title=title,
        text=text,
        status=status,
        fingerprint=digest("rotation", object, status, phase),
    )


def desired_state_invalid(source: str, diagnostics: Sequence[str]) -> Alert:
    """The desired-state files no longer validate; the last valid state keeps running.

    ``diagnostics`` are the validator's ``FILE:LINE:COL: error: MESSAGE`` lines.
    """
    count = len(diagnostics)
    shown = [_clipped(line) for line in diagnostics[:MAX_DETAILS]]
    if count > MAX_DETAILS:
        shown.append(f"... and {count - MAX_DETAILS} more")
    errors = "error" if count == 1 else "errors"
    return Alert(
        kind="desired-state",
        object=source,
        resource=DESIRED_STATE_RESOURCE,
        paths=(),
        title=f"Desired state {source} is invalid",
        text=(
            f"Desired state {source} is invalid ({count} {errors}); "
            "still reconciling the last valid state."
        ),
        status="invalid",
        fingerprint=digest(DESIRED_STATE_RESOURCE, source),
        details=tuple(shown),
    )


def desired_state_recovered(source: str) -> Alert:
    """The files validate again; carries the invalid alert's fingerprint to pair with it."""
    return Alert(
        kind="desired-state",
        object=source,
        resource=DESIRED_STATE_RESOURCE,
        paths=(),
        title=f"Desired state {source} is valid again",
        text=f"Desired state {source} is valid again; reconciling it.",
        status="recovered",
        fingerprint=digest(DESIRED_STATE_RESOURCE, source),
    )


def desired_state_changed(source: str, revision: str, author: str, subject: str) -> Alert:
    """A new commit of a git source was taken; who made it and what it says, so a channel
    sees each change to the estate's desired state as it lands."""
    said = f"Desired state changed by {author}: {_clipped(subject)}"
    recovered = desired_state_recovered(source)
    return replace(
        recovered,
        title=said,
        text=f"{said} (revision {revision}); reconciling it.",
        status="changed",
        fingerprint=digest(DESIRED_STATE_RESOURCE, source, revision),
        details=(f"revision {revision}",),
    )


def _clipped(line: str) -> str:
    return line if len(line) <= MAX_DETAIL_CHARS else line[: MAX_DETAIL_CHARS - 3] + "..."
