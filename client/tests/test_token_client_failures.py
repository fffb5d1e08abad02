"""Transient failures are retried with bounded, jittered backoff; a rejection is not
retried and says what was rejected."""

from __future__ import annotations

import asyncio
import random
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from ecs_oauth_client import (
    CredentialsRejected,
    Policy,
    TokenClient,
    TokenEndpointUnavailable,
    TokenError,
    TokenRequestRejected,
)
from ecs_oauth_client._schedule import backoff, retry_after_seconds
from token_endpoint_peer import FAST, FakeClock, Reply, TokenEndpoint

INVALID_CLIENT = {"error": "invalid_client", "error_description": "client authentication failed"}


class TestRetries:
    @pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
    async def test_a_transient_status_is_retried_then_the_token_arrives(
        self, endpoint: TokenEndpoint, status: int
    ) -> None:
        endpoint.answer(Reply(status=status, body="busy"), Reply(status=status, body="busy"))

        token = await TokenClient(endpoint.config(), policy=FAST).access_token()

        assert token == endpoint.issued[0]
        assert len(endpoint.requests) == 3

    async def test_a_dropped_connection_is_retried(self, endpoint: TokenEndpoint) -> None:
        endpoint.answer(Reply(drop=True))

        token = await TokenClient(endpoint.config(), policy=FAST).access_token()

        assert token == endpoint.issued[0]
        assert len(endpoint.requests) == 2

    async def test_synchronous_use_retries_too(self, endpoint: TokenEndpoint) -> None:
        endpoint.answer(Reply(status=503, body="busy"))
        client = TokenClient(endpoint.config(), policy=FAST)

        token = await asyncio.to_thread(client.access_token_sync)

        assert token == endpoint.issued[0]
        assert len(endpoint.requests) == 2

    async def test_retries_stop_after_the_configured_attempts(
        self, endpoint: TokenEndpoint
    ) -> None:
        endpoint.answer(*[Reply(status=503, body="down")] * 10)
        client = TokenClient(endpoint.config(), policy=FAST)

        with pytest.raises(TokenEndpointUnavailable, match=r"after 4 attempt.*HTTP 503"):
            await client.access_token()

        assert len(endpoint.requests) == FAST.attempts

    async def test_an_unreachable_endpoint_is_reported_as_unavailable(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        client = TokenClient.from_env(
            {
                "OAUTH_CLIENT_ID": "abc",
                "OAUTH_CLIENT_SECRET": "shh",
                "OAUTH_TOKEN_ENDPOINT": f"http://127.0.0.1:{port}/oauth2/token",
                "OAUTH_SCOPE": "orders/read",
            },
            policy=Policy(attempts=2, base_delay=0.001, max_delay=0.01, timeout=2),
        )

        with pytest.raises(TokenEndpointUnavailable, match="ConnectError"):
            await client.access_token()

    async def test_an_endpoint_that_is_not_http_fails_at_once(self) -> None:
        env = {
            "OAUTH_CLIENT_ID": "abc",
            "OAUTH_CLIENT_SECRET": "shh",
            "OAUTH_TOKEN_ENDPOINT": "ftp://idp.example.com/token",
            "OAUTH_SCOPE": "orders/read",
        }

        with pytest.raises(TokenError, match=r"^no token request to ftp://"):
            await TokenClient.from_env(env, policy=FAST).access_token()

    def test_backoff_is_jittered_and_never_exceeds_its_cap(self) -> None:
        policy = Policy(base_delay=0.2, max_delay=5.0)
        rng = random.Random(3)

        delays = [backoff(policy, retry, rng, None) for retry in range(12) for _ in range(50)]

        assert max(delays) <= 5.0
        assert len(set(delays)) == len(delays)
        assert max(backoff(policy, 0, rng, None) for _ in range(50)) <= 0.2

    def test_retry_after_is_honoured_up_to_the_cap(self) -> None:
        policy = Policy(base_delay=0.001, max_delay=5.0)
        rng = random.Random(3)

        assert backoff(policy, 0, rng, retry_after=2.0) == 2.0
        assert backoff(policy, 0, rng, retry_after=3600.0) == 5.0

    def test_retry_after_reads_seconds_and_http_dates(self) -> None:
        now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)

        assert retry_after_seconds("7", now) == 7.0
        assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), True), now) == 30
        assert retry_after_seconds("soon", now) is None


class TestRejections:
    async def test_invalid_client_is_not_retried_and_says_credentials_rejected(
        self, endpoint: TokenEndpoint
    ) -> None:
        endpoint.answer(Reply(status=401, body=INVALID_CLIENT))

        with pytest.raises(CredentialsRejected, match=r"^credentials rejected by http://"):
            await TokenClient(endpoint.config(), policy=FAST).access_token()

        assert len(endpoint.requests) == 1

    async def test_a_bare_401_counts_as_credentials_rejected(self, endpoint: TokenEndpoint) -> None:
        endpoint.answer(Reply(status=401, body="Unauthorized"))

        with pytest.raises(CredentialsRejected, match="HTTP 401"):
            await TokenClient(endpoint.config(), policy=FAST).access_token()

    async def test_invalid_scope_is_reported_with_the_idp_error_code(
        self, endpoint: TokenEndpoint
    ) -> None:
        body = {"error": "invalid_scope", "error_description": "scope not allowed"}
        endpoint.answer(Reply(status=400, body=body))

        with pytest.raises(
            TokenRequestRejected, match="HTTP 400 invalid_scope: scope not"
        ) as raised:
            await TokenClient(endpoint.config(), policy=FAST).access_token()

        assert not isinstance(raised.value, CredentialsRejected)
        assert (raised.value.status, raised.value.error) == (400, "invalid_scope")
        assert len(endpoint.requests) == 1

    async def test_a_success_without_an_access_token_is_a_rejection(
        self, endpoint: TokenEndpoint
    ) -> None:
        endpoint.answer(Reply(body={"token_type": "Bearer"}))

        with pytest.raises(TokenRequestRejected, match="no access_token"):
            await TokenClient(endpoint.config(), policy=FAST).access_token()

    async def test_a_rejected_refresh_still_serves_the_current_token_while_it_lasts(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        first = await client.access_token()
        clock.advance(endpoint.lifetime * 0.95)
        endpoint.answer(Reply(status=401, body=INVALID_CLIENT))

        assert await client.access_token() == first
        clock.advance(endpoint.lifetime * 0.05)
        endpoint.answer(Reply(status=401, body=INVALID_CLIENT))
        with pytest.raises(CredentialsRejected):
            await client.access_token()
