"""Fixtures for end-to-end convergence tests: a seeded AWS world, a desired state that
uses both provider kinds, and the ``ecs-oauth`` CLI run as a subprocess against them.

Function-scoped fixtures (``world``, ``cli``) give every test a fresh, unapplied world.
Wider ones save the seeding and the first apply: ``converged`` (module) for modules that
only read after one apply (so must not also use the function-scoped ``moto`` or
``oidc_provider``, which reset the shared servers), and ``shared_world``/``in_sync``
(module) for tests that drift a converged world and repair it; ``in_sync`` rebuilds the
world whenever a test left it drifted or reset.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from controller.desired import load
from controller.engine import Engine, EngineSettings, World
from controller.plan import Plan
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import SeededWorld, seed_world, write_desired_state

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"
CLI_TIMEOUT_SECONDS = 120


@dataclass
class Cli:
    """``ecs-oauth`` against one desired-state folder; every run is kept for inspection."""

    folder: Path
    env: dict[str, str]
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def __call__(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(ECS_OAUTH), command, "-f", str(self.folder), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        self.runs.append(result)
        return result

    def apply(self, *args: str) -> subprocess.CompletedProcess[str]:
        """An apply that must succeed."""
        result = self("apply", "--auto-approve", *args)
        assert result.returncode == 0, explain(result)
        return result

    def plan_json(self, *args: str) -> dict[str, Any]:
        """The JSON plan, whatever the exit code; problems stay in the document."""
        result = self("plan", "--output", "json", *args)
        assert result.returncode in (0, 1), explain(result)
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def engine(self, *, writes: bool, settings: EngineSettings | None = None) -> Plan:
        """One engine pass in-process, in this CLI's environment: cheaper than a subprocess."""

        async def once() -> Plan:
            state = load(self.folder)
            async with World(settings or EngineSettings()) as world:
                plan, _ = await Engine(world).run(state, writes=writes)
            return plan

        with mock.patch.dict(os.environ, self.env):
            return asyncio.run(once())

    def assert_in_sync(self) -> None:
        """An in-process plan finds nothing to change and nothing wrong."""
        plan = self.engine(writes=False)
        assert (plan.changes, plan.problems) == ([], [])


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{' '.join(map(str, result.args[1:2]))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def cli_environment(moto: MotoPeer, oidc: OidcProviderPeer) -> dict[str, str]:
    return {
        **os.environ,
        **moto.aws_environment(),
        "PARTNERS_DCR_TOKEN": oidc.initial_access_token,
    }


@pytest.fixture
def world(moto: MotoPeer, oidc_provider: OidcProviderPeer) -> SeededWorld:
    return seed_world(moto)


@pytest.fixture
def desired(tmp_path: Path, world: SeededWorld, oidc_provider: OidcProviderPeer) -> Path:
    return write_desired_state(tmp_path / "desired", world, oidc_provider.issuer)


@pytest.fixture
def cli(desired: Path, moto: MotoPeer, oidc_provider: OidcProviderPeer) -> Cli:
    return Cli(desired, cli_environment(moto, oidc_provider))


@dataclass
class Converged:
    """A seeded world after ``apply``, shared by the tests of a module or class."""

    world: SeededWorld
    oidc: OidcProviderPeer
    cli: Cli
    shared_role_before: dict[str, Any]
    plan_before: subprocess.CompletedProcess[str] | None = None
    apply: subprocess.CompletedProcess[str] | None = None
    in_sync: bool = True


def shared_role_snapshot(world: SeededWorld) -> dict[str, Any]:
    """Everything about the shared execution role a controller could have touched."""
    iam = world.client("iam")
    name = world.execution_role_arn.rsplit("/", 1)[-1]
    role = iam.get_role(RoleName=name)["Role"]
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "tags": iam.list_role_tags(RoleName=name)["Tags"],
        "inline": {
            policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
        },
        "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
    }


def seed_fresh(moto: MotoPeer, oidc: OidcProviderPeer, folder: Path) -> tuple[SeededWorld, Cli]:
    """Reset both peers, seed the world and write the desired state; nothing applied yet.

    For fixtures wider than a test, which cannot use the function-scoped ``moto``.
    """
    moto.reset()
    oidc.reset()
    world = seed_world(moto)
    return world, Cli(write_desired_state(folder, world, oidc.issuer), cli_environment(moto, oidc))


def converge_fresh(
    moto: MotoPeer, oidc: OidcProviderPeer, folder: Path, *, through_cli: bool
) -> Converged:
    """:func:`seed_fresh`, then apply the desired state once.

    ``through_cli`` runs ``plan`` then ``apply`` as subprocesses and keeps their output;
    otherwise one in-process apply does it.
    """
    world, cli = seed_fresh(moto, oidc, folder)
    converged = Converged(world, oidc, cli, shared_role_snapshot(world))
    if through_cli:
        converged.plan_before = cli("plan", "--output", "json", "--detailed-exitcode")
        assert converged.plan_before.returncode == 2, explain(converged.plan_before)
        converged.apply = cli.apply()
    else:
        plan = cli.engine(writes=True)
        assert not plan.problems, plan.problems
    return converged


@pytest.fixture(scope="module")
def converged(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Converged:
    """Applied once for the whole module (read-only modules only)."""
    folder = tmp_path_factory.mktemp("converged") / "desired"
    return converge_fresh(moto_server, oidc_provider_server, folder, through_cli=False)


@pytest.fixture(scope="module")
def shared_world(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Converged:
    """A converged world the tests of a module take turns drifting and repairing."""
    folder = tmp_path_factory.mktemp("shared") / "desired"
    return converge_fresh(moto_server, oidc_provider_server, folder, through_cli=False)


def still_seeded(world: SeededWorld) -> bool:
    """False once the servers were reset: the seeded user pool is gone."""
    try:
        world.client("cognito-idp").describe_user_pool(UserPoolId=world.user_pool_id)
    except ClientError:
        return False
    return True


@pytest.fixture
def in_sync(shared_world: Converged) -> Converged:
    """``shared_world``, converged: rebuilt from scratch when the test before left it
    drifted, or when a test with a fresh world (``moto``) reset the servers since.

    A test that ends with the world back in sync says so with ``in_sync = True``.
    """
    if not (shared_world.in_sync and still_seeded(shared_world.world)):
        fresh = converge_fresh(
            shared_world.world.moto,
            shared_world.oidc,
            shared_world.cli.folder,
            through_cli=False,
        )
        vars(shared_world).update(vars(fresh))
    shared_world.in_sync = False
    return shared_world
