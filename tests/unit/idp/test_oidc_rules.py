"""The pure rules of the RFC 7591/7592 adapter: where discovery looks, where
credentials may be sent, and what an error message may say."""

from __future__ import annotations

from datetime import timedelta

import pytest

from controller.idp import ClientRecord, ClientSpec, IdpNotFound, IdpRejected
from controller.idp._oidc import (
    _discovery_urls,
    _observed,
    _refusal,
    _registration,
    _require_secure,
)

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


def test_a_registration_names_everything_the_client_owns() -> None:
    spec = ClientSpec("ecs-oauth-orders-api", ("orders.read", "orders.write"), timedelta(minutes=5))

    assert _registration(spec) == {
        "client_name": "ecs-oauth-orders-api",
        "grant_types": ["client_credentials"],
        "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "orders.read orders.write",
    }


def test_a_registration_without_grant_types_has_rfc7591s_default() -> None:
    observed = _observed({"client_id": "client-1", "scope": "b a b"}, RECORD)

    assert observed.grant_types == ("authorization_code",)
    assert observed.scopes == ("a", "b")
    assert observed.token_lifetime is None


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
