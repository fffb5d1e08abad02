"""The whole desired state against OIDC servers as strict as real ones.

oidc-provider runs in three profiles: its default, one that rotates the registration
access token on every use as Keycloak does, and one that refuses a client-credentials
registration without ``application_type: service`` as Okta does. Each must converge with
no problem, a plan right after must find nothing, and a server that hands out a new
registration access token on every read must not make the task-readable secret churn.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from controller.desired import load
from controller.engine import Engine, EngineSettings, World
from tests.harness.aws_state import writes
from tests.harness.daemon import RunningDaemon, daemon_environment
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer, OidcProviderPool
from tests.harness.world import SeededWorld

from ._live import OIDC_SERVICE, registration_tokens, registration_value, secret_value
from .conftest import Cli, explain, seed_fresh

PROFILES = ("default", "keycloak", "okta")
RESYNC_CYCLES = 50


@dataclass(frozen=True)
class Profiled:
    """A seeded world, its CLI, and the oidc-provider profile its OIDC Service uses."""

    world: SeededWorld
    cli: Cli
    peer: OidcProviderPeer


@pytest.fixture(params=PROFILES)
def profiled(
    request: pytest.FixtureRequest,
    moto_server: MotoPeer,
    oidc_provider_pool: OidcProviderPool,
    tmp_path: Path,
) -> Profiled:
    peer = oidc_provider_pool.get(request.param)
    world, cli = seed_fresh(moto_server, peer, tmp_path / "desired")
    return Profiled(world, cli, peer)


def secret_versions(world: SeededWorld, name: str = f"ecs-oauth/{OIDC_SERVICE}") -> int:
    manager = world.client("secretsmanager")
    return len(manager.list_secret_version_ids(SecretId=name)["Versions"])


def test_every_profile_converges_and_then_plans_no_change(profiled: Profiled) -> None:
    cli = profiled.cli

    applied = cli("apply", "--auto-approve")
    planned = cli("plan", "--detailed-exitcode")

    assert applied.returncode == 0, explain(applied)
    assert planned.returncode == 0, explain(planned)
    assert "No changes" in planned.stdout


def resync(cli: Cli, settings: EngineSettings, cycles: int = RESYNC_CYCLES) -> list[int]:
    """Problems found by each of ``cycles`` writing reconciles, as the daemon's resyncs run."""

    async def run() -> list[int]:
        problems = []
        async with World(settings) as world:
            engine = Engine(world)
            for _ in range(cycles):
                plan, _ = await engine.run(load(cli.folder), writes=True)
                problems.append(len(plan.problems))
        return problems

    with mock.patch.dict(os.environ, cli.env):
        return asyncio.run(run())


@pytest.mark.parametrize("profiled", ["keycloak"], indirect=True)
def test_resyncs_against_a_rotating_registration_token_leave_the_task_secret_alone(
    profiled: Profiled,
) -> None:
    cli, world = profiled.cli, profiled.world
    cli.apply()
    versions = secret_versions(world)
    tokens_before = registration_tokens(world, OIDC_SERVICE)

    # With no read interval, every resync reads the client and so rotates its token.
    problems = resync(cli, EngineSettings(rotating_token_read_interval=timedelta(0)))

    assert problems == [0] * RESYNC_CYCLES
    assert secret_versions(world) == versions
    # Each read rotated the token and the newest one was kept: the client is still ours.
    assert registration_tokens(world, OIDC_SERVICE) != tokens_before
    cli.assert_in_sync()


@pytest.mark.parametrize("profiled", ["keycloak"], indirect=True)
def test_an_unchanged_client_at_a_rotating_idp_is_read_once_an_hour_not_at_every_resync(
    profiled: Profiled,
) -> None:
    cli, world = profiled.cli, profiled.world
    cli.apply()
    registration_before = secret_versions(world, f"ecs-oauth/{OIDC_SERVICE}/registration")
    tokens_before = registration_tokens(world, OIDC_SERVICE)

    problems = resync(cli, EngineSettings())

    # Secrets Manager advises one PutSecretValue per secret per ten minutes: none here.
    assert problems == [0] * RESYNC_CYCLES
    assert secret_versions(world, f"ecs-oauth/{OIDC_SERVICE}/registration") == registration_before
    assert registration_tokens(world, OIDC_SERVICE) == tokens_before


@pytest.mark.parametrize("profiled", ["keycloak"], indirect=True)
def test_a_changed_spec_is_read_and_applied_at_once_within_the_read_interval(
    profiled: Profiled,
) -> None:
    cli, peer = profiled.cli, profiled.peer
    cli.apply()
    both = "scopes: [inventory.read, inventory.write]"
    [desired] = [f for f in cli.folder.glob("*.yaml") if both in f.read_text()]
    desired.write_text(desired.read_text().replace(both, "scopes: [inventory.read]"))

    problems = resync(cli, EngineSettings(), cycles=1)

    assert problems == [0]
    [client] = peer.clients()
    assert client["scope"] == "inventory.read"


@pytest.mark.parametrize("profiled", ["default"], indirect=True)
def test_a_lost_registration_token_is_reported_and_no_second_client_is_made(
    profiled: Profiled,
) -> None:
    cli, world, peer = profiled.cli, profiled.world, profiled.peer
    cli.apply()
    manager = world.client("secretsmanager")
    name = f"ecs-oauth/{OIDC_SERVICE}/registration"
    value = secret_value(world, OIDC_SERVICE)
    registration = registration_value(world, OIDC_SERVICE)
    assert registration is not None
    registration["clients"][value["client_id"]]["registration_access_token"] = "revoked"
    manager.put_secret_value(SecretId=name, SecretString=json.dumps(registration))

    plan = cli.plan_json()
    result = cli("apply", "--auto-approve")

    [problem] = plan["problems"]
    assert (problem["object"], problem["reason"]) == (
        f"Service/{OIDC_SERVICE}",
        "RegistrationAccessTokenLost",
    )
    assert result.returncode == 1, explain(result)
    assert [c["client_id"] for c in peer.clients()] == [value["client_id"]]
    assert "revoked" not in result.stdout + result.stderr


@pytest.mark.parametrize("profiled", ["default"], indirect=True)
def test_a_client_secret_about_to_expire_is_reported(profiled: Profiled) -> None:
    cli, peer = profiled.cli, profiled.peer
    cli.apply()
    client_id = secret_value(profiled.world, OIDC_SERVICE)["client_id"]
    soon = datetime.now(UTC) + timedelta(hours=2)
    peer.patch_client(client_id, {"client_secret_expires_at": int(soon.timestamp())})

    plan = cli.plan_json()

    [problem] = plan["problems"]
    assert problem["reason"] == "ClientSecretExpiring"
    assert f"ecs-oauth rotate {OIDC_SERVICE}" in problem["message"]


PLANS_BESIDE_THE_DAEMON = 100


@pytest.mark.slow
@pytest.mark.parametrize("profiled", ["keycloak"], indirect=True)
def test_plans_beside_the_daemon_write_nothing_and_leave_it_a_working_token(
    profiled: Profiled,
) -> None:
    """At an IdP that rotates the registration access token on every read, a plan that
    read the client would kill the token the daemon holds; it leaves the client unread."""
    cli, world = profiled.cli, profiled.world
    cli.apply()
    daemon = RunningDaemon.start(cli.folder, daemon_environment(cli.env))
    try:
        daemon.wait_ready()
        daemon.wait_until(lambda: daemon.status()["controller"]["lastCycle"] is not None)
        written, tokens = writes(world.moto.calls()), registration_tokens(world, OIDC_SERVICE)

        plans = [cli.engine(writes=False) for _ in range(PLANS_BESIDE_THE_DAEMON)]

        assert [(p.changes, p.problems) for p in plans] == [([], [])] * PLANS_BESIDE_THE_DAEMON
        assert writes(world.moto.calls()) == written
        assert registration_tokens(world, OIDC_SERVICE) == tokens
    finally:
        assert daemon.stop() == 0, daemon.output()
    cli.apply()  # the daemon's token still manages the client: no RegistrationAccessTokenLost
