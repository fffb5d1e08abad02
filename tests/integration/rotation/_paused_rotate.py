"""``ecs-oauth rotate`` that stops right after one phase took effect, for kill tests.

Run as ``python -m tests.integration.rotation._paused_rotate PHASE ARGS...`` from the
project root. The phase's effect has landed but the secret's phase tag does not record it
yet; the process prints ``paused at PHASE`` to stderr and sleeps until killed. The hook is
installed here, in the test's own process, so the product carries no test-only path.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import controller.engine._rotation as rotation
from controller.cli import main


def pause_after(phase: str) -> None:
    record_done = rotation._record_done

    async def paused(context: Any, done: Any) -> Any:
        if done == phase:
            print(f"paused at {phase}", file=sys.stderr, flush=True)
            await asyncio.Event().wait()  # never set: only SIGKILL ends this
        return await record_done(context, done)

    rotation._record_done = paused  # type: ignore[assignment]


if __name__ == "__main__":
    pause_after(sys.argv[1])
    raise SystemExit(main(["rotate", *sys.argv[2:]]))
