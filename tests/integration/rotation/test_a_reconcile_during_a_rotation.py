"""The normal reconcile and a rotation share the service secret without harm.

A reconcile that corrects a drifted client saves the registration access token its RFC
7592 PUT rotated in the controller-only registration secret, and leaves the task-readable
secret's versions alone. Before finish, the rotation's compare-and-swap promotes against
whatever version is current; after finish, the old client stays findable through the
rotation's own staging label. Either way revoke deletes exactly the old client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from controller.plan import Plan
from tests.integration.converge.conftest import explain

from ._kill import rotate_until_killed
from ._view import RETIRING, credentials_at, holders, token_status
from .conftest import BLUE_GREEN, Rotating

CLIENT_NAME = "ecs-oauth-stock-sync"


def our_clients(rotating: Rotating) -> list[str]:
    return [c["client_id"] for c in rotating.oidc.clients() if c.get("client_name") == CLIENT_NAME]


def drift(rotating: Rotating, client_id: str) -> None:
    """An IdP administrator narrows the client. The apply that puts it back saves the
    registration access token its PUT rotated."""
    rotating.oidc.patch_client(client_id, {"scope": "inventory.read"})


def assert_repaired(plan: Plan) -> None:
    assert [c.resource for c in plan.changes] == ["idp:client"], plan.changes
    assert not plan.problems, plan.problems


async def test_a_reconcile_in_the_grace_period_leaves_the_old_client_to_revoke(
    rotating: Rotating,
) -> None:
    old = credentials_at(rotating.world, BLUE_GREEN)
    now = datetime.now(UTC)
    async with rotating.controller() as world:
        await rotating.advance(world, BLUE_GREEN, now=now, force=True)
        new = credentials_at(rotating.world, BLUE_GREEN)
        current = holders(rotating.world, BLUE_GREEN, "AWSCURRENT")
        drift(rotating, new.client_id)
        assert_repaired(await rotating.reconcile(world, writes=True))
        assert holders(rotating.world, BLUE_GREEN, "AWSCURRENT") == current
        assert len(holders(rotating.world, BLUE_GREEN, RETIRING)) == 1
        step = await rotating.advance(world, BLUE_GREEN, now=now + timedelta(minutes=5))
        after = await rotating.reconcile(world, writes=False)

    assert (step.done, step.failure) == (True, None)
    assert our_clients(rotating) == [new.client_id]
    assert (token_status(old), token_status(new)) == (401, 200)
    assert (after.changes, after.problems) == ([], [])


@pytest.mark.slow
def test_a_reconcile_before_finish_is_promoted_against_not_lost(rotating: Rotating) -> None:
    old = credentials_at(rotating.world, BLUE_GREEN)
    rotate_until_killed(rotating.cli, BLUE_GREEN, "test")
    drift(rotating, old.client_id)
    assert_repaired(rotating.cli.engine(writes=True))

    rerun = rotating.cli("rotate", BLUE_GREEN)

    assert rerun.returncode == 0, explain(rerun)
    new = credentials_at(rotating.world, BLUE_GREEN)
    assert new.client_id != old.client_id
    assert our_clients(rotating) == [new.client_id]
    assert (token_status(old), token_status(new)) == (401, 200)
