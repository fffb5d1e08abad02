"""The rotation tests' tools (workload, kill, views) pointed at an Okta world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.rotation.conftest import Rotating

from ._world import OktaWorld


def rotating_okta(world: OktaWorld, patch: pytest.MonkeyPatch) -> Iterator[Rotating]:
    """The world as the rotation tests see one; in-process controllers read AWS_* and the
    API token from the environment, set for the test's duration."""
    for name, value in world.cli.env.items():
        patch.setenv(name, value)
    yield Rotating(world.world, world.cli, world.okta)


def secrets_held(world: OktaWorld, client_id: str) -> list[tuple[str, str]]:
    """The app's client secrets as the org holds them: (status, value), oldest first."""
    with world.okta.org.lock:
        held = list(world.okta.org.secrets.get(client_id, []))
    return [(entry["status"], entry["client_secret"]) for entry in held]
