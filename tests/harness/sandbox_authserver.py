"""The sandbox's own authorization server as a test peer, in-process.

It runs with a fixed list of scopes, as oidc-provider does, so that the IdP
adapter's tests meet the same "scope must be known to the server" rule on
both peers."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def issuer(self) -> str:
        return self.server.issuer

    @property
    def initial_access_token(self) -> str:
        return self.server.initial_access_token

    def reset(self) -> None:
        self.server.reset()

    def stop(self) -> None:
        self.server.stop()


def start_sandbox_authserver() -> SandboxAuthServerPeer:
    return SandboxAuthServerPeer(start_authorization_server(scopes=TEST_SCOPES))
