"""A local Okta org: the management API subset the adapter uses, and one custom
authorization server that issues client_credentials tokens as its policies allow.

Every management request and response passes :mod:`openapi` first; what the document
refuses is answered 400 (or 500 for an answer of ours) and kept in ``violations``.
State lives in plain dicts behind one lock; the server runs on its own thread and loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.jwt import JWTClaimsRegistry

from tests.peers.okta.openapi import management_api

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RATE_LIMIT = 600
BODY = web.RequestKey("body", object)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


def _error(status: int, code: str, summary: str) -> web.Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": _new_id("oae"),
        "errorCauses": [],
    }
    return web.json_response(body, status=status)


@dataclass
class OktaOrg:
    """What the org holds, and what the tests may look at or change by hand."""

    api_token: str
    server_id: str
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Each app's client secrets (at most two), oldest first.
    secrets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # OAuth service apps allowed on the management API: client id -> public key, scopes.
    service_apps: dict[str, tuple[RSAKey, frozenset[str]]] = field(default_factory=dict)
    # Management access tokens issued to them: token -> (scopes, expiry).
    access_tokens: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    # The next this-many management calls are answered 429 (a rate-limit storm).
    throttle_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class OktaServer:
    def __init__(self, org: OktaOrg) -> None:
        self.org = org
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
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        self.app = app

    # -- the judge ---------------------------------------------------------------------

    @web.middleware
    async def _management(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/v1/"):
            return await handler(request)
        org = self.org
        with org.lock:
            org.calls.append(f"{request.method} {request.path}")
            throttled = org.throttle_next > 0
            org.throttle_next -= 1 if throttled else 0
        reset = str(int(time.time()) + 1)
        if throttled:
            answer = _error(
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
        api = management_api()
        operation = api.operation(request.method, request.path)
        if operation is None:
            return self._violation(f"{request.method} {request.path}: no such operation", 404)
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self._violation(f"{request.method} {request.path}: body is not JSON", 400)
        problems = api.request_problems(operation, dict(request.query), body)
        if problems:
            return self._violation(f"{operation.method} {operation.template}: {problems}", 400)
        request[BODY] = body
        answer = await handler(request)
        assert isinstance(answer, web.Response)
        sent = json.loads(answer.body) if answer.body else None  # type: ignore[arg-type]
        problems = api.response_problems(operation, answer.status, sent)
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
            return _error(401, "E0000011", "Invalid token provided")
        needed = (
            "okta.apps.manage"
            if request.path.startswith("/api/v1/apps")
            else "okta.authorizationServers.manage"
        )
        if needed not in granted[0]:
            return _error(403, "E0000006", "You do not have permission to perform the action")
        return None

    def _violation(self, what: str, status: int) -> web.Response:
        with self.org.lock:
            self.org.violations.append(what)
        return _error(status, "E0000001", f"Api validation failed: {what}"[:500])

    # -- apps --------------------------------------------------------------------------

    def _app_answer(self, app: dict[str, Any]) -> dict[str, Any]:
        shown = json.loads(json.dumps(app))
        shown["_links"] = {"self": {"href": f"{self.base}/api/v1/apps/{app['id']}"}}
        return shown

    def _found(self, request: web.Request) -> dict[str, Any] | None:
        return self.org.apps.get(request.match_info["app"])

    async def list_apps(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        with self.org.lock:
            apps = [self._app_answer(a) for a in self.org.apps.values() if a["label"].startswith(q)]
        return web.json_response(apps)

    async def create_app(self, request: web.Request) -> web.Response:
        body = request[BODY]
        if body.get("signOnMode") != "OPENID_CONNECT":
            return _error(400, "E0000001", "Api validation failed: signOnMode")
        oauth = dict((body.get("credentials") or {}).get("oauthClient") or {})
        settings = (body.get("settings") or {}).get("oauthClient") or {}
        if settings.get("application_type") == "service" and set(
            settings.get("grant_types") or []
        ) - {"client_credentials"}:
            return _error(400, "E0000001", "Api validation failed: grant_types for a service")
        app_id = "0oa" + secrets.token_hex(8)
        oauth.setdefault("client_id", app_id)
        oauth.setdefault("client_secret", secrets.token_urlsafe(30))
        oauth.setdefault("autoKeyRotation", True)
        app = {
            **body,
            "id": app_id,
            "status": "ACTIVE" if request.query.get("activate", "true") == "true" else "INACTIVE",
            "created": _now(),
            "lastUpdated": _now(),
            "credentials": {**(body.get("credentials") or {}), "oauthClient": oauth},
        }
        with self.org.lock:
            self.org.apps[app_id] = app
            self.org.secrets[app_id] = [self._secret(oauth["client_secret"])]
        return web.json_response(self._app_answer(app))

    async def get_app(self, request: web.Request) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            shown = self._app_answer(app)
        shown["credentials"]["oauthClient"].pop("client_secret", None)
        return web.json_response(shown)

    async def replace_app(self, request: web.Request) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            oauth = {**app["credentials"]["oauthClient"], **body["credentials"]["oauthClient"]}
            app.update({k: v for k, v in body.items() if k not in ("credentials",)})
            app["credentials"] = {**body["credentials"], "oauthClient": oauth}
            app["lastUpdated"] = _now()
            shown = self._app_answer(app)
        shown["credentials"]["oauthClient"].pop("client_secret", None)
        return web.json_response(shown)

    async def delete_app(self, request: web.Request) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            if app["status"] == "ACTIVE":
                return _error(403, "E0000056", "Delete application forbidden.")
            del self.org.apps[app["id"]]
            self.org.secrets.pop(app["id"], None)
        return web.Response(status=204)

    async def activate_app(self, request: web.Request) -> web.Response:
        return self._lifecycle(request, "ACTIVE")

    async def deactivate_app(self, request: web.Request) -> web.Response:
        return self._lifecycle(request, "INACTIVE")

    def _lifecycle(self, request: web.Request, status: str) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            app["status"] = status
        return web.json_response({})

    # -- client secrets ------------------------------------------------------------------

    def _secret(self, value: str) -> dict[str, Any]:
        return {
            "id": _new_id("ocs"),
            "client_secret": value,
            "secret_hash": secrets.token_urlsafe(16),
            "status": "ACTIVE",
            "created": _now(),
            "lastUpdated": _now(),
        }

    def _secret_answer(self, app_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        href = f"{self.base}/api/v1/apps/{app_id}/credentials/secrets/{entry['id']}"
        return {**entry, "_links": {"self": {"href": href}}}

    async def list_secrets(self, request: web.Request) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            listed = [self._secret_answer(app["id"], e) for e in self.org.secrets[app["id"]]]
        return web.json_response(listed)

    async def create_secret(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            held = self.org.secrets[app["id"]]
            if len(held) >= 2:
                return _error(400, "E0000001", "Api validation failed: at most two secrets")
            entry = self._secret(body.get("client_secret") or secrets.token_urlsafe(30))
            entry["status"] = body.get("status", "ACTIVE")
            held.append(entry)
            return web.json_response(self._secret_answer(app["id"], entry), status=201)

    def _held(self, request: web.Request) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        held = self.org.secrets.get(request.match_info["app"], [])
        found = [e for e in held if e["id"] == request.match_info["s"]]
        return (held, found[0]) if found else None

    async def deactivate_secret(self, request: web.Request) -> web.Response:
        with self.org.lock:
            found = self._held(request)
            if found is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            held, entry = found
            if sum(e["status"] == "ACTIVE" for e in held) == 1 and entry["status"] == "ACTIVE":
                return _error(400, "E0000001", "Api validation failed: the last active secret")
            entry["status"], entry["lastUpdated"] = "INACTIVE", _now()
            return web.json_response(self._secret_answer(request.match_info["app"], entry))

    async def delete_secret(self, request: web.Request) -> web.Response:
        with self.org.lock:
            found = self._held(request)
            if found is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            held, entry = found
            if entry["status"] == "ACTIVE":
                return _error(400, "E0000001", "Api validation failed: an active secret")
            held.remove(entry)
        return web.Response(status=204)

    # -- the authorization server's scopes, policies and rules -------------------------

    def _server(self, request: web.Request) -> web.Response | None:
        if request.match_info["as"] != self.org.server_id:
            return _error(404, "E0000007", "Not found: Resource not found")
        return None

    async def list_scopes(self, request: web.Request) -> web.Response:
        with self.org.lock:
            return self._server(request) or web.json_response(list(self.org.scopes.values()))

    async def create_scope(self, request: web.Request) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            if (missing := self._server(request)) is not None:
                return missing
            if any(s["name"] == body["name"] for s in self.org.scopes.values()):
                return _error(400, "E0000001", "Api validation failed: name must be unique")
            scope = {"system": False, "default": False, "consent": "IMPLICIT", **body}
            scope["id"] = _new_id("scp")
            self.org.scopes[scope["id"]] = scope
        return web.json_response(scope, status=201)

    async def list_policies(self, request: web.Request) -> web.Response:
        with self.org.lock:
            return self._server(request) or web.json_response(list(self.org.policies.values()))

    async def create_policy(self, request: web.Request) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            if (missing := self._server(request)) is not None:
                return missing
            policy = {**body, "id": _new_id("00p"), "system": False, "created": _now()}
            policy.setdefault("status", "ACTIVE")
            self.org.policies[policy["id"]] = policy
            self.org.rules[policy["id"]] = {}
        return web.json_response(policy, status=201)

    async def delete_policy(self, request: web.Request) -> web.Response:
        with self.org.lock:
            if self.org.policies.pop(request.match_info["p"], None) is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            self.org.rules.pop(request.match_info["p"], None)
        return web.Response(status=204)

    async def list_rules(self, request: web.Request) -> web.Response:
        with self.org.lock:
            rules = self.org.rules.get(request.match_info["p"])
            if rules is None:
                return _error(404, "E0000007", "Not found: Resource not found")
            return web.json_response(list(rules.values()))

    async def create_rule(self, request: web.Request) -> web.Response:
        return self._put_rule(request, _new_id("0pr"))

    async def replace_rule(self, request: web.Request) -> web.Response:
        return self._put_rule(request, request.match_info["r"], replace=True)

    def _put_rule(self, request: web.Request, rule_id: str, replace: bool = False) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            rules = self.org.rules.get(request.match_info["p"])
            if rules is None or (replace and rule_id not in rules):
                return _error(404, "E0000007", "Not found: Resource not found")
            known = {s["name"] for s in self.org.scopes.values()}
            asked = set(((body.get("conditions") or {}).get("scopes") or {}).get("include") or [])
            if asked - known - {"*"}:
                return _error(
                    400, "E0000001", f"Api validation failed: scopes {sorted(asked - known)}"
                )
            minutes = ((body.get("actions") or {}).get("token") or {}).get(
                "accessTokenLifetimeMinutes"
            )
            if minutes is not None and not 5 <= minutes <= 1440:
                return _error(400, "E0000001", "Api validation failed: accessTokenLifetimeMinutes")
            rule = {
                **body,
                "id": rule_id,
                "system": False,
                "created": _now(),
                "lastUpdated": _now(),
            }
            rule.setdefault("status", "ACTIVE")
            rules[rule_id] = rule
        return web.json_response(rule, status=200 if replace else 201)

    # -- the org authorization server, for service apps on the management API ----------

    async def org_token(self, request: web.Request) -> web.Response:
        """client_credentials with a private_key_jwt assertion (RFC 7523), as the SDK
        sends it; an opaque token for the management API."""
        form = await request.post()
        assertion = str(form.get("client_assertion") or "")
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return _oauth_error(400, "invalid_client", "A client assertion is required.")
        try:  # the issuer names the key; the signature is checked with it below
            payload = assertion.split(".")[1]
            padded = payload + "=" * (-len(payload) % 4)
            client_id = str(json.loads(base64.urlsafe_b64decode(padded))["iss"])
        except (IndexError, ValueError, KeyError, TypeError):
            return _oauth_error(401, "invalid_client", "The client assertion is malformed.")
        with self.org.lock:
            known = self.org.service_apps.get(client_id)
        if known is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        key, allowed = known
        try:
            claims = jwt.decode(assertion, key).claims
            JWTClaimsRegistry(
                iss={"essential": True, "value": client_id},
                sub={"essential": True, "value": client_id},
                aud={"essential": True, "value": f"{self.base}/oauth2/v1/token"},
                exp={"essential": True},
            ).validate(claims)
        except JoseError:
            return _oauth_error(401, "invalid_client", "The client assertion is invalid.")
        asked = frozenset(str(form.get("scope") or "").split())
        if form.get("grant_type") != "client_credentials" or not asked:
            return _oauth_error(400, "invalid_request", "client_credentials with scopes only.")
        if not asked <= allowed:
            return _oauth_error(400, "invalid_scope", "The requested scope is not allowed.")
        token = secrets.token_urlsafe(32)
        with self.org.lock:
            self.org.access_tokens[token] = (asked, time.time() + 3600)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3600,
                "access_token": token,
                "scope": " ".join(sorted(asked)),
            }
        )

    # -- the custom authorization server -----------------------------------------------

    def issuer(self) -> str:
        return f"{self.base}/oauth2/{self.org.server_id}"

    async def discovery(self, request: web.Request) -> web.Response:
        issuer = self.issuer()
        return web.json_response(
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/v1/token",
                "jwks_uri": f"{issuer}/v1/keys",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id, secret = _basic(request.headers.get("Authorization", ""))
        with self.org.lock:
            app = self.org.apps.get(client_id or "")
            active = {
                e["client_secret"]
                for e in self.org.secrets.get(client_id or "", [])
                if e["status"] == "ACTIVE"
            }
            if app is None or app["status"] != "ACTIVE" or secret not in active:
                return _oauth_error(401, "invalid_client", "Client authentication failed.")
            grants = (app.get("settings") or {}).get("oauthClient", {}).get("grant_types") or []
            if form.get("grant_type") != "client_credentials" or "client_credentials" not in grants:
                return _oauth_error(400, "unauthorized_client", "The grant type is not allowed.")
            asked = str(form.get("scope") or "").split()
            if not asked:
                return _oauth_error(400, "invalid_scope", "One or more scopes are required.")
            unknown = [s for s in asked if s not in {x["name"] for x in self.org.scopes.values()}]
            if unknown:
                return _oauth_error(400, "invalid_scope", f"Unknown scopes: {unknown}")
            minutes = self._allowed(client_id or "", set(asked))
        if minutes is None:
            return _oauth_error(400, "access_denied", "Policy evaluation failed for this request.")
        now = int(time.time())
        claims = {
            "iss": self.issuer(),
            "aud": "api://default",
            "sub": client_id,
            "cid": client_id,
            "iat": now,
            "exp": now + minutes * 60,
            "jti": _new_id("AT."),
            "scp": asked,
        }
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": minutes * 60,
                "access_token": token,
                "scope": " ".join(asked),
            }
        )

    def _allowed(self, client_id: str, asked: set[str]) -> int | None:
        """The token lifetime of the first active rule, of the first active policy naming
        the client, that allows client_credentials for every scope asked; None if none."""
        policies = sorted(self.org.policies.values(), key=lambda p: p.get("priority", 0))
        for policy in policies:
            clients = policy.get("conditions", {}).get("clients", {}).get("include") or []
            if policy.get("status") != "ACTIVE" or not {client_id, "ALL_CLIENTS"} & set(clients):
                continue
            rules = sorted(
                self.org.rules[policy["id"]].values(), key=lambda r: r.get("priority", 0)
            )
            for rule in rules:
                conditions = rule.get("conditions") or {}
                grants = (conditions.get("grantTypes") or {}).get("include") or []
                scopes = set((conditions.get("scopes") or {}).get("include") or [])
                if rule.get("status") != "ACTIVE" or "client_credentials" not in grants:
                    continue
                if "*" in scopes or asked <= scopes:
                    token = (rule.get("actions") or {}).get("token") or {}
                    return int(token.get("accessTokenLifetimeMinutes", 60))
        return None


def _basic(header: str) -> tuple[str | None, str | None]:
    if not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None, None
    return user, password


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


class RunningOkta:
    """The server on 127.0.0.1, on a thread of its own until :meth:`stop`."""

    def __init__(self, server_id: str = "aus" + secrets.token_hex(4)) -> None:
        self.org = OktaOrg(api_token="00" + secrets.token_urlsafe(30), server_id=server_id)
        self.server = OktaServer(self.org)
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
            self.org.throttle_next = 0
            self.org.service_apps.clear()
            self.org.access_tokens.clear()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
