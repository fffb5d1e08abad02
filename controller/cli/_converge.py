"""``ecs-oauth plan`` and ``ecs-oauth apply``: one pass of the engine, printed."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from controller.cli._common import add_desired_state, add_output, add_settings, load_inputs
from controller.cli._lease import LeaseRefused, add_force_unlock, writer_lease
from controller.config import default_id_refusal, engine_settings
from controller.plan import Plan, render_json, render_text


def register(commands: Any) -> None:
    plan = commands.add_parser("plan", help="show what apply would change")
    apply = commands.add_parser("apply", help="converge once")
    for parser in (plan, apply):
        add_desired_state(parser)
        add_settings(parser)
        add_output(parser)
        parser.add_argument("--prune", action="store_true", help="delete what is no longer desired")
        parser.add_argument(
            "--force", action="store_true", help="prune even past prune.maxFraction"
        )
    plan.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there are changes"
    )
    add_force_unlock(apply)
    plan.set_defaults(handler=run_plan)
    apply.set_defaults(handler=run_apply)


async def _run(args: argparse.Namespace, writes: bool) -> Plan | None:
    # The AWS stack takes half a second to import: only commands that talk to AWS pay it.
    from controller.engine import Engine, World

    inputs = load_inputs(args)
    if inputs is None:
        return None
    state, settings = inputs
    if writes and (refusal := default_id_refusal(settings, os.environ)) is not None:
        print(refusal, file=sys.stderr)
        return None
    async with World(engine_settings(settings, force=args.force)) as world:
        if not writes:  # plan takes no lease: it never writes
            plan, _ = await Engine(world).run(state, writes=False)
            return plan
        try:
            async with writer_lease(world.aws, settings, "apply", force_unlock=args.force_unlock):
                plan, _ = await Engine(world).run(state, writes=True)
        except LeaseRefused as refused:
            print(refused, file=sys.stderr)
            return None
    return plan


def _print(plan: Plan, output: str) -> None:
    print(render_json(plan) if output == "json" else render_text(plan))


def run_plan(args: argparse.Namespace) -> int:
    plan = asyncio.run(_run(args, writes=False))
    if plan is None:
        return 1
    _print(plan, args.output)
    if plan.problems:
        return 1
    return 2 if args.detailed_exitcode and plan.has_changes else 0


def run_apply(args: argparse.Namespace) -> int:
    plan = asyncio.run(_run(args, writes=True))
    if plan is None:
        return 1
    _print(plan, args.output)
    if plan.problems:
        if args.output == "text":
            print(f"Apply incomplete: {len(plan.problems)} problem(s) above.", file=sys.stderr)
        return 1
    if args.output == "text":
        print("Apply complete.")
    return 0
