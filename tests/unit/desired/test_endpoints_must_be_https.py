"""Credentials travel to the issuer and token endpoint: https, or plain http on loopback only."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import loads, the_error

OIDC = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: okta}
spec:
  oidc:
    issuer: URL
    initialAccessToken: {fromEnv: OKTA_DCR_TOKEN}
"""

COGNITO = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: pool}
spec:
  cognito:
    userPoolId: eu-west-1_Pool01
    tokenEndpoint: URL
"""


def test_a_plain_http_issuer_on_a_remote_host_is_an_error_at_the_issuer(tmp_path: Path) -> None:
    error = the_error(tmp_path, OIDC.replace("URL", "http://okta.example.com"))
    assert error.where == "test.yaml:6:13"
    assert error.message == (
        "spec.oidc.issuer: 'http://okta.example.com' uses plain http; use https "
        "(plain http is allowed only on loopback)"
    )


def test_a_plain_http_token_endpoint_on_a_remote_host_is_an_error_at_the_endpoint(
    tmp_path: Path,
) -> None:
    error = the_error(tmp_path, COGNITO.replace("URL", "http://auth.example.com/oauth2/token"))
    assert error.where == "test.yaml:7:20"
    assert error.message.startswith("spec.cognito.tokenEndpoint: ")
    assert "uses plain http; use https" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1",
        "http://localhost.example.com",
        "http://[2001:db8::1]:8080",
        "http://0.0.0.0",
    ],
)
def test_plain_http_to_a_host_that_only_looks_local_is_still_an_error(
    tmp_path: Path, url: str
) -> None:
    error = the_error(tmp_path, OIDC.replace("URL", url))
    assert error.where == "test.yaml:6:13"
    assert "uses plain http" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000",
        "http://localhost:3000/oidc",
        "http://[::1]:8443",
        "https://okta.example.com",
    ],
)
def test_plain_http_is_accepted_on_loopback_and_https_anywhere(tmp_path: Path, url: str) -> None:
    state = loads(tmp_path, OIDC.replace("URL", url))
    oidc = state.providers["okta"].spec.oidc
    assert oidc is not None
    assert oidc.issuer == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/oauth2/token", "http://localhost/token", "http://[::1]/t"]
)
def test_a_loopback_token_endpoint_is_accepted_over_plain_http(tmp_path: Path, url: str) -> None:
    state = loads(tmp_path, COGNITO.replace("URL", url))
    cognito = state.providers["pool"].spec.cognito
    assert cognito is not None
    assert cognito.token_endpoint == url


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://okta.example.com", "is not an absolute http(s) URL"),
        ("okta.example.com", "is not an absolute http(s) URL"),
        ("https://okta.example.com/?tenant=a", "must not carry a query or fragment"),
    ],
)
def test_an_issuer_that_is_not_an_absolute_https_url_is_an_error(
    tmp_path: Path, url: str, complaint: str
) -> None:
    error = the_error(tmp_path, OIDC.replace("URL", url))
    assert error.where == "test.yaml:6:13"
    assert complaint in error.message
