"""One client-credentials token request (RFC 6749 4.4) over httpx, its answer sorted
into a :class:`Token`, a retryable :class:`Transient` failure, or a rejection.

The request is one form POST with HTTP Basic client authentication; an OAuth library
would bring its whole dependency tree into every application image for that.

A fresh HTTP client per request: refreshes come minutes apart, and a client that lives
no longer than its request is never tied to a closed event loop or a dead connection.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from ecs_oauth_client._config import ClientConfig
from ecs_oauth_client._errors import (
    CredentialsRejected,
    TokenError,
    TokenRequestRejected,
)
from ecs_oauth_client._schedule import (
    Policy,
    Token,
    http_date,
    lifetime_of,
    refresh_point,
    retry_after_seconds,
)

Clock = Callable[[], float]


class Transient(Exception):
    """A failure worth another try: 5xx, 429, a connection error or a timeout."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class OAuthRejection(Exception):
    """The endpoint answered with an OAuth error object (``{"error": ...}``)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(error)
        self.error, self.description = error, description


class _Exchange:
    """One request and its response: the status and headers decide what a failure means."""

    def __init__(self, config: ClientConfig, policy: Policy) -> None:
        self.config = config
        self.policy = policy
        self.response: httpx.Response | None = None

    def request(self) -> dict[str, Any]:
        """The POST's arguments. Client id and secret are form-encoded before Basic
        encoding, as RFC 6749 2.3.1 says (and as authlib, which this replaced, did)."""
        credentials = f"{quote(self.config.client_id)}:{quote(self.config.client_secret)}"
        basic = base64.b64encode(credentials.encode("latin-1")).decode("ascii")
        return {
            "url": self.config.token_endpoint,
            "data": {"grant_type": "client_credentials", "scope": self.config.scope},
            "headers": {"Authorization": f"Basic {basic}", "Accept": "application/json"},
        }

    def answer(self, response: httpx.Response) -> dict[str, Any]:
        """The token object of a successful response; raises what a failure means."""
        self.response = response
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), _utcnow())
            raise Transient(f"HTTP {status}", retry_after)
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and "error" in body:
            raise OAuthRejection(
                str(body["error"] or "error"), str(body.get("error_description") or "")
            )
        if status >= 400:
            response.raise_for_status()
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        return body

    def failure(self, exc: Exception) -> TokenError | Transient:
        endpoint = self.config.token_endpoint
        status = self.response.status_code if self.response is not None else 0
        if isinstance(exc, OAuthRejection):
            credentials = exc.error == "invalid_client" or status == 401
            kind = CredentialsRejected if credentials else TokenRequestRejected
            return kind(endpoint, status, exc.error, exc.description)
        if isinstance(exc, httpx.HTTPStatusError):
            if status == 401:
                return CredentialsRejected(endpoint, status, "unauthorized")
            return TokenRequestRejected(endpoint, status, "http_error")
        if isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.UnsupportedProtocol):
            return Transient(f"{type(exc).__name__}: {exc}"[:200])
        if self.response is None:  # the request could not even be made
            return TokenError(f"no token request to {endpoint}: {type(exc).__name__}: {exc}")
        return TokenRequestRejected(endpoint, status, "invalid_response", "not a JSON object")

    def token(self, raw: dict[str, Any], obtained_at: float, rng: random.Random) -> Token:
        access_token = raw.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            status = self.response.status_code if self.response is not None else 0
            raise TokenRequestRejected(
                self.config.token_endpoint, status, "invalid_response", "no access_token"
            )
        scope = raw.get("scope")
        granted = scope if isinstance(scope, str) and scope.strip() else self.config.scope
        lifetime = lifetime_of(raw)
        headers = self.response.headers if self.response is not None else httpx.Headers()
        return Token(
            access_token=access_token,
            token_type=str(raw.get("token_type", "Bearer")),
            scopes=tuple(granted.split()),
            lifetime=lifetime,
            obtained_at=obtained_at,
            refresh_at=refresh_point(obtained_at, lifetime, self.policy, rng),
            received_date=_utcnow(),
            server_date=http_date(headers.get("Date")),
        )


_FAILURES = (OAuthRejection, httpx.HTTPError, httpx.InvalidURL, ValueError)


async def fetch(config: ClientConfig, policy: Policy, clock: Clock, rng: random.Random) -> Token:
    exchange = _Exchange(config, policy)
    obtained_at = clock()
    try:
        async with httpx.AsyncClient(timeout=policy.timeout) as client:
            raw = exchange.answer(await client.post(**exchange.request()))
    except _FAILURES as exc:
        raise exchange.failure(exc) from exc
    return exchange.token(raw, obtained_at, rng)


def fetch_sync(config: ClientConfig, policy: Policy, clock: Clock, rng: random.Random) -> Token:
    exchange = _Exchange(config, policy)
    obtained_at = clock()
    try:
        with httpx.Client(timeout=policy.timeout) as client:
            raw = exchange.answer(client.post(**exchange.request()))
    except _FAILURES as exc:
        raise exchange.failure(exc) from exc
    return exchange.token(raw, obtained_at, rng)


def _utcnow() -> datetime:
    return datetime.now(UTC)
