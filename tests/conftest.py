"""Session-wide real peers: a moto server, panva's oidc-provider, the sandbox's
authorization server and a chat receiver, each started once and reset per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.harness.chat import ChatReceiver
    from tests.harness.moto import MotoPeer
    from tests.harness.oidc_provider import OidcProviderPeer
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
def oidc_provider_server() -> Iterator[OidcProviderPeer]:
    from tests.harness.oidc_provider import start_oidc_provider

    peer = start_oidc_provider()
    yield peer
    peer.stop()


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


@pytest.fixture
def chat() -> Iterator[ChatReceiver]:
    from tests.harness.chat import ChatReceiver

    receiver = ChatReceiver.start()
    yield receiver
    receiver.stop()
