"""``ecs-oauth plan`` and ``ecs-oauth apply``, the Terraform way.

``plan`` shows (and with ``-out FILE`` saves) what apply would change. ``apply`` shows the
plan and asks on a terminal; ``--auto-approve`` skips the question; with no terminal and
no ``--auto-approve`` it refuses. ``apply FILE`` applies exactly a saved plan, or nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from controller.cli._common import add_desired_state, add_output, add_settings
from controller.cli._handoff import NO_DESIRED_STATE, values_default
from controller.cli._job import Job, inputs_of, load_job
from controller.cli._lease import add_force_unlock
from controller.cli._passes import (
    Planned,
    apply_plan,
    nothing_to_do,
    plan_once,
    show,
)
from controller.cli._select import add_selector_options
from controller.config import default_id_refusal
from controller.desired import DesiredState
from controller.plan import (
    SavedPlan,
    SavedPlanError,
    in_memory,
    load_saved,
    render_markdown,
    saved_document,
)

CONFIRMATION = "Do you want to perform these actions? Only 'yes' will be accepted to approve."
NO_TERMINAL = (
    "error: apply asks for confirmation and stdin is not a terminal: pass --auto-approve, "
    "or save a plan with plan -out FILE, review it, and run apply FILE"
)


def register(commands: Any) -> None:
    plan = commands.add_parser("plan", help="show what apply would change")
    apply = commands.add_parser("apply", help="show the plan, confirm, and converge once")
    add_desired_state(plan)
    add_desired_state(apply)
    for parser in (plan, apply):
        add_settings(parser)
        add_output(parser, *(("markdown",) if parser is plan else ()))
        parser.add_argument("--prune", action="store_true", help="delete what is no longer desired")
        parser.add_argument(
            "--force",
            action="store_true",
            help="prune even past prune.maxFraction and prune.minCount",
        )
        add_selector_options(parser)
    plan.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when apply would change something"
    )
    plan.add_argument(
        "-out", "--out", dest="out", type=Path, metavar="FILE", help="save the plan for apply FILE"
    )
    apply.add_argument(
        "plan_file", nargs="?", type=Path, metavar="FILE", help="a plan saved by plan -out FILE"
    )
    apply.add_argument(
        "--auto-approve", action="store_true", help="apply without asking for confirmation"
    )
    add_force_unlock(apply)
    plan.set_defaults(handler=run_plan)
    apply.set_defaults(handler=run_apply)


def _job(args: argparse.Namespace) -> Job | None:
    inputs = inputs_of(args)
    return None if inputs is None else load_job(inputs, str(args.path))


def run_plan(args: argparse.Namespace) -> int:
    job = _job(args)
    if job is None:
        return 1
    planned = asyncio.run(plan_once(job))
    if args.output == "markdown":
        print(render_markdown(planned.plan, planned.context, places(job.state)), end="")
    else:
        show(planned.plan, planned.context, args.output)
    if args.out is not None:
        _save(args.out, planned, job, args.output)
    if planned.plan.problems:
        return 1
    return 2 if args.detailed_exitcode and planned.plan.has_changes else 0


def places(state: DesiredState) -> dict[str, str]:
    """``FILE:LINE`` of each declared object, for the markdown plan's problems."""
    return {
        key: f"{placed.document.start.file}:{placed.document.start.line}"
        for key, placed in state.sources.items()
    }


def _save(path: Path, planned: Planned, job: Job, output: str) -> None:
    """The plan, its inputs and its fingerprint; readable by its owner alone (it names the
    account's resources, never a secret value)."""
    document = saved_document(
        planned.plan, planned.context, job.inputs, job.fingerprint(planned.reads)
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file, indent=2, default=str)
        file.write("\n")
    print(
        f"\nSaved the plan to {path}. To apply exactly these changes, run: ecs-oauth apply {path}",
        file=sys.stdout if output == "text" else sys.stderr,
    )


def confirm() -> bool:
    print(f"\n{CONFIRMATION}", file=sys.stderr)
    print("  Enter a value: ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip() == "yes"


def run_apply(args: argparse.Namespace) -> int:
    if args.plan_file is not None:
        return _apply_file(args)
    if args.path is None:
        print(NO_DESIRED_STATE, file=sys.stderr)
        return 1
    if not args.auto_approve and not sys.stdin.isatty():
        print(NO_TERMINAL, file=sys.stderr)
        return 1
    job = _job(args)
    if job is None or _refused_id(job):
        return 1
    if args.auto_approve:
        return asyncio.run(apply_plan(job, args.output, force_unlock=args.force_unlock))
    planned = asyncio.run(plan_once(job))
    show(planned.plan, planned.context, "text", sys.stdout if args.output == "text" else sys.stderr)
    if not planned.plan.has_changes:
        return nothing_to_do(planned.plan, planned.context, args.output)
    if not confirm():
        print("Apply cancelled: nothing written.", file=sys.stderr)
        return 1
    saved = in_memory(planned.plan, planned.context, job.inputs, job.fingerprint(planned.reads))
    return asyncio.run(
        apply_plan(job, args.output, force_unlock=args.force_unlock, saved=saved, shown=True)
    )


def _apply_file(args: argparse.Namespace) -> int:
    saved = _read_saved(args.plan_file)
    if saved is None:
        return 1
    given = [
        flag
        for flag, value in (
            ("--values", [] if args.values == values_default(os.environ) else args.values),
            ("--set", args.assignments),
            ("--prune", args.prune),
            ("--force", args.force),
            ("--target", args.targets),
            ("-l", args.labels),
        )
        if value
    ]
    if given:
        print(
            f"error: {args.plan_file} carries the inputs it was planned with: drop "
            f"{', '.join(given)}",
            file=sys.stderr,
        )
        return 1
    if args.path is not None and str(Path(args.path).resolve()) != saved.inputs.desired:
        print(
            f"error: {args.plan_file} was planned for the desired state {saved.inputs.desired}, "
            f"not {args.path}",
            file=sys.stderr,
        )
        return 1
    job = load_job(saved.inputs, saved.inputs.desired)
    if job is None or _refused_id(job):
        return 1
    changed = saved.fingerprint.inputs_changed(job.fingerprint())
    if changed is not None:
        print(
            f"error: {changed} since {args.plan_file} was made; nothing written: run plan again",
            file=sys.stderr,
        )
        return 1
    return asyncio.run(apply_plan(job, args.output, force_unlock=args.force_unlock, saved=saved))


def _read_saved(path: Path) -> SavedPlan | None:
    try:
        return load_saved(json.loads(path.read_text()), str(path))
    except OSError as exc:
        print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
    except json.JSONDecodeError as exc:
        print(f"error: {path}: not a saved plan (not JSON: {exc})", file=sys.stderr)
    except SavedPlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return None


def _refused_id(job: Job) -> bool:
    refusal = default_id_refusal(job.settings, os.environ)
    if refusal is not None:
        print(refusal, file=sys.stderr)
    return refusal is not None
