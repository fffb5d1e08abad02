"""The sandbox's own authorization server as a test peer, in-process.

It runs with a fixed list of scopes, as oidc-provider does, so that the IdP
adapter's tests meet the same "scope must be known to the server" rule on
both peers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from controller.sandbox.authserver import RunningAuthorizationServer, start_authorization_server

_DOMAINS = (
    "orders",
    "payments",
    "inventory",
    "customers",
    "shipping",
    "invoices",
    "catalog",
    "reports",
    "notifications",
    "users",
    "billing",
    "audit",
)

TEST_SCOPES: tuple[str, ...] = tuple(
    f"{domain}{separator}{action}"
    for domain in _DOMAINS
    for action in ("read", "write")
    for separator in (".", ":")
)
"""Every scope the test peer knows, in both ``domain.action`` and
``domain:action`` forms."""


@dataclass(frozen=True)
class SandboxAuthServerPeer:
    server: RunningAuthorizationServer
    profile: str = "sandbox"

    @property
    def issuer(self) -> str:
        return self.server.issuer

    def client(self, client_id: str) -> dict[str, Any]:
        """The stored client, secret included; ``KeyError`` if unknown."""
        stored = self.server.client(client_id)
        if stored is None:
            raise KeyError(client_id)
        return stored

    def patch_client(self, client_id: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``metadata`` into the stored client as an administrator would (the
        registration access token stays); ``None`` removes a field. The server keeps
        only the RFC 7591 fields it knows, as it does for a registration."""
        stored = self.server.edit_client(client_id, dict(metadata))
        if stored is None:
            raise KeyError(client_id)
        return stored

    @property
    def initial_access_token(self) -> str:
        return self.server.initial_access_token

    def reset(self) -> None:
        self.server.reset()

    def stop(self) -> None:
        self.server.stop()


def start_sandbox_authserver() -> SandboxAuthServerPeer:
    return SandboxAuthServerPeer(start_authorization_server(scopes=TEST_SCOPES))
