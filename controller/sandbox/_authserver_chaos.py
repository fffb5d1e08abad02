"""Random faults at the sandbox authorization server, as an IdP under load shows them.

The controller's RFC 7591/7592 and token calls must survive a 429 (with Retry-After), a
500/503, a dropped connection and a slow answer, as its AWS calls do (``_chaos``). The
discovery document and the JWKS are left alone: they are read once and cached.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from werkzeug.wrappers import Request, Response

from controller.sandbox._chaos import CHAOS_PATH, HOLD_PATH, Chaos


def operation_name(environ: WSGIEnvironment) -> str | None:
    """``register``, ``manage GET|PUT|DELETE``, ``token``; None for anything else."""
    method = str(environ.get("REQUEST_METHOD", ""))
    path = str(environ.get("PATH_INFO", ""))
    if path == "/register" and method == "POST":
        return "register"
    if path.startswith("/register/"):
        return f"manage {method}"
    if path == "/token" and method == "POST":
        return "token"
    return None


def fault_response(kind: str, _environ: WSGIEnvironment, draw: random.Random) -> Response:
    """429 with Retry-After, as Okta and oidc-provider's rate limiters answer; or a 5xx."""
    if kind == "throttle":
        body = {"error": "temporarily_unavailable", "error_description": "rate limited"}
        return Response(
            json.dumps(body),
            status=429,
            content_type="application/json",
            headers={"Retry-After": "1"},
        )
    status = draw.choice((500, 503))
    body = {"error": "server_error", "error_description": "fault injected by the sandbox"}
    return Response(json.dumps(body), status=status, content_type="application/json")


class ChaosAuthServer:
    """WSGI middleware: the chaos control endpoints, then faults on the OAuth endpoints."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self.chaos = Chaos(fault_response)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path in (CHAOS_PATH, HOLD_PATH):
            return self.chaos.control(Request(environ), path)(environ, start_response)
        if path == "/__test/reset":
            self.chaos.reset()
        return self.chaos.serve(operation_name(environ), self._app, environ, start_response)


def with_chaos(app: WSGIApplication) -> ChaosAuthServer:
    return ChaosAuthServer(app)
