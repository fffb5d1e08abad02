"""A git server per test, holding the examples-shaped desired state under ``desired/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.daemon import RunningDaemon
from tests.integration.daemon.conftest import ALERTS, Setup, setup  # noqa: F401
from tests.integration.git_source._server import GitServer

HOOK_SECRET = "hook-secret-for-tests"


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
) -> RunningDaemon:
    """A daemon whose desired state is the server's main branch, ``desired/``."""
    daemon = RunningDaemon.start(
        None,
        {**setup.env, "GIT_HOOK_SECRET": HOOK_SECRET},
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
