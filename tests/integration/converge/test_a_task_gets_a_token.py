"""An ECS task's view after apply: the credentials ECS injects from the latest task
definition get a signed access token with exactly the role's scopes.

The test does what ECS and the application would: resolve each ``valueFrom`` through
Secrets Manager by JSON key at AWSCURRENT, then run the client-credentials grant with
authlib at ``OAUTH_TOKEN_ENDPOINT`` for ``OAUTH_SCOPE`` and check the JWT against the
issuer's published keys. One apply for the whole module; every test only reads.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.harness.world import FAMILIES

from ._live import (
    COGNITO_SERVICES,
    LIFETIME_SECONDS_OF,
    OIDC_SERVICE,
    ROLE_OF,
    SERVICES,
    container,
    environment,
    latest_task_definition,
    scopes_of,
    secrets,
)
from .conftest import Converged

# arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX, then :json-key:stage:version
SECRET_ARN_PARTS = 7


def resolve_value_from(converged: Converged, value_from: str) -> str:
    """What ECS puts in the container's variable for one ``secrets`` entry."""
    parts = value_from.split(":")
    arn = ":".join(parts[:SECRET_ARN_PARTS])
    key, stage, version = [*parts[SECRET_ARN_PARTS:], "", "", ""][:3]
    request: dict[str, Any] = {"SecretId": arn, "VersionStage": stage or "AWSCURRENT"}
    if version:
        request["VersionId"] = version
    response = converged.world.client("secretsmanager").get_secret_value(**request)
    if not key:
        return str(response["SecretString"])
    return str(json.loads(response["SecretString"])[key])


def task_environment(converged: Converged, service: str) -> dict[str, str]:
    """The app container's environment as the running task sees it."""
    definition, _ = latest_task_definition(converged.world, service)
    app = container(definition, FAMILIES[service])
    injected = {
        name: resolve_value_from(converged, value_from) for name, value_from in secrets(app).items()
    }
    return {**environment(app), **injected}


def fetch_token(env: dict[str, str], scope: str | None = None) -> dict[str, Any]:
    with OAuth2Client(
        env["OAUTH_CLIENT_ID"],
        env["OAUTH_CLIENT_SECRET"],
        scope=scope or env["OAUTH_SCOPE"],
        token_endpoint_auth_method="client_secret_basic",
        timeout=10,
    ) as client:
        token: dict[str, Any] = dict(
            client.fetch_token(env["OAUTH_TOKEN_ENDPOINT"], grant_type="client_credentials")
        )
    return token


def jwks_uri(converged: Converged, service: str) -> str:
    if service == OIDC_SERVICE:
        discovery = httpx.get(f"{converged.oidc.issuer}/.well-known/openid-configuration")
        discovery.raise_for_status()
        return str(discovery.json()["jwks_uri"])
    return (
        f"{converged.world.moto.url}/__cognito/{converged.world.user_pool_id}/.well-known/jwks.json"
    )


def verified_claims(converged: Converged, service: str, access_token: str) -> dict[str, Any]:
    response = httpx.get(jwks_uri(converged, service))
    response.raise_for_status()
    decoded = jwt.decode(access_token, KeySet.import_key_set(response.json()))
    assert decoded.header["alg"] == "RS256"
    claims: dict[str, Any] = decoded.claims
    jwt.JWTClaimsRegistry(exp={"essential": True}, iat={"essential": True}).validate(claims)
    return claims


@pytest.fixture(scope="module")
def tokens(converged: Converged) -> dict[str, tuple[dict[str, str], dict[str, Any]]]:
    """Per service: the task's environment and the token it obtained with it."""
    found = {}
    for service in SERVICES:
        env = task_environment(converged, service)
        found[service] = (env, fetch_token(env))
    return found


class TestTheTaskEnvironment:
    @pytest.mark.parametrize("service", SERVICES)
    def test_ecs_injects_the_client_credentials_from_the_secret(
        self, tokens: dict[str, tuple[dict[str, str], dict[str, Any]]], service: str
    ) -> None:
        env, _ = tokens[service]

        assert env["OAUTH_CLIENT_ID"]
        assert env["OAUTH_CLIENT_SECRET"]
        assert env["OAUTH_SCOPE"].split() == scopes_of(service)


class TestTheToken:
    @pytest.mark.parametrize("service", SERVICES)
    def test_the_task_gets_a_bearer_token(
        self, tokens: dict[str, tuple[dict[str, str], dict[str, Any]]], service: str
    ) -> None:
        _, token = tokens[service]

        assert token["token_type"].lower() == "bearer"
        assert token["access_token"]

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_token_signature_checks_out_against_the_issuer_jwks(
        self,
        converged: Converged,
        tokens: dict[str, tuple[dict[str, str], dict[str, Any]]],
        service: str,
    ) -> None:
        env, token = tokens[service]

        claims = verified_claims(converged, service, token["access_token"])

        assert claims.get("client_id", claims.get("sub")) == env["OAUTH_CLIENT_ID"]

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_token_carries_exactly_the_role_scopes(
        self,
        converged: Converged,
        tokens: dict[str, tuple[dict[str, str], dict[str, Any]]],
        service: str,
    ) -> None:
        _, token = tokens[service]

        claims = verified_claims(converged, service, token["access_token"])

        assert sorted(claims["scope"].split()) == scopes_of(service)

    def test_the_oidc_token_names_the_issuer_in_the_secret(
        self,
        converged: Converged,
        tokens: dict[str, tuple[dict[str, str], dict[str, Any]]],
    ) -> None:
        _, token = tokens[OIDC_SERVICE]

        claims = verified_claims(converged, OIDC_SERVICE, token["access_token"])

        assert claims["iss"] == converged.oidc.issuer

    @pytest.mark.parametrize("service", COGNITO_SERVICES)
    def test_the_cognito_token_lives_as_long_as_the_role_says(
        self,
        converged: Converged,
        tokens: dict[str, tuple[dict[str, str], dict[str, Any]]],
        service: str,
    ) -> None:
        _, token = tokens[service]

        claims = verified_claims(converged, service, token["access_token"])

        lifetime = LIFETIME_SECONDS_OF[ROLE_OF[service]]
        assert claims["exp"] - claims["iat"] == lifetime
        assert claims["exp"] > time.time()


class TestLeastPrivilege:
    def test_a_task_cannot_get_a_cognito_scope_its_role_lacks(
        self, tokens: dict[str, tuple[dict[str, str], dict[str, Any]]]
    ) -> None:
        env, _ = tokens["orders-api"]

        with pytest.raises(OAuthError, match="invalid_scope"):
            fetch_token(env, scope="orders/read orders/write")

    def test_a_task_cannot_get_an_oidc_scope_its_role_lacks(
        self, tokens: dict[str, tuple[dict[str, str], dict[str, Any]]]
    ) -> None:
        env, _ = tokens[OIDC_SERVICE]

        with pytest.raises(OAuthError, match="invalid_scope"):
            fetch_token(env, scope="inventory.read orders.read")

    def test_one_service_credentials_do_not_work_with_another_service_secret(
        self, tokens: dict[str, tuple[dict[str, str], dict[str, Any]]]
    ) -> None:
        orders, _ = tokens["orders-api"]
        checkout, _ = tokens["checkout-worker"]
        mixed = {**orders, "OAUTH_CLIENT_SECRET": checkout["OAUTH_CLIENT_SECRET"]}

        with pytest.raises(OAuthError, match="invalid_client"):
            fetch_token(mixed)
