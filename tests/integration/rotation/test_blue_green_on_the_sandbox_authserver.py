"""The blue/green strategy against the sandbox's own authorization server: the same
RFC 7591/7592 code path as oidc-provider, the server ``ecs-oauth sandbox`` runs."""

from __future__ import annotations

import pytest

from ._view import credentials_at, token_status
from ._workload import rotate_under_load
from .conftest import BLUE_GREEN, Rotating

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grace_period() -> str:
    return "3s"


@pytest.fixture(scope="module")
def oidc_peer(sandbox_authserver_server: object) -> object:
    return sandbox_authserver_server


async def test_tasks_see_no_failure_while_a_blue_green_credential_rotates(
    rotating: Rotating,
) -> None:
    workload, steps = await rotate_under_load(rotating, BLUE_GREEN)

    assert workload.failures == []
    assert steps[-1].done
    assert workload.calls["running task"] > 0
    assert workload.calls["new task"] > 0
    assert token_status(workload.running) == 401
    assert token_status(credentials_at(rotating.world, BLUE_GREEN)) == 200
