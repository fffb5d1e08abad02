"""A Cognito-like OAuth token endpoint beside moto, which has none.

moto stores user pools and app clients but cannot issue client-credentials
tokens (its server routes ``/oauth2/token`` to S3). The controller's tests and
the sandbox need tokens that behave like Cognito's: only the client's active
secrets authenticate (the generated one and any added with
AddUserPoolClientSecret), only scopes in AllowedOAuthScopes may be asked for,
and the lifetime follows AccessTokenValidity and TokenValidityUnits. Served
under ``/__cognito/<userPoolId>/`` on the same server as moto:

- ``POST oauth2/token``: RFC 6749 client-credentials grant, client
  authentication by HTTP Basic or ``client_secret_post``;
- ``GET .well-known/jwks.json``: the public key of the RS256 access tokens;
- ``GET .well-known/openid-configuration``: discovery of the two above.

One RSA key per middleware instance (so per server process) is enough for a
sandbox; it is not persisted.
"""

from __future__ import annotations

import hmac
import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.cognitoidp.models import cognitoidp_backends
from werkzeug.wrappers import Request, Response

from controller.sandbox._moto_cognito import active_secrets

PATH_PREFIX = "/__cognito/"
_ROUTE = re.compile(r"/__cognito/(?P<pool>[^/]+)/(?P<endpoint>.+)")
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_ACCESS_TOKEN_SECONDS = 3600


def access_token_lifetime(client_config: Mapping[str, Any]) -> int:
    """Seconds an access token lives, read the way Cognito reads the client.

    AccessTokenValidity counts in TokenValidityUnits.AccessToken, whose
    default is hours; a client without AccessTokenValidity gets 60 minutes.
    """
    validity = client_config.get("AccessTokenValidity")
    if validity is None:
        return DEFAULT_ACCESS_TOKEN_SECONDS
    units = client_config.get("TokenValidityUnits") or {}
    return int(validity) * _UNIT_SECONDS[units.get("AccessToken", "hours")]


def _find_user_pool(pool_id: str) -> Any | None:
    """The pool with this id in any account and Region moto has data for."""
    for account_backends in list(cognitoidp_backends.values()):
        for backend in list(account_backends.values()):
            pool = backend.user_pools.get(pool_id)
            if pool is not None:
                return pool
    return None


def _json(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json",
    )


def _oauth_error(status: int, error: str, description: str) -> Response:
    """An RFC 6749 section 5.2 error; 401 answers carry the challenge it requires."""
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="cognito"'
    return _json(status, {"error": error, "error_description": description}, headers)


def _presented_credentials(request: Request) -> tuple[str, str] | None:
    """The client id and secret from HTTP Basic, else from the form body."""
    authorization = request.authorization
    if authorization is not None and authorization.type == "basic":
        # RFC 6749 section 2.3.1: both parts are form-urlencoded before Base64.
        return unquote(authorization.username or ""), unquote(authorization.password or "")
    client_id = request.form.get("client_id")
    client_secret = request.form.get("client_secret")
    if client_id and client_secret:
        return client_id, client_secret
    return None


class CognitoOAuthEndpoints:
    """WSGI middleware answering ``/__cognito/...`` and passing the rest to moto."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._key = RSAKey.generate_key(
            2048, parameters={"use": "sig", "alg": "RS256"}, private=True, auto_kid=True
        )
        self._public_jwk: dict[str, Any] = dict(self._key.as_dict(private=False))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PATH_PREFIX):
            return self._app(environ, start_response)
        request = Request(environ)
        return self._route(request, path)(environ, start_response)

    def _route(self, request: Request, path: str) -> Response:
        match = _ROUTE.fullmatch(path)
        endpoints = {
            "oauth2/token": ("POST", self._token),
            ".well-known/jwks.json": ("GET", self._jwks),
            ".well-known/openid-configuration": ("GET", self._discovery),
        }
        if match is None or match["endpoint"] not in endpoints:
            return _json(404, {"error": "not_found"})
        method, handler = endpoints[match["endpoint"]]
        if request.method != method:
            return _json(405, {"error": "method_not_allowed"}, {"Allow": method})
        pool = _find_user_pool(match["pool"])
        if pool is None:
            return _json(404, {"error": "not_found", "error_description": "unknown user pool"})
        issuer = f"{request.host_url}__cognito/{pool.id}"
        return handler(request, pool, issuer)

    def _jwks(self, _request: Request, _pool: Any, _issuer: str) -> Response:
        return _json(200, {"keys": [self._public_jwk]})

    def _discovery(self, _request: Request, _pool: Any, issuer: str) -> Response:
        return _json(
            200,
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/oauth2/token",
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )

    def _token(self, request: Request, pool: Any, issuer: str) -> Response:
        credentials = _presented_credentials(request)
        if credentials is None:
            return _oauth_error(401, "invalid_client", "client authentication is required")
        client_id, presented_secret = credentials
        client = pool.clients.get(client_id)
        if client is None or not any(
            hmac.compare_digest(secret.value.encode(), presented_secret.encode())
            for secret in active_secrets(client)
        ):
            return _oauth_error(401, "invalid_client", "client authentication failed")
        if request.form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "only client_credentials")
        config: Mapping[str, Any] = client.extended_config
        if "client_credentials" not in (config.get("AllowedOAuthFlows") or []):
            return _oauth_error(
                400, "unauthorized_client", "client_credentials is not an allowed flow"
            )
        requested = list(dict.fromkeys(request.form.get("scope", "").split()))
        if not requested:
            return _oauth_error(400, "invalid_request", "the scope parameter is required")
        allowed = set(config.get("AllowedOAuthScopes") or [])
        if not set(requested) <= allowed:
            return _oauth_error(400, "invalid_scope", "scope not in AllowedOAuthScopes")
        lifetime = access_token_lifetime(config)
        now = int(time.time())
        claims = {
            "sub": client.id,
            "client_id": client.id,
            "token_use": "access",
            "scope": " ".join(requested),
            "auth_time": now,
            "iss": issuer,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            "version": 2,
        }
        header = {"alg": "RS256", "kid": self._public_jwk["kid"]}
        token = jwt.encode(header, claims, self._key)
        return _json(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": lifetime},
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )
