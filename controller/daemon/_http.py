"""The daemon's HTTP face: health, readiness, Prometheus metrics and status, via aiohttp."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from controller.daemon._metrics import Metrics

_TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
# What a probe needs stays open; what describes the estate needs the token, when one is set.
_GUARDED = frozenset({"/metrics", "/status"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StatusServer:
    def __init__(
        self,
        metrics: Metrics,
        status: Callable[[], dict[str, Any]],
        ready: Callable[[], bool],
        auth_token: str | None = None,
    ) -> None:
        self._metrics = metrics
        self._status = status
        self._ready = ready
        self._expected = f"Bearer {auth_token}".encode() if auth_token else None
        app = web.Application(middlewares=[self._authorize])
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_page)
        app.router.add_get("/status", self._status_page)
        self._runner = web.AppRunner(app, access_log=None)

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
