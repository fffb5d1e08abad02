"""The README says what is true: its commands are CI's, its example is a valid desired state."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from controller.desired import load

from ._readme import REPO, fenced, first_five_minutes, fresh_machine_commands, section
from .conftest import EXAMPLES


def test_there_are_two_commands_for_a_fresh_machine_and_the_first_starts_the_sandbox() -> None:
    install, test = fresh_machine_commands()

    assert install.startswith("python3 -m venv .venv && ")
    assert install.endswith(" && .venv/bin/ecs-oauth sandbox")
    assert test.startswith(".venv/bin/pytest ")


def test_the_test_command_is_the_one_ci_runs() -> None:
    _, test = fresh_machine_commands()

    assert test in (REPO / ".ci" / "run").read_text().splitlines()


def test_the_complete_example_is_a_valid_desired_state(tmp_path: Path) -> None:
    [example] = fenced(section("The desired state"), "yaml")
    (tmp_path / "example.yaml").write_text(example)

    state = load(tmp_path / "example.yaml")

    assert {placed.obj.kind for placed in state.sources.values()} == {
        "IdentityProvider",
        "Scope",
        "Role",
        "Service",
    }


def test_the_first_five_minutes_edit_retires_the_checkout_worker_service_and_nothing_else(
    tmp_path: Path,
) -> None:
    [edit] = [line for line in first_five_minutes() if line.startswith("sed ")]
    working = shutil.copytree(EXAMPLES, tmp_path / "desired")
    env = {**os.environ, "ECS_OAUTH_DESIRED": str(working)}

    subprocess.run(["bash", "-c", edit], env=env, cwd=tmp_path, check=True, timeout=60)

    before, after = load(EXAMPLES), load(working)
    assert set(before.sources) - set(after.sources) == {"Service/checkout-worker"}
    assert {key: placed.obj for key, placed in after.sources.items()} == {
        key: placed.obj for key, placed in before.sources.items() if key in after.sources
    }
