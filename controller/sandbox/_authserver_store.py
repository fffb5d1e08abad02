"""In-memory state of the sandbox authorization server: registered clients and
their registration access tokens.

Everything lives in plain dicts behind one lock, with no eviction: a test that
registers hundreds of clients must find every one of them again (an LRU-backed
store silently loses clients under load, which is exactly what a test peer must
not do). Access tokens are self-contained JWTs and are not stored at all.

Client records are immutable; an RFC 7592 update swaps in a new record, so a
request that already holds a record never sees it change underneath it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Client:
    """One registered client, shaped for authlib's duck-typed client protocol
    (``ClientMixin``) and for its RFC 7591/7592 endpoints (``client_info`` and
    ``client_metadata``)."""

    client_id: str
    client_secret: str
    client_id_issued_at: int
    metadata: dict[str, Any]
    registration_access_token: str

    @property
    def client_info(self) -> dict[str, Any]:
        # The secret never expires: rotation is done by registering a second
        # client, as with the real identity providers the controller talks to.
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "client_id_issued_at": self.client_id_issued_at,
            "client_secret_expires_at": 0,
        }

    @property
    def client_metadata(self) -> dict[str, Any]:
        return dict(self.metadata)

    @property
    def registered_scopes(self) -> frozenset[str] | None:
        """The scopes the client registered, or None when it registered none
        (it may then ask for any scope the server accepts, as oidc-provider
        allows)."""
        scope = self.metadata.get("scope")
        return frozenset(scope.split()) if scope else None

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # Only the token endpoint authenticates clients, and only with the
        # method the client registered (a real server is this strict too).
        return endpoint == "token" and method == self.metadata.get("token_endpoint_auth_method")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.metadata.get("grant_types", ())

    def get_allowed_scope(self, scope: str | None) -> str:
        """The granted scope: what was asked for, in the order asked. An
        omitted scope yields a token without scope, like oidc-provider; the
        token endpoint has already refused anything outside the registration."""
        return " ".join(scope.split()) if scope else ""


@dataclass(frozen=True)
class RegistrationToken:
    """An RFC 7592 registration access token, bound to one client."""

    value: str
    client_id: str

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id


def _new_registration_access_token() -> str:
    return secrets.token_urlsafe(32)


class ClientStore:
    """Clients by id and registration access tokens by value, kept consistent
    under one lock so that a rotated or deleted token is dead the moment the
    response that replaced it is produced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}
        self._registration_tokens: dict[str, str] = {}

    def add(self, client_info: dict[str, Any], metadata: dict[str, Any]) -> Client:
        """Keep a newly registered client; ``client_info`` is what the
        registration endpoint generated (id, secret, issue time)."""
        client = Client(
            client_id=client_info["client_id"],
            client_secret=client_info["client_secret"],
            client_id_issued_at=client_info["client_id_issued_at"],
            metadata=dict(metadata),
            registration_access_token=_new_registration_access_token(),
        )
        with self._lock:
            self._clients[client.client_id] = client
            self._registration_tokens[client.registration_access_token] = client.client_id
        return client

    def get(self, client_id: str) -> Client | None:
        with self._lock:
            return self._clients.get(client_id)

    def client_ids(self) -> list[str]:
        """Every registered client, as a census needs them (no RFC 7591 call lists them)."""
        with self._lock:
            return sorted(self._clients)

    def registration_token(self, value: str) -> RegistrationToken | None:
        with self._lock:
            client_id = self._registration_tokens.get(value)
        return None if client_id is None else RegistrationToken(value, client_id)

    def replace_metadata(
        self, client_id: str, presented_token: str, metadata: dict[str, Any]
    ) -> Client | None:
        """Replace the client's metadata wholesale and rotate its registration
        access token, or return None when the presented token is no longer the
        current one (a concurrent update or delete got there first)."""
        with self._lock:
            current = self._clients.get(client_id)
            if current is None or current.registration_access_token != presented_token:
                return None
            updated = replace(
                current,
                metadata=dict(metadata),
                registration_access_token=_new_registration_access_token(),
            )
            del self._registration_tokens[presented_token]
            self._registration_tokens[updated.registration_access_token] = client_id
            self._clients[client_id] = updated
            return updated

    def edit_metadata(self, client_id: str, patch: dict[str, Any]) -> Client | None:
        """An administrator's change behind the client's back: merge ``patch`` into the
        metadata (a None value removes the field), keeping the registration access
        token. None for an unknown client."""
        with self._lock:
            current = self._clients.get(client_id)
            if current is None:
                return None
            metadata = {**current.metadata, **patch}
            edited = replace(current, metadata={k: v for k, v in metadata.items() if v is not None})
            self._clients[client_id] = edited
            return edited

    def delete(self, client_id: str) -> None:
        with self._lock:
            client = self._clients.pop(client_id, None)
            if client is not None:
                self._registration_tokens.pop(client.registration_access_token, None)

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()
            self._registration_tokens.clear()
