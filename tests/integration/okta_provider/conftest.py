"""One local Okta org per module; every test ends with the org having seen no request
or answer that Okta's OpenAPI document refuses. Modules that go through the engine take
``okta_world``: their own org over a freshly seeded AWS, with Services rotating after
``grace_period`` (a module overrides it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from controller.idp import ApiToken, OktaAdapter, OktaCredentials
from tests.harness.moto import MotoPeer
from tests.integration.rotation.conftest import Rotating
from tests.peers.okta import RunningOkta

from ._world import OktaWorld, okta_world_at


@pytest.fixture(scope="module")
def okta_server() -> Iterator[RunningOkta]:
    running = RunningOkta()
    yield running
    running.stop()


@pytest.fixture
def okta(okta_server: RunningOkta) -> Iterator[RunningOkta]:
    """The module's org, emptied; a test that made a request the document refuses fails."""
    okta_server.reset()
    yield okta_server
    assert okta_server.org.violations == []


@pytest.fixture
async def adapter(okta: RunningOkta) -> AsyncIterator[OktaAdapter]:
    async def token() -> OktaCredentials:
        return ApiToken(okta.org.api_token)

    async with aiohttp.ClientSession() as http:
        yield OktaAdapter(okta.org_url, okta.org.server_id, token, http)


@pytest.fixture(scope="module")
def grace_period() -> str:
    return "1s"


@pytest.fixture(scope="module")
def okta_world(
    moto_server: MotoPeer, tmp_path_factory: pytest.TempPathFactory, grace_period: str
) -> Iterator[OktaWorld]:
    made = okta_world_at(moto_server, tmp_path_factory.mktemp("okta") / "desired", grace_period)
    yield made
    made.okta.stop()


@pytest.fixture
def converged(okta_world: OktaWorld) -> Iterator[OktaWorld]:
    """The module's world after an apply; no test may leave a refused request behind."""
    if not okta_world.okta.org.apps:
        okta_world.cli.apply()
    yield okta_world
    assert okta_world.okta.org.violations == []


@pytest.fixture
def rotating(converged: OktaWorld, monkeypatch: pytest.MonkeyPatch) -> Rotating:
    """The converged world as the rotation tests' tools see one; in-process controllers
    read AWS_* and the API token from the environment, set for the test's duration."""
    for name, value in converged.cli.env.items():
        monkeypatch.setenv(name, value)
    return Rotating(converged.world, converged.cli, converged.okta)
