"""``ecs-oauth rotate`` held at a phase boundary (``_paused_rotate``), then killed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.integration.converge.conftest import Cli, explain

from ._view import (
    PHASE_TAG,
    RETIRING,
    Credentials,
    credentials_at,
    holders,
    rotation_tags,
    token_status,
)
from .conftest import Rotating

ROOT = Path(__file__).resolve().parents[3]

PAUSE_TIMEOUT_SECONDS = 120


def rotate_until_killed(cli: Cli, service: str, phase: str) -> None:
    """Start a rotation that pauses after ``phase`` and SIGKILL it there."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.rotation._paused_rotate",
            phase,
            service,
            "-f",
            str(cli.folder),
        ],
        cwd=ROOT,
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stderr: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stderr, stderr), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + PAUSE_TIMEOUT_SECONDS
    try:
        while f"paused at {phase}\n" not in seen:
            line = stderr.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, f"rotate exited before pausing at {phase}: {seen}"
            seen.append(line)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def _lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@dataclass(frozen=True)
class Resumed:
    """A rotation killed after ``phase`` and run again: what the checks compare."""

    before: Credentials
    after: Credentials
    before_versions: list[str]


def kill_then_resume(rotating: Rotating, service: str, phase: str) -> Resumed:
    """Kill ``ecs-oauth rotate`` after ``phase``, check that reconcile leaves the half-done
    rotation alone and that the rerun resumes it to the end with the old credential
    refused, the new one working and no stage or tag left behind."""
    before = credentials_at(rotating.world, service)
    before_versions = holders(rotating.world, service, "AWSCURRENT")

    rotate_until_killed(rotating.cli, service, phase)
    killed_at = rotation_tags(rotating.world, service).get(PHASE_TAG)
    meanwhile = rotating.cli.engine(writes=False)
    rerun = rotating.cli("rotate", service)

    assert killed_at == phase  # the phase took effect, its tag was not yet moved on
    assert (meanwhile.changes, meanwhile.problems) == ([], [])  # reconcile leaves it alone
    assert rerun.returncode == 0, explain(rerun)
    assert "started" not in rerun.stdout  # resumed, not begun again
    assert f"Rotation of {service} complete." in rerun.stdout
    after = credentials_at(rotating.world, service)
    assert after != before
    assert (token_status(after), token_status(before)) == (200, 401)
    assert holders(rotating.world, service, "AWSPENDING") == []
    assert holders(rotating.world, service, "AWSPREVIOUS") == before_versions
    assert holders(rotating.world, service, RETIRING) == []
    assert rotation_tags(rotating.world, service) == {}
    return Resumed(before, after, before_versions)
