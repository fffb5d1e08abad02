"""The token client an application inside an ECS task uses.

It holds one token at a time and replaces it at a jittered point late in its life, so
callers almost never wait on the IdP; a refresh that fails while the current token is
still good keeps serving that token and tries again later, so a short IdP outage costs
the application nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

from ecs_oauth_client._config import ClientConfig
from ecs_oauth_client._errors import TokenEndpointUnavailable, TokenError
from ecs_oauth_client._fetch import Clock, Transient, fetch, fetch_sync
from ecs_oauth_client._schedule import Policy, Token, backoff, later_refresh

log = logging.getLogger("ecs_oauth_client")


class TokenClient:
    """Client-credentials tokens for one OAuth client, cached and refreshed ahead of expiry.

    Use ``await client.token()`` from async code, ``client.token_sync()`` from threads
    (never from inside a running event loop: it blocks). Each side lets one refresh run at
    a time; callers that arrive meanwhile get the current token at once while it is still
    usable, or wait for the refresh when it is not.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        policy: Policy | None = None,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.policy = policy or Policy()
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._token: Token | None = None
        self._async_refresh = asyncio.Lock()
        self._thread_refresh = threading.Lock()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> TokenClient:
        """A client for the ``OAUTH_*`` variables the controller injects into the task."""
        return cls(ClientConfig.from_env(environ), **options)

    def __repr__(self) -> str:
        config = self.config
        return (
            f"TokenClient(client_id={config.client_id!r}, "
            f"token_endpoint={config.token_endpoint!r}, scope={config.scope!r})"
        )

    def invalidate(self) -> None:
        """Forget the cached token, e.g. after a resource server answered 401 to it."""
        self._token = None

    async def token(self) -> Token:
        cached = self._cached(refreshing=self._async_refresh.locked())
        if cached is not None:
            return cached
        async with self._async_refresh:
            cached = self._cached(refreshing=False)
            if cached is not None:
                return cached  # refreshed while this caller waited
            try:
                return self._keep(await self._fetch_with_retries())
            except TokenError as exc:
                return self._fall_back(exc)

    async def access_token(self) -> str:
        return (await self.token()).access_token

    def token_sync(self) -> Token:
        cached = self._cached(refreshing=self._thread_refresh.locked())
        if cached is not None:
            return cached
        with self._thread_refresh:
            cached = self._cached(refreshing=False)
            if cached is not None:
                return cached
            try:
                return self._keep(self._fetch_with_retries_sync())
            except TokenError as exc:
                return self._fall_back(exc)

    def access_token_sync(self) -> str:
        return self.token_sync().access_token

    async def _fetch_with_retries(self) -> Token:
        for retry in itertools.count():
            try:
                return await fetch(self.config, self.policy, self._clock, self._rng)
            except Transient as exc:
                await asyncio.sleep(self._retry_delay(retry, exc))
        raise AssertionError("unreachable")

    def _fetch_with_retries_sync(self) -> Token:
        for retry in itertools.count():
            try:
                return fetch_sync(self.config, self.policy, self._clock, self._rng)
            except Transient as exc:
                time.sleep(self._retry_delay(retry, exc))
        raise AssertionError("unreachable")

    def _cached(self, *, refreshing: bool) -> Token | None:
        """The cached token if it needs no refresh yet, or if one is under way and the
        token is still usable meanwhile."""
        token, now = self._token, self._clock()
        if token is None or token.expired(now):
            return None
        return token if refreshing or not token.due(now) else None

    def _retry_delay(self, retry: int, failure: Transient) -> float:
        """Seconds before the next try; raises once the attempts are used up."""
        attempts = self.policy.attempts
        if retry + 1 >= attempts:
            raise TokenEndpointUnavailable(self.config.token_endpoint, attempts, str(failure))
        delay = backoff(self.policy, retry, self._rng, failure.retry_after)
        log.warning(
            "token request to %s failed (%s); retrying in %.2f s (attempt %d of %d)",
            self.config.token_endpoint,
            failure,
            delay,
            retry + 2,
            attempts,
        )
        return delay

    def _keep(self, token: Token) -> Token:
        self._token = token
        log.info(
            "token obtained for client %s: scope %r, expires in %.0f s",
            self.config.client_id,
            " ".join(token.scopes),
            token.lifetime,
        )
        return token

    def _fall_back(self, failure: TokenError) -> Token:
        """Serve the current token through a failed refresh while it lasts; else raise."""
        token, now = self._token, self._clock()
        if token is None or token.expired(now):
            raise failure
        self._token = later_refresh(token, now)
        log.warning(
            "token refresh failed (%s); the current token stays in use for %.0f s more",
            failure,
            token.expires_in(now),
        )
        return self._token
