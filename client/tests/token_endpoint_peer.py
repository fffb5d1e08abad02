"""A tiny OAuth token endpoint on loopback (aiohttp), answering from a script: the task
client's unit tests meet real HTTP, real status codes and real headers rather than mocks.

Unscripted requests get a fresh opaque token of ``lifetime`` seconds. ``hold()`` keeps
answers back until ``release()``, so a test can catch a refresh in flight.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from ecs_oauth_client import ClientConfig, Policy

CLIENT_ID = "orders-api-client"
CLIENT_SECRET = "s3cr3t-value-that-must-never-show-0123456789"
SCOPE = "orders/read orders/write"
WAIT_SECONDS = 30.0
FAST = Policy(attempts=4, base_delay=0.001, max_delay=0.01, timeout=5)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    """Close the connection without answering."""


@dataclass(frozen=True)
class Seen:
    authorization: str
    form: dict[str, str]


@dataclass
class TokenEndpoint:
    url: str = ""
    lifetime: int = 600
    script: deque[Reply] = field(default_factory=deque)
    requests: list[Seen] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    _gate: asyncio.Event | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def answer(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def wait_for_requests(self, count: int) -> None:
        """Until ``count`` requests have arrived (held or answered); a generous deadline."""
        async with asyncio.timeout(WAIT_SECONDS), self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)

    def hold(self) -> None:
        self._gate = asyncio.Event()

    def release(self) -> None:
        assert self._gate is not None
        self._gate.set()

    def config(self, **changes: str) -> ClientConfig:
        values = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_endpoint": self.url,
            "scope": SCOPE,
            **changes,
        }
        return ClientConfig(**values)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.requests.append(Seen(request.headers.get("Authorization", ""), form))
        async with self._arrived:
            self._arrived.notify_all()
        if self._gate is not None:
            await self._gate.wait()
        reply = self.script.popleft() if self.script else self.fresh_token(form)
        if reply.drop:
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if isinstance(reply.body, dict):
            return web.json_response(reply.body, status=reply.status, headers=reply.headers)
        return web.Response(text=reply.body or "", status=reply.status, headers=reply.headers)

    def fresh_token(self, form: dict[str, str]) -> Reply:
        access_token = f"opaque-access-token-{next(self._numbers)}"
        self.issued.append(access_token)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": form.get("scope", ""),
        }
        return Reply(body=body, headers={"Cache-Control": "no-store"})


class FakeClock:
    """The task's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def serve_token_endpoint() -> AsyncIterator[TokenEndpoint]:
    state = TokenEndpoint()
    app = web.Application()
    app.router.add_post("/oauth2/token", state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("/oauth2/token"))
    try:
        yield state
    finally:
        if state._gate is not None:
            state._gate.set()
        await server.close()
