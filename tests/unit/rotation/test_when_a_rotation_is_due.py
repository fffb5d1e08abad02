"""When a rotation falls due, how long revoke waits, and what the status page reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from controller.aws import ObservedSecret
from controller.engine._rotation import state_of
from controller.engine._rotation_plan import (
    FAILED_TAG,
    PHASE_TAG,
    ROTATED_AT_TAG,
    STARTED_TAG,
    format_time,
    grace_left,
    parse_time,
    rotation_due,
    until_due,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_rotation_is_due_once_rotate_every_has_passed() -> None:
    assert not rotation_due(NOW - DAY + timedelta(seconds=1), DAY, NOW)
    assert rotation_due(NOW - DAY, DAY, NOW)


def test_a_service_without_a_secret_is_never_due() -> None:
    assert not rotation_due(None, DAY, NOW)


def test_the_time_until_due_counts_down_to_zero() -> None:
    assert until_due(NOW - timedelta(hours=6), DAY, NOW) == timedelta(hours=18)
    assert until_due(NOW - 2 * DAY, DAY, NOW) == timedelta(0)


def test_revoke_waits_out_the_grace_period_from_finish() -> None:
    finished = NOW - timedelta(minutes=20)

    assert grace_left(finished, timedelta(hours=1), NOW) == timedelta(minutes=40)
    assert grace_left(finished, timedelta(minutes=20), NOW) == timedelta(0)


def test_without_a_recorded_finish_the_whole_grace_period_is_still_ahead() -> None:
    assert grace_left(None, timedelta(hours=1), NOW) == timedelta(hours=1)


def test_times_round_trip_through_a_tag_value_secrets_manager_accepts() -> None:
    moment = datetime(2026, 3, 1, 12, 0, 5, 123456, tzinfo=UTC)
    value = format_time(moment)

    assert parse_time(value) == moment
    assert re.fullmatch(r"[\w.:/=+\-@ ]*", value)


def test_a_tag_that_is_not_a_time_reads_as_none() -> None:
    assert parse_time("yesterday") is None
    assert parse_time(None) is None


def secret(tags: dict[str, str]) -> ObservedSecret:
    return ObservedSecret("ecs-oauth/orders-api", "arn", tags, {}, created_date=NOW - 3 * DAY)


def test_the_status_shows_the_phase_its_start_and_a_failure() -> None:
    shown = state_of(
        secret(
            {
                PHASE_TAG: "rollout",
                STARTED_TAG: format_time(NOW),
                ROTATED_AT_TAG: format_time(NOW - DAY),
                FAILED_TAG: "rollout:RolloutFailed",
            }
        )
    )

    assert (shown.phase, shown.started, shown.failed) == ("rollout", NOW, "rollout:RolloutFailed")
    assert shown.last_rotated_at == NOW - DAY


def test_a_secret_never_rotated_counts_from_its_creation() -> None:
    shown = state_of(secret({}))

    assert (shown.phase, shown.started, shown.failed) == (None, None, None)
    assert shown.last_rotated_at == NOW - 3 * DAY
