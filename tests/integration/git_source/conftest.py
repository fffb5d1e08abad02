"""A git server per test, holding the examples-shaped desired state under ``desired/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.daemon import RunningDaemon
from tests.harness.git_server import GitServer, git
from tests.integration.converge._live import cognito_client, secret_value
from tests.integration.daemon.conftest import ALERTS, Setup, setup  # noqa: F401

HOOK_SECRET = "hook-secret-for-tests"
LIFETIME = "spec: {scopes: [orders.read], tokenLifetime: 15m}"  # in payments.yaml


@pytest.fixture
def server(tmp_path: Path, setup: Setup) -> Iterator[GitServer]:  # noqa: F811
    served = GitServer.start(tmp_path / "git", setup.folder)
    yield served
    served.stop()


def start_on_git(
    setup: Setup,  # noqa: F811
    server: GitServer,
    *settings: str,
    values: Path | None = None,
    env: dict[str, str] | None = None,
) -> RunningDaemon:
    """A daemon whose desired state is the server's main branch, ``desired/``; ``env``
    adds to its environment."""
    daemon = RunningDaemon.start(
        None,
        {**setup.env, "GIT_HOOK_SECRET": HOOK_SECRET, **(env or {})},
        *ALERTS,
        f"source.git.url={server.url}",
        "source.git.ref.branch=main",
        "source.git.path=desired",
        "source.git.webhook.secret.fromEnv=GIT_HOOK_SECRET",
        *settings,
        values=values,
    )
    setup.started.append(daemon)
    return daemon


def ready_on_git(
    setup: Setup,  # noqa: F811
    server: GitServer,
    *settings: str,
    values: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[RunningDaemon, str]:
    """``start_on_git``, once ready: the daemon, and the head it reconciles."""
    daemon = start_on_git(setup, server, *settings, values=values, env=env)
    daemon.wait_ready()
    head = git(server.work, "rev-parse", "HEAD")
    assert revision(daemon) == head
    return daemon, head


def push_lifetime(server: GitServer, minutes: int, *signing: str) -> str:
    """Push orders-reader's token lifetime (15 minutes in the first commit); the SHA."""
    server.edit("payments.yaml", LIFETIME, LIFETIME.replace("15m", f"{minutes}m"))
    return server.commit(f"orders-reader: {minutes} minute tokens", *signing)


def token_lifetime(setup: Setup) -> int:  # noqa: F811
    """orders-api's OAuth client's access-token lifetime in Cognito, in minutes."""
    client_id = secret_value(setup.world, "orders-api")["client_id"]
    validity: int = cognito_client(setup.world, client_id)["AccessTokenValidity"]
    return validity


def revision(daemon: RunningDaemon) -> str | None:
    value: str | None = daemon.status()["controller"]["desiredState"].get("revision")
    return value
