"""``apply`` shows the plan and asks on a terminal: only ``yes`` writes. Without a terminal
it refuses unless ``--auto-approve``; with nothing to do it does not ask.

The terminal is a real pseudo-terminal: stdin, stdout and stderr of the CLI are its slave
side, as in a shell; the test reads the master side and types the answer.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from dataclasses import dataclass

from tests.harness.aws_state import aws_state
from tests.harness.moto import writes_by
from tests.harness.world import SeededWorld

from ._live import secret_value
from .conftest import ECS_OAUTH, Cli, explain

PROMPT = "Only 'yes' will be accepted to approve."
TIMEOUT_SECONDS = 120.0


@dataclass
class Terminal:
    """``ecs-oauth`` on a pseudo-terminal, its screen so far."""

    process: subprocess.Popen[bytes]
    master: int
    screen: str = ""

    @classmethod
    def run(cls, cli: Cli, *args: str) -> Terminal:
        master, slave = pty.openpty()
        process = subprocess.Popen(
            [str(ECS_OAUTH), *args, "-f", str(cli.folder)],
            env=cli.env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        return cls(process, master)

    def read_until(self, text: str | None) -> None:
        """Read the screen until ``text`` shows, or (None) until the program exits."""
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while text is None or text not in self.screen:
            assert time.monotonic() < deadline, self.screen
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the program exited and closed its side
                chunk = b""
            if not chunk:
                assert text is None, f"exited before {text!r} showed:\n{self.screen}"
                return
            self.screen += chunk.decode(errors="replace")

    def type(self, line: str) -> None:
        os.write(self.master, f"{line}\n".encode())

    def finish(self) -> int:
        self.read_until(None)
        os.close(self.master)
        return self.process.wait(timeout=TIMEOUT_SECONDS)


def as_caller(cli: Cli, access_key: str) -> Cli:
    return Cli(cli.folder, {**cli.env, "AWS_ACCESS_KEY_ID": access_key})


def test_yes_on_the_terminal_applies_the_plan_shown(cli: Cli, world: SeededWorld) -> None:
    terminal = Terminal.run(cli, "apply")

    terminal.read_until(PROMPT)
    shown = terminal.screen
    terminal.type("yes")
    code = terminal.finish()

    assert code == 0, terminal.screen
    assert "Do you want to perform these actions?" in shown
    assert shown.index("Plan: 13 to create, 6 to update") < shown.index(PROMPT)
    assert "ecs:task-definition orders-api: registering revision… done in" in terminal.screen
    assert "Apply complete: 13 created, 6 updated, 0 deleted" in terminal.screen
    assert secret_value(world, "orders-api")["client_id"]
    cli.assert_in_sync()


def test_any_other_answer_writes_nothing(cli: Cli, world: SeededWorld) -> None:
    before = aws_state(world)
    world.moto.clear_journal()
    terminal = Terminal.run(as_caller(cli, "apply"), "apply")

    terminal.read_until(PROMPT)
    terminal.type("no")
    code = terminal.finish()

    assert code == 1, terminal.screen
    assert "Apply cancelled: nothing written." in terminal.screen
    assert writes_by(world.moto.journal(), "apply") == []
    assert aws_state(world) == before


def test_with_nothing_to_do_it_does_not_ask(cli: Cli) -> None:
    cli.apply()

    terminal = Terminal.run(cli, "apply")
    code = terminal.finish()

    assert code == 0, terminal.screen
    assert "No changes." in terminal.screen
    assert PROMPT not in terminal.screen


def test_without_a_terminal_it_refuses_in_one_line_before_any_call(
    cli: Cli, world: SeededWorld
) -> None:
    calls = world.moto.calls()

    result = subprocess.run(
        [str(ECS_OAUTH), "apply", "-f", str(cli.folder)],
        env=cli.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )

    assert result.returncode == 1, explain(result)
    [refusal] = result.stderr.strip().splitlines()
    assert refusal.startswith("error: apply asks for confirmation and stdin is not a terminal")
    assert "--auto-approve" in refusal
    assert "plan -out FILE" in refusal
    assert result.stdout == ""
    assert world.moto.calls() == calls
