"""``ecs-oauth rotate`` held at a phase boundary (``_paused_rotate``), then killed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from tests.integration.converge.conftest import Cli

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
