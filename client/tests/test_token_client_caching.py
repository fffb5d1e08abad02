"""Tokens are cached, shared by concurrent callers, refreshed late in their life at a
jittered point, and timed on the task's own clock whatever the IdP's clock says."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from datetime import timedelta
from email.utils import formatdate
from typing import Any

import pytest
from ecs_oauth_client import Policy, TokenClient, TokenEndpointUnavailable
from ecs_oauth_client._schedule import lifetime_of, refresh_point
from token_endpoint_peer import FAST, SCOPE, FakeClock, Reply, TokenEndpoint


def jwt_like(claims: dict[str, Any]) -> str:
    """A token shaped like a JWT; the client never verifies signatures, only reads."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


class TestCaching:
    async def test_a_second_call_reuses_the_cached_token(self, endpoint: TokenEndpoint) -> None:
        client = TokenClient(endpoint.config(), policy=FAST)

        first = await client.token()
        second = await client.token()

        assert second is first
        assert len(endpoint.requests) == 1
        assert first.scopes == tuple(SCOPE.split())

    async def test_the_token_request_asks_for_the_configured_scope(
        self, endpoint: TokenEndpoint
    ) -> None:
        await TokenClient(endpoint.config(), policy=FAST).access_token()

        [seen] = endpoint.requests
        assert seen.form == {"grant_type": "client_credentials", "scope": SCOPE}

    async def test_concurrent_callers_share_one_request(self, endpoint: TokenEndpoint) -> None:
        client = TokenClient(endpoint.config(), policy=FAST)
        endpoint.hold()

        callers = [asyncio.create_task(client.access_token()) for _ in range(20)]
        await endpoint.wait_for_requests(1)
        endpoint.release()
        tokens = await asyncio.gather(*callers)

        assert set(tokens) == {endpoint.issued[0]}
        assert len(endpoint.requests) == 1

    async def test_concurrent_threads_share_one_request(self, endpoint: TokenEndpoint) -> None:
        client = TokenClient(endpoint.config(), policy=FAST)
        endpoint.hold()

        callers = [
            asyncio.create_task(asyncio.to_thread(client.access_token_sync)) for _ in range(8)
        ]
        await endpoint.wait_for_requests(1)
        endpoint.release()
        tokens = await asyncio.gather(*callers)

        assert set(tokens) == {endpoint.issued[0]}
        assert len(endpoint.requests) == 1

    async def test_synchronous_use_gets_and_caches_a_token(self, endpoint: TokenEndpoint) -> None:
        client = TokenClient(endpoint.config(), policy=FAST)

        first = await asyncio.to_thread(client.token_sync)
        second = await asyncio.to_thread(client.token_sync)

        assert second is first
        assert len(endpoint.requests) == 1

    async def test_invalidate_makes_the_next_call_fetch_a_new_token(
        self, endpoint: TokenEndpoint
    ) -> None:
        client = TokenClient(endpoint.config(), policy=FAST)
        first = await client.access_token()

        client.invalidate()
        second = await client.access_token()

        assert (first, second) == (endpoint.issued[0], endpoint.issued[1])


class TestRefreshAhead:
    async def test_the_token_is_refreshed_between_80_and_90_percent_of_its_lifetime(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        endpoint.lifetime = 1000
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        first = await client.access_token()

        clock.advance(799)
        assert await client.access_token() == first
        clock.advance(102)  # 901 s: past 90 %
        assert await client.access_token() == endpoint.issued[1]
        assert len(endpoint.requests) == 2

    def test_refresh_points_spread_over_the_window(self) -> None:
        rng = random.Random(7)
        points = [refresh_point(0.0, 1000.0, Policy(), rng) for _ in range(500)]

        assert 800 <= min(points) < 810
        assert 890 < max(points) <= 900
        assert len({round(p) for p in points}) > 50

    async def test_callers_keep_the_current_token_while_a_refresh_is_in_flight(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        first = await client.access_token()
        clock.advance(endpoint.lifetime * 0.95)
        endpoint.hold()

        refreshing = asyncio.create_task(client.access_token())
        await endpoint.wait_for_requests(2)
        meanwhile = await client.access_token()
        endpoint.release()

        assert meanwhile == first
        assert await refreshing == endpoint.issued[1]

    async def test_a_failed_refresh_keeps_serving_the_current_token_and_tries_later(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        first = await client.access_token()
        clock.advance(endpoint.lifetime * 0.92)
        endpoint.answer(*[Reply(status=503, body="down")] * FAST.attempts)

        assert await client.access_token() == first
        assert await client.access_token() == first  # no new attempt right away
        assert len(endpoint.requests) == 1 + FAST.attempts
        clock.advance(endpoint.lifetime * 0.05)
        assert await client.access_token() == endpoint.issued[1]

    async def test_an_expired_token_is_never_served(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        await client.access_token()
        clock.advance(endpoint.lifetime)
        endpoint.answer(*[Reply(status=503, body="down")] * FAST.attempts)

        with pytest.raises(TokenEndpointUnavailable):
            await client.access_token()


class TestClockSkew:
    async def test_a_token_already_past_its_exp_on_the_local_clock_is_still_used(
        self, endpoint: TokenEndpoint
    ) -> None:
        """The IdP's clock runs two hours behind: by the task's clock the token's ``exp``
        has passed, but ``expires_in`` says it has ten minutes to live."""
        idp_now = int(time.time()) - 7200
        claims = {"sub": "abc", "scope": SCOPE, "iat": idp_now, "exp": idp_now + 600}
        body = {"access_token": jwt_like(claims), "token_type": "Bearer", "expires_in": 600}
        endpoint.answer(Reply(body=body, headers={"Date": formatdate(idp_now, usegmt=True)}))
        client = TokenClient(endpoint.config(), policy=FAST)

        first = await client.token()
        second = await client.token()

        assert second is first
        assert len(endpoint.requests) == 1
        assert first.clock_skew is not None
        assert abs(first.clock_skew + timedelta(hours=2)) < timedelta(minutes=1)

    async def test_expires_in_decides_the_lifetime_not_the_token_claims(
        self, endpoint: TokenEndpoint, clock: FakeClock
    ) -> None:
        far = int(time.time()) + 86400
        claims = {"sub": "abc", "iat": far - 86400, "exp": far}
        body = {"access_token": jwt_like(claims), "token_type": "Bearer", "expires_in": 60}
        endpoint.answer(Reply(body=body))
        client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
        await client.token()

        clock.advance(61)
        await client.token()

        assert len(endpoint.requests) == 2

    def test_without_expires_in_the_lifetime_is_the_tokens_own_exp_minus_iat(self) -> None:
        claims = {"iat": 1_000_000, "exp": 1_000_900}

        assert lifetime_of({"access_token": jwt_like(claims)}) == 900

    def test_an_opaque_token_without_expires_in_gets_a_short_assumed_lifetime(self) -> None:
        assert lifetime_of({"access_token": "opaque"}) == 60
