"""Drift benchmark: the safety net on a read budget, at scale, with events on and off.

    .venv/bin/python bench/drift.py [--services N] [--changes K] [--resync SECONDS]

Seeds bench/converge.py's world (N services, half Cognito, half OIDC) on the strict sandbox
AWS, then runs ``ecs-oauth run`` with ``events.queueUrl`` set and measures:

- drift to alert: K random Services get a task-definition revision registered by hand
  with a foreign task role, each announced by a CloudTrail-shaped message on the queue
  (tests/harness/cloudtrail.py); the time from sending the message to the chat receiver
  getting that Service's drift alert, p50 and p99;
- steady-state calls per Service per hour (see ``steady_state`` for how it extrapolates);
- the daemon's RSS (VmRSS now, VmHWM peak);

then, with events off, a second daemon against the same world: one full verification
pass (its first cycle: nothing is known, so every object is read in depth), its time and
calls. Prints labelled lines, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import boto3  # noqa: E402
from converge import RAISED_LIMITS, peak_rss_kib, say  # noqa: E402
from daemon import api_calls  # noqa: E402

from controller.sandbox.authserver import start_authorization_server  # noqa: E402
from tests.harness.bench_world import (  # noqa: E402
    CLUSTER,
    OIDC_TOKEN_VARIABLE,
    REGION,
    point_sdks_at,
    seed,
    write_desired_state,
)
from tests.harness.chat import ChatReceiver  # noqa: E402
from tests.harness.cloudtrail import body  # noqa: E402
from tests.harness.daemon import RunningDaemon, daemon_environment  # noqa: E402
from tests.harness.moto import start_moto_server  # noqa: E402

FOREIGN_ROLE = "arn:aws:iam::123456789012:role/someone-elses-role"
IDLE_SERVICES = ("sqs", "dynamodb", "sts")  # the event poll and the lease: not per resync
LIMITS = (
    f"limits.ecsTaskDefinitionWritesPerSecond={RAISED_LIMITS.ecs_task_definition_writes}",
    f"limits.ecsTaskDefinitionBurst={RAISED_LIMITS.ecs_task_definition_burst}",
    f"limits.cognitoRequestsPerSecondPerPool={RAISED_LIMITS.cognito_per_pool}",
    "alerts.maxMessagesPerMinute=600",
    "alerts.webhook.url.fromEnv=BENCH_ALERT_WEBHOOK",
)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class AlertClock:
    """Stamps each drift alert the chat receiver gets with the moment it arrived."""

    def __init__(self, chat: ChatReceiver) -> None:
        self.chat = chat
        self.arrived: dict[str, float] = {}
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        seen = 0
        while not self._stop.is_set():
            try:
                messages = self.chat.wait_for(seen + 1, timeout=0.5)
            except TimeoutError:
                continue
            now = time.monotonic()
            for message in messages[seen:]:
                if isinstance(message.body, dict) and message.body.get("kind") == "drift":
                    self.arrived.setdefault(str(message.body.get("object")), now)
            seen = len(messages)

    def stop(self) -> None:
        self._stop.set()


def settle(daemon: RunningDaemon, quiet: float = 5.0, limit: float = 1800.0) -> float:
    """Wait until the work queue stayed empty for ``quiet`` seconds (the cold start's
    verify-after passes are done); the seconds that took."""
    started = time.monotonic()
    empty_since: float | None = None
    while time.monotonic() - started < limit:
        _, page = daemon.get("/metrics")
        depth = next(
            float(line.split()[1])
            for line in page.splitlines()
            if line.startswith("ecs_oauth_queue_depth ")
        )
        now = time.monotonic()
        empty_since = (empty_since or now) if depth == 0 else None
        if empty_since is not None and now - empty_since >= quiet:
            break
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def drift_once(ecs: Any, sqs: Any, queue_url: str, family: str) -> float:
    """Register a revision with a foreign task role, as a person would, and put the
    CloudTrail event EventBridge would deliver; the moment the event was sent."""
    latest = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    definition = latest["taskDefinition"]
    request = {
        key: definition[key]
        for key in ("family", "containerDefinitions", "executionRoleArn")
        if key in definition
    }
    response = ecs.register_task_definition(
        **request, taskRoleArn=FOREIGN_ROLE, tags=latest.get("tags") or []
    )
    revision = response["taskDefinition"]["revision"]
    message = body(
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {"family": family, "containerDefinitions": request["containerDefinitions"]},
        {"taskDefinition": {"family": family, "revision": revision}},
    )
    sqs.send_message(QueueUrl=queue_url, MessageBody=message)
    return time.monotonic()


def drift_to_alert(
    daemon: RunningDaemon, chat: ChatReceiver, families: list[str], changes: int, url: str
) -> list[float]:
    ecs = boto3.client("ecs", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    clock = AlertClock(chat)
    chosen = random.Random(13).sample(families, changes)
    sent: dict[str, float] = {}
    for family in chosen:
        sent[f"Service/{family}"] = drift_once(ecs, sqs, url, family)
        time.sleep(0.5)  # 120 a minute: under the alert rate, as scattered edits would be
    deadline = time.monotonic() + 120
    while len(set(sent) & set(clock.arrived)) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.5)
    clock.stop()
    missing = sorted(set(sent) - set(clock.arrived))
    if missing:
        say(f"  {len(missing)} drifts got no alert within 120 s, e.g. {missing[:3]}")
    return [clock.arrived[key] - sent[key] for key in sent if key in clock.arrived]


def steady_state(daemon: RunningDaemon, resync: int, cycles: int, count: int) -> dict[str, Any]:
    """Calls over ``cycles`` resyncs at ``resync`` seconds, with verifyInterval at 24
    resyncs (the ratio of 1 h to 24 h). A resync's calls (batch reads plus the paced deep
    verifications it released) do not depend on the interval's length, only on that ratio,
    so one resync's calls are what an hour costs at a 1 h resync; the event poll and the
    lease (sqs, dynamodb, sts) cost by time, so they are scaled to an hour."""
    mark = len(daemon.events)
    done = lambda e: e.get("event") == "cycle_finished" and e.get("full")  # noqa: E731
    daemon.wait_for(done, resync * 3, mark)  # a resync after the drifts settled
    mark = len(daemon.events)
    before, started = api_calls(daemon), time.monotonic()
    for _ in range(cycles):
        event = daemon.wait_for(done, resync * 3, mark)
        mark = daemon.events.index(event) + 1
    time.sleep(resync * 0.9)  # the last resync's paced verifications are released
    after, window = api_calls(daemon), time.monotonic() - started
    delta = {key: after[key] - before.get(key, 0) for key in after}
    idle = sum(v for (service, _), v in delta.items() if service in IDLE_SERVICES)
    per_resync = (sum(delta.values()) - idle) / cycles
    per_hour = per_resync + idle * 3600 / window
    top = sorted(((v, f"{s} {o}") for (s, o), v in delta.items()), reverse=True)[:8]
    return {
        "windowSeconds": round(window, 1),
        "resyncs": cycles,
        "callsPerResync": round(per_resync, 1),
        "idleCallsPerHour": round(idle * 3600 / window, 1),
        "callsPerServicePerHour": round(per_hour / count, 3),
        "top": [f"{int(v)} {name}" for v, name in top],
    }


def full_pass(folder: Path, env: dict[str, str], count: int) -> dict[str, Any]:
    """Events off, a new daemon: its first cycle reads every object in depth."""
    daemon = RunningDaemon.start(folder, env, "resyncInterval=1h", *LIMITS)
    try:
        started = time.perf_counter()
        daemon.wait_ready(timeout=3600)
        cycle = daemon.wait_for(
            lambda e: e.get("event") == "cycle_finished" and e.get("full"), 3600
        )
        time.sleep(3)  # the reconciles' verify-after passes, if any wrote
        calls = api_calls(daemon)
        total = sum(v for (service, _), v in calls.items() if service not in IDLE_SERVICES)
        return {
            "seconds": round(time.perf_counter() - started, 1),
            "cycleSeconds": cycle["durationSeconds"],
            "calls": int(total),
            "callsPerService": round(total / count, 2),
            "changes": cycle["changes"],
        }
    finally:
        daemon.stop()


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--resync", type=int, default=60, help="the scaled resync, seconds")
    parser.add_argument("--cycles", type=int, default=3, help="resyncs in the steady window")
    args = parser.parse_args(list(argv) if argv is not None else None)
    count: int = args.services
    figures: dict[str, Any] = {"services": count, "changes": args.changes}
    say(f"ecs-oauth drift benchmark: {count} services, {args.changes} out-of-band changes")

    moto = start_moto_server()
    authserver = start_authorization_server(scopes=None)
    chat = ChatReceiver.start()
    point_sdks_at(moto.url)
    os.environ[OIDC_TOKEN_VARIABLE] = authserver.initial_access_token
    os.environ["BENCH_ALERT_WEBHOOK"] = chat.webhook_url
    daemon: RunningDaemon | None = None
    try:
        seeded = seed(moto.url, count)
        assert CLUSTER  # the services live in converge.py's cluster
        folder = Path(tempfile.mkdtemp(prefix="bench-drift-"))
        write_desired_state(folder, seeded, moto.url, authserver.issuer, "both")
        url = boto3.client("sqs", region_name=REGION).create_queue(QueueName="drift")["QueueUrl"]
        env = daemon_environment({})
        started = time.perf_counter()
        daemon = RunningDaemon.start(
            folder,
            env,
            f"resyncInterval={args.resync}s",
            f"verifyInterval={args.resync * 24}s",
            f"events.queueUrl={url}",
            *LIMITS,
        )
        daemon.wait_ready(timeout=3600)
        figures["coldReadySeconds"] = round(time.perf_counter() - started, 1)
        say(f"cold start to /readyz 200: {figures['coldReadySeconds']} s")
        figures["settleSeconds"] = settle(daemon)
        say(f"queue drained {figures['settleSeconds']} s after ready")

        latencies = drift_to_alert(daemon, chat, seeded.families, args.changes, url)
        figures["alerted"] = len(latencies)
        if latencies:
            figures["driftToAlertP50"] = round(statistics.median(latencies), 3)
            figures["driftToAlertP99"] = round(percentile(latencies, 0.99), 3)
        say(
            f"drift to alert ({len(latencies)}/{args.changes}): "
            f"p50 {figures.get('driftToAlertP50')} s, p99 {figures.get('driftToAlertP99')} s"
        )

        figures["steady"] = steady_state(daemon, args.resync, args.cycles, count)
        say(f"steady state: {figures['steady']}")
        figures["daemonRssMiB"] = rss_mib(daemon.process.pid)
        figures["daemonPeakRssMiB"] = round((peak_rss_kib(daemon.process.pid) or 0) / 1024, 1)
        say(f"daemon RSS: {figures['daemonRssMiB']} MiB (peak {figures['daemonPeakRssMiB']})")
        daemon.stop()
        daemon = None

        figures["fullPassEventsOff"] = full_pass(folder, env, count)
        say(f"full verification pass, events off: {figures['fullPassEventsOff']}")
    finally:
        if daemon is not None:
            daemon.stop()
        chat.stop()
        authserver.stop()
        moto.stop()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
