"""One client-credentials token request, the way a task makes it (RFC 6749 section 4.4).

The controller asks for a token only to prove a credential before tasks depend on it (a
rotation's test phase), so it needs the granted scopes, not the token. Neither the secret
nor the token ever reaches an error message.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from controller.idp._http_retry import Answer, answer_of, send_with_retries
from controller.idp._oidc_wire import (
    RETRY_STATUSES,
    json_object,
    require_secure,
)
from controller.idp._types import IdpRejected, IdpUnavailable


@dataclass(frozen=True)
class IssuedToken:
    """What the token endpoint granted; the token itself is not kept."""

    scopes: tuple[str, ...]
    expires_in: int | None


async def request_token(
    http: aiohttp.ClientSession,
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    scopes: tuple[str, ...],
) -> IssuedToken:
    """A token for ``scopes`` (none: the request names no scope); IdpRejected (with the
    OAuth ``error``) when refused.

    Client authentication is HTTP Basic with both parts form-urlencoded first (RFC 6749
    section 2.3.1), which Cognito, Okta, Keycloak and oidc-provider all accept.
    """
    require_secure("token", token_endpoint)
    basic = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    headers = {
        "Accept": "application/json",
        "Authorization": f"Basic {base64.b64encode(basic).decode('ascii')}",
    }
    form = {"grant_type": "client_credentials"}
    if scopes:
        form["scope"] = " ".join(scopes)

    async def send() -> Answer:
        try:
            return await answer_of(http, "POST", token_endpoint, headers, data=form)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise IdpUnavailable(f"token: {type(exc).__name__}") from None

    # A token request changes nothing at the IdP: it may always be sent again.
    answer = await send_with_retries(send, replayable=True)
    status, text = answer.status, answer.text
    body = json_object(text) or {}
    if status >= 500 or status in RETRY_STATUSES:
        raise IdpUnavailable(f"token: HTTP {status}", status=status)
    if status != 200:
        error = str(body.get("error", "")) or None
        raise IdpRejected(
            f"token: HTTP {status} for client {client_id}: {error or 'no OAuth error given'}",
            status=status,
            error=error,
        )
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise IdpRejected(f"token: HTTP {status} without an access_token")
    expires_in = body.get("expires_in")
    return IssuedToken(
        scopes=granted_scopes(body, access_token, scopes),
        expires_in=expires_in if isinstance(expires_in, int) else None,
    )


def granted_scopes(
    body: dict[str, Any], access_token: str, requested: tuple[str, ...]
) -> tuple[str, ...]:
    """The scopes a token carries: the response's ``scope``, else the JWT's ``scope`` claim
    (Cognito answers without ``scope``), else what was asked for (RFC 6749 section 5.1:
    an omitted ``scope`` means exactly the requested one)."""
    scope = body.get("scope")
    if not isinstance(scope, str):
        scope = _jwt_claims(access_token).get("scope")
    if not isinstance(scope, str):
        return tuple(sorted(set(requested)))
    return tuple(sorted(set(scope.split())))


def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, unverified: it came straight from the endpoint
    over a checked connection, and only its scopes are read. {} for an opaque token."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}
