"""One client-credentials token request through authlib, its answer sorted into a
:class:`Token`, a retryable :class:`Transient` failure, or a rejection.

A fresh HTTP client per request: refreshes come minutes apart, and a client that lives
no longer than its request is never tied to a closed event loop or a dead connection.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 package and warns on every import that finds httpx
    # instead; httpx is this project's dependency and authlib still supports it.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuth2Client

from controller.taskclient._config import ClientConfig
from controller.taskclient._errors import (
    CredentialsRejected,
    TokenError,
    TokenRequestRejected,
)
from controller.taskclient._schedule import (
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


class _Exchange:
    """Watches one request through authlib's compliance hook, which sees the HTTP response
    before authlib parses it: the status and headers decide what a failure means."""

    def __init__(self, config: ClientConfig, policy: Policy) -> None:
        self.config = config
        self.policy = policy
        self.response: httpx.Response | None = None

    def client_options(self) -> dict[str, Any]:
        return {
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "scope": self.config.scope,
            "token_endpoint_auth_method": "client_secret_basic",
            "timeout": self.policy.timeout,
        }

    def inspect(self, response: httpx.Response) -> httpx.Response:
        self.response = response
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), _utcnow())
            raise Transient(f"HTTP {status}", retry_after)
        return response

    def failure(self, exc: Exception) -> TokenError | Transient:
        endpoint = self.config.token_endpoint
        status = self.response.status_code if self.response is not None else 0
        if isinstance(exc, OAuthError):
            error = str(exc.error or "error")
            credentials = error == "invalid_client" or status == 401
            kind = CredentialsRejected if credentials else TokenRequestRejected
            return kind(endpoint, status, error, str(exc.description or ""))
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


_FAILURES = (OAuthError, httpx.HTTPError, httpx.InvalidURL, ValueError)


async def fetch(config: ClientConfig, policy: Policy, clock: Clock, rng: random.Random) -> Token:
    exchange = _Exchange(config, policy)
    obtained_at = clock()
    try:
        async with AsyncOAuth2Client(**exchange.client_options()) as client:
            client.register_compliance_hook("access_token_response", exchange.inspect)
            raw = await client.fetch_token(config.token_endpoint, grant_type="client_credentials")
    except _FAILURES as exc:
        raise exchange.failure(exc) from exc
    return exchange.token(dict(raw), obtained_at, rng)


def fetch_sync(config: ClientConfig, policy: Policy, clock: Clock, rng: random.Random) -> Token:
    exchange = _Exchange(config, policy)
    obtained_at = clock()
    try:
        with OAuth2Client(**exchange.client_options()) as client:
            client.register_compliance_hook("access_token_response", exchange.inspect)
            raw = client.fetch_token(config.token_endpoint, grant_type="client_credentials")
    except _FAILURES as exc:
        raise exchange.failure(exc) from exc
    return exchange.token(dict(raw), obtained_at, rng)


def _utcnow() -> datetime:
    return datetime.now(UTC)
