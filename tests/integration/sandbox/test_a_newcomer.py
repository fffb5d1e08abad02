"""A newcomer follows the README: a fresh copy of the repository, a fresh venv, the
README's first command exactly as written (install, then ``ecs-oauth sandbox``), then the
same walk-through as :mod:`test_the_sandbox_command` on the sandbox that command started.

The copy holds what a clone would (tracked files, plus new ones not yet committed, none
that git ignores). pip and npm use their usual caches, so a warm machine installs in
about a minute; nothing else is reused from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._process import SandboxProcess, sandbox_environment
from ._readme import REPO, fresh_machine_commands
from ._scenario import TestDriftByHand, TestStartingUp, TestStopping

pytestmark = pytest.mark.slow

__all__ = ["TestDriftByHand", "TestStartingUp", "TestStopping"]

INSTALL_TIMEOUT_SECONDS = 900.0


def fresh_copy(target: Path) -> Path:
    """The files a clone of this working tree would have."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def newcomer_environment(home: Path) -> dict[str, str]:
    """A shell that knows nothing of this checkout's venv."""
    env = sandbox_environment(home)
    env["PATH"] = os.pathsep.join(
        entry for entry in env["PATH"].split(os.pathsep) if not (Path(entry) / "activate").exists()
    )
    return env


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    home = tmp_path_factory.mktemp("newcomer")
    checkout = fresh_copy(home / "ecs-oauth")
    install_and_run, _ = fresh_machine_commands()
    running = SandboxProcess.start(
        ["bash", "-c", install_and_run], checkout, newcomer_environment(home)
    )
    running.wait_for(r"^ecs-oauth sandbox: ", INSTALL_TIMEOUT_SECONDS)
    yield running
    running.kill()
