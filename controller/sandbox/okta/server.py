"""A local Okta org: the management API subset the adapter uses, and one custom
authorization server that issues client_credentials tokens as its policies allow.

Given a judge (the tests give one holding Okta's OpenAPI document, too big to ship),
every management request and response passes it first; what it refuses is answered 400
(or 500 for an answer of ours) and kept in ``violations``. The sandbox runs it without.
State lives in plain dicts behind one lock; the server runs on its own thread and loop.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web
from joserfc.jwk import RSAKey

from controller.sandbox.okta._management import ManagementApi
from controller.sandbox.okta._state import BODY, RATE_LIMIT, Logged, OktaOrg, error
from controller.sandbox.okta._tokens import TokenEndpoints

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Judge(Protocol):
    """What the server asks of a description of the management API: which operation a
    request is, and what is wrong with a request or an answer (empty when nothing)."""

    def operation(self, method: str, path: str) -> Any: ...

    def request_problems(self, operation: Any, query: dict[str, str], body: Any) -> list[str]: ...

    def response_problems(self, operation: Any, status: int, body: Any) -> list[str]: ...


class OktaServer(ManagementApi, TokenEndpoints):
    def __init__(self, org: OktaOrg, judge: Judge | None = None) -> None:
        self.org = org
        self.judge = judge
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.base = ""
        app = web.Application(middlewares=[self._management])
        routes = [
            ("GET", "/api/v1/apps", self.list_apps),
            ("POST", "/api/v1/apps", self.create_app),
            ("GET", "/api/v1/apps/{app}", self.get_app),
            ("PUT", "/api/v1/apps/{app}", self.replace_app),
            ("DELETE", "/api/v1/apps/{app}", self.delete_app),
            ("POST", "/api/v1/apps/{app}/lifecycle/activate", self.activate_app),
            ("POST", "/api/v1/apps/{app}/lifecycle/deactivate", self.deactivate_app),
            ("GET", "/api/v1/apps/{app}/credentials/secrets", self.list_secrets),
            ("POST", "/api/v1/apps/{app}/credentials/secrets", self.create_secret),
            ("DELETE", "/api/v1/apps/{app}/credentials/secrets/{s}", self.delete_secret),
            (
                "POST",
                "/api/v1/apps/{app}/credentials/secrets/{s}/lifecycle/deactivate",
                self.deactivate_secret,
            ),
            ("GET", "/api/v1/authorizationServers/{as}/scopes", self.list_scopes),
            ("POST", "/api/v1/authorizationServers/{as}/scopes", self.create_scope),
            ("GET", "/api/v1/authorizationServers/{as}/policies", self.list_policies),
            ("POST", "/api/v1/authorizationServers/{as}/policies", self.create_policy),
            ("DELETE", "/api/v1/authorizationServers/{as}/policies/{p}", self.delete_policy),
            ("GET", "/api/v1/authorizationServers/{as}/policies/{p}/rules", self.list_rules),
            ("POST", "/api/v1/authorizationServers/{as}/policies/{p}/rules", self.create_rule),
            (
                "PUT",
                "/api/v1/authorizationServers/{as}/policies/{p}/rules/{r}",
                self.replace_rule,
            ),
            ("POST", "/oauth2/v1/token", self.org_token),
            ("POST", "/oauth2/{as}/v1/token", self.token),
            ("GET", "/oauth2/{as}/v1/keys", self.keys),
            ("GET", "/oauth2/{as}/.well-known/oauth-authorization-server", self.discovery),
            ("GET", "/oauth2/{as}/.well-known/openid-configuration", self.discovery),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        self.app = app

    # -- the judge ---------------------------------------------------------------------

    @web.middleware
    async def _management(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/v1/"):
            return await handler(request)
        arrived = time.time()
        answer = await self._judged(request, handler)
        remaining = answer.headers.get("X-Rate-Limit-Remaining")
        reset = answer.headers.get("X-Rate-Limit-Reset")
        logged = Logged(
            arrived,
            request.method,
            request.path,
            answer.status,
            int(remaining) if remaining is not None else None,
            int(reset) if reset is not None else None,
        )
        with self.org.lock:
            self.org.log.append(logged)
        return answer

    async def _judged(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        org = self.org
        with org.lock:
            org.calls.append(f"{request.method} {request.path}")
            throttled = org.throttle_next > 0
            org.throttle_next -= 1 if throttled else 0
        reset = str(int(time.time()) + 1)
        if throttled:
            answer: web.StreamResponse = error(
                429, "E0000047", "API call exceeded rate limit due to too many requests."
            )
            answer.headers.update(
                {
                    "X-Rate-Limit-Limit": str(RATE_LIMIT),
                    "X-Rate-Limit-Remaining": "0",
                    "X-Rate-Limit-Reset": reset,
                }
            )
            return answer
        refused = self._unauthorised(request)
        if refused is not None:
            return refused
        api = self.judge
        operation: Any = api.operation(request.method, request.path) if api else None
        if api is not None and operation is None:
            return self._violation(f"{request.method} {request.path}: no such operation", 404)
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self._violation(f"{request.method} {request.path}: body is not JSON", 400)
        problems = api.request_problems(operation, dict(request.query), body) if api else []
        if problems:
            return self._violation(f"{operation.method} {operation.template}: {problems}", 400)
        request[BODY] = body
        answer = await handler(request)
        assert isinstance(answer, web.Response)
        sent = json.loads(answer.body) if answer.body else None  # type: ignore[arg-type]
        problems = api.response_problems(operation, answer.status, sent) if api else []
        if problems:
            return self._violation(
                f"answer {answer.status} to {operation.method} {operation.template}: {problems}",
                500,
            )
        answer.headers.update(
            {
                "X-Rate-Limit-Limit": str(RATE_LIMIT),
                "X-Rate-Limit-Remaining": str(RATE_LIMIT - 1),
                "X-Rate-Limit-Reset": reset,
            }
        )
        return answer

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        """None when the API token, or a service app's token with the scope the path
        needs, authorises the call."""
        header = request.headers.get("Authorization", "")
        if header == f"SSWS {self.org.api_token}":
            return None
        scheme, _, token = header.partition(" ")
        with self.org.lock:
            granted = self.org.access_tokens.get(token) if scheme == "Bearer" else None
        if granted is None or granted[1] < time.time():
            return error(401, "E0000011", "Invalid token provided")
        needed = (
            "okta.apps.manage"
            if request.path.startswith("/api/v1/apps")
            else "okta.authorizationServers.manage"
        )
        if needed not in granted[0]:
            return error(403, "E0000006", "You do not have permission to perform the action")
        return None

    def _violation(self, what: str, status: int) -> web.Response:
        with self.org.lock:
            self.org.violations.append(what)
        return error(status, "E0000001", f"Api validation failed: {what}"[:500])


class RunningOkta:
    """The server on 127.0.0.1, on a thread of its own until :meth:`stop`."""

    def __init__(
        self,
        server_id: str | None = None,
        *,
        api_token: str | None = None,
        judge: Judge | None = None,
    ) -> None:
        self.org = OktaOrg(
            api_token=api_token or "00" + secrets.token_urlsafe(30),
            server_id=server_id or "aus" + secrets.token_hex(4),
        )
        self.server = OktaServer(self.org, judge)
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(self.server.app, access_log=None)
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self._thread.start()
        if not started.wait(30):
            raise RuntimeError("the Okta peer did not start")

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = self._runner.addresses[0][1]
        self.server.base = f"http://127.0.0.1:{port}"
        started.set()
        self._loop.run_forever()

    @property
    def org_url(self) -> str:
        return self.server.base

    @property
    def issuer(self) -> str:
        return self.server.issuer()

    def service_app(self, scopes: tuple[str, ...]) -> tuple[str, str]:
        """A service app granted ``scopes`` on the management API: its client id and its
        private key (PEM), as an administrator hands them over."""
        key = RSAKey.generate_key(2048)
        client_id = "0oa" + secrets.token_hex(8)
        with self.org.lock:
            self.org.service_apps[client_id] = (key, frozenset(scopes))
        return client_id, key.as_pem(private=True).decode()

    def reset(self) -> None:
        with self.org.lock:
            tables = (self.org.apps, self.org.scopes, self.org.policies, self.org.rules)
            for table in (*tables, self.org.secrets):
                table.clear()
            self.org.violations.clear()
            self.org.calls.clear()
            self.org.log.clear()
            self.org.throttle_next = 0
            self.org.service_apps.clear()
            self.org.access_tokens.clear()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
