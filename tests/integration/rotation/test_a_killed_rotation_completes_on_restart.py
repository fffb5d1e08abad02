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

from ._kill import kill_then_resume
from ._view import cognito_secret_ids
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
    resumed = kill_then_resume(rotating, service, phase)

    after = resumed.after
    if service == COGNITO:
        assert len(cognito_secret_ids(rotating.world, after.client_id)) == 1
    if service == BLUE_GREEN:
        assert our_oidc_clients(rotating) == [after.client_id]
