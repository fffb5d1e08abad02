"""The chaos scenario: kills, faults and leader kills, then a census of what was left.

One seeded ``random.Random`` decides everything (which call to hold, when to kill, the
peers' fault seeds), and the seed is printed, so a run that finds a bug can be replayed:

1. **kills**: a cold ``ecs-oauth apply`` (a subprocess) is SIGKILLed again and again, each
   time either while a randomly chosen write is held at a peer (``/__faults/hold``;
   released afterwards to land or to fail) or after a random delay; each kill is followed
   by a restart;
2. **faults**: a few more Services desired, then applies under random faults at both
   peers (``/__faults/chaos``) until one succeeds; then faults off, a last apply, and
   ``plan --detailed-exitcode`` must exit 0;
3. **leader kills**: two ``ecs-oauth run`` replicas on a DynamoDB lease; the desired state
   grows by one Service and the leader is SIGKILLed, a few times, a new replica started
   each time; the survivors must converge.

The census (``chaos_census``) then counts duplicates, orphans, lost credentials and lost
RFC 7591 answers, and the figures say how long convergence took after the last fault.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from controller.sandbox.authserver import RunningAuthorizationServer, start_authorization_server
from tests.harness.bench_world import (
    OIDC_TOKEN_VARIABLE,
    Say,
    Seeded,
    aws_environment,
    seed,
    write_desired_state,
)
from tests.harness.chaos_census import Census, read_stores, take_census
from tests.harness.chaos_control import (
    AWS_WRITES,
    AWS_WRITES_PER_SERVICE,
    CREATION_WRITES,
    ChaosControl,
)
from tests.harness.chaos_leaders import LeaderKills
from tests.harness.moto import MotoPeer, start_moto_server

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"
# moto has no rate limits: the engine's own limiters would only slow the run down.
RAISED_LIMITS = (
    "limits.ecsTaskDefinitionWritesPerSecond=1000",
    "limits.ecsTaskDefinitionBurst=1000",
    "limits.cognitoRequestsPerSecondPerPool=1000",
)
CLI_TIMEOUT_SECONDS = 300.0
HOLD_WAIT_SECONDS = 20.0
CONCURRENCY = 8  # the engine's default: at most this many calls in flight per process
FAULT_KINDS = ("throttle", "5xx", "reset", "timeout")


@dataclass(frozen=True)
class ChaosPlan:
    services: int = 12
    kills: int = 8
    fault_rate: float = 0.3
    leader_kills: int = 2
    seed: int = 0
    # Services first desired under faults, so that faults meet creations too (the kills
    # usually leave the cold apply done).
    fault_services: int = 3
    fault_attempts: int = 20  # applies under faults before giving up
    timeout_seconds: float = 1.0  # how long a "timeout" fault holds a request

    @property
    def families(self) -> int:
        """Task-definition families to seed: every Service any phase desires."""
        return self.services + self.fault_services + self.leader_kills


@dataclass
class Figures:
    seed: int
    services: int
    kills_survived: int = 0
    kills_inside_held_writes: dict[str, int] = field(default_factory=dict)
    applies_under_faults: int = 0
    faults_injected: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    faults_total: int = 0
    converged: bool = False
    seconds_to_converge_after_last_fault: float | None = None
    leader_kills_survived: int = 0
    leader_converged: bool | None = None
    leaders_writing_at_once: list[tuple[str, str]] = field(default_factory=list)
    replicas_that_wrote: int = 0  # leaders one after another: more than one
    census: dict[str, int] = field(default_factory=dict)
    lost_answers_by_phase: dict[str, int] = field(default_factory=dict)
    lost_answer_bounds: dict[str, int] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    @property
    def lost_answers_plausible(self) -> bool:
        return all(
            self.lost_answers_by_phase.get(phase, 0) <= bound
            for phase, bound in self.lost_answer_bounds.items()
        )

    def as_json(self) -> dict[str, Any]:
        document = dict(self.__dict__)
        document["lost_answers_plausible"] = self.lost_answers_plausible
        return document


@dataclass
class ChaosWorld:
    """The peers, the seeded AWS world and the desired-state folder of one run."""

    moto: MotoPeer
    authserver: RunningAuthorizationServer
    seeded: Seeded
    folder: Path
    say: Say
    kill_times: list[float] = field(default_factory=list)  # every SIGKILL, time.time()

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **aws_environment(self.moto.url),
            OIDC_TOKEN_VARIABLE: self.authserver.initial_access_token,
            "PYTHONUNBUFFERED": "1",
        }

    def desire(self, count: int) -> dict[str, str]:
        """Write a desired state for the first ``count`` families; their provider kinds."""
        seeded = replace(self.seeded, families=self.seeded.families[:count])
        layout = write_desired_state(
            self.folder, seeded, self.moto.url, self.authserver.issuer, "both"
        )
        return layout.providers

    def cli(self, command: str, *args: str, output: int = subprocess.PIPE) -> subprocess.Popen[str]:
        """The CLI as a subprocess; a caller that does not read its output passes DEVNULL,
        or a long plan fills the pipe and the CLI stops there."""
        return subprocess.Popen(
            [str(ECS_OAUTH), command, "-f", str(self.folder), *_settings(RAISED_LIMITS), *args],
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(self, command: str, *args: str) -> tuple[int, str]:
        process = self.cli(command, *args)
        output, _ = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
        return process.returncode, output

    def census(self, services: dict[str, str]) -> Census:
        stores = read_stores(self.moto, self.authserver, self.seeded.user_pool_id)
        return take_census(stores, services)


def _settings(assignments: tuple[str, ...]) -> list[str]:
    return [arg for assignment in assignments for arg in ("--set", assignment)]


@contextlib.contextmanager
def chaos_world(families: int, say: Say) -> Iterator[ChaosWorld]:
    """Peers started, ``families`` families seeded; no desired state yet."""
    moto = start_moto_server()
    authserver = start_authorization_server(scopes=None)
    try:
        seeded = seed(moto.url, families, say)
        with tempfile.TemporaryDirectory(prefix="chaos-desired-") as folder:
            yield ChaosWorld(moto, authserver, seeded, Path(folder), say)
    finally:
        authserver.stop()
        moto.stop()


def run_scenario(world: ChaosWorld, plan: ChaosPlan) -> tuple[Figures, Census]:
    """All three phases and the census; the figures say what happened."""
    say = world.say
    say(f"chaos seed {plan.seed} (replay with --seed {plan.seed})")
    rng = random.Random(plan.seed)
    figures = Figures(seed=plan.seed, services=plan.services)
    services = world.desire(plan.services)
    oidc = sum(1 for kind in services.values() if kind == "oidc")

    kill_phase(world, plan, rng, figures)
    after_kills = world.census(services)
    lost_before = len(after_kills.lost_registration_answers)
    figures.lost_answers_by_phase["kills"] = lost_before
    _explained_by_kills(after_kills.lost_registration_times, world.kill_times, figures)
    # A kill loses at most the registrations in flight at that moment.
    figures.lost_answer_bounds["kills"] = plan.kills * min(CONCURRENCY, oidc)

    services = world.desire(plan.services + plan.fault_services)
    fault_phase(world, plan, rng, figures)
    census = world.census(services)
    lost_faults = len(census.lost_registration_answers) - lost_before
    figures.lost_answers_by_phase["faults"] = lost_faults
    # Only a connection dropped after the server registered loses an answer now: nothing
    # is killed, and a registration is not sent twice.
    dropped = figures.faults_injected.get("idp", {}).get("reset-after", {}).get("register", 0)
    figures.lost_answer_bounds["faults"] = dropped
    if lost_faults != dropped:
        figures.findings.append(
            f"{lost_faults} registration answers lost under faults, but {dropped} "
            "registrations had their connection dropped after the server acted"
        )

    if plan.leader_kills:
        lost_so_far = len(census.lost_registration_answers)
        before_leaders = census.lost_registration_times
        services = LeaderKills(world, len(services), plan.leader_kills, rng).run(figures)
        census = world.census(services)
        figures.lost_answers_by_phase["leader kills"] = (
            len(census.lost_registration_answers) - lost_so_far
        )
        figures.lost_answer_bounds["leader kills"] = plan.leader_kills * CONCURRENCY
        lost_now = Counter(census.lost_registration_times) - Counter(before_leaders)
        _explained_by_kills(list(lost_now.elements()), world.kill_times, figures)
    figures.census = census.figures()
    return figures, census


def _explained_by_kills(issued: list[int], kills: list[float], figures: Figures) -> None:
    """A kill loses the answers of registrations in flight then: each lost answer must have
    been issued within moments of a kill (whole seconds, as RFC 7591's issued_at)."""
    for when in issued:
        if not any(kill - 3 <= when <= kill + 1 for kill in kills):
            figures.findings.append(f"a registration issued at {when} was lost far from a kill")


def kill_phase(world: ChaosWorld, plan: ChaosPlan, rng: random.Random, figures: Figures) -> None:
    """Kill after kill, each restart the next apply: the cold apply is cut short every
    time, while a held write (one chosen operation, or any write of a peer) is in flight or
    after a short random delay."""
    aws, idp = ChaosControl(world.moto.url), ChaosControl(world.authserver.issuer)
    # Kill points spread over the whole cold apply: the nth write, n up to twice a share.
    spread = max(2, 2 * AWS_WRITES_PER_SERVICE * plan.services // max(plan.kills, 1))
    for number in range(1, plan.kills + 1):
        choice = rng.random()
        then = rng.choice(("answer", "fail"))
        if choice < 0.5:
            held, what = _kill_while_held(
                world, aws, list(AWS_WRITES), rng.randint(1, spread), then
            )
        elif choice < 0.65:
            operation = rng.choice(CREATION_WRITES)
            held, what = _kill_while_held(world, aws, [operation], rng.randint(1, 3), then)
        elif choice < 0.8:
            held, what = _kill_while_held(world, idp, ["register"], rng.randint(1, 3), then)
        else:
            held, what = None, _kill_after(world, rng.uniform(0.3, 3.0))
        if held:
            counts = figures.kills_inside_held_writes
            counts[held] = counts.get(held, 0) + 1
        figures.kills_survived += 1
        world.say(f"  kill {number}/{plan.kills}: {what}")


def _kill_while_held(
    world: ChaosWorld, peer: ChaosControl, operations: list[str], nth: int, then: str
) -> tuple[str | None, str]:
    """SIGKILL an apply while the nth call of ``operations`` is held: the operation held
    (None when the apply ended, or waited too long, without making that call) and what
    happened, in words."""
    peer.hold(operations, nth=nth, then=then)
    process = world.cli("apply", "--auto-approve", output=subprocess.DEVNULL)
    deadline = time.monotonic() + HOLD_WAIT_SECONDS
    held = None
    try:
        while process.poll() is None and time.monotonic() < deadline:
            held = peer.held()
            if held:
                break
            time.sleep(0.05)
        ended = process.poll()
        world.kill_times.append(time.time())
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        peer.release()
        time.sleep(0.2)  # a released request lands before anything counts what it made
    if held:
        return held, f"inside {held} (then {then})"
    if ended is not None:
        return None, f"apply exited {ended} before calling {operations[0]}..."
    return None, f"no held call within {HOLD_WAIT_SECONDS:.0f} s"


def _kill_after(world: ChaosWorld, delay: float) -> str:
    """SIGKILL an apply after ``delay`` seconds; what happened, in words."""
    process = world.cli("apply", "--auto-approve", output=subprocess.DEVNULL)
    try:
        code = process.wait(timeout=delay)
        return f"apply exited {code} first"
    except subprocess.TimeoutExpired:
        world.kill_times.append(time.time())
        process.send_signal(signal.SIGKILL)
        process.wait()
        return f"after {delay:.2f} s"


def fault_phase(world: ChaosWorld, plan: ChaosPlan, rng: random.Random, figures: Figures) -> None:
    peers = {"aws": ChaosControl(world.moto.url), "idp": ChaosControl(world.authserver.issuer)}
    for control in peers.values():
        control.start(
            rng.randrange(2**31), plan.fault_rate, FAULT_KINDS, None, plan.timeout_seconds
        )
    try:
        for attempt in range(1, plan.fault_attempts + 1):
            code, _ = world.run("apply", "--auto-approve")
            figures.applies_under_faults = attempt
            world.say(f"  apply under {plan.fault_rate:.0%} faults #{attempt}: exit {code}")
            if code == 0:
                break
    finally:
        for name, control in peers.items():
            report = control.stop()
            figures.faults_injected[name] = report["injected"]
            figures.faults_total += int(report["total"])
    last_fault = time.monotonic()
    code, output = world.run("apply", "--auto-approve")
    plan_code, plan_output = world.run("plan", "--detailed-exitcode")
    figures.seconds_to_converge_after_last_fault = round(time.monotonic() - last_fault, 2)
    figures.converged = code == 0 and plan_code == 0
    if not figures.converged:
        figures.findings.append(
            f"after the faults: apply exited {code}, plan exited {plan_code}\n"
            f"{output[-3000:]}\n{plan_output[-3000:]}"
        )
