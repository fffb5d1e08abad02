"""The daemon's HTTP face: health, readiness, Prometheus metrics and status, via aiohttp.

The port is reachable by whatever shares the network, so a client that sends a request
slowly, or never finishes it, must not hold a connection (and, repeated, the port) for
long: the limits below bound the time and size of what the server waits for, and
/healthz keeps answering the other clients meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from controller.daemon._metrics import Metrics

_TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
# What a probe needs stays open; what describes the estate needs the token, when one is set.
_GUARDED = frozenset({"/metrics", "/status"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# aiohttp starts its keep-alive timer when a connection opens and again after each
# response, and closes the connection when it fires while a request head is still
# incomplete, however slowly bytes trickle in: so this bounds the time to send the
# request line and headers (slowloris) as well as idle keep-alive connections. Its
# default is an hour.
REQUEST_HEAD_TIMEOUT = 5.0
# None of our routes reads a body; once the response is sent aiohttp reads and drops
# what is left of one for at most this long, then closes.
REQUEST_BODY_TIMEOUT = 2.0
# A client that stops reading its response would otherwise keep the handler waiting for
# the socket to drain, and the connection open, for good.
RESPONSE_SEND_TIMEOUT = 10.0
# A probe's request is a few hundred bytes; a bearer token fits well within a field.
MAX_LINE_BYTES = 4096
MAX_FIELD_BYTES = 4096
MAX_HEADERS = 32


class StatusServer:
    def __init__(
        self,
        metrics: Metrics,
        status: Callable[[], dict[str, Any]],
        ready: Callable[[], bool],
        auth_token: str | None = None,
        git_hook: Handler | None = None,
    ) -> None:
        self._metrics = metrics
        self._status = status
        self._ready = ready
        self._expected = f"Bearer {auth_token}".encode() if auth_token else None
        self._send_timeout = RESPONSE_SEND_TIMEOUT
        app = web.Application(middlewares=[self._send_in_time, self._authorize])
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_page)
        app.router.add_get("/status", self._status_page)
        if git_hook is not None:  # signed by the git provider, so not behind the token
            app.router.add_post("/hooks/git", git_hook)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            keepalive_timeout=REQUEST_HEAD_TIMEOUT,
            lingering_time=REQUEST_BODY_TIMEOUT,
            max_line_size=MAX_LINE_BYTES,
            max_field_size=MAX_FIELD_BYTES,
            max_headers=MAX_HEADERS,
        )

    async def start(self, listen: str) -> str:
        """Bind ``host:port`` (port 0 picks a free one); returns the base URL."""
        host, _, port = listen.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, int(port))
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        return f"http://{shown}:{bound_port}"

    async def stop(self) -> None:
        await self._runner.cleanup()

    @web.middleware
    async def _send_in_time(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Send the response here, within a deadline, rather than leave it to aiohttp, which
        would wait on a client that does not read for as long as it stays connected."""
        response = await handler(request)
        try:
            async with asyncio.timeout(self._send_timeout):
                await response.prepare(request)
                await response.write_eof()
        except TimeoutError:
            if request.transport is not None:
                request.transport.abort()  # aiohttp then takes it for a client gone away
        return response

    @web.middleware
    async def _authorize(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self._expected is None or request.path not in _GUARDED:
            return await handler(request)
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, self._expected):
            return await handler(request)
        return web.Response(
            status=401, text="bearer token required\n", headers={"WWW-Authenticate": "Bearer"}
        )

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        if self._ready():
            return web.Response(text="ready\n")
        return web.Response(status=503, text="first cycle not finished\n")

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = _TEXT_FORMAT
        return response

    async def _status_page(self, _request: web.Request) -> web.Response:
        return web.json_response(self._status())
