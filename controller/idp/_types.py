"""What the engine needs from an identity provider, whatever the provider is.

Cognito app clients and RFC 7591 registrations cannot carry tags; the service's secret
keeps a :class:`ClientRecord`, and that record is what makes a client ours.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True)
class ClientSpec:
    """The OAuth client a service should have."""

    name: str  # ecs-oauth-<service>
    scopes: tuple[str, ...]  # wire scopes, sorted
    token_lifetime: timedelta


@dataclass(frozen=True)
class ClientRecord:
    """Credentials and management handles for one client, as kept in the service's secret.

    ``repr`` hides the secret values so a record can never leak through a log line.
    ``secret_expires_at`` is when the IdP stops accepting ``client_secret`` (RFC 7591
    ``client_secret_expires_at``), None when it never does or did not say; adapters set
    it on the records they create or whose secret they replace, never on one they read.
    """

    client_id: str
    client_secret: str
    registration_access_token: str | None = None
    registration_client_uri: str | None = None
    secret_expires_at: datetime | None = None

    def __repr__(self) -> str:
        return f"ClientRecord(client_id={self.client_id!r}, secrets=(sensitive))"

    def with_management(self, token: str | None, uri: str | None) -> ClientRecord:
        return replace(
            self,
            registration_access_token=token or self.registration_access_token,
            registration_client_uri=uri or self.registration_client_uri,
        )


@dataclass(frozen=True)
class ObservedClient:
    """A client as the IdP reports it, in the same terms as :class:`ClientSpec`.

    ``record`` is the caller's record, updated when the IdP handed out a new registration
    access token (Keycloak rotates it on every call): the caller must save it.
    ``client_secret`` is the secret the IdP reports, where it echoes it on a read
    (RFC 7592 servers may; oidc-provider and Keycloak do), else None: compare it with
    ``record.client_secret`` to catch a corrupted stored secret without a token request.
    ``secret_expires_at`` is when the IdP stops accepting the secret, None for never or
    unknown. ``repr`` never shows the secret.
    """

    client_id: str
    name: str
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...]
    token_lifetime: timedelta | None
    record: ClientRecord
    client_secret: str | None = field(default=None, repr=False)
    secret_expires_at: datetime | None = None


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    token_endpoint: str


InitialAccessToken = Callable[[], Awaitable[str]]


class IdpError(Exception):
    """An identity provider call failed. Messages never include credentials.

    ``status`` (HTTP status) and ``error`` (the OAuth error code or AWS error code) let a
    caller tell causes apart without parsing the message. ``newest_record``, when set,
    is a record holding handles an earlier call of the same operation rotated (an RFC
    7592 read before the failing write, say): the old ones are dead, so the caller must
    save it as it would a returned record.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        newest_record: ClientRecord | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.newest_record = newest_record


class IdpUnavailable(IdpError):
    """Transport failure or 5xx: worth retrying later."""


class IdpRejected(IdpError):
    """The IdP refused the request (4xx other than a vanished client)."""


class IdpNotFound(IdpRejected):
    """The client (or resource server) a write named is confirmed gone.

    ``read`` answers None instead; writes raise this so the caller can recreate. A
    registration access token that stopped working is :class:`IdpManagementLost` instead.
    """


class IdpManagementLost(IdpRejected):
    """The registration access token no longer works (RFC 7592 answered 401) while the
    client is not known to be gone: it may still exist, and tasks may still use it.

    Never a reason to create a replacement on its own: the client could no longer be
    updated or deleted by this controller, only by an IdP administrator.
    """


class IdpUnmanageable(IdpRejected):
    """A registration answer the controller could never manage (no registration access
    token or URI, a URI off the issuer's origin, no secret): nothing may be stored.

    ``deleted`` says whether the adapter could delete the client again; when it could
    not, ``client_id`` names what an IdP administrator must delete by hand.
    """

    def __init__(self, message: str, *, client_id: str, deleted: bool) -> None:
        super().__init__(message)
        self.client_id = client_id
        self.deleted = deleted


class IdentityProviderAdapter(Protocol):
    """One narrow seam per IdP kind; tests swap it, the engine never knows which it has."""

    async def endpoints(self) -> Endpoints:
        """Issuer and token endpoint, as a task needs them in its secret."""
        ...

    def invalidate(self) -> None:
        """Forget batch reads kept for one cycle, so the next cycle reads afresh."""
        ...

    async def read(self, record: ClientRecord) -> ObservedClient | None:
        """The client the record names, or None only when it is confirmed gone.

        A handle that stopped working while the client may exist raises
        :class:`IdpManagementLost`, never None.
        """
        ...

    async def find_by_name(self, name: str) -> ClientRecord | None:
        """A client carrying this name that no record points to (for ``adopt``).

        None where there is none, or where the IdP cannot list clients (RFC 7591).
        """
        ...

    async def create(self, spec: ClientSpec, client_secret: str | None = None) -> ClientRecord:
        """A new client. ``client_secret`` is the secret the controller chose and already
        recorded; IdPs that take one (Cognito) use it, the others issue their own, and
        the returned record holds the secret in force."""
        ...

    async def update(self, record: ClientRecord, spec: ClientSpec) -> ClientRecord:
        """Converge the client to ``spec``; the returned record may hold new handles."""
        ...

    async def delete(self, record: ClientRecord) -> None: ...
