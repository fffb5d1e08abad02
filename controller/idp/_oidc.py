"""Any RFC 7591/7592 authorization server (Okta, Keycloak, Auth0, ...) as the IdP.

Rules this adapter keeps, each because a real server made it necessary:

- Registration access tokens may rotate on any management call (Keycloak on every GET
  and PUT, oidc-provider on PUT) and the old one dies at once, so every record this
  adapter returns carries the newest token and the caller must save it; an error
  raised after a call that rotated it carries the newest record (``newest_record``).
- A registration access token goes only to a ``registration_client_uri`` on the
  issuer's origin (scheme, host, port), so an IdP cannot have it sent elsewhere.
- ``create`` asks for ``application_type: service`` (Okta refuses a client_credentials
  client of any other type). A server that knows only OpenID Connect's web/native
  refuses it with ``invalid_client_metadata``: the adapter then registers without it
  and remembers that for its lifetime.
- A registration answer without a secret, a registration access token or a usable
  registration URI could never be managed: ``create`` deletes it again where it can and
  raises :class:`IdpUnmanageable` (naming the client to delete by hand where it cannot).
- RFC 7592 answers 401 for a dead token and for a missing client alike. On a 401 the
  adapter asks the token endpoint for a client_credentials token with the record's own
  credentials: ``invalid_client`` there confirms the client is gone (``read`` answers
  None, a write raises :class:`IdpNotFound`, ``delete`` is done); anything else means
  it may still exist and :class:`IdpManagementLost` is raised. A 404 is gone too. (The
  token that request may get is dropped unread. A client whose token is dead and whose
  stored secret is wrong as well reads as gone: neither manageable nor usable by us, it
  is left to an administrator.)
- ``update`` is a read-modify-write (RFC 7592 section 2.2: a PUT carries all metadata,
  and what it omits is deleted): it starts from the metadata of this adapter's last
  read of that client when that read is recent and its token is the one presented,
  else it reads first; fields we do not own survive.
- Tokens, the initial access token and client secrets travel only in request headers
  and bodies; error messages name the operation, the HTTP status and the server's OAuth
  error. Redirects are never followed.
- Every registration write (POST, PUT, DELETE) first passes the lease's fence, as AWS
  writes do: a replica that lost the lease must not change a client another one manages.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from controller.aws import Fence
from controller.idp import _oidc_registration as reg
from controller.idp._oidc_http import ServerMetadata, discover, exchange
from controller.idp._oidc_wire import refusal, same_origin
from controller.idp._token import request_token
from controller.idp._types import (
    ClientRecord,
    ClientSpec,
    Endpoints,
    IdpError,
    IdpManagementLost,
    IdpNotFound,
    IdpRejected,
    IdpUnmanageable,
    InitialAccessToken,
    ObservedClient,
)

# How long a read's metadata may stand in for a fresh read before an update.
LAST_READ_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class _LastRead:
    token: str | None
    metadata: dict[str, Any]
    at: float


class OidcAdapter:
    """Manages one service's client by dynamic registration; cannot list clients."""

    def __init__(
        self,
        issuer: str,
        initial_access_token: InitialAccessToken,
        http: aiohttp.ClientSession,
        fence: Fence | None = None,
    ) -> None:
        self._issuer = issuer
        self._fence = fence or Fence()
        self._initial_access_token = initial_access_token
        self._http = http
        self._metadata: ServerMetadata | None = None
        self._discovery = asyncio.Lock()
        # None until a registration shows whether the server takes application_type
        # "service"; False once it refused it and took the registration without.
        self._service_type: bool | None = None
        self._last_reads: dict[str, _LastRead] = {}

    def invalidate(self) -> None:
        """Forget the metadata kept from reads, so the next cycle's updates start afresh."""
        self._last_reads.clear()

    async def endpoints(self) -> Endpoints:
        metadata = await self._server_metadata()
        return Endpoints(issuer=metadata.issuer, token_endpoint=metadata.token_endpoint)

    async def read(self, record: ClientRecord) -> ObservedClient | None:
        found = await self._get("read", record)
        if found is None:
            return None
        body, newest = found
        return reg.observed(body, newest)

    async def find_by_name(self, name: str) -> ClientRecord | None:
        """RFC 7591 has no way to list clients, so there is never one to adopt."""
        return None

    async def create(self, spec: ClientSpec, client_secret: str | None = None) -> ClientRecord:
        """Register a client; RFC 7591 servers issue the secret, so ``client_secret`` is
        not sent."""
        metadata = await self._server_metadata()
        token = await self._initial_access_token()
        url = metadata.registration_endpoint
        service = self._service_type is not False
        status, body = await self._register(url, token, reg.registration(spec, service=service))
        unsure = service and self._service_type is None
        if unsure and status == 400 and body.get("error") == "invalid_client_metadata":
            plain_status, plain_body = await self._register(
                url, token, reg.registration(spec, service=False)
            )
            if plain_status in (200, 201):
                self._service_type = False
                status, body = plain_status, plain_body
            elif reg.refused_for_application_type(body):
                # Both refused: the second refusal is about something else, say so.
                status, body = plain_status, plain_body
        if status not in (200, 201):
            raise refusal("create", status, body, None, token)
        if unsure and self._service_type is None:
            self._service_type = True  # the registration with it went through
        return await self._registered(status, body)

    async def update(self, record: ClientRecord, spec: ClientSpec) -> ClientRecord:
        """A full replacement (RFC 7592 section 2.2) of the metadata as last read."""
        current, newest = await self._current(record)
        try:
            return await self._put(current, newest, spec)
        except IdpError as error:
            if newest != record and error.newest_record is None:
                error.newest_record = newest
            raise

    async def delete(self, record: ClientRecord) -> None:
        token, uri = self._management_handles("delete", record)
        status, body = await self._write("delete", "DELETE", uri, token, None, record)
        self._last_reads.pop(record.client_id, None)
        if status in (200, 204, 404):
            return
        if status == 401:
            if await self._confirmed_gone(record):
                return
            raise refusal("delete", status, body, record, cls=IdpManagementLost)
        raise refusal("delete", status, body, record)

    async def _get(
        self, operation: str, record: ClientRecord
    ) -> tuple[dict[str, Any], ClientRecord] | None:
        """The registration as the server reports it and the record with the handles it
        returned; None when the client is confirmed gone."""
        token, uri = self._management_handles(operation, record)
        status, body = await exchange(self._http, operation, "GET", uri, token, None, record)
        if status == 404:
            return None
        if status == 401:
            if await self._confirmed_gone(record):
                return None
            raise refusal(operation, status, body, record, cls=IdpManagementLost)
        if status != 200:
            raise refusal(operation, status, body, record)
        newest = self._with_handles(operation, record, body)
        self._remember(newest, body)
        return body, newest

    async def _current(self, record: ClientRecord) -> tuple[dict[str, Any], ClientRecord]:
        """The metadata an update starts from, and the record to present with it."""
        last = self._last_reads.get(record.client_id)
        fresh = last is not None and time.monotonic() - last.at < LAST_READ_MAX_AGE_SECONDS
        if last is not None and fresh and last.token == record.registration_access_token:
            return last.metadata, record
        found = await self._get("update", record)
        if found is None:
            raise IdpNotFound(f"update: client {record.client_id} is gone")
        body, newest = found
        return reg.kept_metadata(body), newest

    async def _put(
        self, current: dict[str, Any], record: ClientRecord, spec: ClientSpec
    ) -> ClientRecord:
        token, uri = self._management_handles("update", record)
        payload = reg.update_request(
            current, record.client_id, spec, service=self._service_type is True
        )
        status, body = await self._write("update", "PUT", uri, token, payload, record)
        if status == 404:
            raise refusal("update", status, body, record, cls=IdpNotFound)
        if status == 401:
            gone = await self._confirmed_gone(record)
            cls = IdpNotFound if gone else IdpManagementLost
            raise refusal("update", status, body, record, cls=cls)
        if status != 200:
            raise refusal("update", status, body, record)
        updated = self._with_handles("update", record, body)
        secret = reg.secret(body)
        if secret is not None and secret != updated.client_secret:
            updated = replace(
                updated, client_secret=secret, secret_expires_at=reg.secret_expiry(body)
            )
        self._remember(updated, body)
        return updated

    async def _confirmed_gone(self, record: ClientRecord) -> bool:
        """After a 401: whether the token endpoint refuses the record's own credentials as
        ``invalid_client``, the one answer that says the client no longer exists."""
        metadata = await self._server_metadata()
        try:
            await request_token(
                self._http, metadata.token_endpoint, record.client_id, record.client_secret, ()
            )
        except IdpRejected as refused:
            return refused.error == "invalid_client"
        return False

    async def _register(
        self, url: str, token: str, payload: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        # Not sent twice: a second POST after a lost answer would be a second client.
        return await self._write("create", "POST", url, token, payload, None, replayable=False)

    async def _write(
        self,
        operation: str,
        method: str,
        url: str,
        token: str,
        payload: dict[str, Any] | None,
        record: ClientRecord | None,
        *,
        replayable: bool = True,
    ) -> tuple[int, dict[str, Any]]:
        """A registration write, sent only while the fence is open (LeadershipLost else)."""
        self._fence.check(f"oidc {operation}")
        return await exchange(
            self._http, operation, method, url, token, payload, record, replayable=replayable
        )

    async def _registered(self, status: int, body: dict[str, Any]) -> ClientRecord:
        """The record of a new registration, or IdpUnmanageable when it could never be
        managed (after deleting it again where that is possible)."""
        client_id = body.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise IdpRejected(f"create: HTTP {status} without a client_id")
        secret = reg.secret(body)
        token, uri = reg.handles(body)
        missing = [
            name
            for name, value in (
                ("client_secret", secret),
                ("registration_access_token", token),
                ("registration_client_uri", uri),
            )
            if value is None
        ]
        off_origin = uri is not None and not same_origin(uri, self._issuer)
        if secret is not None and token is not None and uri is not None and not off_origin:
            return ClientRecord(client_id, secret, token, uri, reg.secret_expiry(body))
        problem = (
            f"lacks {', '.join(missing)}"
            if missing
            else "names a registration_client_uri outside the issuer's origin"
        )
        deleted = False
        if token is not None and uri is not None and not off_origin:
            deleted = await self._delete_quietly(ClientRecord(client_id, secret or "", token, uri))
        outcome = (
            "it was deleted again"
            if deleted
            else f"delete client {client_id} at the identity provider by hand"
        )
        raise IdpUnmanageable(
            f"create: the registration of client {client_id} {problem}, so it could never be "
            f"managed; {outcome}",
            client_id=client_id,
            deleted=deleted,
        )

    async def _delete_quietly(self, record: ClientRecord) -> bool:
        """Whether an RFC 7592 DELETE of a registration we will not keep went through."""
        token, uri = self._management_handles("delete", record)
        try:
            status, _ = await self._write("delete", "DELETE", uri, token, None, record)
        except IdpError:
            return False
        return status in (200, 204, 404)

    def _management_handles(self, operation: str, record: ClientRecord) -> tuple[str, str]:
        token, uri = record.registration_access_token, record.registration_client_uri
        if not token or not uri:
            raise IdpRejected(
                f"client {record.client_id}: the record has no registration access token or URI"
            )
        if not same_origin(uri, self._issuer):
            raise IdpRejected(
                f"{operation}: client {record.client_id}: refusing to send its registration "
                f"access token to {_origin_text(uri)}, outside the issuer's origin"
            )
        return token, uri

    def _with_handles(
        self, operation: str, record: ClientRecord, body: dict[str, Any]
    ) -> ClientRecord:
        """The record with the handles an answer carries; a new URI off the issuer's
        origin is refused (and the record with only the new token goes with the error)."""
        token, uri = reg.handles(body)
        if uri is not None and not same_origin(uri, self._issuer):
            raise IdpRejected(
                f"{operation}: client {record.client_id}: the server moved its registration "
                f"to {_origin_text(uri)}, outside the issuer's origin",
                newest_record=record.with_management(token, None),
            )
        return record.with_management(token, uri)

    def _remember(self, record: ClientRecord, body: dict[str, Any]) -> None:
        self._last_reads[record.client_id] = _LastRead(
            record.registration_access_token, reg.kept_metadata(body), time.monotonic()
        )

    async def _server_metadata(self) -> ServerMetadata:
        """Discovery, fetched once per adapter; a failure is not cached."""
        async with self._discovery:
            if self._metadata is None:
                self._metadata = await discover(self._http, self._issuer)
            return self._metadata


def _origin_text(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
