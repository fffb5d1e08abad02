"""The oidc-provider peer behaves as the controller will rely on.

These pin down the IdP behaviour the controller's registration and token code
is written against (RFC 7591/7592, client credentials, JWT access tokens), so a
change in the peer or its configuration shows up here first and not as a
puzzling failure in a controller test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.harness.oidc_provider import OidcProviderPeer, OidcProviderPool

AUDIENCE = "urn:ecs-oauth:test-api"
ACCESS_TOKEN_TTL_SECONDS = 3600
# The built-in memory adapter starts losing clients after about 500
# registrations (two LRU generations of 1,000 entries, two entries per
# registration); 1,000 would lose about half of them.
REGISTRATIONS_IN_A_ROW = 1000
# RFC 7592 section 2.2.
NOT_IN_A_PUT = (
    "registration_access_token",
    "registration_client_uri",
    "client_secret_expires_at",
    "client_id_issued_at",
)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def provider_metadata(http: httpx.Client, oidc_provider: OidcProviderPeer) -> dict[str, Any]:
    """Discovery, the one place endpoints come from (as the controller does it)."""
    response = http.get(f"{oidc_provider.issuer}/.well-known/openid-configuration")
    response.raise_for_status()
    metadata: dict[str, Any] = response.json()
    return metadata


def register(
    http: httpx.Client, peer: OidcProviderPeer, metadata: dict[str, Any], scope: str
) -> dict[str, Any]:
    """RFC 7591 registration with the initial access token; the full response."""
    response = http.post(
        metadata["registration_endpoint"],
        headers={"authorization": f"Bearer {peer.initial_access_token}"},
        json={"client_name": "orders-api", "scope": scope},
    )
    assert response.status_code == 201, response.text
    registration: dict[str, Any] = response.json()
    return registration


def fetch_token(
    metadata: dict[str, Any], registration: dict[str, Any], scope: str
) -> dict[str, Any]:
    """Client credentials grant, always with an explicit scope.

    Without one the provider issues a token carrying no scope at all.
    """
    with OAuth2Client(
        registration["client_id"],
        registration["client_secret"],
        token_endpoint_auth_method="client_secret_basic",
    ) as client:
        token: dict[str, Any] = client.fetch_token(
            metadata["token_endpoint"], grant_type="client_credentials", scope=scope
        )
    return token


def bearer(registration: dict[str, Any]) -> dict[str, str]:
    return {"authorization": f"Bearer {registration['registration_access_token']}"}


def test_discovery_reports_registration_token_and_jwks_endpoints_under_the_issuer(
    oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    issuer = oidc_provider.issuer
    assert provider_metadata["issuer"] == issuer
    assert provider_metadata["registration_endpoint"] == f"{issuer}/reg"
    assert provider_metadata["token_endpoint"] == f"{issuer}/token"
    assert provider_metadata["jwks_uri"] == f"{issuer}/jwks"
    assert "client_credentials" in provider_metadata["grant_types_supported"]
    assert {"orders.read", "orders:write"} <= set(provider_metadata["scopes_supported"])


def test_a_registered_client_gets_a_jwt_access_token_signed_by_the_published_key(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read orders.write")

    token = fetch_token(provider_metadata, registration, "orders.read")

    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == ACCESS_TOKEN_TTL_SECONDS
    assert token["scope"] == "orders.read"
    keys = KeySet.import_key_set(http.get(provider_metadata["jwks_uri"]).json())
    decoded = jwt.decode(token["access_token"], keys)
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": oidc_provider.issuer},
        aud={"essential": True, "value": AUDIENCE},
    ).validate(claims)
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["typ"] == "at+jwt"
    assert claims["sub"] == registration["client_id"]
    assert claims["client_id"] == registration["client_id"]
    assert claims["scope"] == "orders.read"
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_TTL_SECONDS
    assert claims["exp"] > time.time()


def test_registration_without_the_initial_access_token_is_refused(
    http: httpx.Client, provider_metadata: dict[str, Any]
) -> None:
    response = http.post(provider_metadata["registration_endpoint"], json={"scope": "orders.read"})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_a_scope_unknown_to_the_provider_cannot_be_registered(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    response = http.post(
        provider_metadata["registration_endpoint"],
        headers={"authorization": f"Bearer {oidc_provider.initial_access_token}"},
        json={"scope": "orders.read no-such.scope"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_a_token_request_for_a_scope_outside_the_registered_ones_is_refused(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    with pytest.raises(OAuthError) as refused:
        fetch_token(provider_metadata, registration, "orders.read payments.write")

    assert refused.value.error == "invalid_scope"


def test_a_token_request_for_a_scope_unknown_to_the_provider_silently_drops_it(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    token = fetch_token(provider_metadata, registration, "orders.read no-such.scope")

    assert token["scope"] == "orders.read"


def test_registration_read_returns_the_registered_metadata(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    response = http.get(registration["registration_client_uri"], headers=bearer(registration))

    assert response.status_code == 200
    read = response.json()
    assert read["client_id"] == registration["client_id"]
    assert read["client_secret"] == registration["client_secret"]
    assert read["scope"] == "orders.read"
    assert read["grant_types"] == ["client_credentials"]


def test_every_update_rotates_the_registration_access_token_and_kills_the_old_one(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    update = http.put(
        registration["registration_client_uri"],
        headers=bearer(registration),
        json={"client_id": registration["client_id"], "scope": "orders.read orders.write"},
    )

    assert update.status_code == 200, update.text
    updated = update.json()
    assert updated["scope"] == "orders.read orders.write"
    assert updated["client_secret"] == registration["client_secret"]
    assert updated["registration_access_token"] != registration["registration_access_token"]
    stale = http.get(registration["registration_client_uri"], headers=bearer(registration))
    assert stale.status_code == 401
    fresh = http.get(registration["registration_client_uri"], headers=bearer(updated))
    assert fresh.status_code == 200
    assert fresh.json()["scope"] == "orders.read orders.write"


def test_delete_removes_the_client_and_its_credentials_stop_working(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    deleted = http.delete(registration["registration_client_uri"], headers=bearer(registration))

    assert deleted.status_code == 204
    read = http.get(registration["registration_client_uri"], headers=bearer(registration))
    assert read.status_code == 401
    with pytest.raises(OAuthError) as refused:
        fetch_token(provider_metadata, registration, "orders.read")
    assert refused.value.error == "invalid_client"


def test_patch_client_removes_a_scope_and_the_next_registration_read_shows_it(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read orders.write")

    stored = oidc_provider.patch_client(registration["client_id"], {"scope": "orders.read"})

    assert stored["scope"] == "orders.read"
    assert oidc_provider.client(registration["client_id"])["scope"] == "orders.read"
    read = http.get(registration["registration_client_uri"], headers=bearer(registration))
    assert read.status_code == 200
    assert read.json()["scope"] == "orders.read"
    with pytest.raises(OAuthError) as refused:
        fetch_token(provider_metadata, registration, "orders.write")
    assert refused.value.error == "invalid_scope"


def test_patch_client_refuses_metadata_the_provider_could_not_load(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    with pytest.raises(ValueError, match="grant_types"):
        oidc_provider.patch_client(registration["client_id"], {"grant_types": "client_credentials"})

    assert oidc_provider.client(registration["client_id"])["grant_types"] == ["client_credentials"]


def test_the_client_hook_reports_an_unknown_client_as_a_key_error(
    oidc_provider: OidcProviderPeer,
) -> None:
    with pytest.raises(KeyError):
        oidc_provider.client("no-such-client")


def test_reset_forgets_clients_but_keeps_the_initial_access_token_valid(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    registration = register(http, oidc_provider, provider_metadata, "orders.read")

    oidc_provider.reset()

    read = http.get(registration["registration_client_uri"], headers=bearer(registration))
    assert read.status_code == 401
    with pytest.raises(KeyError):
        oidc_provider.client(registration["client_id"])
    assert (
        register(http, oidc_provider, provider_metadata, "orders.read")["client_id"]
        != registration["client_id"]
    )


def test_a_thousand_registrations_in_a_row_all_remain_readable(
    http: httpx.Client, oidc_provider: OidcProviderPeer, provider_metadata: dict[str, Any]
) -> None:
    endpoint = provider_metadata["registration_endpoint"]
    initial = {"authorization": f"Bearer {oidc_provider.initial_access_token}"}
    registrations = []
    for _ in range(REGISTRATIONS_IN_A_ROW):
        response = http.post(endpoint, headers=initial, json={"scope": "orders.read"})
        assert response.status_code == 201, response.text
        registrations.append(response.json())

    unreadable = [
        registration["client_id"]
        for registration in registrations
        if http.get(
            registration["registration_client_uri"], headers=bearer(registration)
        ).status_code
        != 200
    ]

    assert unreadable == []


# The profiles: the same server, as strict as Keycloak or Okta.


@pytest.fixture
def profiled(
    request: pytest.FixtureRequest, oidc_provider_pool: OidcProviderPool, http: httpx.Client
) -> tuple[OidcProviderPeer, dict[str, Any]]:
    peer = oidc_provider_pool.get(request.param)
    peer.reset()
    response = http.get(f"{peer.issuer}/.well-known/openid-configuration")
    response.raise_for_status()
    return peer, response.json()


@pytest.mark.parametrize("profiled", ["keycloak"], indirect=True)
def test_keycloak_profile_rotates_the_registration_token_on_every_read(
    http: httpx.Client, profiled: tuple[OidcProviderPeer, dict[str, Any]]
) -> None:
    peer, metadata = profiled
    registration = register(http, peer, metadata, "orders.read")

    first = http.get(registration["registration_client_uri"], headers=bearer(registration))
    stale = http.get(registration["registration_client_uri"], headers=bearer(registration))
    second = http.get(registration["registration_client_uri"], headers=bearer(first.json()))

    assert peer.profile == "keycloak"
    assert first.status_code == 200
    assert first.json()["registration_access_token"] != registration["registration_access_token"]
    assert stale.status_code == 401
    assert second.status_code == 200
    assert second.json()["registration_access_token"] != first.json()["registration_access_token"]


@pytest.mark.parametrize("profiled", ["okta"], indirect=True)
def test_okta_profile_wants_the_service_type_for_client_credentials(
    http: httpx.Client, profiled: tuple[OidcProviderPeer, dict[str, Any]]
) -> None:
    peer, metadata = profiled
    auth = {"authorization": f"Bearer {peer.initial_access_token}"}
    body = {"client_name": "orders-api", "scope": "orders.read"}

    untyped = http.post(metadata["registration_endpoint"], headers=auth, json=body)
    web = {**body, "grant_types": ["client_credentials"], "application_type": "web"}
    typed_web = http.post(metadata["registration_endpoint"], headers=auth, json=web)
    service = http.post(
        metadata["registration_endpoint"],
        headers=auth,
        json={**body, "application_type": "service"},
    )

    assert (untyped.status_code, untyped.json()["error"]) == (400, "invalid_client_metadata")
    assert (typed_web.status_code, typed_web.json()["error"]) == (400, "invalid_client_metadata")
    assert service.status_code == 201, service.text
    registration = service.json()
    assert registration["application_type"] == "service"
    read = http.get(registration["registration_client_uri"], headers=bearer(registration))
    assert read.json()["application_type"] == "service"
    assert peer.client(registration["client_id"])["application_type"] == "service"
    untyped_update = {
        key: value
        for key, value in read.json().items()
        if key not in NOT_IN_A_PUT and key != "application_type"
    }
    refused = http.put(
        registration["registration_client_uri"], headers=bearer(registration), json=untyped_update
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_client_metadata")


@pytest.mark.parametrize("profiled", ["default", "keycloak", "okta"], indirect=True)
def test_every_profile_refuses_an_unknown_application_type_or_knows_service(
    http: httpx.Client, profiled: tuple[OidcProviderPeer, dict[str, Any]]
) -> None:
    peer, metadata = profiled
    response = http.post(
        metadata["registration_endpoint"],
        headers={"authorization": f"Bearer {peer.initial_access_token}"},
        json={"client_name": "orders-api", "scope": "orders.read", "application_type": "service"},
    )

    expected = 201 if peer.profile == "okta" else 400
    assert response.status_code == expected, response.text
