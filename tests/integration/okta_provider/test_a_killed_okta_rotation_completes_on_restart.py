"""``ecs-oauth rotate`` of an Okta Service SIGKILLed just after each phase took effect
(before the secret's phase tag records it), then run again: the rotation resumes from
what AWS and the org hold, completes, and leaves exactly one valid credential, the app's
one secret, which is what AWSCURRENT holds. While it lies half done, a plan of the whole
desired state finds nothing to change."""

from __future__ import annotations

import pytest

from controller.engine import PHASES
from tests.integration.rotation._kill import kill_then_resume
from tests.integration.rotation.conftest import Rotating

from ._world import SERVICE, OktaWorld

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("phase", PHASES)
def test_an_okta_rotation_killed_after_a_phase_completes_on_restart(
    rotating: Rotating, converged: OktaWorld, phase: str
) -> None:
    resumed = kill_then_resume(rotating, SERVICE, phase)

    after = resumed.after
    assert after.client_id == resumed.before.client_id  # the same app, a new secret
    assert converged.secrets_held(after.client_id) == [("ACTIVE", after.client_secret)]
    assert converged.okta.org.violations == []
