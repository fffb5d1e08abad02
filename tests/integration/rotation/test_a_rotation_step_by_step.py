"""``advance_rotation`` driven by hand, one call at a time, with the clock passed in: what
each step reports, what lands in AWS and at the IdP, and that the normal reconcile leaves
a rotation alone, before, during and after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from controller.engine import Engine, World
from controller.plan import Plan

from ._view import (
    RETIRING,
    ROTATED_AT,
    all_tags,
    cognito_secret_ids,
    credentials_at,
    holders,
    rotation_tags,
    token_status,
)
from .conftest import BLUE_GREEN, COGNITO, ROTATED, Rotating

LATER = timedelta(minutes=5)  # well past the 1s grace period


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


async def rotate_until_grace(rotating: Rotating, world: World, service: str, now: datetime) -> None:
    step = await rotating.advance(world, service, now=now, force=True)
    assert (step.phase, step.failure) == ("revoke", None), step


async def plan(rotating: Rotating, world: World) -> Plan:
    found, _ = await Engine(world).run(rotating.state, writes=False)
    return found


@pytest.mark.parametrize("service", ROTATED)
async def test_one_call_runs_every_phase_up_to_the_grace_period(
    rotating: Rotating, service: str, now: datetime
) -> None:
    async with rotating.controller() as world:
        step = await rotating.advance(world, service, now=now, force=True)

    assert step.completed == ("create", "set", "test", "finish", "rollout")
    assert (step.phase, step.done, step.failure) == ("revoke", False, None)
    assert [(e.kind, e.phase) for e in step.events] == [("started", "create")]
    assert step.requeue_after == timedelta(seconds=1)
    assert "gracePeriod" in step.waiting_for


@pytest.mark.parametrize("service", ROTATED)
async def test_during_the_grace_period_both_credentials_obtain_tokens(
    rotating: Rotating, service: str, now: datetime
) -> None:
    old = credentials_at(rotating.world, service)
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, service, now)
    new = credentials_at(rotating.world, service)

    assert new.client_secret != old.client_secret
    assert (token_status(old), token_status(new)) == (200, 200)
    assert credentials_at(rotating.world, service, "AWSPREVIOUS") == old
    assert holders(rotating.world, service, "AWSPENDING") == []
    assert holders(rotating.world, service, RETIRING) == holders(
        rotating.world, service, "AWSPREVIOUS"
    )


async def test_a_cognito_rotation_keeps_the_client_and_adds_a_second_secret(
    rotating: Rotating, now: datetime
) -> None:
    old = credentials_at(rotating.world, COGNITO)
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, COGNITO, now)

    assert credentials_at(rotating.world, COGNITO).client_id == old.client_id
    assert len(cognito_secret_ids(rotating.world, old.client_id)) == 2


async def test_a_blue_green_rotation_switches_to_a_second_client_of_the_same_name(
    rotating: Rotating, now: datetime
) -> None:
    old = credentials_at(rotating.world, BLUE_GREEN)
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, BLUE_GREEN, now)

    new = credentials_at(rotating.world, BLUE_GREEN)
    assert new.client_id != old.client_id
    assert rotating.oidc.client(new.client_id)["client_name"] == "ecs-oauth-stock-sync"


@pytest.mark.parametrize("service", ROTATED)
async def test_after_the_grace_period_the_old_credential_is_revoked(
    rotating: Rotating, service: str, now: datetime
) -> None:
    old = credentials_at(rotating.world, service)
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, service, now)
        step = await rotating.advance(world, service, now=now + LATER)

    assert step.completed == ("revoke",)
    assert (step.phase, step.done, step.failure) == (None, True, None)
    assert [(e.kind, e.phase) for e in step.events] == [("completed", "revoke")]
    assert token_status(old) == 401
    assert token_status(credentials_at(rotating.world, service)) == 200
    assert holders(rotating.world, service, RETIRING) == []
    assert rotation_tags(rotating.world, service) == {}


async def test_a_finished_rotation_is_not_due_again_until_rotate_every(
    rotating: Rotating, now: datetime
) -> None:
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, COGNITO, now)
        await rotating.advance(world, COGNITO, now=now + LATER)
        step = await rotating.advance(world, COGNITO, now=now + LATER)

    assert (step.phase, step.done, step.completed, step.events) == (None, True, (), ())
    assert step.requeue_after is not None
    assert timedelta(days=29) < step.requeue_after <= timedelta(days=30)
    assert all_tags(rotating.world, COGNITO)[ROTATED_AT].startswith(f"{now:%Y-%m-%dT%H:%M}")


async def test_a_rotation_under_way_is_resumed_not_started_again(
    rotating: Rotating, now: datetime
) -> None:
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, COGNITO, now)
        pending = credentials_at(rotating.world, COGNITO)
        step = await rotating.advance(world, COGNITO, now=now, force=True)

    assert (step.phase, step.completed, step.events) == ("revoke", (), ())
    assert credentials_at(rotating.world, COGNITO) == pending


@pytest.mark.parametrize("service", ROTATED)
async def test_a_plan_mid_rotation_and_after_it_finds_nothing_to_change(
    rotating: Rotating, service: str, now: datetime
) -> None:
    async with rotating.controller() as world:
        await rotate_until_grace(rotating, world, service, now)
        mid = await plan(rotating, world)
        await rotating.advance(world, service, now=now + LATER)
        after = await plan(rotating, world)

    assert (mid.changes, mid.problems) == ([], [])
    assert (after.changes, after.problems) == ([], [])
