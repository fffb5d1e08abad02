"""The sandbox's task view and drift command against the test peers (moto and panva's
oidc-provider), not only against the sandbox's own authorization server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from controller.desired import Service, load
from controller.sandbox import (
    TaskViewError,
    prepare_drift,
    task_environment,
    task_view,
)
from controller.sandbox.aws import call
from tests.harness.moto import REGION, MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.integration.converge._live import SERVICES, planned, scopes_of
from tests.integration.converge.conftest import Converged, converge_fresh


@pytest.fixture(scope="module")
def converged(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Converged:
    folder = tmp_path_factory.mktemp("task-view") / "desired"
    return converge_fresh(moto_server, oidc_provider_server, folder, through_cli=False)


def service(converged: Converged, name: str) -> Service:
    return load(converged.cli.folder).services[name]


def view_scopes(env: dict[str, str], name: str) -> tuple[str, ...]:
    async def look() -> tuple[str, ...]:
        async with aiohttp.ClientSession() as http:
            return (await task_view(env, name, http)).scopes

    return asyncio.run(look())


class TestTheTaskView:
    @pytest.mark.parametrize("name", SERVICES)
    def test_the_injected_credentials_get_a_verified_token_with_the_role_scopes(
        self, converged: Converged, name: str
    ) -> None:
        env = task_environment(converged.world.client, service(converged, name))

        assert list(view_scopes(env, name)) == scopes_of(name)

    def test_credentials_the_idp_refuses_are_named_without_the_secret(
        self, converged: Converged
    ) -> None:
        env = task_environment(converged.world.client, service(converged, "stock-sync"))
        wrong = {**env, "OAUTH_CLIENT_SECRET": "not-the-secret"}

        with pytest.raises(TaskViewError, match="rejected") as raised:
            view_scopes(wrong, "stock-sync")

        assert "not-the-secret" not in str(raised.value)
        assert env["OAUTH_CLIENT_SECRET"] not in str(raised.value)


class TestTheDriftCommand:
    def test_its_request_sent_by_the_stand_in_is_planned_as_a_task_role_change(
        self, converged: Converged, tmp_path: Path
    ) -> None:
        moto = converged.world.moto
        command = prepare_drift(
            converged.world.client,
            service(converged, "orders-api"),
            "enforce",
            moto.url,
            REGION,
            tmp_path,
        )

        registered = call(command.arguments)

        assert registered["taskDefinition"]["taskRoleArn"].endswith(":role/sandbox-intruder")
        assert (
            "Service/orders-api",
            "ecs:task-definition",
            "orders-api",
            "update",
            ("taskRoleArn",),
        ) in planned(converged.cli.plan_json())
        converged.in_sync = False
