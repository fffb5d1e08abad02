"""``ecs-oauth sandbox`` run as a person runs it: a child process whose output is read.

The sandbox's output is its interface (progress, the task's view, the drift commands), so
the tests read it line by line as it comes, with generous deadlines and never a timing
assertion.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

READY_LINE = re.compile(r"Every Service is Ready \((\d+) of (\d+)\)")
HAND_OFF = re.compile(r"another shell takes over with: source (\S+)$")
DRIFT_COMMANDS = re.compile(r"^  (?P<service>\S+) \((?P<mode>enforce|detect) mode\): ")
WITHOUT_AWS_CLI = "    without the aws CLI: "
STOP_TIMEOUT_SECONDS = 60.0


@dataclass
class Drift:
    service: str
    mode: str
    aws: str
    without_aws_cli: str


@dataclass
class SandboxProcess:
    """A running sandbox; ``lines`` holds everything it printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _incoming: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, command: Sequence[str], cwd: Path, env: dict[str, str]) -> SandboxProcess:
        """Start ``command`` in its own process group, as a terminal would."""
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        sandbox = cls(process)
        assert process.stdout is not None
        threading.Thread(target=sandbox._read, args=(process.stdout,), daemon=True).start()
        return sandbox

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._incoming.put(line.rstrip("\n"))
        self._incoming.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float, after: int = 0) -> str:
        """The first line from index ``after`` on that matches; fails with the output so far."""
        expected = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        checked = after
        while True:
            for line in self.lines[checked:]:
                if expected.search(line):
                    return line
            checked = max(checked, len(self.lines))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {expected.pattern!r}:\n{self.output}")
            try:
                line = self._incoming.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(
                    f"the sandbox exited ({self.process.wait()}) before printing "
                    f"{expected.pattern!r}:\n{self.output}"
                )
            self.lines.append(line)

    def drift_commands(self) -> dict[str, Drift]:
        """The printed drift commands, by mode."""
        found: dict[str, Drift] = {}
        for index, line in enumerate(self.lines):
            match = DRIFT_COMMANDS.match(line)
            if match and self.lines[index + 2].startswith(WITHOUT_AWS_CLI):
                found[match["mode"]] = Drift(
                    service=match["service"],
                    mode=match["mode"],
                    aws=self.lines[index + 1].strip(),
                    without_aws_cli=self.lines[index + 2].removeprefix(WITHOUT_AWS_CLI),
                )
        return found

    def interrupt(self) -> int:
        """Ctrl-C: SIGINT to the whole process group; the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        self._drain()
        return code

    def kill(self) -> None:
        """Clean-up after a failed test: nothing may outlive the test session."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def _drain(self) -> None:
        while (line := self._incoming.get(timeout=10)) is not None:
            self.lines.append(line)


def run_printed(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command line exactly as printed (variable assignments included) in a shell."""
    result = subprocess.run(
        ["bash", "-c", command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def sandbox_environment(tmp: Path) -> dict[str, str]:
    """The caller's environment without anything that points at AWS or a virtualenv; the
    sandbox's temporary folder under ``tmp``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "PYTEST_", "VIRTUAL_ENV"))
        and name not in ("PARTNERS_DCR_TOKEN", "WORKFORCE_OKTA_API_TOKEN")
    }
    env["TMPDIR"] = str(tmp)
    return env
