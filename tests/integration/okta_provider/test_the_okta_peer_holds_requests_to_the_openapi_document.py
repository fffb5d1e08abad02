"""The local Okta org answers only what Okta's published OpenAPI document allows: a
request the real API would not accept is refused and recorded, and fails its test."""

from __future__ import annotations

import aiohttp
import pytest

from tests.peers.okta import RunningOkta
from tests.peers.okta.openapi import management_api


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    async with aiohttp.ClientSession() as session:
        yield session  # type: ignore[misc]


def headers(okta: RunningOkta) -> dict[str, str]:
    return {"Authorization": f"SSWS {okta.org.api_token}", "Accept": "application/json"}


async def post(
    http: aiohttp.ClientSession, okta: RunningOkta, path: str, body: object
) -> tuple[int, dict[str, object]]:
    async with http.post(f"{okta.org_url}{path}", json=body, headers=headers(okta)) as answer:
        return answer.status, await answer.json()


async def test_an_app_with_a_grant_type_okta_does_not_know_is_refused_and_recorded(
    okta_server: RunningOkta, http: aiohttp.ClientSession
) -> None:
    okta_server.reset()
    app = {
        "name": "oidc_client",
        "label": "ecs-oauth-x",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"grant_types": ["client_secret"]}},
    }

    status, body = await post(http, okta_server, "/api/v1/apps", app)

    assert status == 400
    assert body["errorCode"] == "E0000001"
    assert okta_server.org.apps == {}
    [violation] = okta_server.org.violations
    assert "settings/oauthClient/grant_types/0" in violation
    okta_server.reset()


async def test_a_read_only_field_in_a_scope_is_refused(
    okta_server: RunningOkta, http: aiohttp.ClientSession
) -> None:
    okta_server.reset()
    path = f"/api/v1/authorizationServers/{okta_server.org.server_id}/scopes"

    status, _ = await post(http, okta_server, path, {"name": "orders.read", "id": "scp1"})

    assert status == 400
    assert okta_server.org.scopes == {}
    assert "id: Tried to write read-only property" in okta_server.org.violations[0]
    okta_server.reset()


async def test_an_undocumented_query_parameter_is_refused(
    okta_server: RunningOkta, http: aiohttp.ClientSession
) -> None:
    okta_server.reset()
    url = f"{okta_server.org_url}/api/v1/apps?label=ecs-oauth-x"

    async with http.get(url, headers=headers(okta_server)) as answer:
        status = answer.status

    assert status == 400
    assert okta_server.org.violations == ["GET /api/v1/apps: [\"unknown query parameter 'label'\"]"]
    okta_server.reset()


def test_the_document_is_okta_management_api_5_1_0() -> None:
    api = management_api()
    assert api.version == "5.1.0"
    assert api.operation("POST", "/api/v1/apps/0oa1/lifecycle/deactivate") is not None


async def test_a_token_request_without_credentials_the_org_knows_is_an_invalid_client(
    okta: RunningOkta, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        f"{okta.issuer}/v1/token",
        data={"grant_type": "client_credentials", "scope": "orders.read"},
        headers={"Authorization": aiohttp.encode_basic_auth("0oanobody", "not-a-secret")},
    ) as answer:
        status, body = answer.status, await answer.json()

    assert (status, body["error"]) == (401, "invalid_client")
