"""A secret pasted into the desired state by mistake is never echoed by an error: error
lines travel to terminals, CI logs, daemon logs, status and chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired._redact import REDACTED, shown

from .helpers import the_error

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMTIzIn0.Qk9HVVNTSUdOQVRVUkUx"
PASSWORD = "hunter2-Correct-Horse-99"

PROVIDER = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {{name: extra}}
spec:
  oidc:
    issuer: {issuer}
    initialAccessToken: {token}
"""


@pytest.mark.parametrize(
    ("issuer", "token", "secret"),
    [
        ("https://idp.example.com", TOKEN, TOKEN),
        ("https://idp.example.com", "{fromEnv: 'short pw'}", "short pw"),
        (f"http://admin:{PASSWORD}@idp.example.com", "{fromEnv: T}", PASSWORD),
        ("https://idp.example.com", f"{{fromEnv: X, fromSecretArn: {TOKEN}}}", TOKEN[:20]),
    ],
    ids=["token-pasted", "under-token-key", "url-password", "as-arn"],
)
def test_an_error_about_a_credential_like_value_does_not_quote_it(
    tmp_path: Path, issuer: str, token: str, secret: str
) -> None:
    error = the_error(tmp_path, PROVIDER.format(issuer=issuer, token=token))
    assert error.file == "test.yaml"
    assert secret not in error.message
    assert "hunter2" not in error.message


def test_an_ordinary_bad_value_is_still_quoted_so_the_user_sees_what_is_wrong() -> None:
    assert shown("3h") == "'3h'"
    assert shown("orders/*") == "'orders/*'"


def test_a_long_ordinary_value_is_quoted_only_in_part() -> None:
    assert shown("a " * 100) == repr("a " * 20) + "..."


def test_a_value_under_a_key_named_like_a_secret_is_hidden_whatever_it_looks_like() -> None:
    assert shown("abc", path=("spec", "clientSecret")) == REDACTED
    assert shown("abc", path=("password",)) == REDACTED


def test_random_looking_and_url_credentials_are_hidden() -> None:
    assert shown("AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMI") == REDACTED
    assert shown(f"https://u:{PASSWORD}@h") == REDACTED
