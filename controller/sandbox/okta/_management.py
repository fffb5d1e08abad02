"""The management API's apps, client secrets, scopes, policies and rules, as the
adapter uses them (the judge in :mod:`server` has checked each request already)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from aiohttp import web

from controller.sandbox.okta._state import BODY, Peer, error, new_id, now, page


class ManagementApi(Peer):
    # -- apps --------------------------------------------------------------------------

    def _app_answer(self, app: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = json.loads(json.dumps(app))
        shown["_links"] = {"self": {"href": f"{self.base}/api/v1/apps/{app['id']}"}}
        return shown

    def _found(self, request: web.Request) -> dict[str, Any] | None:
        return self.org.apps.get(request.match_info["app"])

    async def list_apps(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        with self.org.lock:
            apps = [self._app_answer(a) for a in self.org.apps.values() if a["label"].startswith(q)]
        for app in apps:  # secrets show only on create and in /credentials/secrets
            app["credentials"]["oauthClient"].pop("client_secret", None)
        return page(request, apps, self.base)

    async def create_app(self, request: web.Request) -> web.Response:
        body = request[BODY]
        if body.get("signOnMode") != "OPENID_CONNECT":
            return error(400, "E0000001", "Api validation failed: signOnMode")
        oauth = dict((body.get("credentials") or {}).get("oauthClient") or {})
        settings = (body.get("settings") or {}).get("oauthClient") or {}
        if settings.get("application_type") == "service" and set(
            settings.get("grant_types") or []
        ) - {"client_credentials"}:
            return error(400, "E0000001", "Api validation failed: grant_types for a service")
        app_id = "0oa" + secrets.token_hex(8)
        oauth.setdefault("client_id", app_id)
        oauth.setdefault("client_secret", secrets.token_urlsafe(30))
        oauth.setdefault("autoKeyRotation", True)
        app = {
            **body,
            "id": app_id,
            "status": "ACTIVE" if request.query.get("activate", "true") == "true" else "INACTIVE",
            "created": now(),
            "lastUpdated": now(),
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
                return error(404, "E0000007", "Not found: Resource not found")
            shown = self._app_answer(app)
        shown["credentials"]["oauthClient"].pop("client_secret", None)
        return web.json_response(shown)

    async def replace_app(self, request: web.Request) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return error(404, "E0000007", "Not found: Resource not found")
            oauth = {**app["credentials"]["oauthClient"], **body["credentials"]["oauthClient"]}
            app.update({k: v for k, v in body.items() if k not in ("credentials",)})
            app["credentials"] = {**body["credentials"], "oauthClient": oauth}
            app["lastUpdated"] = now()
            shown = self._app_answer(app)
        shown["credentials"]["oauthClient"].pop("client_secret", None)
        return web.json_response(shown)

    async def delete_app(self, request: web.Request) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return error(404, "E0000007", "Not found: Resource not found")
            if app["status"] == "ACTIVE":
                return error(403, "E0000056", "Delete application forbidden.")
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
                return error(404, "E0000007", "Not found: Resource not found")
            app["status"] = status
        return web.json_response({})

    # -- client secrets ------------------------------------------------------------------

    def _secret(self, value: str) -> dict[str, Any]:
        return {
            "id": new_id("ocs"),
            "client_secret": value,
            "secret_hash": secrets.token_urlsafe(16),
            "status": "ACTIVE",
            "created": now(),
            "lastUpdated": now(),
        }

    def _secret_answer(self, app_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        href = f"{self.base}/api/v1/apps/{app_id}/credentials/secrets/{entry['id']}"
        return {**entry, "_links": {"self": {"href": href}}}

    async def list_secrets(self, request: web.Request) -> web.Response:
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return error(404, "E0000007", "Not found: Resource not found")
            listed = [self._secret_answer(app["id"], e) for e in self.org.secrets[app["id"]]]
        return web.json_response(listed)

    async def create_secret(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        with self.org.lock:
            app = self._found(request)
            if app is None:
                return error(404, "E0000007", "Not found: Resource not found")
            held = self.org.secrets[app["id"]]
            if len(held) >= 2:
                return error(400, "E0000001", "Api validation failed: at most two secrets")
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
                return error(404, "E0000007", "Not found: Resource not found")
            held, entry = found
            if sum(e["status"] == "ACTIVE" for e in held) == 1 and entry["status"] == "ACTIVE":
                return error(400, "E0000001", "Api validation failed: the last active secret")
            entry["status"], entry["lastUpdated"] = "INACTIVE", now()
            return web.json_response(self._secret_answer(request.match_info["app"], entry))

    async def delete_secret(self, request: web.Request) -> web.Response:
        with self.org.lock:
            found = self._held(request)
            if found is None:
                return error(404, "E0000007", "Not found: Resource not found")
            held, entry = found
            if entry["status"] == "ACTIVE":
                return error(400, "E0000001", "Api validation failed: an active secret")
            held.remove(entry)
        return web.Response(status=204)

    # -- the authorization server's scopes, policies and rules -------------------------

    def _server(self, request: web.Request) -> web.Response | None:
        if request.match_info["as"] != self.org.server_id:
            return error(404, "E0000007", "Not found: Resource not found")
        return None

    async def list_scopes(self, request: web.Request) -> web.Response:
        with self.org.lock:
            listed = list(self.org.scopes.values())
            return self._server(request) or page(request, listed, self.base)

    async def create_scope(self, request: web.Request) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            if (missing := self._server(request)) is not None:
                return missing
            if any(s["name"] == body["name"] for s in self.org.scopes.values()):
                return error(400, "E0000001", "Api validation failed: name must be unique")
            scope = {"system": False, "default": False, "consent": "IMPLICIT", **body}
            scope["id"] = new_id("scp")
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
            policy = {**body, "id": new_id("00p"), "system": False, "created": now()}
            policy.setdefault("status", "ACTIVE")
            self.org.policies[policy["id"]] = policy
            self.org.rules[policy["id"]] = {}
        return web.json_response(policy, status=201)

    async def delete_policy(self, request: web.Request) -> web.Response:
        with self.org.lock:
            if self.org.policies.pop(request.match_info["p"], None) is None:
                return error(404, "E0000007", "Not found: Resource not found")
            self.org.rules.pop(request.match_info["p"], None)
        return web.Response(status=204)

    async def list_rules(self, request: web.Request) -> web.Response:
        with self.org.lock:
            rules = self.org.rules.get(request.match_info["p"])
            if rules is None:
                return error(404, "E0000007", "Not found: Resource not found")
            return web.json_response(list(rules.values()))

    async def create_rule(self, request: web.Request) -> web.Response:
        return self._put_rule(request, new_id("0pr"))

    async def replace_rule(self, request: web.Request) -> web.Response:
        return self._put_rule(request, request.match_info["r"], replace=True)

    def _put_rule(self, request: web.Request, rule_id: str, replace: bool = False) -> web.Response:
        body = request[BODY]
        with self.org.lock:
            rules = self.org.rules.get(request.match_info["p"])
            if rules is None or (replace and rule_id not in rules):
                return error(404, "E0000007", "Not found: Resource not found")
            known = {s["name"] for s in self.org.scopes.values()}
            asked = set(((body.get("conditions") or {}).get("scopes") or {}).get("include") or [])
            if asked - known - {"*"}:
                return error(
                    400, "E0000001", f"Api validation failed: scopes {sorted(asked - known)}"
                )
            minutes = ((body.get("actions") or {}).get("token") or {}).get(
                "accessTokenLifetimeMinutes"
            )
            if minutes is not None and not 5 <= minutes <= 1440:
                return error(400, "E0000001", "Api validation failed: accessTokenLifetimeMinutes")
            rule = {
                **body,
                "id": rule_id,
                "system": False,
                "created": now(),
                "lastUpdated": now(),
            }
            rule.setdefault("status", "ACTIVE")
            rules[rule_id] = rule
        return web.json_response(rule, status=200 if replace else 201)
