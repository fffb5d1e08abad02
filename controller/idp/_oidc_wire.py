"""Where an RFC 7591/7592 or token call may send credentials, and what its errors may say.

Shared by the registration adapter and the token request: credentials go over https
only (plain http to loopback addresses), a registration access token only to the
issuer's own origin, and no error message ever carries a credential.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from controller.desired import ambiguous_authority, is_loopback_host
from controller.idp._types import ClientRecord, IdpError, IdpRejected, IdpUnavailable

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
# Retry-worthy: the server is overloaded or rate-limiting (Okta sends 429).
RETRY_STATUSES = frozenset({408, 429})
MAX_DESCRIPTION = 200
DEFAULT_PORTS = {"https": 443, "http": 80}


MAX_RESPONSE_BYTES = 1024 * 1024  # far above any registration or token answer


async def bounded_text(response: aiohttp.ClientResponse) -> str:
    """The body as text, refusing more than MAX_RESPONSE_BYTES: a hostile or broken IdP
    must not make the controller buffer an endless answer."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise IdpUnavailable(
                f"HTTP {response.status}: an answer larger than {MAX_RESPONSE_BYTES} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks).decode(response.charset or "utf-8", errors="replace")


def require_secure(operation: str, url: str) -> None:
    """Credentials go over https only; plain http is allowed to loopback addresses. A URL
    whose host parsers disagree on is refused whatever its scheme."""
    parts = urlsplit(url)
    if ambiguous_authority(url):
        raise IdpRejected(f"{operation}: refusing a URL with an ambiguous host")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname or ""):
        return
    raise IdpRejected(f"{operation}: refusing a non-https URL {parts.scheme}://{parts.netloc}")


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the scheme's default when none is written), compared as a
    browser compares origins; a malformed port reads as no port at all."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return scheme, "", None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def same_origin(url: str, issuer: str) -> bool:
    """Whether ``url`` is on the issuer's origin, where a registration access token may go."""
    mine = origin(url)
    return bool(mine[1]) and mine == origin(issuer)


def json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def known_secrets(record: ClientRecord | None, token: str | None) -> tuple[str, ...]:
    values = [token] if token else []
    if record is not None:
        values += [record.client_secret, record.registration_access_token or ""]
    return tuple(value for value in values if value)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Blank out any credential a server echoed back, and keep the text short."""
    for secret in secrets:
        text = text.replace(secret, "(sensitive)")
    return text[:MAX_DESCRIPTION]


def refusal(
    operation: str,
    status: int,
    body: dict[str, Any] | None,
    record: ClientRecord | None,
    token: str | None = None,
    *,
    cls: type[IdpError] = IdpRejected,
) -> IdpError:
    """The error for a non-2xx answer: status plus the server's ``error`` and description."""
    body = body or {}
    secrets = known_secrets(record, token)
    error = scrub(str(body.get("error", "")), secrets) or None
    description = scrub(str(body.get("error_description", "")), secrets)
    message = f"{operation}: HTTP {status}"
    if record is not None:
        message += f" for client {record.client_id}"
    if error:
        message += f": {error}"
    if description:
        message += f": {description}"
    return cls(message, status=status, error=error)
