"""After ``ecs-oauth apply``, a task's view of its identity, against real peers: the task
client gets tokens with exactly the role's scopes, ``ecs-oauth token`` shows their claims
and no secret, and ``ecs-oauth doctor`` finds every link of the chain holding.

Once with oidc-provider and once with the sandbox's authorization server as the OIDC IdP;
the Cognito services meet moto's Cognito-like token endpoint both times.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from ecs_oauth_client import CredentialsRejected, TokenClient, TokenRequestRejected

from tests.integration.converge._live import (
    OIDC_SERVICE,
    SERVICES,
    registration_tokens,
    scopes_of,
    secret_value,
)
from tests.integration.converge.conftest import Converged, explain
from tests.integration.converge.test_a_task_gets_a_token import task_environment, verified_claims

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
CHECKS = ("secret", "token", "scopes", "clock", "task-definition", "task-role", "deployment")


def credentials(applied: Converged, service: str) -> list[str]:
    """Every credential in the service's secret."""
    value = secret_value(applied.world, service)
    return [value["client_secret"], *registration_tokens(applied.world, service)]


class TestTheTaskClient:
    @pytest.mark.parametrize("service", SERVICES)
    async def test_it_gets_a_token_with_exactly_the_role_scopes(
        self, applied: Converged, service: str
    ) -> None:
        client = TokenClient.from_env(task_environment(applied, service))

        token = await client.token()

        claims = verified_claims(applied, service, token.access_token)
        assert sorted(claims["scope"].split()) == scopes_of(service)
        assert sorted(token.scopes) == scopes_of(service)
        assert await client.token() is token

    def test_synchronous_use_gets_the_same_scopes(self, applied: Converged) -> None:
        client = TokenClient.from_env(task_environment(applied, OIDC_SERVICE))

        token = client.token_sync()

        assert sorted(token.scopes) == scopes_of(OIDC_SERVICE)

    @pytest.mark.parametrize("service", SERVICES)
    async def test_a_wrong_secret_is_reported_as_credentials_rejected(
        self, applied: Converged, service: str
    ) -> None:
        env = {**task_environment(applied, service), "OAUTH_CLIENT_SECRET": "not-the-secret"}

        with pytest.raises(CredentialsRejected, match="credentials rejected"):
            await TokenClient.from_env(env).token()

    async def test_a_scope_the_role_lacks_is_rejected_as_a_request_not_as_credentials(
        self, applied: Converged
    ) -> None:
        env = {**task_environment(applied, OIDC_SERVICE), "OAUTH_SCOPE": "orders.read"}

        with pytest.raises(TokenRequestRejected, match="invalid_scope") as raised:
            await TokenClient.from_env(env).token()

        assert not isinstance(raised.value, CredentialsRejected)

    async def test_concurrent_callers_in_a_task_share_one_token(self, applied: Converged) -> None:
        client = TokenClient.from_env(task_environment(applied, "orders-api"))

        tokens = await asyncio.gather(*(client.access_token() for _ in range(10)))

        assert len(set(tokens)) == 1


class TestTheTokenCommand:
    @pytest.mark.parametrize("service", SERVICES)
    def test_it_prints_the_role_scopes_and_no_secret(
        self, applied: Converged, service: str
    ) -> None:
        result = applied.cli("token", service)

        assert result.returncode == 0, explain(result)
        assert f"  scope      {' '.join(scopes_of(service))}\n" in result.stdout
        assert "(expires in " in result.stdout
        printed = result.stdout + result.stderr
        for credential in credentials(applied, service):
            assert credential not in printed
        assert not JWT.search(printed)

    def test_the_oidc_token_names_its_issuer(self, applied: Converged) -> None:
        result = applied.cli("token", OIDC_SERVICE)

        assert f"  iss        {applied.oidc.issuer}\n" in result.stdout

    def test_a_service_missing_from_the_desired_state_is_one_line(self, applied: Converged) -> None:
        result = applied.cli("token", "billing-api")

        assert result.returncode == 1
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: no Service named billing-api in ")


class TestTheDoctor:
    @pytest.mark.parametrize("service", SERVICES)
    def test_every_link_holds_after_apply(self, applied: Converged, service: str) -> None:
        result = applied.cli("doctor", service)

        assert result.returncode == 0, explain(result)
        lines = result.stdout.splitlines()
        assert [line.split()[:2] for line in lines[:-1]] == [["PASS", name] for name in CHECKS]
        assert lines[-1] == "7 checks: 7 passed"
        for credential in credentials(applied, service):
            assert credential not in result.stdout + result.stderr
