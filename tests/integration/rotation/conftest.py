"""A converged world whose services rotate with a short grace period, and the controller
that rotates them: in-process (``advance_rotation`` on a :class:`World`) or as the
``ecs-oauth rotate`` subprocess (``Cli``).

Rotations run against the same peers as everything else: moto (Cognito dual secrets,
ECS rollouts, Secrets Manager stages) and an RFC 7591 server for blue/green clients,
oidc-provider unless a module overrides ``oidc_peer``. Seeding and applying take seconds,
so the world is shared by a module's tests; each test starts with no rotation under way
(one a test leaves half done is driven to its end afterwards) and the world is rebuilt
when another module reset the servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from controller.desired import DesiredState, load
from controller.engine import Engine, EngineSettings, RotationStep, World, advance_rotation
from controller.plan import Plan
from tests.harness.moto import MotoPeer
from tests.harness.world import SeededWorld
from tests.integration.converge.conftest import Cli, cli_environment, seed_fresh, still_seeded

from ._view import rotation_tags

COGNITO = "orders-api"  # Cognito dual secrets
BLUE_GREEN = "stock-sync"  # a second RFC 7591 client
ROTATED = (COGNITO, BLUE_GREEN)
OIDC_PEERS = ("oidc_provider_server", "sandbox_authserver_server")
SETTLE_STEPS = 10


def with_grace_period(folder: Path, grace: str) -> None:
    """Give every Service of the harness's desired state ``secret: {gracePeriod: ...}``."""
    for path in folder.glob("*.yaml"):
        text = path.read_text()
        service_end = "\n  mode: enforce\n"
        path.write_text(
            text.replace(service_end, f"{service_end}  secret: {{gracePeriod: {grace}}}\n")
        )


@dataclass
class Rotating:
    """A seeded, applied world and the ways to rotate its services."""

    world: SeededWorld
    cli: Cli
    oidc: object  # OidcProviderPeer or SandboxAuthServerPeer

    @property
    def state(self) -> DesiredState:
        return load(self.cli.folder)

    @asynccontextmanager
    async def controller(self) -> AsyncIterator[World]:
        async with World(EngineSettings()) as world:
            yield world

    async def advance(
        self, world: World, service: str, *, now: datetime | None = None, force: bool = False
    ) -> RotationStep:
        return await advance_rotation(
            world, self.state, service, now=now or datetime.now(UTC), force_start=force
        )

    async def reconcile(self, world: World, *, writes: bool) -> Plan:
        """One engine pass (plan or apply) in the test's own event loop."""
        plan, _ = await Engine(world).run(self.state, writes=writes)
        return plan

    async def settle(self) -> None:
        """Drive every rotation under way to its end, the grace period skipped."""
        later = datetime.now(UTC) + timedelta(days=1)
        async with self.controller() as world:
            for service in ROTATED:
                for _ in range(SETTLE_STEPS):
                    if not rotation_tags(self.world, service):
                        break
                    await self.advance(world, service, now=later)


def build(moto: MotoPeer, oidc: object, folder: Path, grace: str) -> Rotating:
    """Seed the world, write the desired state with ``grace`` and apply it once."""
    world, cli = seed_fresh(moto, oidc, folder)  # type: ignore[arg-type]
    with_grace_period(cli.folder, grace)
    cli.env = cli_environment(moto, oidc)  # type: ignore[arg-type]
    plan = cli.engine(writes=True)
    assert not plan.problems, plan.problems
    return Rotating(world, cli, oidc)


@pytest.fixture(scope="module")
def grace_period() -> str:
    """Short enough to wait out in a test; modules that need longer override this."""
    return "1s"


@pytest.fixture(scope="module", params=OIDC_PEERS[:1])
def oidc_peer(request: pytest.FixtureRequest) -> object:
    """The RFC 7591 server; a module overrides this with ``params=OIDC_PEERS`` for both."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def rotating_world(
    moto_server: MotoPeer,
    oidc_peer: object,
    tmp_path_factory: pytest.TempPathFactory,
    grace_period: str,
) -> Iterator[Rotating]:
    folder = tmp_path_factory.mktemp("rotating") / "desired"
    rotating = build(moto_server, oidc_peer, folder, grace_period)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in rotating.cli.env.items():
            patch.setenv(name, value)  # in-process controllers read AWS_* and the DCR token
        yield rotating


@pytest.fixture
def rotating(rotating_world: Rotating) -> Iterator[Rotating]:
    if not still_seeded(rotating_world.world):
        fresh = build(
            rotating_world.world.moto,
            rotating_world.oidc,
            rotating_world.cli.folder,
            _grace_of(rotating_world.cli.folder),
        )
        vars(rotating_world).update(vars(fresh))
    yield rotating_world
    asyncio.run(rotating_world.settle())


def _grace_of(folder: Path) -> str:
    text = (folder / "payments.yaml").read_text()
    return text.split("gracePeriod: ", 1)[1].split("}", 1)[0]
