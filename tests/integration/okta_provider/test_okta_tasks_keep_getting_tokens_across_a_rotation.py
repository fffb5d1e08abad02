"""Zero downtime on Okta: tasks ask the org's token endpoint for tokens throughout a whole
rotation, with the credential as ECS injects it from Secrets Manager (running tasks keep
the old one until the rollout replaced them, new tasks get AWSCURRENT), and not one
request fails; at the end only the new secret is left and the old one is refused."""

from __future__ import annotations

import pytest

from tests.integration.rotation._view import credentials_at, token_status
from tests.integration.rotation._workload import rotate_under_load
from tests.integration.rotation.conftest import Rotating

from ._world import SERVICE, OktaWorld

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grace_period() -> str:
    """Long against one token request, so a request in flight when the rollout completes
    cannot meet the revoke."""
    return "3s"


async def test_tasks_see_no_failure_while_their_okta_secret_rotates(
    rotating: Rotating, converged: OktaWorld
) -> None:
    workload, steps = await rotate_under_load(rotating, SERVICE)

    after = credentials_at(rotating.world, SERVICE)
    assert workload.failures == []
    assert steps[-1].done
    assert [e.kind for step in steps for e in step.events] == ["started", "completed"]
    assert workload.calls["running task"] > 0
    assert workload.calls["new task"] > 0
    assert after.client_id == workload.running.client_id  # the same app, a new secret
    assert converged.secrets_held(after.client_id) == [("ACTIVE", after.client_secret)]
    assert token_status(workload.running) == 401
    assert token_status(after) == 200
