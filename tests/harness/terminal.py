"""A real terminal for tests: a tmux server of its own (a private socket, so nothing else
on the machine is touched), one interactive bash in it, keys typed with ``send-keys`` and
the screen read back with ``capture-pane``.

The shell's prompt carries the previous command's exit code (``exit=N $``), so the screen
alone says where each command ends and how it ended, as a person reading it would see.
Reading a screen back is pure (:func:`transcript`); only :class:`Terminal` runs tmux. It
waits by polling the screen, never by sleeping a fixed time.
"""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROMPT = "exit=$? $ "
# A virtualenv's activate script puts "(.venv) " before the prompt.
_PROMPT_LINE = re.compile(r"^(?:\(\S+\) )?exit=(\d+) \$(?: (.*))?$")
POLL_SECONDS = 0.5
WIDTH, HEIGHT = 250, 50


@dataclass(frozen=True)
class Step:
    """One command typed at the prompt: what the screen shows after it, and its exit code
    (None while no prompt has followed it yet)."""

    command: str
    lines: tuple[str, ...]
    exit_code: int | None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def transcript(screen: str) -> list[Step]:
    """The commands typed at the prompt, in order, each with the lines up to the next prompt
    (answers typed to a question included) and the exit code that prompt shows."""
    lines = [line.rstrip() for line in screen.splitlines()]
    prompts = [
        (index, match) for index, line in enumerate(lines) if (match := _PROMPT_LINE.match(line))
    ]
    steps = []
    for position, (index, match) in enumerate(prompts):
        command = (match[2] or "").strip()
        if not command:
            continue
        following = prompts[position + 1] if position + 1 < len(prompts) else None
        end = following[0] if following else len(lines)
        output = lines[index + 1 : end]
        while output and not output[-1]:
            output.pop()
        steps.append(Step(command, tuple(output), int(following[1][1]) if following else None))
    return steps


def at_prompt(screen: str) -> bool:
    """The shell waits for a command: the screen's last non-empty line is an empty prompt."""
    filled = [line.rstrip() for line in screen.splitlines() if line.strip()]
    match = _PROMPT_LINE.match(filled[-1]) if filled else None
    return match is not None and not match[2]


class Terminal:
    """One bash in a detached tmux session of a private tmux server."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    @classmethod
    def open(cls, cwd: Path, env: Mapping[str, str], timeout: float) -> Terminal:
        """A shell in ``cwd`` whose environment is ``env`` (no profile, no rc file) and
        whose prompt shows the last exit code; returned once the first prompt shows."""
        terminal = cls(f"ecs-oauth-tests-{secrets.token_hex(6)}")
        environment = {name: value for name, value in env.items() if name != "TMUX"}
        # Set for bash itself: tmux starts it through `sh -c`, and a non-interactive bash
        # there would drop PS1 from the environment.
        shell = f"exec env PS1={shlex.quote(PROMPT)} bash --noprofile --norc"
        terminal._tmux(
            "-f", "/dev/null", "set-option", "-g", "history-limit", "100000", ";",
            "new-session", "-d", "-s", "shell", "-x", str(WIDTH), "-y", str(HEIGHT),
            "-c", str(cwd), shell,
            env=environment,
        )  # fmt: skip
        try:
            terminal._until(at_prompt, timeout, "the first prompt")
        except BaseException:
            terminal.close()
            raise
        return terminal

    def screen(self) -> str:
        """Everything the pane showed since it opened, wrapped lines joined."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "shell")

    def run(
        self, command: str, timeout: float, answers: Sequence[tuple[re.Pattern[str], str]] = ()
    ) -> Step:
        """Type ``command`` at the prompt, then each answer once its question shows, and
        return the step once the next prompt shows."""
        self._until(at_prompt, timeout, f"a prompt to type {command!r} at")
        index = len(transcript(self.screen()))
        self._type(command)
        for question, answer in answers:
            self._until(
                lambda screen, question=question: _shows(screen, index, question),
                timeout,
                f"{question.pattern!r} after {command!r}",
            )
            self._type(answer)
        self._until(lambda screen: _finished(screen, index), timeout, f"{command!r} to end")
        return transcript(self.screen())[index]

    def close(self) -> None:
        """Stop this tmux server (and the shell in it) and remove its socket; no other
        server is touched."""
        found = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            Path(found.stdout.strip()).unlink(missing_ok=True)

    def _type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "shell", "-l", text, ";", "send-keys", "-t", "shell", "Enter")

    def _until(self, condition: Callable[[str], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition(screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f}s for {what}; the screen:\n{screen}")
            time.sleep(POLL_SECONDS)

    def _tmux(self, *arguments: str, env: Mapping[str, str] | None = None) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *arguments],
            env=None if env is None else dict(env),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout


def _shows(screen: str, index: int, question: re.Pattern[str]) -> bool:
    steps = transcript(screen)
    return len(steps) > index and question.search(steps[index].output) is not None


def _finished(screen: str, index: int) -> bool:
    steps = transcript(screen)
    return len(steps) > index and steps[index].exit_code is not None
