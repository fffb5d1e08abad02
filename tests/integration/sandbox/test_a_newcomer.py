"""A newcomer follows the README: a fresh copy of the repository, a fresh venv, the
README's first command exactly as written (install, then ``ecs-oauth sandbox``), then the
same walk-through as :mod:`test_the_sandbox_command` on the sandbox that command started,
and the README's first five minutes in a second terminal: a real one (tmux), each line of
the README's block typed as written, its screen read back.

The copy holds what a clone would (tracked files, plus new ones not yet committed, none
that git ignores). pip and npm use their usual caches, so a warm machine installs in
about a minute; nothing else is reused from this checkout. Everything runs on the one
sandbox, in this order: start-up, drift by hand, the first five minutes, then Ctrl-C (the
first five minutes retire the Service the enforce-mode drift uses).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from controller.desired import DesiredState
from tests.harness.doctor import verdicts
from tests.harness.terminal import Step, Terminal

from . import _scenario
from ._process import HAND_OFF, READY_LINE, SandboxProcess, sandbox_environment
from ._readme import REPO, first_five_minutes, fresh_machine_commands

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT_SECONDS = 900.0
# Per command typed; above `ecs-oauth wait`'s own default timeout of 5 minutes.
COMMAND_TIMEOUT_SECONDS = 420.0
QUESTION = re.compile(r"Enter a value:")
RETIRED = "checkout-worker"  # the Service whose document the README's block deletes


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
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("newcomer")


@pytest.fixture(scope="module")
def checkout(home: Path) -> Path:
    return fresh_copy(home / "ecs-oauth")


@pytest.fixture(scope="module")
def sandbox(checkout: Path, home: Path) -> Iterator[SandboxProcess]:
    install_and_run, _ = fresh_machine_commands()
    running = SandboxProcess.start(
        ["bash", "-c", install_and_run], checkout, newcomer_environment(home)
    )
    running.wait_for(r"^ecs-oauth sandbox: ", INSTALL_TIMEOUT_SECONDS)
    yield running
    running.kill()


@pytest.fixture(scope="module")
def terminal(checkout: Path, home: Path) -> Iterator[Terminal]:
    """A second terminal in the checkout, as the newcomer opens one."""
    env = newcomer_environment(home)
    env["HISTFILE"] = str(home / "bash_history")
    opened = Terminal.open(checkout, env, COMMAND_TIMEOUT_SECONDS)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def other_screens(terminal: Terminal) -> list[str]:
    return [terminal.screen()]


@dataclass(frozen=True)
class Typed:
    """The README's lines as typed (``FOLDER`` replaced) and what each did on the screen."""

    lines: list[str]
    steps: list[Step]

    def of(self, command: str) -> Step:
        [step] = [step for step in self.steps if step.command.startswith(command)]
        return step


@pytest.fixture(scope="module")
def typed(sandbox: SandboxProcess, terminal: Terminal) -> Typed:
    """Each line of the README's first five minutes typed at the prompt once the one
    before ended; apply's question answered ``yes``."""
    match = HAND_OFF.search(sandbox.wait_for(HAND_OFF, _scenario.START_TIMEOUT_SECONDS))
    assert match is not None
    sandbox.wait_for(READY_LINE, _scenario.START_TIMEOUT_SECONDS)
    folder = Path(match[1]).parent
    lines = [line.replace("FOLDER/", f"{folder}/") for line in first_five_minutes()]
    steps = []
    for line in lines:
        answers = [(QUESTION, "yes")] if line.startswith("ecs-oauth apply") else []
        steps.append(terminal.run(line, COMMAND_TIMEOUT_SECONDS, answers))
    return Typed(lines, steps)


TestStartingUp = _scenario.TestStartingUp
TestDriftByHand = _scenario.TestDriftByHand


class TestTheFirstFiveMinutesInATerminal:
    def test_every_line_shows_as_typed_and_exits_0(self, typed: Typed) -> None:
        assert [step.command for step in typed.steps] == typed.lines
        assert [step.exit_code for step in typed.steps] == [0] * len(typed.lines), "\n".join(
            f"$ {step.command}\n{step.output}" for step in typed.steps
        )

    def test_plan_keeps_the_retired_services_client_and_secret_as_orphans(
        self, typed: Typed
    ) -> None:
        plan = typed.of("ecs-oauth plan")

        assert plan.lines[0].startswith("Account 123456789012, region us-east-1, controller ")
        assert (
            "Orphaned (their objects are no longer declared); would be deleted with --prune:"
            in (plan.lines)
        )
        for resource in ("idp:client", "secretsmanager:secret"):
            expected = f'  # Service/{RETIRED}: {resource} "ecs-oauth/{RETIRED}" would be deleted'
            assert expected in plan.lines, plan.output
        assert re.fullmatch(
            r"Plan: 0 to create, 0 to update, 0 to delete, .*; 2 orphaned\.", plan.lines[-1]
        )

    def test_apply_shows_the_plan_asks_and_deletes_them_once_answered_yes(
        self, typed: Typed, sandbox: SandboxProcess
    ) -> None:
        apply = typed.of("ecs-oauth apply")
        lines = list(apply.lines)

        question = lines.index(
            "Do you want to perform these actions? Only 'yes' will be accepted to approve."
        )
        assert lines[question + 1] == "  Enter a value: yes"
        shown = lines[:question]
        for resource in ("idp:client", "secretsmanager:secret"):
            deleted = f'  # Service/{RETIRED}: {resource} "ecs-oauth/{RETIRED}" will be deleted'
            assert deleted in shown, apply.output
            assert f"{resource} ecs-oauth/{RETIRED}: deleting… done in " in apply.output
        assert any(line.startswith("Plan: 0 to create, 0 to update, 2 to delete") for line in shown)
        assert lines[-1] == "Apply complete: 0 created, 0 updated, 2 deleted"
        secrets = _scenario.aws_client(sandbox, "secretsmanager").list_secrets()["SecretList"]
        assert f"ecs-oauth/{RETIRED}" not in {secret["Name"] for secret in secrets}

    def test_status_shows_every_object_still_declared_ready(
        self, typed: Typed, examples: DesiredState
    ) -> None:
        status = typed.of("ecs-oauth status")
        header = next(i for i, line in enumerate(status.lines) if line.startswith("OBJECT "))

        rows = {line.split()[0]: line.split()[1] for line in status.lines[header + 1 :]}

        declared = {key for key in examples.sources if not key.startswith("Scope/")}
        assert set(rows) == declared - {f"Service/{RETIRED}"}, status.output
        assert set(rows.values()) == {"True"}, status.output

    def test_doctor_passes_every_check(self, typed: Typed) -> None:
        doctor = typed.of("ecs-oauth doctor")

        found = verdicts(doctor.output)

        assert len(found) == 7, doctor.output
        assert all(verdict.startswith("PASS ") for verdict in found.values()), doctor.output
        assert doctor.lines[-1] == "7 checks: 7 passed"
        assert "FAIL" not in doctor.output

    def test_rotate_without_waiting_rolls_out_and_says_who_revokes(self, typed: Typed) -> None:
        rotate = typed.of("ecs-oauth rotate")
        service = rotate.command.split()[2]

        assert list(rotate.lines[:6]) == [
            f"Rotation of {service} started.",
            "create: done",
            "set: done",
            "test: done",
            "finish: done",
            "rollout: done",
        ]
        assert rotate.lines[-1].startswith(f"Rollout of {service} complete; ")
        assert rotate.lines[-1].endswith("to revoke the old credential.")

    def test_wait_returns_once_every_object_is_ready(self, typed: Typed) -> None:
        wait = typed.of("ecs-oauth wait")

        assert wait.lines == ("every object: Ready=True",)
        assert wait.exit_code == 0


TestStopping = _scenario.TestStopping
