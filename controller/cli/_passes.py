"""The engine passes behind ``plan`` and ``apply``, and what they print.

``apply`` never writes what it did not show: it plans (no writes), shows the plan, and its
write pass may make only the changes that plan holds (``allows``); any other write stops
its object with a ``NotInPlan`` problem. Applying a plan made earlier (a saved one, or the
one shown before the prompt) first reads the world again, with the same reads, under the
lease, and refuses before the first write if any answer changed.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from controller.cli._job import Job
from controller.cli._lease import LeaseRefused, writer_lease
from controller.config import engine_settings
from controller.plan import (
    Change,
    Context,
    Plan,
    SavedPlan,
    allows,
    apply_summary,
    plan_changed,
    plan_document,
    problem_line,
    progress_line,
    render_json,
    render_text,
)

if TYPE_CHECKING:
    from controller.engine import Engine, World


@dataclass(frozen=True)
class Planned:
    context: Context
    plan: Plan
    reads: dict[str, dict[str, str]]


class ProgressLines:
    """A line when a write starts and one when it ended, on stderr: a cold apply of many
    Services takes minutes at ECS's one RegisterTaskDefinition a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def started(self, change: Change) -> None:
        print(progress_line(change), file=self.stream, flush=True)

    def finished(self, change: Change, seconds: float, failure: str | None) -> None:
        print(progress_line(change, seconds, failure), file=self.stream, flush=True)


def context_of(world: World, job: Job) -> Context:
    return Context(world.account_id, world.aws.region, job.settings.controller_id, job.shown_path)


def show(plan: Plan, context: Context | None, output: str, stream: TextIO = sys.stdout) -> None:
    if output == "json":
        print(render_json(plan, context), file=stream)
        return
    if context is not None:
        print(context.header(), file=stream)
        print(file=stream)
    print(render_text(plan), file=stream)


def _world(job: Job) -> World:
    from controller.engine import World

    return World(engine_settings(job.settings, force=job.inputs.force))


async def plan_once(job: Job) -> Planned:
    """One pass without writes, every read journaled."""
    from controller.engine import Engine, ReadJournal, record_reads

    async with _world(job) as world:
        journal = ReadJournal()
        record_reads(world, journal)
        plan, _ = await Engine(world).run(job.state, writes=False, options=job.options())
        return Planned(context_of(world, job), plan, journal.reads())


async def apply_plan(
    job: Job,
    output: str,
    *,
    force_unlock: bool,
    saved: SavedPlan | None = None,
    shown: bool = False,
) -> int:
    """Plan under the lease, show the plan (unless ``shown`` already), make exactly its
    changes. With ``saved`` (``apply FILE``, or the plan shown before the prompt), only
    once the same reads gave the answers that plan was made from, and the same plan."""
    from controller.engine import Engine, ReadJournal, record_reads

    async with _world(job) as world:
        journal = ReadJournal()
        record_reads(world, journal)
        context = context_of(world, job)
        elsewhere = _elsewhere(saved.context, context) if saved is not None else None
        if elsewhere is not None:
            print(f"error: {elsewhere}; nothing written", file=sys.stderr)
            return 1
        try:
            async with writer_lease(world.aws, job.settings, "apply", force_unlock=force_unlock):
                engine = Engine(world)
                plan, _ = await engine.run(job.state, writes=False, options=job.options())
                if saved is not None:
                    moved = saved.fingerprint.world_changed(job.fingerprint(journal.reads()))
                    if (moved := moved or plan_changed(saved, plan)) is not None:
                        print(
                            f"error: {moved} since the plan was made; nothing written: run "
                            "plan again",
                            file=sys.stderr,
                        )
                        return 1
                if output == "text" and not shown:
                    show(plan, context, output)
                if not plan.has_changes:
                    return nothing_to_do(plan, context, output)
                done = await _write(engine, job, plan, output)
        except LeaseRefused as refused:
            print(f"error: {refused}", file=sys.stderr)
            return 1
    return report(done, plan, context, output)


async def _write(engine: Engine, job: Job, plan: Plan, output: str) -> Plan:
    """The write pass: only what ``plan`` holds, each write on a progress line."""
    planned = plan_document(plan)["changes"]
    progress = ProgressLines(sys.stderr) if output == "text" else None
    options = job.options(allowed=functools.partial(allows, planned), progress=progress)
    done, _ = await engine.run(job.state, writes=True, options=options)
    return done


def _elsewhere(planned: Context, now: Context) -> str | None:
    """Why a plan may not be applied here: another account, Region or controller."""
    for what, before, after in (
        ("account", planned.account, now.account),
        ("region", planned.region, now.region),
        ("controllerId", planned.controller_id, now.controller_id),
    ):
        if before != after:
            return f"the plan was made for {what} {before}, this apply runs with {what} {after}"
    return None


def nothing_to_do(plan: Plan, context: Context, output: str) -> int:
    """No write pass: the plan, already shown, is all there is to say."""
    if output == "json":
        print(render_json(plan, context))
    else:
        print()
        print(apply_summary(Plan(problems=plan.problems)))
    return 1 if plan.problems else 0


def report(done: Plan, shown: Plan, context: Context, output: str) -> int:
    """What the write pass did: problems not already shown, then the past-tense summary."""
    if output == "json":
        print(render_json(done, context))
        return 1 if done.problems else 0
    new = [problem for problem in done.problems if problem not in shown.problems]
    if new:
        print()
        for problem in new:
            print(problem_line(problem))
    print()
    print(apply_summary(done))
    return 1 if done.problems else 0
