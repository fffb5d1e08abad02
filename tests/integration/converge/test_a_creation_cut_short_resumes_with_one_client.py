"""Intent before effect: an ``apply`` killed with SIGKILL while it creates the services'
first clients leaves records to resume from, and the next ``apply`` ends with exactly one
client per Service, recorded in its secret, and no pending marker.

The kill is real: the peer holds the chosen AWS call (then fails it, so the held request
never lands), and the test kills the apply while it waits there.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import SeededWorld

from ._live import COGNITO_SERVICES, OIDC_SERVICE, SERVICES, secret_name
from .conftest import CLI_TIMEOUT_SECONDS, ECS_OAUTH, Cli, explain

HOLD_SECONDS = 60


def killed_while_calling(cli: Cli, moto: MotoPeer, operation: str) -> None:
    """Start ``apply``, wait until it is inside ``operation``, and SIGKILL it there."""
    moto.inject_fault(operation, "InternalFailure", 500, count=50, delay=HOLD_SECONDS)
    held_before = moto.calls().get(operation, 0)
    process = subprocess.Popen(
        [str(ECS_OAUTH), "apply", "--auto-approve", "-f", str(cli.folder)],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + CLI_TIMEOUT_SECONDS
    while moto.calls().get(operation, 0) == held_before:
        assert process.poll() is None, f"apply ended before calling {operation}"
        assert time.monotonic() < deadline, f"apply never called {operation}"
        time.sleep(0.05)
    time.sleep(0.3)  # let the other services reach their own held call too
    process.send_signal(signal.SIGKILL)
    process.wait()
    moto.clear_faults()


def cognito_clients(world: SeededWorld) -> Counter[str]:
    listed = world.client("cognito-idp").list_user_pool_clients(
        UserPoolId=world.user_pool_id, MaxResults=60
    )["UserPoolClients"]
    return Counter(client["ClientName"] for client in listed)


def recorded_client(world: SeededWorld, service: str) -> dict[str, str]:
    value: dict[str, str] = json.loads(
        world.client("secretsmanager").get_secret_value(SecretId=secret_name(service))[
            "SecretString"
        ]
    )
    return value


@pytest.mark.slow
@pytest.mark.parametrize(
    "operation",
    [
        "CreateSecret",  # killed while recording the intent: nothing created yet
        "CreateUserPoolClient",  # killed during the effect: a pending record, no client
        "PutSecretValue",  # killed after the effect, before the record completes
    ],
)
def test_the_next_apply_finishes_with_exactly_one_client_per_service(
    cli: Cli,
    world: SeededWorld,
    moto: MotoPeer,
    oidc_provider: OidcProviderPeer,
    operation: str,
) -> None:
    killed_while_calling(cli, moto, operation)

    result = subprocess.run(
        [str(ECS_OAUTH), "apply", "--auto-approve", "-f", str(cli.folder)],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )

    assert result.returncode == 0, explain(result)
    names = cognito_clients(world)
    assert {name: names[name] for name in names} == {
        f"ecs-oauth-{service}": 1 for service in COGNITO_SERVICES
    }
    registered = [c for c in oidc_provider.clients() if c.get("client_name")]
    assert Counter(c["client_name"] for c in registered) == {f"ecs-oauth-{OIDC_SERVICE}": 1}
    ids = {c["client_name"]: c["client_id"] for c in registered}
    for service in SERVICES:
        value = recorded_client(world, service)
        assert "pending_client" not in value, service
        if service == OIDC_SERVICE:
            assert value["client_id"] == ids[f"ecs-oauth-{service}"]
    cli.assert_in_sync()
