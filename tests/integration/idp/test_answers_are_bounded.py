"""An identity provider's answer is read up to a bound: an endless or huge body from a
broken or hostile server fails the call instead of filling the controller's memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from controller.idp import IdpUnavailable, OidcAdapter, request_token
from controller.idp._oidc_wire import MAX_RESPONSE_BYTES


@pytest.fixture
async def huge_answers() -> AsyncIterator[str]:
    """A server whose every answer is a JSON document just over the bound."""

    async def huge(_request: web.Request) -> web.Response:
        padding = "x" * (MAX_RESPONSE_BYTES + 10)
        return web.json_response({"padding": padding})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", huge)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_a_token_answer_over_the_bound_fails_as_unavailable(huge_answers: str) -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(IdpUnavailable, match="larger than"):
            await request_token(http, f"{huge_answers}/token", "id", "secret", ("read",))


async def test_a_discovery_answer_over_the_bound_fails_as_unavailable(huge_answers: str) -> None:
    async def no_token() -> str:
        return "unused"

    async with aiohttp.ClientSession() as http:
        adapter = OidcAdapter(huge_answers, no_token, http)
        with pytest.raises(IdpUnavailable, match="larger than"):
            await adapter.endpoints()
