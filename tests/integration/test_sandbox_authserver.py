"""The sandbox authorization server, spoken to over real HTTP the way the IdP
adapter and an ECS task speak to an identity provider."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.sandbox.authserver import (
    ACCESS_TOKEN_LIFETIME,
    AUDIENCE,
    start_authorization_server,
)
from tests.harness.sandbox_authserver import TEST_SCOPES, SandboxAuthServerPeer


@pytest.fixture
def http(sandbox_authserver: SandboxAuthServerPeer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_authserver.issuer, timeout=10) as client:
        yield client


def register(http: httpx.Client, peer: SandboxAuthServerPeer, **metadata: Any) -> dict[str, Any]:
    response = http.post(
        "/register",
        json={"client_name": "orders-api", "scope": "orders.read orders:write", **metadata},
        headers=bearer(peer.initial_access_token),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def fetch_token(
    peer: SandboxAuthServerPeer,
    client: dict[str, Any],
    scope: str,
    *,
    secret: str | None = None,
    auth_method: str = "client_secret_basic",
) -> dict[str, Any]:
    with OAuth2Client(
        client_id=client["client_id"],
        client_secret=secret or client["client_secret"],
        token_endpoint_auth_method=auth_method,
    ) as oauth:
        token: dict[str, Any] = oauth.fetch_token(
            f"{peer.issuer}/token", grant_type="client_credentials", scope=scope
        )
        return token


def token_error(
    peer: SandboxAuthServerPeer, client: dict[str, Any], scope: str, **kwargs: Any
) -> str:
    with pytest.raises(OAuthError) as refused:
        fetch_token(peer, client, scope, **kwargs)
    return str(refused.value.error)


def test_both_discovery_documents_describe_a_client_credentials_server(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    issuer = sandbox_authserver.issuer
    oidc = http.get("/.well-known/openid-configuration").json()
    oauth = http.get("/.well-known/oauth-authorization-server").json()

    assert oidc == oauth
    assert oidc["issuer"] == issuer
    assert oidc["token_endpoint"] == f"{issuer}/token"
    assert oidc["jwks_uri"] == f"{issuer}/jwks"
    assert oidc["registration_endpoint"] == f"{issuer}/register"
    assert oidc["grant_types_supported"] == ["client_credentials"]
    assert set(oidc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert set(oidc["scopes_supported"]) == set(TEST_SCOPES)
    assert len(TEST_SCOPES) >= 30


def test_registration_requires_the_initial_access_token(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    metadata = {"client_name": "orders-api", "scope": "orders.read"}

    for headers in ({}, bearer("not-the-initial-access-token")):
        refused = http.post("/register", json=metadata, headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_token"

    accepted = http.post(
        "/register", json=metadata, headers=bearer(sandbox_authserver.initial_access_token)
    )
    assert accepted.status_code == 201
    client = accepted.json()
    assert client["client_id"]
    assert client["client_secret"]
    assert client["client_secret_expires_at"] == 0
    assert client["registration_access_token"]
    assert client["registration_client_uri"] == (
        f"{sandbox_authserver.issuer}/register/{client['client_id']}"
    )
    assert client["grant_types"] == ["client_credentials"]
    assert client["token_endpoint_auth_method"] == "client_secret_basic"
    assert client["scope"] == "orders.read"


def test_registration_refuses_any_grant_type_but_client_credentials(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    response = http.post(
        "/register",
        json={"grant_types": ["client_credentials", "authorization_code"]},
        headers=bearer(sandbox_authserver.initial_access_token),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_registration_refuses_a_scope_the_server_does_not_know(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    response = http.post(
        "/register",
        json={"scope": "orders.read rockets.launch"},
        headers=bearer(sandbox_authserver.initial_access_token),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_registration_refuses_a_body_that_is_not_a_json_object(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    response = http.post(
        "/register",
        content=b'["orders.read"]',
        headers={
            **bearer(sandbox_authserver.initial_access_token),
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_token_is_an_rs256_jwt_access_token_that_verifies_against_the_jwks(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)

    token = fetch_token(sandbox_authserver, client, "orders.read orders:write")

    assert token["token_type"].lower() == "bearer"
    assert token["expires_in"] == ACCESS_TOKEN_LIFETIME
    assert token["scope"] == "orders.read orders:write"
    keys = KeySet.import_key_set(http.get("/jwks").json())
    decoded = jwt.decode(token["access_token"], keys, algorithms=["RS256"])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["kid"] in {key.kid for key in keys}
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": sandbox_authserver.issuer},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    ).validate(decoded.claims)
    claims = decoded.claims
    assert claims["sub"] == client["client_id"]
    assert claims["client_id"] == client["client_id"]
    assert claims["scope"] == "orders.read orders:write"
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_LIFETIME
    assert abs(claims["iat"] - time.time()) < 60


def test_a_client_registered_for_client_secret_post_gets_tokens_that_way(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver, token_endpoint_auth_method="client_secret_post")

    token = fetch_token(sandbox_authserver, client, "orders.read", auth_method="client_secret_post")

    assert token["scope"] == "orders.read"


def test_a_wrong_secret_is_refused_as_invalid_client(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)

    assert token_error(sandbox_authserver, client, "orders.read", secret="wrong") == (
        "invalid_client"
    )
    raw = http.post(
        "/token",
        data={"grant_type": "client_credentials", "scope": "orders.read"},
        auth=(client["client_id"], "wrong"),
    )
    assert raw.status_code == 401


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_an_unknown_client_is_refused_with_401_invalid_client(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client, auth_method: str
) -> None:
    stranger = {"client_id": "nobody", "client_secret": "nothing"}
    data = {"grant_type": "client_credentials", "scope": "orders.read"}
    if auth_method == "client_secret_post":
        response = http.post("/token", data={**data, **stranger})
    else:
        response = http.post("/token", data=data, auth=("nobody", "nothing"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_scope_outside_the_registration_is_refused_as_invalid_scope(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver, scope="orders.read")

    # Known to the server, but not registered by this client.
    assert token_error(sandbox_authserver, client, "orders.read payments.read") == "invalid_scope"
    # Not known to the server at all.
    assert token_error(sandbox_authserver, client, "rockets.launch") == "invalid_scope"


def test_a_token_request_without_scope_gets_a_token_without_scope(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)

    token = fetch_token(sandbox_authserver, client, "")

    assert "scope" not in token
    assert jwt.decode(token["access_token"], KeySet.import_key_set(http.get("/jwks").json()))


def test_a_registration_reads_back_with_its_registration_access_token(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)

    response = http.get(
        client["registration_client_uri"], headers=bearer(client["registration_access_token"])
    )

    assert response.status_code == 200
    read = response.json()
    for field in ("client_id", "client_secret", "client_name", "scope", "grant_types"):
        assert read[field] == client[field]
    assert read["registration_access_token"] == client["registration_access_token"]


def test_an_update_replaces_the_whole_registration(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver, client_uri="https://orders.example.com")

    response = http.put(
        client["registration_client_uri"],
        json={"client_id": client["client_id"], "scope": "payments.read"},
        headers=bearer(client["registration_access_token"]),
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["scope"] == "payments.read"
    assert "client_name" not in updated
    assert "client_uri" not in updated
    assert updated["grant_types"] == ["client_credentials"]
    assert updated["client_secret"] == client["client_secret"]
    assert fetch_token(sandbox_authserver, client, "payments.read")["scope"] == "payments.read"
    assert token_error(sandbox_authserver, client, "orders.read") == "invalid_scope"


def test_every_update_rotates_the_registration_access_token_and_kills_the_old_one(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)
    uri = client["registration_client_uri"]
    body = {"client_id": client["client_id"], "scope": "orders.read"}

    first = http.put(uri, json=body, headers=bearer(client["registration_access_token"]))
    second = http.put(uri, json=body, headers=bearer(first.json()["registration_access_token"]))

    tokens = [
        client["registration_access_token"],
        first.json()["registration_access_token"],
        second.json()["registration_access_token"],
    ]
    assert len(set(tokens)) == 3
    for dead in tokens[:2]:
        refused = http.get(uri, headers=bearer(dead))
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_token"
        assert http.put(uri, json=body, headers=bearer(dead)).status_code == 401
    assert http.get(uri, headers=bearer(tokens[2])).status_code == 200


def test_an_update_must_carry_the_client_id_and_cannot_choose_a_new_secret(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)
    uri = client["registration_client_uri"]
    headers = bearer(client["registration_access_token"])

    without_id = http.put(uri, json={"scope": "orders.read"}, headers=headers)
    new_secret = http.put(
        uri,
        json={"client_id": client["client_id"], "client_secret": "chosen-by-the-client"},
        headers=headers,
    )

    assert without_id.status_code == 400
    assert without_id.json()["error"] == "invalid_request"
    assert new_secret.status_code == 400
    assert new_secret.json()["error"] == "invalid_request"
    # Refused updates change nothing, the token included.
    assert http.get(uri, headers=headers).json()["client_secret"] == client["client_secret"]


def test_a_registration_access_token_opens_only_its_own_client(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    mine = register(http, sandbox_authserver)
    theirs = register(http, sandbox_authserver)

    response = http.get(
        theirs["registration_client_uri"], headers=bearer(mine["registration_access_token"])
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_a_deleted_client_is_gone_for_management_and_for_tokens(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)
    uri = client["registration_client_uri"]
    headers = bearer(client["registration_access_token"])
    fetch_token(sandbox_authserver, client, "orders.read")

    assert http.delete(uri, headers=headers).status_code == 204

    assert http.get(uri, headers=headers).status_code == 401
    assert http.delete(uri, headers=headers).status_code == 401
    assert token_error(sandbox_authserver, client, "orders.read") == "invalid_client"


def test_reset_drops_every_client_and_keeps_the_initial_access_token(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    before = register(http, sandbox_authserver)

    sandbox_authserver.reset()

    assert token_error(sandbox_authserver, before, "orders.read") == "invalid_client"
    response = http.get(
        before["registration_client_uri"], headers=bearer(before["registration_access_token"])
    )
    assert response.status_code == 401
    after = register(http, sandbox_authserver)
    assert fetch_token(sandbox_authserver, after, "orders.read")["scope"] == "orders.read"


def test_the_reset_endpoint_drops_every_client(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    client = register(http, sandbox_authserver)

    assert http.post("/__test/reset").status_code == 204

    assert token_error(sandbox_authserver, client, "orders.read") == "invalid_client"


def test_three_hundred_registrations_all_stay_readable(
    sandbox_authserver: SandboxAuthServerPeer, http: httpx.Client
) -> None:
    clients = [register(http, sandbox_authserver) for _ in range(300)]
    fetch_token(sandbox_authserver, clients[-1], "orders.read")

    for client in clients:
        response = http.get(
            client["registration_client_uri"],
            headers=bearer(client["registration_access_token"]),
        )
        assert response.status_code == 200
        assert response.json()["client_id"] == client["client_id"]


def test_without_a_scope_list_any_scope_but_a_wildcard_is_accepted() -> None:
    server = start_authorization_server(initial_access_token="open-sesame")
    try:
        with httpx.Client(base_url=server.issuer, timeout=10) as http:
            discovery = http.get("/.well-known/oauth-authorization-server").json()
            assert "scopes_supported" not in discovery
            wildcard = http.post(
                "/register", json={"scope": "orders.*"}, headers=bearer("open-sesame")
            )
            assert wildcard.status_code == 400
            assert wildcard.json()["error"] == "invalid_client_metadata"
            response = http.post(
                "/register",
                json={"scope": "rockets.launch moon:land"},
                headers=bearer("open-sesame"),
            )
            assert response.status_code == 201
            client = response.json()
        with OAuth2Client(client["client_id"], client["client_secret"]) as oauth:
            token = oauth.fetch_token(
                f"{server.issuer}/token", grant_type="client_credentials", scope="moon:land"
            )
        assert token["scope"] == "moon:land"
    finally:
        server.stop()


def test_the_module_serves_in_the_foreground_after_one_ready_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "controller.sandbox.authserver", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert ready["ready"] is True
        assert ready["initialAccessToken"]
        discovery = httpx.get(f"{ready['issuer']}/.well-known/openid-configuration", timeout=10)
        assert discovery.json()["issuer"] == ready["issuer"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
