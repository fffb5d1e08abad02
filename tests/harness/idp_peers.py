"""Every RFC 7591/7592 server the IdP adapter is tested against, behind one shape.

The ``idp_peer`` fixture (``tests/conftest.py``) is parametrized over :data:`IDP_PEERS`:
a test that asks for it runs once per peer. A test that holds for some peers only
narrows the list with ``@pytest.mark.parametrize("idp_peer", [...], indirect=True)``.

- ``oidc-provider``, ``keycloak``, ``okta``: panva's oidc-provider in each profile
  (see :mod:`tests.harness.oidc_provider`);
- ``sandbox``: the sandbox's own authlib server, which keeps only the RFC 7591
  metadata it knows and silently drops the rest (``application_type`` included).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

OIDC_PROVIDER_PEERS = {"oidc-provider": "default", "keycloak": "keycloak", "okta": "okta"}
IDP_PEERS = (*OIDC_PROVIDER_PEERS, "sandbox")


class IdpPeer(Protocol):
    """A running server, reset for the test that received it."""

    @property
    def issuer(self) -> str: ...

    @property
    def initial_access_token(self) -> str: ...

    @property
    def profile(self) -> str:
        """``default``, ``keycloak``, ``okta`` or ``sandbox``."""
        ...

    def reset(self) -> None:
        """Forget every client; the initial access token stays valid."""
        ...

    def client(self, client_id: str) -> dict[str, Any]:
        """The stored client, without a registration access token; ``KeyError`` if unknown."""
        ...

    def patch_client(self, client_id: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """An administrator's change to the stored client, keeping its registration token."""
        ...
