"""The README says what is true: its commands are CI's, its example is a valid desired state."""

from __future__ import annotations

from pathlib import Path

from controller.desired import load

from ._readme import REPO, fenced, fresh_machine_commands, section


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
