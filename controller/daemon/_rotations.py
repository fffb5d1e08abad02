"""Scheduled rotation, as part of each Service's reconcile.

The rotation engine keeps its state in AWS and never blocks; the daemon only decides when
to call it again (the step says: rollout still running, grace period left, next rotation
due) and tells people: a log event per phase change, one chat message per completion,
failure, or phase stuck past its deadline, and the phase on the status page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from controller.alerts import Notifier, rotation_alert
from controller.daemon._conditions import rfc3339
from controller.desired import DesiredState
from controller.engine import RotationStep, World, advance_rotation, rotation_state

log = structlog.get_logger("ecs_oauth.rotation")
RESOURCE = "secretsmanager:secret"
# A rotation may take its grace period plus this long (rollouts, retries) before chat hears
# that it is stuck.
STUCK_AFTER = timedelta(hours=1)


@dataclass
class RotationView:
    """What the status page shows about one Service's credential."""

    phase: str | None = None
    started_at: datetime | None = None
    last_rotated_at: datetime | None = None
    waiting_for: str = ""
    failure: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase or "idle",
            "startedAt": _time(self.started_at),
            "lastRotatedAt": _time(self.last_rotated_at),
            "waitingFor": self.waiting_for or None,
            "failure": self.failure or None,
        }


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


class Rotations:
    def __init__(self, world: World, notifier: Notifier) -> None:
        self.world = world
        self.notifier = notifier
        self.views: dict[str, RotationView] = {}
        self._stuck_announced: set[tuple[str, str]] = set()

    async def advance(self, state: DesiredState, name: str) -> timedelta | None:
        """Move the Service's rotation on as far as it can go now; when to look again."""
        key = f"Service/{name}"
        now = datetime.now(UTC)
        rotate_every = state.services[name].spec.secret.rotate_every
        kept = await rotation_state(self.world, name)  # from the cycle's listing: no call
        if kept is not None and kept.phase is None and kept.last_rotated_at is not None:
            due = kept.last_rotated_at + rotate_every
            if due > now:  # the common case costs no call at all
                self.views[key] = RotationView(last_rotated_at=kept.last_rotated_at)
                return due - now
        step = await advance_rotation(self.world, state, name, now=now)
        kept = await rotation_state(self.world, name)
        view = RotationView(
            phase=step.phase,
            started_at=kept.started if kept and step.phase else None,
            last_rotated_at=kept.last_rotated_at if kept else None,
            waiting_for=step.waiting_for,
            failure=f"{step.failure.reason}: {step.failure.message}" if step.failure else "",
        )
        self.views[key] = view
        self._tell(key, step)
        self._check_stuck(key, view, state.services[name].spec.secret.grace_period, now)
        return step.requeue_after

    def forget(self, key: str) -> None:
        self.views.pop(key, None)

    def _tell(self, key: str, step: RotationStep) -> None:
        for done in step.completed:
            log.info("rotation_phase", object=key, resource=RESOURCE, action=done)
        for event in step.events:
            log.info(
                "rotation",
                object=key,
                resource=RESOURCE,
                action=event.kind,
                phase=event.phase,
                reason=event.reason,
                message=event.message,
            )
            if event.kind in ("completed", "failed"):
                reason = f"{event.reason}: {event.message}" if event.reason else ""
                self.notifier.post(
                    rotation_alert(key, event.kind, phase=event.phase, reason=reason)
                )

    def _check_stuck(self, key: str, view: RotationView, grace: timedelta, now: datetime) -> None:
        if view.phase is None or view.started_at is None:
            return
        if now - view.started_at < grace + STUCK_AFTER:
            return
        marker = (key, rfc3339(view.started_at))
        if marker in self._stuck_announced:
            return
        self._stuck_announced.add(marker)
        log.warning("rotation_stuck", object=key, resource=RESOURCE, action=view.phase)
        reason = view.failure or view.waiting_for or "no progress"
        self.notifier.post(rotation_alert(key, "stuck", phase=view.phase, reason=reason))
