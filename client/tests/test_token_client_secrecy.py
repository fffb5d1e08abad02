"""Neither the client secret nor an access token ever shows in a repr, a log line or an
error message, whatever happens on the way to a token."""

from __future__ import annotations

import logging

import pytest
from ecs_oauth_client import TokenClient, TokenError
from token_endpoint_peer import CLIENT_SECRET, FAST, FakeClock, Reply, TokenEndpoint


async def test_reprs_show_the_client_but_not_the_secret_or_the_token(
    endpoint: TokenEndpoint,
) -> None:
    client = TokenClient(endpoint.config(), policy=FAST)
    token = await client.token()

    shown = " ".join(map(repr, (client, client.config, token)))

    assert "orders-api-client" in shown
    assert CLIENT_SECRET not in shown
    assert token.access_token not in shown


async def test_logs_never_carry_the_secret_or_a_token(
    endpoint: TokenEndpoint, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Every path that logs: success, retries, a refresh that fails and falls back, and a
    rejection; with every library logging at DEBUG."""
    caplog.set_level(logging.DEBUG)
    client = TokenClient(endpoint.config(), policy=FAST, clock=clock)
    endpoint.answer(Reply(status=503, body="busy"), Reply(drop=True))
    await client.token()
    clock.advance(endpoint.lifetime * 0.95)
    endpoint.answer(Reply(status=401, body={"error": "invalid_client"}))
    await client.token()
    clock.advance(endpoint.lifetime)
    endpoint.answer(Reply(status=401, body={"error": "invalid_client"}))
    with pytest.raises(TokenError) as raised:
        await client.token()

    logged = caplog.text
    assert "retrying" in logged
    assert "stays in use" in logged
    for credential in (CLIENT_SECRET, *endpoint.issued):
        assert credential not in logged
        assert credential not in str(raised.value)


async def test_the_secret_travels_only_in_the_basic_authorization_header(
    endpoint: TokenEndpoint,
) -> None:
    await TokenClient(endpoint.config(), policy=FAST).access_token()

    [seen] = endpoint.requests
    assert seen.authorization.startswith("Basic ")
    assert CLIENT_SECRET not in " ".join(seen.form.values())
