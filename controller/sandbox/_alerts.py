"""The sandbox's chat: a local receiver for the daemon's generic-webhook alerts.

In the sandbox the daemon's drift alerts go to this receiver instead of Slack, and the
sandbox prints each one, so a person who drifts something by hand sees the message chat
would get, next to the status change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

ALERTS_VARIABLE = "ECS_OAUTH_SANDBOX_ALERTS_URL"
"""The daemon reads its webhook URL from here (``alerts.webhook.url.fromEnv``)."""


def render_alert(document: Mapping[str, Any]) -> str:
    """One line per alert: what chat would read (it names paths, never values)."""
    return f"alert to chat: {document.get('text') or document.get('title') or document}"


class AlertReceiver:
    """Accepts JSON POSTs on loopback and hands each document to ``on_alert``."""

    def __init__(self, on_alert: Callable[[Mapping[str, Any]], None]) -> None:
        self._on_alert = on_alert
        app = web.Application()
        app.router.add_post("/alerts", self._receive)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> str:
        """Bind a free loopback port; the URL to post alerts to."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}/alerts"

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        try:
            document = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="expected a JSON document")
        if isinstance(document, dict):
            self._on_alert(document)
        return web.Response(status=204)
