"""The daemon admits desired state as ``validate`` does: an edit by team B that reaches
past its grant is reported with its location, the last valid state keeps running, and
nothing is written to AWS."""

from __future__ import annotations

import pytest

from tests.harness.aws_state import aws_state, writes
from tests.harness.daemon import RunningDaemon
from tests.harness.tenancy import ATTACKS, into_team_folders, tenancy_values
from tests.harness.world import FAMILIES

from .conftest import Setup

SECRETS = {f"ecs-oauth/{service}" for service in FAMILIES}


def errors(daemon: RunningDaemon) -> list[str]:
    found: list[str] = daemon.status()["controller"]["desiredState"]["errors"]
    return found


@pytest.mark.slow
def test_every_attack_of_team_b_is_refused_by_the_running_daemon_with_nothing_written(
    setup: Setup,
) -> None:
    into_team_folders(setup.folder)
    values = tenancy_values(setup.folder, setup.world)
    daemon = setup.start(values=values)
    daemon.wait_ready()
    daemon.wait_until(lambda: daemon.status()["controller"]["lastCycle"] is not None)
    # ListSecrets lags behind writes (as AWS's does): snapshot once it shows them all.
    daemon.wait_until(lambda: set(aws_state(setup.world)["secrets"]) >= SECRETS, timeout=30)
    inventory = setup.folder / "inventory" / "inventory.yaml"
    original = inventory.read_text()
    for name, attack in ATTACKS.items():
        before, calls = aws_state(setup.world), writes(setup.world.moto.calls())

        inventory.write_text(original + "---\n" + attack.document)
        daemon.wait_until(
            lambda attack=attack: any(attack.refusal in e for e in errors(daemon)),
            timeout=30,
            what=f"the daemon refuses {name}",
        )
        [refused] = [e for e in errors(daemon) if attack.refusal in e]
        assert refused.startswith(f"{inventory}:"), refused
        assert daemon.get("/readyz")[0] == 200
        assert writes(setup.world.moto.calls()) == calls, name
        assert aws_state(setup.world) == before, name

        inventory.write_text(original)
        daemon.wait_until(lambda: errors(daemon) == [], timeout=30, what="the state is valid again")
