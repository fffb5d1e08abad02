"""A test-only stand-in for an ECS deployment that fails, which moto cannot produce.

moto's deployments never reach rolloutState FAILED (it sets COMPLETED or IN_PROGRESS when
a service is created, and a forced deployment only gets a new id). This HTTP proxy sits
between the controller and moto for ECS alone (``AWS_ENDPOINT_URL_ECS``), forwards every
call unchanged, and rewrites DescribeServices answers so that the deployments of chosen
services read FAILED, as ECS reports a deployment its circuit breaker stopped. moto
still holds and serves all the state; only that one field is rewritten.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
_SKIPPED_HEADERS = frozenset({"host", "content-length", "connection"})


class FailingRollouts:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.failing: set[str] = set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                proxy.forward(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test's output is the controller's."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _SKIPPED_HEADERS}
        request = urllib.request.Request(  # noqa: S310 - moto's own http:// URL
            self.upstream + handler.path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, answer, content_type = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, answer, content_type = error.code, error.read(), error.headers
        target = handler.headers.get("X-Amz-Target", "")
        if status == 200 and target.endswith(".DescribeServices"):
            answer = self._failed(answer)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type.get("Content-Type", "application/json"))
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def _failed(self, answer: bytes) -> bytes:
        document = json.loads(answer)
        for service in document.get("services", []):
            if service.get("serviceName") in self.failing:
                for deployment in service.get("deployments", []):
                    deployment["rolloutState"] = "FAILED"
                    deployment["rolloutStateReason"] = CIRCUIT_BREAKER_REASON
        return json.dumps(document).encode()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
