"""Session-wide real peers: a moto server, panva's oidc-provider (one per profile), the
sandbox's authorization server and a chat receiver, each started once, lazily, and reset
per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.harness.idp_peers import IDP_PEERS

if TYPE_CHECKING:
    from tests.harness.chat import ChatReceiver
    from tests.harness.idp_peers import IdpPeer
    from tests.harness.moto import MotoPeer
    from tests.harness.oidc_provider import OidcProviderPeer, OidcProviderPool
    from tests.harness.sandbox_authserver import SandboxAuthServerPeer


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoPeer]:
    from tests.harness.moto import start_moto_server

    peer = start_moto_server()
    yield peer
    peer.stop()


@pytest.fixture
def moto(moto_server: MotoPeer, monkeypatch: pytest.MonkeyPatch) -> MotoPeer:
    """A clean moto world, with the AWS environment pointed at it."""
    moto_server.reset()
    for name, value in moto_server.aws_environment().items():
        monkeypatch.setenv(name, value)
    return moto_server


@pytest.fixture(scope="session")
def oidc_provider_pool() -> Iterator[OidcProviderPool]:
    """One oidc-provider per profile (default, keycloak, okta), each started on first use."""
    from tests.harness.oidc_provider import OidcProviderPool

    pool = OidcProviderPool()
    yield pool
    pool.stop()


@pytest.fixture(scope="session")
def oidc_provider_server(oidc_provider_pool: OidcProviderPool) -> OidcProviderPeer:
    return oidc_provider_pool.get("default")


@pytest.fixture
def oidc_provider(oidc_provider_server: OidcProviderPeer) -> OidcProviderPeer:
    oidc_provider_server.reset()
    return oidc_provider_server


@pytest.fixture(scope="session")
def sandbox_authserver_server() -> Iterator[SandboxAuthServerPeer]:
    from tests.harness.sandbox_authserver import start_sandbox_authserver

    peer = start_sandbox_authserver()
    yield peer
    peer.stop()


@pytest.fixture
def sandbox_authserver(sandbox_authserver_server: SandboxAuthServerPeer) -> SandboxAuthServerPeer:
    sandbox_authserver_server.reset()
    return sandbox_authserver_server


@pytest.fixture(params=IDP_PEERS)
def idp_peer(request: pytest.FixtureRequest) -> IdpPeer:
    """Each RFC 7591/7592 server in turn, reset: oidc-provider in its default, keycloak
    and okta profiles, then the sandbox's server. Ask for it to run a test against all;
    narrow with ``@pytest.mark.parametrize("idp_peer", ["okta"], indirect=True)``."""
    from tests.harness.idp_peers import OIDC_PROVIDER_PEERS

    name: str = request.param
    peer: IdpPeer
    if name in OIDC_PROVIDER_PEERS:
        pool: OidcProviderPool = request.getfixturevalue("oidc_provider_pool")
        peer = pool.get(OIDC_PROVIDER_PEERS[name])
    else:
        peer = request.getfixturevalue("sandbox_authserver_server")
    peer.reset()
    return peer


@pytest.fixture
def chat() -> Iterator[ChatReceiver]:
    from tests.harness.chat import ChatReceiver

    receiver = ChatReceiver.start()
    yield receiver
    receiver.stop()
