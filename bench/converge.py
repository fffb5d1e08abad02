"""Convergence benchmark: cold apply, first no-change plan, repeated no-change plan.

    .venv/bin/python bench/converge.py [--services N] [--provider oidc|cognito|both]

Starts the sandbox AWS (moto plus extensions) in a process of its own, the sandbox
authorization server in this process (OIDC), seeds N task-definition families and ECS
services plus a Cognito user pool, writes a desired state for the N services and
measures three engine passes. Prints labelled lines, then one JSON line with every
figure. See bench/README.md for what each figure means.

moto has no rate limits, so the engine's own write limiters (RateLimits) are raised
far above AWS's; the wall times are therefore not what AWS would give for a cold apply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from controller.aws import CallCounter, RateLimits  # noqa: E402
from controller.config import load_settings  # noqa: E402
from controller.desired import DesiredState, load  # noqa: E402
from controller.engine import Engine, EngineSettings, World  # noqa: E402
from controller.plan import Plan  # noqa: E402
from controller.sandbox.authserver import start_authorization_server  # noqa: E402
from tests.harness.bench_world import (  # noqa: E402
    OIDC_TOKEN_VARIABLE,
    REGION,
    SEED_WORKERS,
    SERVICE_BATCH,
    Layout,
    point_sdks_at,
    seed,
    write_desired_state,
)
from tests.harness.moto import start_moto_server  # noqa: E402

READY_TIMEOUT = 60.0
PROGRESS_EVERY = 5.0
TARGET_FIRST_PLAN = 7.0  # calls per service
TARGET_REPEATED_PLAN = 4.0
# moto has no rate limits: keep the engine's limiters out of the measurement.
RAISED_LIMITS = RateLimits(
    ecs_task_definition_writes=10_000.0,
    ecs_task_definition_burst=10_000,
    cognito_per_pool=10_000.0,
)


def say(line: str = "") -> None:
    print(line, flush=True)


# -- the sandbox AWS in its own process -------------------------------------------------------


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM of a process (its peak resident set), if /proc shows it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Pass:
    label: str
    seconds: float
    engine_seconds: float
    counts: Counter[tuple[str, str]]
    plan: Plan

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def _ticker(label: str, counter: CallCounter, started: float) -> None:
    while True:
        await asyncio.sleep(PROGRESS_EVERY)
        elapsed = time.perf_counter() - started
        say(f"  ... {label}: {elapsed:.0f} s, {counter.total()} calls so far")


async def engine_pass(
    label: str, world: World, counter: CallCounter, state: DesiredState, *, writes: bool
) -> tuple[Plan, float]:
    started = time.perf_counter()
    ticker = asyncio.create_task(_ticker(label, counter, started))
    try:
        plan, _ = await Engine(world).run(state, writes=writes)
    finally:
        ticker.cancel()
    return plan, time.perf_counter() - started


async def run_passes(settings: EngineSettings, state: DesiredState, repeats: int) -> list[Pass]:
    passes: list[Pass] = []

    # (a) cold apply, in a World of its own, as `ecs-oauth apply` would run it.
    counter = CallCounter()
    started = time.perf_counter()
    async with World(settings, counter=counter) as world:
        plan, engine_seconds = await engine_pass("cold apply", world, counter, state, writes=True)
    passes.append(
        Pass(
            "cold apply",
            time.perf_counter() - started,
            engine_seconds,
            Counter(counter.counts),
            plan,
        )
    )

    # (b) first no-change plan in a NEW World (fresh caches, as `ecs-oauth plan` runs it),
    # then (c) repeated plans in that SAME World, as the daemon runs its cycles.
    counter = CallCounter()
    started = time.perf_counter()
    async with World(settings, counter=counter) as world:
        plan, engine_seconds = await engine_pass("first plan", world, counter, state, writes=False)
        passes.append(
            Pass(
                "first no-change plan (new World)",
                time.perf_counter() - started,
                engine_seconds,
                Counter(counter.counts),
                plan,
            )
        )
        for repeat in range(1, repeats + 1):
            counter.reset()
            plan, engine_seconds = await engine_pass(
                f"repeated plan {repeat}", world, counter, state, writes=False
            )
            passes.append(
                Pass(
                    f"repeated no-change plan #{repeat} (same World)",
                    engine_seconds,
                    engine_seconds,
                    Counter(counter.counts),
                    plan,
                )
            )
    return passes


# -- reporting --------------------------------------------------------------------------------


def _population(service: str, operation: str, layout: Layout) -> tuple[str, int] | None:
    """Which services an operation is for, when it is not all of them."""
    kinds = Counter(layout.providers.values())
    if service == "cognito-idp":
        return "Cognito services", kinds["cognito"]
    if service == "idp":
        return "OIDC services", kinds["oidc"]
    return None


def by_operation(p: Pass, count: int, layout: Layout) -> list[dict[str, Any]]:
    rows = []
    for (service, operation), calls in sorted(p.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        row: dict[str, Any] = {
            "service": service,
            "operation": operation,
            "calls": calls,
            "per_service": round(calls / count, 3),
        }
        population = _population(service, operation, layout)
        if population is not None and population[1]:
            row["per_" + population[0].split()[0].lower() + "_service"] = round(
                calls / population[1], 3
            )
        rows.append(row)
    return rows


def print_pass(tag: str, p: Pass, count: int, layout: Layout) -> dict[str, Any]:
    summary = p.plan.summary()
    changes = {k: v for k, v in summary.items() if v}
    say(f"({tag}) {p.label}")
    say(
        f"    wall time:            {p.seconds:8.3f} s"
        + (
            f"   (engine.run only: {p.engine_seconds:.3f} s)"
            if p.seconds != p.engine_seconds
            else ""
        )
    )
    say(f"    AWS+IdP calls:        {p.total:8d}   = {p.total / count:.2f} per service")
    say(f"    changes / problems:   {len(p.plan.changes)} {changes or ''} / {len(p.plan.problems)}")
    for problem in p.plan.problems[:5]:
        say(
            f"      problem: {problem.object} {problem.resource} {problem.reason}: "
            f"{problem.message[:160]}"
        )
    rows = by_operation(p, count, layout)
    say(f"    {'service':<15} {'operation':<34} {'calls':>7} {'/service':>9}")
    for row in rows:
        extra = next(
            (
                f"  ({v}/{k[4:].replace('_', ' ')})"
                for k, v in row.items()
                if k.startswith("per_") and k != "per_service"
            ),
            "",
        )
        say(
            f"    {row['service']:<15} {row['operation']:<34} {row['calls']:>7} "
            f"{row['per_service']:>9.3f}{extra}"
        )
    return {
        "label": p.label,
        "wall_seconds": round(p.seconds, 4),
        "engine_run_seconds": round(p.engine_seconds, 4),
        "calls_total": p.total,
        "calls_per_service": round(p.total / count, 3),
        "changes": len(p.plan.changes),
        "change_summary": changes,
        "problems": len(p.plan.problems),
        "by_operation": rows,
    }


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--provider", choices=("oidc", "cognito", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=2, help="repeated plans in the same World")
    args = parser.parse_args(list(argv) if argv is not None else None)
    count: int = args.services
    if count < 1:
        parser.error("--services must be at least 1")

    figures: dict[str, Any] = {"services": count, "provider": args.provider}
    bench_started = time.perf_counter()
    say(f"ecs-oauth convergence benchmark: {count} services, provider={args.provider}")
    say(
        "NOTE: moto has no rate limits, so the engine's RateLimits are raised to "
        f"{RAISED_LIMITS} (defaults: {RateLimits()}); wall times are not AWS's."
    )

    started = time.perf_counter()
    moto = start_moto_server()
    authserver = start_authorization_server(scopes=None)
    say(
        f"sandbox AWS (moto, separate process pid {moto.process.pid}) at {moto.url}; "
        f"OIDC authorization server (in-process) at {authserver.issuer}; "
        f"started in {time.perf_counter() - started:.2f} s"
    )
    point_sdks_at(moto.url)
    os.environ[OIDC_TOKEN_VARIABLE] = authserver.initial_access_token
    try:
        say(
            "seeding (boto3, thread pool of "
            f"{SEED_WORKERS}, services in batches of {SERVICE_BATCH}) ..."
        )
        started = time.perf_counter()
        seeded = seed(moto.url, count, say)
        seed_seconds = time.perf_counter() - started
        say(
            f"seeded {count} task-definition families + ECS services, 1 Cognito pool in "
            f"{seed_seconds:.2f} s"
        )

        with tempfile.TemporaryDirectory(prefix="bench-desired-") as folder:
            layout = write_desired_state(
                Path(folder), seeded, moto.url, authserver.issuer, args.provider
            )
            state = load(Path(folder))
        kinds = Counter(layout.providers.values())
        say(
            f"desired state: {state.summary()}; Cognito services {kinds['cognito']}, "
            f"OIDC services {kinds['oidc']}; shared execution role "
            f"{layout.shared_execution_role}, dedicated {layout.dedicated_execution_role}"
        )

        defaults = load_settings([], [])
        settings = EngineSettings(
            controller_id=defaults.controller_id,
            mode=defaults.mode,
            concurrency=defaults.concurrency,
            limits=RAISED_LIMITS,
            region=REGION,
        )
        say(f"engine: concurrency {settings.concurrency} (the CLI default), mode {settings.mode}")
        say("")
        passes = asyncio.run(run_passes(settings, state, args.repeats))

        say("")
        reports = []
        tags = ["a", "b"] + ["c"] * args.repeats
        for tag, p in zip(tags, passes, strict=True):
            reports.append(print_pass(tag, p, count, layout))
            say("")

        first, repeated = passes[1], passes[2:]
        describe = ("ecs", "DescribeTaskDefinition")
        repeated_describes = [p.counts.get(describe, 0) for p in repeated]
        say(
            f"DescribeTaskDefinition calls in repeated plans (revisions already seen, must be 0): "
            f"{repeated_describes}"
        )
        first_per_service = first.total / count
        repeated_per_service = max((p.total / count for p in repeated), default=0.0)
        first_ok = first_per_service <= TARGET_FIRST_PLAN
        repeated_ok = bool(repeated) and repeated_per_service <= TARGET_REPEATED_PLAN
        converged = all(not p.plan.changes and not p.plan.problems for p in passes[1:])
        say(
            f"target first no-change plan <= {TARGET_FIRST_PLAN:g} calls/service: "
            f"{first_per_service:.2f} -> {'MET' if first_ok else 'MISSED'}"
        )
        say(
            f"target repeated no-change plan <= {TARGET_REPEATED_PLAN:g} calls/service: "
            f"{repeated_per_service:.2f} -> {'MET' if repeated_ok else 'MISSED'}"
        )
        say(
            f"target repeated plans describe no seen revision: "
            f"{'MET' if not any(repeated_describes) else 'MISSED'}"
        )
        say(
            f"no-change plans show no changes and no problems after the cold apply: "
            f"{'yes' if converged else 'NO'}"
        )

        bench_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        moto_rss = peak_rss_kib(moto.process.pid)
        say(
            f"peak RSS: benchmark process {bench_rss / 1024:.1f} MiB (ru_maxrss; includes the "
            "in-process authorization server); moto process "
            + (f"{moto_rss / 1024:.1f} MiB (VmHWM)" if moto_rss is not None else "unreadable")
        )
        total_seconds = time.perf_counter() - bench_started
        say(f"benchmark total {total_seconds:.1f} s")

        figures.update(
            {
                "cognito_services": kinds["cognito"],
                "oidc_services": kinds["oidc"],
                "roles": layout.roles,
                "shared_execution_role_services": layout.shared_execution_role,
                "dedicated_execution_role_services": layout.dedicated_execution_role,
                "concurrency": settings.concurrency,
                "rate_limits_raised_to": {
                    "ecs_task_definition_writes": RAISED_LIMITS.ecs_task_definition_writes,
                    "ecs_task_definition_burst": RAISED_LIMITS.ecs_task_definition_burst,
                    "cognito_per_pool": RAISED_LIMITS.cognito_per_pool,
                },
                "seed_seconds": round(seed_seconds, 3),
                "cold_apply": reports[0],
                "first_plan": reports[1],
                "repeated_plans": reports[2:],
                "repeated_plan_describe_task_definition_calls": repeated_describes,
                "targets": {
                    "first_plan_calls_per_service": round(first_per_service, 3),
                    "first_plan_target": TARGET_FIRST_PLAN,
                    "first_plan_met": first_ok,
                    "repeated_plan_calls_per_service": round(repeated_per_service, 3),
                    "repeated_plan_target": TARGET_REPEATED_PLAN,
                    "repeated_plan_met": repeated_ok,
                    "repeated_describe_zero": not any(repeated_describes),
                },
                "converged": converged,
                "peak_rss_kib": {"benchmark": bench_rss, "moto": moto_rss},
                "total_seconds": round(total_seconds, 2),
            }
        )
        print(json.dumps(figures, sort_keys=True), flush=True)
    finally:
        authserver.stop()
        moto.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
