"""No credential ever reaches the output: client secrets, registration access tokens and
the initial access token stay out of plan and apply, text and JSON, converging, drifted
or failing, and out of the task definitions.

One scenario for the module: apply, plan, drift, plan, apply, then a failing apply;
every credential seen along the way is then looked for in every line printed.
"""

from __future__ import annotations

import json
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer

from ._live import (
    OIDC_SERVICE,
    SERVICES,
    latest_task_definition,
    register_revision,
    registration_tokens,
    secret_value,
    set_cognito_scopes,
)
from .conftest import Cli, explain, seed_fresh


@dataclass
class Transcript:
    cli: Cli
    world: Any = None
    credentials: dict[str, set[str]] = field(default_factory=dict)
    task_definitions: list[dict[str, Any]] = field(default_factory=list)
    saved_plan: Path | None = None

    def collect(self, kind: str, value: object) -> None:
        if isinstance(value, str) and value:
            self.credentials.setdefault(kind, set()).add(value)

    def collect_secrets(self, world: Any, oidc: OidcProviderPeer) -> None:
        for service in SERVICES:
            value = secret_value(world, service)
            self.collect("client_secret", value["client_secret"])
            for token in registration_tokens(world, service):
                self.collect("registration_access_token", token)
        client_id = secret_value(world, OIDC_SERVICE)["client_id"]
        self.collect("client_secret", oidc.client(client_id)["client_secret"])

    def outputs(self) -> list[tuple[str, str]]:
        """(command line, printed text) of every run, stdout and stderr apart."""
        found = []
        for run in self.cli.runs:
            command = " ".join(map(str, run.args[1:]))
            found += [(f"{command} (stdout)", run.stdout), (f"{command} (stderr)", run.stderr)]
        if self.saved_plan is not None:
            found.append((f"the saved plan {self.saved_plan}", self.saved_plan.read_text()))
        return found


def secret_value_of(transcript: Transcript, service: str) -> dict[str, Any]:
    return secret_value(transcript.world, service)


def run(cli: Cli, *args: str, expect: int) -> subprocess.CompletedProcess[str]:
    result = cli(*args)
    assert result.returncode == expect, explain(result)
    return result


@pytest.fixture(scope="module")
def transcript(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Transcript:
    world, cli = seed_fresh(
        moto_server, oidc_provider_server, tmp_path_factory.mktemp("leaks") / "desired"
    )
    seen = Transcript(cli, world)
    seen.collect("initial_access_token", oidc_provider_server.initial_access_token)

    run(cli, "apply", "--auto-approve", expect=0)
    seen.collect_secrets(world, oidc_provider_server)
    run(cli, "plan", expect=0)
    run(cli, "plan", "--output", "json", expect=0)

    # Drift that makes apply rewrite the secret value, update both kinds of client
    # (the OIDC update rotates the registration access token) and register revisions.
    stock_sync = secret_value(world, OIDC_SERVICE)["client_id"]
    oidc_provider_server.patch_client(stock_sync, {"scope": "inventory.read"})
    set_cognito_scopes(world, secret_value(world, "checkout-worker")["client_id"], ["orders/read"])
    orders = secret_value(world, "orders-api")
    world.client("secretsmanager").put_secret_value(
        SecretId="ecs-oauth/orders-api",
        SecretString=json.dumps({**orders, "token_endpoint": "http://127.0.0.1:9/token"}),
    )
    register_revision(world, "orders-api", environment={"OAUTH_SCOPE": "orders/write"})
    run(cli, "plan", "--detailed-exitcode", expect=2)
    run(cli, "plan", "--output", "json", expect=0)
    seen.saved_plan = tmp_path_factory.mktemp("saved") / "drift.plan"
    run(cli, "plan", "-out", str(seen.saved_plan), expect=0)
    run(cli, "apply", str(seen.saved_plan), expect=0)
    seen.collect_secrets(world, oidc_provider_server)

    # Failing applies: a task-definition write refused while there is drift to fix,
    # beside another OIDC update (a second rotation of the registration access token).
    oidc_provider_server.patch_client(stock_sync, {"scope": "inventory.write"})
    register_revision(world, "stock-sync", environment={"OAUTH_SCOPE": "inventory.read"})
    moto_server.inject_fault("RegisterTaskDefinition", "ClientException", count=1)
    run(cli, "apply", "--auto-approve", "--output", "json", expect=1)
    seen.collect_secrets(world, oidc_provider_server)
    moto_server.inject_fault("RegisterTaskDefinition", "ClientException", count=1)
    run(cli, "apply", "--auto-approve", expect=1)

    seen.task_definitions = [latest_task_definition(world, s)[0] for s in SERVICES]
    return seen


def test_the_scenario_saw_every_kind_of_credential(transcript: Transcript) -> None:
    assert len(transcript.credentials["client_secret"]) == len(SERVICES)
    # Each OIDC update rotated the registration access token: all three are in the set.
    assert len(transcript.credentials["registration_access_token"]) == 3
    assert len(transcript.credentials["initial_access_token"]) == 1
    assert [run.returncode for run in transcript.cli.runs] == [0, 0, 0, 2, 0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    "kind", ["client_secret", "registration_access_token", "initial_access_token"]
)
def test_no_credential_appears_in_any_output(transcript: Transcript, kind: str) -> None:
    leaks = [
        where
        for where, text in transcript.outputs()
        for value in transcript.credentials[kind]
        if value in text
    ]

    assert leaks == []


def test_the_client_secret_is_planned_as_known_after_apply_never_spelled(
    transcript: Transcript,
) -> None:
    first_apply = transcript.cli.runs[0]

    assert first_apply.stdout.count("value.client_secret = (known after apply)") == len(SERVICES)


def test_the_saved_plan_is_readable_by_its_owner_alone(transcript: Transcript) -> None:
    assert transcript.saved_plan is not None

    assert stat.S_IMODE(transcript.saved_plan.stat().st_mode) == 0o600


def test_no_credential_lands_in_a_task_definition(transcript: Transcript) -> None:
    everything = {v for values in transcript.credentials.values() for v in values}
    text = json.dumps(transcript.task_definitions, default=str)

    assert [value for value in everything if value in text] == []


def test_the_search_looks_at_text_that_names_the_clients(transcript: Transcript) -> None:
    """A positive control: the ids of the drifted clients, not secret, are in the same
    outputs (the plan of the drift, and the plan saved for it)."""
    drift_plan = transcript.cli.runs[3].stdout
    assert transcript.saved_plan is not None
    saved = transcript.saved_plan.read_text()
    drifted = [
        secret_value_of(transcript, service)["client_id"]
        for service in ("checkout-worker", OIDC_SERVICE)
    ]

    assert all(client_id in drift_plan and client_id in saved for client_id in drifted)
