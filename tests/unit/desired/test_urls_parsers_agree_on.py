"""An issuer or token endpoint must name one host for every URL parser.

Python's ``urlsplit`` reads the host of ``http://evil.example\\@127.0.0.1`` as 127.0.0.1,
a loopback address where plain http is allowed; aiohttp and Node read ``evil.example``
and would send the initial access token there in clear text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import ambiguous_authority
from controller.idp import IdpRejected
from controller.idp._oidc_wire import require_secure

from .helpers import the_error

PROVIDER = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {{name: partners}}
spec:
  oidc: {{issuer: "{issuer}", initialAccessToken: {{fromEnv: TOKEN}}}}
"""


@pytest.mark.parametrize(
    "issuer",
    [
        "http://evil.example\\\\@127.0.0.1",
        "https://user:pass@idp.example.com",
        "https://idp.example.com/\\tpath",
    ],
)
def test_an_issuer_whose_host_parsers_disagree_on_is_refused_at_the_value(
    tmp_path: Path, issuer: str
) -> None:
    error = the_error(tmp_path, PROVIDER.format(issuer=issuer))

    assert error.where == "test.yaml:5:18"
    assert "user info, a backslash, whitespace or a control character" in error.message


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/token", "https://idp.example.com/realms/a/token"]
)
def test_plain_urls_are_not_ambiguous(url: str) -> None:
    assert not ambiguous_authority(url)


def test_the_idp_adapter_refuses_such_a_url_before_any_request() -> None:
    with pytest.raises(IdpRejected, match="ambiguous host"):
        require_secure("discovery", "http://evil.example\\@127.0.0.1/.well-known")
