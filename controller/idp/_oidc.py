"""Any RFC 7591/7592 authorization server (Okta, Keycloak, Auth0, ...) as the IdP.

Registration access tokens may rotate on any management call (Keycloak on every GET
and PUT, oidc-provider on PUT) and the old one dies at once, so every record this
adapter returns carries the newest token and the caller must save it. Tokens, the
initial access token and client secrets travel only in request headers and bodies:
error messages name the operation, the HTTP status and the server's OAuth error.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from controller.idp._types import (
    CLIENT_CREDENTIALS,
    ClientRecord,
    ClientSpec,
    Endpoints,
    IdpError,
    IdpNotFound,
    IdpRejected,
    IdpUnavailable,
    InitialAccessToken,
    ObservedClient,
)

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
# RFC 7592 answers 401 for a client that no longer exists (and revokes its token).
GONE_STATUSES = frozenset({401, 404})
# Retry-worthy: the server is overloaded or rate-limiting (Okta sends 429).
RETRY_STATUSES = frozenset({408, 429})
# RFC 7591 section 2: the grant type a client gets when it names none.
DEFAULT_GRANT_TYPES = ("authorization_code",)
MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class _ServerMetadata:
    issuer: str
    token_endpoint: str
    registration_endpoint: str


class OidcAdapter:
    """Manages one service's client by dynamic registration; cannot list clients."""

    def __init__(
        self, issuer: str, initial_access_token: InitialAccessToken, http: aiohttp.ClientSession
    ) -> None:
        self._issuer = issuer
        self._initial_access_token = initial_access_token
        self._http = http
        self._metadata: _ServerMetadata | None = None
        self._discovery = asyncio.Lock()

    def invalidate(self) -> None:
        """Nothing is kept per cycle: an RFC 7591 server cannot be listed."""

    async def endpoints(self) -> Endpoints:
        metadata = await self._server_metadata()
        return Endpoints(issuer=metadata.issuer, token_endpoint=metadata.token_endpoint)

    async def read(self, record: ClientRecord) -> ObservedClient | None:
        token, uri = _management_handles(record)
        status, body = await self._exchange("read", "GET", uri, token, None, record)
        if status in GONE_STATUSES:
            return None
        if status != 200:
            raise _refusal("read", status, body, record)
        return _observed(body, record.with_management(*_handles(body)))

    async def find_by_name(self, name: str) -> ClientRecord | None:
        """RFC 7591 has no way to list clients, so there is never one to adopt."""
        return None

    async def create(self, spec: ClientSpec) -> ClientRecord:
        metadata = await self._server_metadata()
        token = await self._initial_access_token()
        status, body = await self._exchange(
            "create", "POST", metadata.registration_endpoint, token, _registration(spec), None
        )
        if status not in (200, 201):
            raise _refusal("create", status, body, None, token)
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(client_secret, str):
            raise IdpRejected(f"create: HTTP {status} without a client_id and client_secret")
        registration_token, uri = _handles(body)
        return ClientRecord(client_id, client_secret, registration_token, uri)

    async def update(self, record: ClientRecord, spec: ClientSpec) -> ClientRecord:
        """A full replacement (RFC 7592 section 2.2): every field we own is sent."""
        token, uri = _management_handles(record)
        payload = {"client_id": record.client_id, **_registration(spec)}
        status, body = await self._exchange("update", "PUT", uri, token, payload, record)
        if status in GONE_STATUSES:
            raise _refusal("update", status, body, record, cls=IdpNotFound)
        if status != 200:
            raise _refusal("update", status, body, record)
        secret = body.get("client_secret")
        if isinstance(secret, str) and secret:
            record = replace(record, client_secret=secret)
        return record.with_management(*_handles(body))

    async def delete(self, record: ClientRecord) -> None:
        token, uri = _management_handles(record)
        status, body = await self._exchange("delete", "DELETE", uri, token, None, record)
        if status not in (200, 204) and status not in GONE_STATUSES:
            raise _refusal("delete", status, body, record)

    async def _server_metadata(self) -> _ServerMetadata:
        """Discovery, fetched once per adapter; a failure is not cached."""
        async with self._discovery:
            if self._metadata is None:
                self._metadata = await self._discover()
            return self._metadata

    async def _discover(self) -> _ServerMetadata:
        status = 0
        for url in _discovery_urls(self._issuer):
            status, body = await self._exchange("discovery", "GET", url, None, None, None)
            if status == 200:
                return self._validated(url, body)
        raise IdpRejected(
            f"discovery: no metadata for issuer {self._issuer} (HTTP {status})", status=status
        )

    def _validated(self, url: str, body: dict[str, Any]) -> _ServerMetadata:
        """RFC 8414 section 3.3: the document must name exactly the issuer we asked about."""
        if body.get("issuer") != self._issuer:
            raise IdpRejected(
                f"discovery: {url} names issuer {body.get('issuer')!r}, "
                f"configured is {self._issuer!r}"
            )
        token_endpoint = body.get("token_endpoint")
        registration_endpoint = body.get("registration_endpoint")
        if not isinstance(token_endpoint, str) or not isinstance(registration_endpoint, str):
            raise IdpRejected(f"discovery: {url} lacks a token or registration endpoint")
        _require_secure("discovery", token_endpoint)
        _require_secure("discovery", registration_endpoint)
        return _ServerMetadata(self._issuer, token_endpoint, registration_endpoint)

    async def _exchange(
        self,
        operation: str,
        method: str,
        url: str,
        token: str | None,
        payload: dict[str, Any] | None,
        record: ClientRecord | None,
    ) -> tuple[int, dict[str, Any]]:
        """Status and JSON object of one call; IdpUnavailable when it is worth retrying.

        Redirects are not followed: a bearer token must reach only the URL it is for.
        Statuses are classified here, whatever the session's own ``raise_for_status``.
        """
        _require_secure(operation, url)
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self._http.request(
                method,
                url,
                headers=headers,
                json=payload,
                allow_redirects=False,
                raise_for_status=False,
                timeout=REQUEST_TIMEOUT,
            ) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            detail = _scrub(str(exc), _known_secrets(record, token))
            raise IdpUnavailable(f"{operation}: {type(exc).__name__}: {detail}") from None
        body = _json_object(text)
        if status >= 500 or status in RETRY_STATUSES:
            raise _refusal(operation, status, body, record, token, cls=IdpUnavailable)
        if 200 <= status < 300 and body is None:
            raise IdpUnavailable(f"{operation}: HTTP {status} with a body that is not JSON")
        return status, body or {}


def _discovery_urls(issuer: str) -> tuple[str, ...]:
    """OpenID discovery appends its path to the issuer; RFC 8414 inserts its own before it."""
    base = issuer.rstrip("/")
    parts = urlsplit(base)
    rfc8414 = f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}"
    return (f"{base}/.well-known/openid-configuration", rfc8414)


def _require_secure(operation: str, url: str) -> None:
    """Credentials go over https only; plain http is allowed to loopback addresses."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return
    raise IdpRejected(f"{operation}: refusing a non-https URL {parts.scheme}://{parts.netloc}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _registration(spec: ClientSpec) -> dict[str, Any]:
    """The client metadata we own; PUT sends it whole, since omitted fields are deleted."""
    return {
        "client_name": spec.name,
        "grant_types": [CLIENT_CREDENTIALS],
        "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": " ".join(spec.scopes),
    }


def _management_handles(record: ClientRecord) -> tuple[str, str]:
    if not record.registration_access_token or not record.registration_client_uri:
        raise IdpRejected(
            f"client {record.client_id}: the record has no registration access token or URI"
        )
    return record.registration_access_token, record.registration_client_uri


def _handles(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """A registration access token and client URI the answer carries, if any."""
    token, uri = body.get("registration_access_token"), body.get("registration_client_uri")
    return (token if isinstance(token, str) else None, uri if isinstance(uri, str) else None)


def _observed(body: dict[str, Any], record: ClientRecord) -> ObservedClient:
    scope, grant_types = body.get("scope"), body.get("grant_types")
    name = body.get("client_name")
    client_id = body.get("client_id")
    return ObservedClient(
        client_id=client_id if isinstance(client_id, str) else record.client_id,
        name=name if isinstance(name, str) else "",
        scopes=tuple(sorted(set(scope.split()))) if isinstance(scope, str) else (),
        grant_types=tuple(
            sorted(grant_types) if isinstance(grant_types, list) else DEFAULT_GRANT_TYPES
        ),
        token_lifetime=None,
        record=record,
    )


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _known_secrets(record: ClientRecord | None, token: str | None) -> tuple[str, ...]:
    values = [token] if token else []
    if record is not None:
        values += [record.client_secret, record.registration_access_token or ""]
    return tuple(value for value in values if value)


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """Blank out any credential a server echoed back, and keep the text short."""
    for secret in secrets:
        text = text.replace(secret, "(sensitive)")
    return text[:MAX_DESCRIPTION]


def _refusal(
    operation: str,
    status: int,
    body: dict[str, Any] | None,
    record: ClientRecord | None,
    token: str | None = None,
    *,
    cls: type[IdpError] = IdpRejected,
) -> IdpError:
    """The error for a non-2xx answer: status plus the server's ``error`` and description."""
    body = body or {}
    secrets = _known_secrets(record, token)
    error = _scrub(str(body.get("error", "")), secrets) or None
    description = _scrub(str(body.get("error_description", "")), secrets)
    message = f"{operation}: HTTP {status}"
    if record is not None:
        message += f" for client {record.client_id}"
    if error:
        message += f": {error}"
    if description:
        message += f": {description}"
    return cls(message, status=status, error=error)
