"""A rollout that fails (ECS deployment rolloutState FAILED) stops the rotation before
revoke: the old credential stays valid for the tasks still running on it, the failure is
reported once, and the rotation goes on by itself once a later deployment completes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ._failing_rollouts import CIRCUIT_BREAKER_REASON, FailingRollouts
from ._view import (
    PHASE_TAG,
    all_tags,
    cognito_secret_ids,
    credentials_at,
    token_status,
)
from .conftest import BLUE_GREEN, COGNITO, ROTATED, Rotating

LATER = timedelta(minutes=5)  # past the 1s grace period
FAILED_TAG = "ecs-oauth.dev/rotation-failed"


@pytest.fixture
def rollouts(rotating: Rotating, monkeypatch: pytest.MonkeyPatch) -> Iterator[FailingRollouts]:
    proxy = FailingRollouts(rotating.world.moto.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", proxy.url)
    yield proxy
    proxy.stop()


@pytest.mark.parametrize("service", ROTATED)
async def test_a_failed_rollout_is_reported_once_and_revokes_nothing(
    rotating: Rotating, rollouts: FailingRollouts, service: str
) -> None:
    old = credentials_at(rotating.world, service)
    rollouts.failing.add(service)
    now = datetime.now(UTC)
    async with rotating.controller() as world:
        first = await rotating.advance(world, service, now=now, force=True)
        again = await rotating.advance(world, service, now=now + LATER)
        rollouts.failing.clear()  # let the fixture's teardown finish the rotation

    assert first.completed == ("create", "set", "test", "finish")
    assert first.failure is not None
    assert (first.phase, first.failure.phase, first.failure.reason) == (
        "rollout",
        "rollout",
        "RolloutFailed",
    )
    assert CIRCUIT_BREAKER_REASON in first.failure.message
    assert [(e.kind, e.reason) for e in first.events] == [
        ("started", ""),
        ("failed", "RolloutFailed"),
    ]
    assert again.failure == first.failure
    assert (again.phase, again.completed, again.events) == ("rollout", (), ())
    assert all_tags(rotating.world, service)[FAILED_TAG] == "rollout:RolloutFailed"
    new = credentials_at(rotating.world, service)
    assert (token_status(old), token_status(new)) == (200, 200)


async def test_a_failed_cognito_rollout_keeps_both_secrets(
    rotating: Rotating, rollouts: FailingRollouts
) -> None:
    rollouts.failing.add(COGNITO)
    now = datetime.now(UTC)
    async with rotating.controller() as world:
        await rotating.advance(world, COGNITO, now=now, force=True)
        await rotating.advance(world, COGNITO, now=now + LATER)
        rollouts.failing.clear()

    client_id = credentials_at(rotating.world, COGNITO).client_id
    assert len(cognito_secret_ids(rotating.world, client_id)) == 2


@pytest.mark.parametrize("service", ROTATED)
async def test_once_a_deployment_completes_the_rotation_revokes_and_completes(
    rotating: Rotating, rollouts: FailingRollouts, service: str
) -> None:
    old = credentials_at(rotating.world, service)
    rollouts.failing.add(service)
    now = datetime.now(UTC)
    async with rotating.controller() as world:
        await rotating.advance(world, service, now=now, force=True)
        rollouts.failing.clear()  # the team fixed the service and it deployed
        step = await rotating.advance(world, service, now=now + LATER)

    assert step.completed == ("rollout", "revoke")
    assert (step.done, step.failure) == (True, None)
    assert [e.kind for e in step.events] == ["completed"]
    assert PHASE_TAG not in all_tags(rotating.world, service)
    assert FAILED_TAG not in all_tags(rotating.world, service)
    assert token_status(old) == 401


async def test_a_circuit_breaker_rollback_in_the_sandbox_stops_the_rotation_before_revoke(
    rotating: Rotating,
) -> None:
    service = BLUE_GREEN
    old = credentials_at(rotating.world, service)
    rotating.world.moto.fail_next_deployment("prod", service)
    now = datetime.now(UTC)
    async with rotating.controller() as world:
        first = await rotating.advance(world, service, now=now, force=True)
        again = await rotating.advance(world, service, now=now + LATER)

    assert first.failure is not None
    assert (first.phase, first.failure.reason) == ("rollout", "RolloutFailed")
    assert "circuit breaker" in first.failure.message
    assert again.failure == first.failure
    assert token_status(old) == 200
    # The team deploys again and it completes: the rotation can finish in the teardown.
    ecs = rotating.world.client("ecs")
    ecs.update_service(cluster="prod", service=service, forceNewDeployment=True)
