"""The long-running controller: ``ecs-oauth run``.

``run_daemon`` reconciles a desired state until told to stop, serving health, readiness,
metrics and status over HTTP; see SPEC's "The daemon".
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from controller.config import Settings
from controller.daemon._board import StatusBoard
from controller.daemon._daemon import Daemon
from controller.daemon._logging import (
    bind_process_fields,
    configure_logging,
    redact_secrets,
    unbind_process_fields,
)
from controller.daemon._queue import Backoff, WorkQueue

__all__ = [
    "Backoff",
    "Daemon",
    "StatusBoard",
    "WorkQueue",
    "bind_process_fields",
    "configure_logging",
    "redact_secrets",
    "run_daemon",
    "unbind_process_fields",
]


async def run_daemon(
    path: Path | None,
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> int:
    """Reconcile ``path`` (or ``source.git``) until ``stop`` is set or SIGTERM/SIGINT
    arrives; the exit code."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        for signum in signals:
            loop.add_signal_handler(signum, stop.set)
    try:
        return await Daemon(path, settings).run(stop, on_listening)
    finally:
        if in_main_thread:
            for signum in signals:
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(signum)
