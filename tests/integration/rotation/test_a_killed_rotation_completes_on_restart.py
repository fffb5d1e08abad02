"""A controller SIGKILLed at every phase boundary finishes the rotation when run again,
with exactly one valid credential at the end and nothing left behind.

``ecs-oauth rotate`` runs as a subprocess with a pause hook the test installs
(``_paused_rotate``), so it stops just after a phase took effect and before the secret's
phase tag records it: the restart meets a tag one phase behind and must find, from AWS and
the IdP alone, what is done. While the rotation lies there half done, a plan of the whole
desired state finds nothing to change.
"""

from __future__ import annotations

import pytest

from controller.engine import PHASES
from tests.integration.converge.conftest import explain

from ._kill import rotate_until_killed
from ._view import (
    PHASE_TAG,
    RETIRING,
    cognito_secret_ids,
    credentials_at,
    holders,
    rotation_tags,
    token_status,
)
from .conftest import BLUE_GREEN, COGNITO, ROTATED, Rotating

pytestmark = pytest.mark.slow


def our_oidc_clients(rotating: Rotating) -> list[str]:
    return [
        client["client_id"]
        for client in rotating.oidc.clients()
        if client.get("client_name") == "ecs-oauth-stock-sync"
    ]


@pytest.mark.parametrize("service", ROTATED)
@pytest.mark.parametrize("phase", PHASES)
def test_a_rotation_killed_after_a_phase_completes_on_restart(
    rotating: Rotating, service: str, phase: str
) -> None:
    before = credentials_at(rotating.world, service)
    before_versions = holders(rotating.world, service, "AWSCURRENT")

    rotate_until_killed(rotating.cli, service, phase)
    killed_at = rotation_tags(rotating.world, service).get(PHASE_TAG)
    meanwhile = rotating.cli.engine(writes=False)
    rerun = rotating.cli("rotate", service)

    assert killed_at == phase  # the phase took effect, its tag was not yet moved on
    assert (meanwhile.changes, meanwhile.problems) == ([], [])  # reconcile leaves it alone
    assert rerun.returncode == 0, explain(rerun)
    assert "started" not in rerun.stdout  # resumed, not begun again
    assert f"Rotation of {service} complete." in rerun.stdout
    after = credentials_at(rotating.world, service)
    assert after != before
    assert (token_status(after), token_status(before)) == (200, 401)
    assert holders(rotating.world, service, "AWSPENDING") == []
    assert holders(rotating.world, service, "AWSPREVIOUS") == before_versions
    assert holders(rotating.world, service, RETIRING) == []
    assert rotation_tags(rotating.world, service) == {}
    if service == COGNITO:
        assert len(cognito_secret_ids(rotating.world, after.client_id)) == 1
    if service == BLUE_GREEN:
        assert our_oidc_clients(rotating) == [after.client_id]
