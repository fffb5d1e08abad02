"""Chaos benchmark: kills, faults and leader kills on N services, then a census.

    .venv/bin/python bench/chaos.py [--services 50] [--kills 30] [--fault-rate 0.3]
                                    [--leader-kills 3] [--seed N]

The scenario of tests/harness/chaos.py, bigger: a cold ``ecs-oauth apply`` SIGKILLed at
``--kills`` random points (each followed by a restart), applies under random faults at
both peers until one succeeds, then daemon replicas on a lease with the leader killed.
Prints the seed first (a run replays with ``--seed``), one line per step, the figures,
and last one JSON line with every figure. Exits 1 when the census is not clean. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The CLI subprocesses must import this tree too.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))

from tests.harness.chaos import ChaosPlan, chaos_world, run_scenario  # noqa: E402


def say(line: str = "") -> None:
    print(line, flush=True)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--leader-kills", type=int, default=3)
    parser.add_argument(
        "--fault-services", type=int, default=None, help="Services added under faults"
    )
    parser.add_argument("--seed", type=int, default=None, help="default: a random one")
    args = parser.parse_args(list(argv) if argv is not None else None)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
    plan = ChaosPlan(
        services=args.services,
        kills=args.kills,
        fault_rate=args.fault_rate,
        leader_kills=args.leader_kills,
        seed=seed,
        fault_services=(
            args.fault_services if args.fault_services is not None else max(1, args.services // 5)
        ),
    )
    say(
        f"ecs-oauth chaos benchmark: {plan.services} services, {plan.kills} kills, "
        f"{plan.fault_rate:.0%} faults ({plan.fault_services} Services added under them), "
        f"{plan.leader_kills} leader kills, seed {seed}"
    )
    started = time.perf_counter()
    with chaos_world(plan.families, say) as world:
        figures, census = run_scenario(world, plan)
    say("")
    say(f"seed:                              {seed}")
    say(f"kills survived:                    {figures.kills_survived} of {plan.kills}")
    say(f"  inside a held write:             {figures.kills_inside_held_writes}")
    say(f"applies under faults:              {figures.applies_under_faults}")
    say(f"faults injected:                   {figures.faults_total}")
    for peer, kinds in figures.faults_injected.items():
        for kind, operations in kinds.items():
            say(f"  {peer} {kind:<13} {sum(operations.values()):>5}  {operations}")
    say(f"leader kills survived:             {figures.leader_kills_survived}")
    say(f"replicas that wrote, one by one:   {figures.replicas_that_wrote}")
    say(f"leaders writing at once:           {figures.leaders_writing_at_once}")
    say(f"duplicates:                        {len(census.duplicates)}  {census.duplicates}")
    say(f"orphans:                           {len(census.orphans)}  {census.orphans}")
    say(f"lost credentials:                  {len(census.lost_credentials)}")
    say(f"unconverged Services:              {len(census.unconverged)}")
    say(
        f"lost RFC 7591 answers:             {len(census.lost_registration_answers)}  by phase "
        f"{figures.lost_answers_by_phase}, at most {figures.lost_answer_bounds} "
        f"({'plausible' if figures.lost_answers_plausible else 'NOT PLAUSIBLE'})"
    )
    say(f"converged after the faults:        {figures.converged}")
    say(f"seconds to converge after the last fault: {figures.seconds_to_converge_after_last_fault}")
    say(f"leader phase converged:            {figures.leader_converged}")
    for finding in figures.findings:
        say(f"FINDING: {finding}")
    total = time.perf_counter() - started
    say(f"benchmark total {total:.1f} s")
    document = {**figures.as_json(), "census_detail": census.__dict__, "total_seconds": total}
    print(json.dumps(document, sort_keys=True), flush=True)
    clean = (
        census.clean
        and figures.converged
        and figures.leader_converged is not False
        and not figures.leaders_writing_at_once
        and figures.lost_answers_plausible
        and not figures.findings
    )
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
