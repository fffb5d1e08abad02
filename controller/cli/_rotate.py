"""``ecs-oauth rotate SERVICE``: rotate one service's client credential now.

Drives the same step function the daemon schedules, one call after another, printing each
phase as it completes. A rotation already under way (say, one interrupted by a crash) is
resumed, not started again. Waits say until when, to the second; on a terminal a countdown
runs under them. Ctrl-C stops the command, never the rotation: where it stands lives in
AWS, and whoever runs next (the daemon, or this command again) finishes it.

With ``-o json`` each of those lines is a JSON object on a line of its own (``event``:
started, phaseDone, waiting, rolledOut, complete, failed, interrupted), so a pipeline
can follow a rotation that waits an hour without parsing prose.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from controller.cli._common import add_output, add_service_command, fail, load_inputs, wants_json
from controller.cli._lease import LeaseRefused, add_force_unlock, writer_lease
from controller.config import engine_settings
from controller.desired import format_duration

if TYPE_CHECKING:
    from controller.config import Settings
    from controller.desired import DesiredState
    from controller.engine import RotationStep, World

TICK_SECONDS = 1.0


@dataclass
class _Progress:
    """What the command knows of the rotation, for the words it says on Ctrl-C."""

    service: str
    detect: bool
    tty: bool
    json: bool = False
    phase: str | None = None

    def say(self, event: str, text: str, **fields: str) -> None:
        """One line of progress: the words, or with ``-o json`` the same as an object."""
        if self.json:
            line = json.dumps({"service": self.service, "event": event, **fields})
            print(line, flush=True)
        else:
            print(text, flush=True)


def register(commands: Any) -> None:
    rotate = add_service_command(commands, "rotate", "rotate one service's client credential now")
    rotate.add_argument(
        "--no-wait",
        action="store_true",
        help="stop once the rollout completed; the daemon revokes the old credential later",
    )
    add_force_unlock(rotate)
    add_output(rotate)
    rotate.set_defaults(handler=run_rotate)


def run_rotate(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    if inputs is None:
        return 1
    state, settings = inputs
    if args.service not in state.services:
        return fail(args, f"no Service named {args.service} in {args.path}")
    mode = state.services[args.service].spec.mode or settings.mode
    as_json = wants_json(args)
    progress = _Progress(
        args.service, detect=mode == "detect", tty=sys.stdout.isatty() and not as_json, json=as_json
    )
    try:
        return asyncio.run(_rotate(state, settings, args, progress))
    except KeyboardInterrupt:
        if progress.tty:
            print(flush=True)  # off the countdown's line
        words = interrupted_text(progress.service, progress.phase, progress.detect)
        print(words, file=sys.stderr)
        if progress.json:
            progress.say("interrupted", words, phase=progress.phase or "", message=words)
        return 130


def interrupted_text(service: str, phase: str | None, detect: bool) -> str:
    """What Ctrl-C leaves behind: nothing lost, and who finishes the rotation."""
    where = f" at phase {phase}" if phase else ", as far as it got"
    again = f"`ecs-oauth rotate {service}` again"
    finish = (
        f"Service/{service} is in detect mode, where the daemon does not rotate: run {again} "
        "to finish it"
        if detect
        else f"the daemon finishes it at its next reconcile of Service/{service}, or run "
        f"{again} to finish it now"
    )
    return (
        f"Interrupted. The rotation of {service} is saved in AWS{where} (the secret's stages "
        f"and tags) and will be finished: {finish}."
    )


def clock(moment: datetime, now: datetime) -> str:
    """An absolute time in UTC: the time of day, with the date when it is not today's."""
    moment, now = moment.astimezone(UTC), now.astimezone(UTC)
    shown = moment.strftime("%H:%M:%S UTC")
    return shown if moment.date() == now.date() else f"{moment:%Y-%m-%d} {shown}"


def waiting_line(phase: str, delay: timedelta, now: datetime, why: str) -> str:
    """``revoke: waiting 59m59s, until 11:22:24 UTC (gracePeriod ...)``."""
    return f"{phase}: waiting {_span(delay)}, until {clock(now + delay, now)} ({why})"


def countdown_line(until: datetime, now: datetime) -> str:
    """The line a terminal rewrites every second while waiting."""
    return f"  {_span(until - now)} left, until {clock(until, now)}; Ctrl-C stops waiting"


def _span(delay: timedelta) -> str:
    return format_duration(timedelta(seconds=max(round(delay.total_seconds()), 0)))


async def _rotate(
    state: DesiredState, settings: Settings, args: argparse.Namespace, progress: _Progress
) -> int:
    # The AWS stack takes half a second to import: only commands that talk to AWS pay it.
    from controller.engine import World

    async with World(engine_settings(settings)) as world:
        try:
            async with writer_lease(world.aws, settings, "rotate", force_unlock=args.force_unlock):
                return await _drive(world, state, args.no_wait, progress)
        except LeaseRefused as refused:
            return fail(args, str(refused))


async def _drive(world: World, state: DesiredState, no_wait: bool, progress: _Progress) -> int:
    from controller.engine import advance_rotation

    service = progress.service
    force_start = True
    waiting = ""
    while True:
        step = await advance_rotation(
            world, state, service, now=datetime.now(UTC), force_start=force_start
        )
        force_start = False  # started or resumed now: never start a second one
        progress.phase = step.phase or progress.phase
        _show_progress(step, progress)
        if step.failure is not None:
            failure = step.failure
            words = (
                f"rotation of {service} failed in phase {failure.phase} "
                f"({failure.reason}): {failure.message}"
            )
            if progress.json:
                progress.say(
                    "failed",
                    words,
                    phase=failure.phase,
                    reason=failure.reason,
                    message=failure.message,
                )
            else:
                print(f"error: {words}", file=sys.stderr)
            return 1
        if step.done:
            progress.say("complete", f"Rotation of {service} complete.")
            return 0
        if no_wait and step.phase == "revoke":
            words = _left_to_revoke(service, progress.detect)
            progress.say("rolledOut", words, message=words)
            return 0
        delay = step.requeue_after or timedelta(seconds=1)
        if step.waiting_for != waiting:
            waiting = step.waiting_for
            now = datetime.now(UTC)
            until = (now + delay).isoformat(timespec="seconds").replace("+00:00", "Z")
            words = waiting_line(str(step.phase), delay, now, waiting)
            progress.say("waiting", words, phase=str(step.phase), until=until, why=waiting)
        await _wait(delay, progress.tty)


def _left_to_revoke(service: str, detect: bool) -> str:
    if detect:
        return (
            f"Rollout of {service} complete; Service/{service} is in detect mode, where the "
            f"daemon does not rotate: run `ecs-oauth rotate {service}` once gracePeriod has "
            "passed to revoke the old credential."
        )
    return (
        f"Rollout of {service} complete; the daemon revokes the old credential "
        "once gracePeriod has passed."
    )


async def _wait(delay: timedelta, tty: bool) -> None:
    """Sleep ``delay``; on a terminal, with a countdown rewritten in place each second."""
    if not tty:
        await asyncio.sleep(delay.total_seconds())
        return
    until = datetime.now(UTC) + delay
    while (remaining := (until - datetime.now(UTC)).total_seconds()) > 0:
        sys.stdout.write(f"\r\033[K{countdown_line(until, datetime.now(UTC))}")
        sys.stdout.flush()
        await asyncio.sleep(min(remaining, TICK_SECONDS))
    sys.stdout.write("\r\033[K")
    sys.stdout.flush()


def _show_progress(step: RotationStep, progress: _Progress) -> None:
    for event in step.events:
        if event.kind == "started":
            progress.say("started", f"Rotation of {step.service} started.")
    for phase in step.completed:
        progress.say("phaseDone", f"{phase}: done", phase=phase)
