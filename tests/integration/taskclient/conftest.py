"""Fixtures for the task's-eye view: worlds converged by ``ecs-oauth apply``, with the
Cognito-like endpoint in moto and, as the OIDC IdP, panva's oidc-provider or the
sandbox's authorization server.

``applied`` (module scope, one world per IdP) is for tests that only read; ``fresh``
(one new world per test, oidc-provider) for tests that break a link of the chain.
The converge tests' helpers set the worlds up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.integration.converge.conftest import Converged, converge_fresh, seed_fresh

IDPS = {"oidc-provider": "oidc_provider_server", "sandbox": "sandbox_authserver_server"}


@pytest.fixture(scope="module", params=sorted(IDPS))
def applied(
    request: pytest.FixtureRequest,
    moto_server: MotoPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Converged:
    """A world after ``ecs-oauth apply`` (run as a subprocess): the sandbox's ECS starts a
    new deployment when apply points a service at a new revision, as ECS does."""
    idp = request.getfixturevalue(IDPS[request.param])  # both peers serve RFC 7591/7592
    folder = tmp_path_factory.mktemp(request.param) / "desired"
    world, cli = seed_fresh(moto_server, idp, folder)
    converged = Converged(world, idp, cli, shared_role_before={})
    converged.apply = cli.apply()
    return converged


@pytest.fixture
def fresh(
    moto_server: MotoPeer, oidc_provider_server: OidcProviderPeer, tmp_path: Path
) -> Converged:
    """A world of its own, applied in-process, for a test to break."""
    return converge_fresh(
        moto_server, oidc_provider_server, tmp_path / "desired", through_cli=False
    )
