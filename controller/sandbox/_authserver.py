"""The Flask application of the sandbox authorization server, assembled from
authlib's protocol machinery: client credentials (RFC 6749), dynamic client
registration and management (RFC 7591/7592) and JWT access tokens (RFC 9068).

What is written here is policy, not protocol: where the state lives, which
scopes are acceptable, and the few places where authlib's defaults differ from
the behaviour of the real identity provider the controller is tested against
(oidc-provider): error statuses, the default grant type, token lifetime,
registration access token rotation.

authlib ships without type information, so its classes are ``Any`` to the type
checker; subclassing them needs the ``misc`` ignores below.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskJsonPayload, FlaskJsonRequest
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import InvalidTokenError
from authlib.oauth2.rfc7591 import ClientMetadataClaims, ClientRegistrationEndpoint
from authlib.oauth2.rfc7592 import ClientConfigurationEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from flask import Flask, Response, jsonify, request
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet

from controller.sandbox._authserver_store import Client, ClientStore, RegistrationToken

ACCESS_TOKEN_LIFETIME = 3600
"""Seconds; authlib would otherwise give client-credentials tokens ten days."""

GRANT_TYPES = ("client_credentials",)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def _scope_accepted(scope: str, supported: frozenset[str] | None) -> bool:
    """Whether the server knows ``scope``: one of ``supported`` or, when the
    server was started without a list, anything but a wildcard (the sandbox
    accepts whatever the desired state declares, but a ``*`` is never a scope
    the controller should ask for)."""
    return "*" not in scope if supported is None else scope in supported


def _bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _requested_client_id() -> str:
    return str((request.view_args or {})["client_id"])


class _ClientMetadataClaims(ClientMetadataClaims):  # type: ignore[misc]
    """RFC 7591 metadata for a client-credentials-only server. authlib has
    already checked any given ``grant_types`` against the server metadata;
    these hooks supply the defaults that make sense here."""

    @classmethod
    def get_claims_options(cls, metadata: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = super().get_claims_options(metadata)
        # validate_scope applies the server's one scope rule instead (authlib's
        # own check also fails with a server error on a non-string scope).
        options.pop("scope", None)
        return options

    def validate_grant_types(self) -> None:
        # RFC 7591's default is authorization_code, which this server lacks.
        self.setdefault("grant_types", list(GRANT_TYPES))

    def validate_response_types(self) -> None:
        # No authorization endpoint, so no response type makes sense.
        if self.get("response_types"):
            raise InvalidClaimError("response_types")
        self["response_types"] = []

    def validate_scope(self) -> None:
        # The same rule as the token endpoint's; ``params`` is the server
        # metadata, which lists the scopes only when the server has a list.
        scope = self.get("scope")
        if scope is None:
            return
        listed = self.params.get("scopes_supported")
        supported = None if listed is None else frozenset(listed)
        if not isinstance(scope, str) or not all(
            _scope_accepted(s, supported) for s in scope.split()
        ):
            raise InvalidClaimError("scope")


class _JsonObjectPayload(FlaskJsonPayload):  # type: ignore[misc]
    """A registration body that is not a JSON object reads as empty, so
    authlib answers invalid_request instead of Flask answering 415/400 in
    HTML (or authlib failing on a JSON list)."""

    @property
    def data(self) -> dict[str, Any]:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}


class _RegistrationInfo:
    """The RFC 7592 fields every registration and management response carries."""

    def __init__(self, issuer: str, server_metadata: dict[str, Any]) -> None:
        self._issuer = issuer
        self._server_metadata = server_metadata

    def get_server_metadata(self) -> dict[str, Any]:
        return self._server_metadata

    def generate_client_registration_info(self, client: Client, _request: Any) -> dict[str, str]:
        return {
            "registration_client_uri": f"{self._issuer}/register/{client.client_id}",
            "registration_access_token": client.registration_access_token,
        }


class _RegistrationEndpoint(_RegistrationInfo, ClientRegistrationEndpoint):  # type: ignore[misc]
    """``POST /register``, open to holders of the initial access token."""

    def __init__(
        self, store: ClientStore, initial_access_token: str, issuer: str, metadata: dict[str, Any]
    ) -> None:
        _RegistrationInfo.__init__(self, issuer, metadata)
        ClientRegistrationEndpoint.__init__(self, claims_classes=[_ClientMetadataClaims])
        self._store = store
        self._initial_access_token = initial_access_token

    def authenticate_token(self, request: Any) -> str:
        # authlib answers a missing token with 400 access_denied; RFC 7591
        # section 3 and oidc-provider answer 401 invalid_token.
        token = _bearer_token(request.headers) or ""
        if not hmac.compare_digest(token.encode(), self._initial_access_token.encode()):
            raise InvalidTokenError("The initial access token is missing or wrong.")
        return token

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], _request: Any
    ) -> Client:
        return self._store.add(client_info, client_metadata)


class _ConfigurationEndpoint(_RegistrationInfo, ClientConfigurationEndpoint):  # type: ignore[misc]
    """``GET/PUT/DELETE /register/<client_id>`` with the registration access
    token. Every PUT is a full replacement and rotates the token."""

    def __init__(self, store: ClientStore, issuer: str, metadata: dict[str, Any]) -> None:
        _RegistrationInfo.__init__(self, issuer, metadata)
        ClientConfigurationEndpoint.__init__(self, claims_classes=[_ClientMetadataClaims])
        self._store = store

    def authenticate_token(self, request: Any) -> RegistrationToken:
        # A token for another client is as invalid as an unknown one: 401
        # invalid_token, where authlib would answer 400 access_denied.
        value = _bearer_token(request.headers)
        token = self._store.registration_token(value) if value else None
        if token is None or token.client_id != _requested_client_id():
            raise InvalidTokenError("The registration access token is not valid for this client.")
        return token

    def authenticate_client(self, _request: Any) -> Client | None:
        return self._store.get(_requested_client_id())

    def revoke_access_token(self, *_args: Any) -> None:
        """Required by authlib for a token naming a vanished client; here that
        only happens after a concurrent delete, which already dropped the
        token. (authlib calls it with ``(request, token)``, contrary to its
        own documentation.)"""

    def check_permission(self, _client: Client, _request: Any) -> bool:
        return True

    def delete_client(self, client: Client, _request: Any) -> None:
        self._store.delete(client.client_id)

    def update_client(
        self, client: Client, client_metadata: dict[str, Any], request: Any
    ) -> Client:
        updated = self._store.replace_metadata(
            client.client_id, request.credential.value, client_metadata
        )
        if updated is None:
            raise InvalidTokenError("The registration access token was replaced meanwhile.")
        return updated


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    """Client credentials with both secret methods (authlib defaults to basic
    only) and requested scopes held to the client's registration."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def validate_requested_scope(self) -> None:
        super().validate_requested_scope()
        registered: frozenset[str] | None = self.request.client.registered_scopes
        requested = (self.request.payload.scope or "").split()
        if registered is not None and not registered.issuperset(requested):
            raise InvalidScopeError()


class _AccessTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    """RFC 9068 access tokens: RS256, ``typ: at+jwt``, ``sub`` = client id,
    ``aud`` = the server's one resource indicator."""

    def __init__(self, issuer: str, audience: str, keys: KeySet) -> None:
        super().__init__(issuer, alg="RS256", expires_generator=ACCESS_TOKEN_LIFETIME)
        self._audience = audience
        self._keys = keys

    def get_jwks(self) -> KeySet:
        # A key set (not a single key) makes joserfc put the key's kid in the
        # token header, so verifiers can pick the key from the JWKS.
        return self._keys

    def get_audiences(self, *_args: Any) -> str:
        return self._audience


class _Server(AuthorizationServer):  # type: ignore[misc]
    """The token endpoint's client lookup, scope policy and error statuses."""

    def __init__(self, app: Flask, store: ClientStore, scopes: frozenset[str] | None) -> None:
        super().__init__(app)
        self._store = store
        self._scopes = scopes

    def query_client(self, client_id: str) -> Client | None:
        return self._store.get(client_id)

    def save_token(self, _token: dict[str, Any], _request: Any) -> None:
        """Access tokens are self-contained JWTs with no introspection or
        revocation here, so there is nothing to keep (and nothing to grow)."""

    def validate_requested_scope(self, scope: str | None) -> None:
        if not all(_scope_accepted(s, self._scopes) for s in (scope or "").split()):
            raise InvalidScopeError()

    def authenticate_client(self, request: Any, methods: list[str], endpoint: str = "token") -> Any:
        # authlib answers an unknown client sent in the form body with 400;
        # oidc-provider answers every client authentication failure with 401.
        try:
            return super().authenticate_client(request, methods, endpoint)
        except InvalidClientError as error:
            error.status_code = 401
            raise

    def create_json_request(self, _request: Any) -> Any:
        json_request = FlaskJsonRequest(request)
        json_request.payload = _JsonObjectPayload(request)
        return json_request


def _server_metadata(issuer: str, scopes: frozenset[str] | None) -> dict[str, Any]:
    """RFC 8414 metadata, also served as the OpenID discovery document. An
    open server (no scope list) publishes no scopes_supported: RFC 8414 lets
    a server leave scopes unadvertised, and an empty list would say "none"."""
    metadata: dict[str, Any] = {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
        "registration_endpoint": f"{issuer}/register",
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
    }
    if scopes is not None:
        metadata["scopes_supported"] = sorted(scopes)
    return metadata


def create_app(
    *,
    issuer: str,
    audience: str,
    initial_access_token: str,
    scopes: frozenset[str] | None,
    store: ClientStore,
    keys: KeySet,
) -> Flask:
    app = Flask(__name__)
    metadata = _server_metadata(issuer, scopes)
    server = _Server(app, store, scopes)
    server.register_grant(_ClientCredentialsGrant)
    # After the constructor, which registers authlib's opaque-token generator.
    server.register_token_generator("default", _AccessTokenGenerator(issuer, audience, keys))
    server.register_endpoint(_RegistrationEndpoint(store, initial_access_token, issuer, metadata))
    server.register_endpoint(_ConfigurationEndpoint(store, issuer, metadata))
    public_jwks = keys.as_dict(private=False)

    @app.get("/.well-known/openid-configuration")
    @app.get("/.well-known/oauth-authorization-server")
    def discovery() -> Response:
        return jsonify(metadata)

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(public_jwks)

    @app.post("/token")
    def token() -> Response:
        response: Response = server.create_token_response()
        return response

    @app.post("/register")
    def register() -> Response:
        response: Response = server.create_endpoint_response("client_registration")
        return response

    @app.route("/register/<client_id>", methods=["GET", "PUT", "DELETE"])
    def manage(client_id: str) -> Response:
        response: Response = server.create_endpoint_response("client_configuration")
        return response

    @app.post("/__test/reset")
    def reset() -> tuple[str, int]:
        store.clear()
        return "", 204

    return app
