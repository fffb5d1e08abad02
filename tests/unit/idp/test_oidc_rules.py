"""The pure rules of the RFC 7591/7592 adapter: where discovery looks, where
credentials may be sent, what a registration and an update carry, how a secret's
expiry reads, and what an error message may say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from controller.idp import ClientRecord, ClientSpec, IdpNotFound, IdpRejected
from controller.idp._oidc_http import discovery_urls as _discovery_urls
from controller.idp._oidc_registration import observed as _observed
from controller.idp._oidc_registration import registration, secret_expiry, update_request
from controller.idp._oidc_wire import refusal as _refusal
from controller.idp._oidc_wire import require_secure as _require_secure
from controller.idp._oidc_wire import same_origin

SPEC = ClientSpec("ecs-oauth-orders-api", ("orders.read", "orders.write"), timedelta(minutes=5))

RECORD = ClientRecord(
    client_id="client-1",
    client_secret="the-client-secret",
    registration_access_token="the-registration-token",
    registration_client_uri="https://idp.example.com/reg/client-1",
)


def test_discovery_tries_openid_then_rfc8414_for_an_issuer_without_a_path() -> None:
    assert _discovery_urls("https://idp.example.com") == (
        "https://idp.example.com/.well-known/openid-configuration",
        "https://idp.example.com/.well-known/oauth-authorization-server",
    )


def test_rfc8414_puts_its_well_known_segment_before_the_issuers_path() -> None:
    assert _discovery_urls("https://idp.example.com/realms/prod/") == (
        "https://idp.example.com/realms/prod/.well-known/openid-configuration",
        "https://idp.example.com/.well-known/oauth-authorization-server/realms/prod",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://idp.example.com/reg",
        "http://127.0.0.1:8080/reg",
        "http://[::1]:8080/reg",
        "http://localhost/reg",
    ],
)
def test_credentials_go_over_https_or_to_loopback(url: str) -> None:
    _require_secure("create", url)


@pytest.mark.parametrize("url", ["http://idp.example.com/reg", "ftp://127.0.0.1/reg", "/reg"])
def test_credentials_never_go_anywhere_else(url: str) -> None:
    with pytest.raises(IdpRejected, match="non-https"):
        _require_secure("create", url)


OWNED = {
    "client_name": "ecs-oauth-orders-api",
    "grant_types": ["client_credentials"],
    "response_types": [],
    "token_endpoint_auth_method": "client_secret_basic",
    "scope": "orders.read orders.write",
}


def test_a_registration_names_everything_the_client_owns() -> None:
    assert registration(SPEC, service=False) == OWNED
    assert registration(SPEC, service=True) == {**OWNED, "application_type": "service"}


def test_an_update_is_the_last_read_with_our_fields_set_and_the_forbidden_ones_out() -> None:
    current = {
        "client_id": "client-1",
        "client_name": "renamed by hand",
        "scope": "orders.read",
        "grant_types": ["client_credentials"],
        "application_type": "web",
        "contacts": ["platform@example.com"],
        "x_cost_center": "cc-1",
        "policy_uri": None,
        "client_secret": "the-client-secret",
        "client_secret_expires_at": 0,
        "client_id_issued_at": 1700000000,
        "registration_access_token": "the-registration-token",
        "registration_client_uri": "https://idp.example.com/reg/client-1",
    }

    assert update_request(current, "client-1", SPEC, service=True) == {
        **OWNED,
        "client_id": "client-1",
        "application_type": "web",
        "contacts": ["platform@example.com"],
        "x_cost_center": "cc-1",
    }


def test_an_update_adds_the_service_type_only_where_the_server_takes_it_and_shows_none() -> None:
    current = {"client_id": "client-1"}

    assert update_request(current, "client-1", SPEC, service=True)["application_type"] == (
        "service"
    )
    assert "application_type" not in update_request(current, "client-1", SPEC, service=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, None),
        (None, None),
        ("1893456000", None),
        (True, None),
        (-5, None),
        (10**20, None),
        (1893456000, datetime(2030, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_secret_expiry_of_zero_or_nonsense_is_never(
    value: object, expected: datetime | None
) -> None:
    assert secret_expiry({"client_secret_expires_at": value}) == expected


@pytest.mark.parametrize(
    ("url", "issuer", "same"),
    [
        ("https://idp.example.com/reg/c1", "https://idp.example.com/realms/x", True),
        ("https://IDP.example.com:443/reg/c1", "https://idp.example.com", True),
        ("http://127.0.0.1:8080/reg/c1", "http://127.0.0.1:8080", True),
        ("https://idp.example.com:8443/reg/c1", "https://idp.example.com", False),
        ("http://idp.example.com/reg/c1", "https://idp.example.com", False),
        ("https://evil.example.com/reg/c1", "https://idp.example.com", False),
        ("https://idp.example.com.evil.example/reg", "https://idp.example.com", False),
        ("https://idp.example.com@evil.example/reg", "https://idp.example.com", False),
        ("http://localhost:8080/reg/c1", "http://127.0.0.1:8080", False),
        ("/reg/c1", "https://idp.example.com", False),
        ("https://idp.example.com:bad/reg", "https://idp.example.com", False),
    ],
)
def test_a_registration_token_goes_only_to_the_issuers_origin(
    url: str, issuer: str, same: bool
) -> None:
    assert same_origin(url, issuer) is same


def test_a_registration_without_grant_types_has_rfc7591s_default() -> None:
    observed = _observed({"client_id": "client-1", "scope": "b a b"}, RECORD)

    assert observed.grant_types == ("authorization_code",)
    assert observed.scopes == ("a", "b")
    assert observed.token_lifetime is None
    assert observed.client_secret is None
    assert observed.secret_expires_at is None


def test_an_echoed_secret_is_observed_but_never_shown() -> None:
    observed = _observed({"client_id": "client-1", "client_secret": "echoed-secret"}, RECORD)

    assert observed.client_secret == "echoed-secret"
    assert "echoed-secret" not in repr(observed)


def test_a_refusal_carries_status_and_the_servers_error_only() -> None:
    body = {"error": "invalid_client_metadata", "error_description": "bad scope", "x": "y"}

    error = _refusal("update", 400, body, RECORD)

    assert str(error) == "update: HTTP 400 for client client-1: invalid_client_metadata: bad scope"
    assert (error.status, error.error) == (400, "invalid_client_metadata")


def test_a_refusal_blanks_any_credential_the_server_echoed() -> None:
    body = {
        "error": "invalid_token",
        "error_description": "token the-registration-token or the-client-secret or iat-value",
    }

    error = _refusal("create", 401, body, RECORD, "iat-value", cls=IdpNotFound)

    assert isinstance(error, IdpNotFound)
    for secret in ("the-registration-token", "the-client-secret", "iat-value"):
        assert secret not in str(error)
    assert "(sensitive)" in str(error)
