"""The org authorization server (service apps' tokens for the management API) and the
custom authorization server (the clients' tokens, as its policies allow)."""

from __future__ import annotations

import base64
import json
import secrets
import time

from aiohttp import web
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from controller.sandbox.okta._state import Peer, basic, new_id, oauth_error


class TokenEndpoints(Peer):
    # -- the org authorization server, for service apps on the management API ----------

    async def org_token(self, request: web.Request) -> web.Response:
        """client_credentials with a private_key_jwt assertion (RFC 7523), as the SDK
        sends it; an opaque token for the management API."""
        form = await request.post()
        assertion = str(form.get("client_assertion") or "")
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return oauth_error(400, "invalid_client", "A client assertion is required.")
        try:  # the issuer names the key; the signature is checked with it below
            payload = assertion.split(".")[1]
            padded = payload + "=" * (-len(payload) % 4)
            client_id = str(json.loads(base64.urlsafe_b64decode(padded))["iss"])
        except (IndexError, ValueError, KeyError, TypeError):
            return oauth_error(401, "invalid_client", "The client assertion is malformed.")
        with self.org.lock:
            known = self.org.service_apps.get(client_id)
        if known is None:
            return oauth_error(401, "invalid_client", "Client authentication failed.")
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
            return oauth_error(401, "invalid_client", "The client assertion is invalid.")
        asked = frozenset(str(form.get("scope") or "").split())
        if form.get("grant_type") != "client_credentials" or not asked:
            return oauth_error(400, "invalid_request", "client_credentials with scopes only.")
        if not asked <= allowed:
            return oauth_error(400, "invalid_scope", "The requested scope is not allowed.")
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
        client_id, secret = basic(request.headers.get("Authorization", ""))
        with self.org.lock:
            app = self.org.apps.get(client_id or "")
            active = {
                e["client_secret"]
                for e in self.org.secrets.get(client_id or "", [])
                if e["status"] == "ACTIVE"
            }
            if app is None or app["status"] != "ACTIVE" or secret not in active:
                return oauth_error(401, "invalid_client", "Client authentication failed.")
            grants = (app.get("settings") or {}).get("oauthClient", {}).get("grant_types") or []
            if form.get("grant_type") != "client_credentials" or "client_credentials" not in grants:
                return oauth_error(400, "unauthorized_client", "The grant type is not allowed.")
            asked = str(form.get("scope") or "").split()
            if not asked:
                return oauth_error(400, "invalid_scope", "One or more scopes are required.")
            unknown = [s for s in asked if s not in {x["name"] for x in self.org.scopes.values()}]
            if unknown:
                return oauth_error(400, "invalid_scope", f"Unknown scopes: {unknown}")
            minutes = self._allowed(client_id or "", set(asked))
        if minutes is None:
            return oauth_error(400, "access_denied", "Policy evaluation failed for this request.")
        now = int(time.time())
        claims = {
            "iss": self.issuer(),
            "aud": "api://default",
            "sub": client_id,
            "cid": client_id,
            "iat": now,
            "exp": now + minutes * 60,
            "jti": new_id("AT."),
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
