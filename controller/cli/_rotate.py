"""``ecs-oauth rotate SERVICE``: rotate one service's client credential now.

Drives the same step function the daemon schedules, one call after another, printing each
phase as it completes. A rotation already under way (say, one interrupted by a crash) is
resumed, not started again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from controller.cli._common import add_service_command, load_inputs
from controller.cli._lease import LeaseRefused, add_force_unlock, writer_lease
from controller.config import engine_settings

if TYPE_CHECKING:
    from controller.config import Settings
    from controller.desired import DesiredState
    from controller.engine import RotationStep, World


def register(commands: Any) -> None:
    rotate = add_service_command(commands, "rotate", "rotate one service's client credential now")
    rotate.add_argument(
        "--no-wait",
        action="store_true",
        help="stop once the rollout completed; the daemon revokes the old credential later",
    )
    add_force_unlock(rotate)
    rotate.set_defaults(handler=run_rotate)


def run_rotate(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    if inputs is None:
        return 1
    state, settings = inputs
    if args.service not in state.services:
        print(f"error: no Service named {args.service} in {args.path}", file=sys.stderr)
        return 1
    return asyncio.run(_rotate(state, settings, args))


async def _rotate(state: DesiredState, settings: Settings, args: argparse.Namespace) -> int:
    # The AWS stack takes half a second to import: only commands that talk to AWS pay it.
    from controller.engine import World

    async with World(engine_settings(settings)) as world:
        try:
            async with writer_lease(world.aws, settings, "rotate", force_unlock=args.force_unlock):
                return await _drive(world, state, args.service, args.no_wait)
        except LeaseRefused as refused:
            print(refused, file=sys.stderr)
            return 1


async def _drive(world: World, state: DesiredState, service: str, no_wait: bool) -> int:
    from controller.engine import advance_rotation

    force_start = True
    waiting = ""
    while True:
        step = await advance_rotation(
            world, state, service, now=datetime.now(UTC), force_start=force_start
        )
        force_start = False  # started or resumed now: never start a second one
        _show_progress(step)
        if step.failure is not None:
            failure = step.failure
            print(
                f"error: rotation of {service} failed in phase {failure.phase} "
                f"({failure.reason}): {failure.message}",
                file=sys.stderr,
            )
            return 1
        if step.done:
            print(f"Rotation of {service} complete.")
            return 0
        if no_wait and step.phase == "revoke":
            print(
                f"Rollout of {service} complete; the daemon revokes the old credential "
                "once gracePeriod has passed."
            )
            return 0
        delay = step.requeue_after or timedelta(seconds=1)
        if step.waiting_for != waiting:
            waiting = step.waiting_for
            print(f"{step.phase}: waiting {_seconds(delay)} ({waiting})", flush=True)
        await asyncio.sleep(delay.total_seconds())


def _show_progress(step: RotationStep) -> None:
    for event in step.events:
        if event.kind == "started":
            print(f"Rotation of {step.service} started.", flush=True)
    for phase in step.completed:
        print(f"{phase}: done", flush=True)


def _seconds(delay: timedelta) -> str:
    return f"{max(delay.total_seconds(), 0):.0f}s"
