"""Which rotation events reach chat: completion and failure once each, a stuck phase once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from controller.alerts import Alert
from controller.daemon._rotations import STUCK_AFTER, Rotations, RotationView
from controller.engine import RotationEvent, RotationStep

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY = "Service/orders-api"


class Chat:
    """Stands in for the Notifier: records what would be posted."""

    def __init__(self) -> None:
        self.posted: list[Alert] = []

    def post(self, alert: Alert) -> None:
        self.posted.append(alert)


def rotations() -> tuple[Rotations, Chat]:
    chat = Chat()
    world: Any = None  # the pure parts under test never touch it
    return Rotations(world, chat), chat  # type: ignore[arg-type]


def step(*events: RotationEvent) -> RotationStep:
    return RotationStep("orders-api", "rollout", False, None, events=events)


def test_a_completed_and_a_failed_rotation_each_send_one_alert() -> None:
    driver, chat = rotations()
    driver._tell(KEY, step(RotationEvent("started", "orders-api", "create")))
    driver._tell(KEY, step(RotationEvent("failed", "orders-api", "rollout", "RolloutFailed", "x")))
    driver._tell(KEY, step(RotationEvent("completed", "orders-api", "revoke")))
    assert [(a.kind, a.status) for a in chat.posted] == [
        ("rotation", "failed"),
        ("rotation", "completed"),
    ]
    assert "RolloutFailed" in chat.posted[0].text


def test_a_phase_stuck_past_grace_and_deadline_is_announced_once_per_rotation() -> None:
    driver, chat = rotations()
    grace = timedelta(hours=1)
    view = RotationView(phase="rollout", started_at=T0, waiting_for="deployment in progress")
    driver._check_stuck(KEY, view, grace, T0 + grace + STUCK_AFTER - timedelta(seconds=1))
    assert chat.posted == []
    for minutes in (0, 5, 60):
        driver._check_stuck(KEY, view, grace, T0 + grace + STUCK_AFTER + timedelta(minutes=minutes))
    assert [(a.status, "deployment in progress" in a.text) for a in chat.posted] == [
        ("stuck", True)
    ]
    later = RotationView(phase="rollout", started_at=T0 + timedelta(days=30))
    driver._check_stuck(KEY, later, grace, T0 + timedelta(days=31))
    assert len(chat.posted) == 2  # a new rotation stuck again is news again
