"""Zero downtime: tasks obtain tokens without a single failure across a whole rotation,
with Cognito dual secrets and with blue/green RFC 7591 clients (oidc-provider here, the
sandbox's authorization server in another module); only the old credential stops working,
at the end."""

from __future__ import annotations

import pytest

from ._view import credentials_at, token_status
from ._workload import rotate_under_load
from .conftest import ROTATED, Rotating

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grace_period() -> str:
    """Long against one token request, so a request in flight when the rollout completes
    cannot meet the revoke."""
    return "3s"


@pytest.mark.parametrize("service", ROTATED)
async def test_tasks_see_no_failure_while_their_credential_rotates(
    rotating: Rotating, service: str
) -> None:
    workload, steps = await rotate_under_load(rotating, service)

    assert workload.failures == []
    assert steps[-1].done
    assert [e.kind for step in steps for e in step.events] == ["started", "completed"]
    assert workload.calls["running task"] > 0
    assert workload.calls["new task"] > 0
    assert token_status(workload.running) == 401  # only the old credential stops, at the end
    assert token_status(credentials_at(rotating.world, service)) == 200
