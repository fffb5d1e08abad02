"""One RFC 7591/7592 or discovery call, and discovery itself (RFC 8414, OpenID Discovery).

Every call goes through :func:`exchange`: https (or loopback http) only, no redirects,
statuses classified whatever the session's ``raise_for_status``, credentials blanked
from any error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from controller.idp._http_retry import Answer, answer_of, send_with_retries
from controller.idp._oidc_wire import (
    RETRY_STATUSES,
    json_object,
    known_secrets,
    refusal,
    require_secure,
    scrub,
)
from controller.idp._types import ClientRecord, IdpRejected, IdpUnavailable


@dataclass(frozen=True)
class ServerMetadata:
    issuer: str
    token_endpoint: str
    registration_endpoint: str


async def exchange(
    http: aiohttp.ClientSession,
    operation: str,
    method: str,
    url: str,
    token: str | None,
    payload: dict[str, Any] | None,
    record: ClientRecord | None,
    *,
    replayable: bool = True,
) -> tuple[int, dict[str, Any]]:
    """Status and JSON object of one call; IdpUnavailable when it is worth retrying later.

    Retried a few times first (``_http_retry``); a call that must not be sent twice once
    the server may have acted (a registration) passes ``replayable=False``. Redirects are
    not followed: a bearer token must reach only the URL it is for.
    """
    require_secure(operation, url)
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"

    async def send() -> Answer:
        try:
            return await answer_of(http, method, url, headers, json=payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            detail = scrub(str(exc), known_secrets(record, token))
            raise IdpUnavailable(f"{operation}: {type(exc).__name__}: {detail}") from None

    answer = await send_with_retries(send, replayable=replayable)
    status, body = answer.status, json_object(answer.text)
    if status >= 500 or status in RETRY_STATUSES:
        raise refusal(operation, status, body, record, token, cls=IdpUnavailable)
    if 200 <= status < 300 and body is None:
        raise IdpUnavailable(f"{operation}: HTTP {status} with a body that is not JSON")
    return status, body or {}


async def discover(http: aiohttp.ClientSession, issuer: str) -> ServerMetadata:
    """The issuer's metadata: OpenID discovery first, then RFC 8414."""
    status = 0
    for url in discovery_urls(issuer):
        status, body = await exchange(http, "discovery", "GET", url, None, None, None)
        if status == 200:
            return _validated(issuer, url, body)
    raise IdpRejected(f"discovery: no metadata for issuer {issuer} (HTTP {status})", status=status)


def discovery_urls(issuer: str) -> tuple[str, ...]:
    """OpenID discovery appends its path to the issuer; RFC 8414 inserts its own before it."""
    base = issuer.rstrip("/")
    parts = urlsplit(base)
    rfc8414 = f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}"
    return (f"{base}/.well-known/openid-configuration", rfc8414)


def _validated(issuer: str, url: str, body: dict[str, Any]) -> ServerMetadata:
    """RFC 8414 section 3.3: the document must name exactly the issuer we asked about."""
    if body.get("issuer") != issuer:
        raise IdpRejected(
            f"discovery: {url} names issuer {body.get('issuer')!r}, configured is {issuer!r}"
        )
    token_endpoint = body.get("token_endpoint")
    registration_endpoint = body.get("registration_endpoint")
    if not isinstance(token_endpoint, str) or not isinstance(registration_endpoint, str):
        raise IdpRejected(f"discovery: {url} lacks a token or registration endpoint")
    require_secure("discovery", token_endpoint)
    require_secure("discovery", registration_endpoint)
    return ServerMetadata(issuer, token_endpoint, registration_endpoint)
