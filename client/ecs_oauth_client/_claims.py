"""A JWT access token's payload, read without verifying it.

The task client never trusts these claims (resource servers verify tokens, not their
holders); it reads them only to learn a lifetime the IdP left out of ``expires_in`` and to
show a person what a token says.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def unverified_claims(access_token: str) -> dict[str, Any] | None:
    """The payload of a JWS compact token; None for an opaque token."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def granted_scopes(claims: dict[str, Any]) -> tuple[str, ...] | None:
    """``scope`` (RFC 9068, a space-separated string) or ``scp`` (a list, Okta/Azure)."""
    scope = claims.get("scope", claims.get("scp"))
    if isinstance(scope, str):
        return tuple(scope.split())
    if isinstance(scope, list) and all(isinstance(item, str) for item in scope):
        return tuple(scope)
    return None
