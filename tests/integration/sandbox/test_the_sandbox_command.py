"""``ecs-oauth sandbox`` from this checkout's venv, walked through as a person would."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._process import SandboxProcess, sandbox_environment
from ._scenario import TestDriftByHand, TestStartingUp, TestStopping

pytestmark = pytest.mark.slow

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"

__all__ = ["TestDriftByHand", "TestStartingUp", "TestStopping"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    home = tmp_path_factory.mktemp("sandbox")
    running = SandboxProcess.start(
        [str(ECS_OAUTH), "sandbox", "--port", "0"], home, sandbox_environment(home)
    )
    yield running
    running.kill()
