"""An Okta provider names its org, its custom authorization server and its API token by
reference; credentials travel to the org, so the org URL is https except on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import loads, the_error

OKTA = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: acme}
spec:
  okta:
    orgUrl: URL
    authorizationServerId: aus1a2b3c4d5
    apiToken: {fromEnv: OKTA_API_TOKEN}
"""

SCOPE = """
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: acme.read}
spec: {provider: acme, resourceServer: orders}
"""


@pytest.mark.parametrize(
    "url", ["https://example.okta.com", "https://example.okta.com/", "http://127.0.0.1:9000"]
)
def test_an_okta_provider_loads_with_its_org_origin(tmp_path: Path, url: str) -> None:
    okta = loads(tmp_path, OKTA.replace("URL", url)).providers["acme"].spec.okta
    assert okta is not None
    assert okta.org_url == url.rstrip("/")
    assert okta.authorization_server_id == "aus1a2b3c4d5"
    assert okta.api_token.from_env == "OKTA_API_TOKEN"


def test_a_plain_http_org_url_on_a_remote_host_is_an_error_at_the_url(tmp_path: Path) -> None:
    error = the_error(tmp_path, OKTA.replace("URL", "http://example.okta.com"))
    assert error.where == "test.yaml:6:13"
    assert error.message == (
        "spec.okta.orgUrl: 'http://example.okta.com' uses plain http; use https "
        "(plain http is allowed only on loopback)"
    )


def test_an_org_url_with_a_path_is_an_error_that_asks_for_the_origin(tmp_path: Path) -> None:
    error = the_error(tmp_path, OKTA.replace("URL", "https://example.okta.com/oauth2/default"))
    assert error.where == "test.yaml:6:13"
    assert "has a path; give the org's origin only" in error.message


def test_an_api_token_given_by_value_is_an_error(tmp_path: Path) -> None:
    text = OKTA.replace("URL", "https://example.okta.com").replace(
        "{fromEnv: OKTA_API_TOKEN}", "00abcdefghijklmnop"
    )
    error = the_error(tmp_path, text)
    assert error.message.startswith("spec.okta.apiToken: ")


def test_okta_next_to_another_kind_is_an_error_at_the_spec(tmp_path: Path) -> None:
    text = OKTA.replace("URL", "https://example.okta.com") + (
        "  oidc: {issuer: https://idp.example.com, initialAccessToken: {fromEnv: T}}\n"
    )
    error = the_error(tmp_path, text)
    assert error.message == "spec: give exactly one of cognito, oidc or okta"


def test_a_resource_server_on_an_okta_scope_is_an_error(tmp_path: Path) -> None:
    error = the_error(tmp_path, OKTA.replace("URL", "https://example.okta.com") + SCOPE)
    assert error.message == "resourceServer applies to Cognito providers only"


def test_a_service_app_authorises_the_org_in_place_of_an_api_token(tmp_path: Path) -> None:
    text = OKTA.replace("URL", "https://example.okta.com").replace(
        "apiToken: {fromEnv: OKTA_API_TOKEN}",
        "serviceApp: {clientId: 0oa1service, privateKey: {fromEnv: OKTA_KEY}, keyId: k1}",
    )
    okta = loads(tmp_path, text).providers["acme"].spec.okta
    assert okta is not None
    assert okta.api_token is None
    assert okta.service_app is not None
    assert (okta.service_app.client_id, okta.service_app.key_id) == ("0oa1service", "k1")


def test_both_an_api_token_and_a_service_app_is_an_error(tmp_path: Path) -> None:
    text = OKTA.replace("URL", "https://example.okta.com") + (
        "    serviceApp: {clientId: 0oa1service, privateKey: {fromEnv: OKTA_KEY}}\n"
    )
    error = the_error(tmp_path, text)
    assert error.message == "spec.okta: give exactly one of apiToken or serviceApp"
