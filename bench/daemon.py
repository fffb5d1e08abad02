"""Daemon benchmark: cold start to ready, steady resync cycles, edit-to-converge latency.

    .venv/bin/python bench/daemon.py [--services N] [--resync SECONDS]

Seeds the same world as bench/converge.py (sandbox AWS in its own process, the sandbox
authorization server in this one), then runs ``ecs-oauth run`` as a subprocess, as
operators would, and reads only what it exposes: its JSON log lines and /metrics.
Prints labelled lines, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from converge import (  # noqa: E402
    OIDC_TOKEN_VARIABLE,
    RAISED_LIMITS,
    peak_rss_kib,
    point_sdks_at,
    say,
    seed,
    write_desired_state,
)

from controller.sandbox.authserver import start_authorization_server  # noqa: E402
from tests.harness.daemon import RunningDaemon, daemon_environment  # noqa: E402
from tests.harness.moto import start_moto_server  # noqa: E402

_CALLS = re.compile(r'^ecs_oauth_api_calls_total\{operation="([^"]+)",service="([^"]+)"\} (\S+)$')


def api_calls(daemon: RunningDaemon) -> dict[tuple[str, str], float]:
    _, page = daemon.get("/metrics")
    found = {}
    for line in page.splitlines():
        match = _CALLS.match(line)
        if match:
            found[(match.group(2), match.group(1))] = float(match.group(3))
    return found


def cycle_finished(daemon: RunningDaemon, after: int, timeout: float) -> tuple[int, dict[str, Any]]:
    event = daemon.wait_for(lambda e: e.get("event") == "cycle_finished", timeout, after)
    return daemon.events.index(event) + 1, event


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--resync", type=int, default=20, help="resyncInterval in seconds")
    args = parser.parse_args(list(argv) if argv is not None else None)
    count: int = args.services
    figures: dict[str, Any] = {"services": count, "resyncSeconds": args.resync}
    say(f"ecs-oauth daemon benchmark: {count} services (half Cognito, half OIDC)")

    moto = start_moto_server()
    authserver = start_authorization_server(scopes=None)
    point_sdks_at(moto.url)
    os.environ[OIDC_TOKEN_VARIABLE] = authserver.initial_access_token
    daemon: RunningDaemon | None = None
    try:
        seeded = seed(moto.url, count)
        folder = Path(tempfile.mkdtemp(prefix="bench-daemon-"))
        write_desired_state(folder, seeded, moto.url, authserver.issuer, "both")
        limits = (
            f"limits.ecsTaskDefinitionWritesPerSecond={RAISED_LIMITS.ecs_task_definition_writes}",
            f"limits.ecsTaskDefinitionBurst={RAISED_LIMITS.ecs_task_definition_burst}",
            f"limits.cognitoRequestsPerSecondPerPool={RAISED_LIMITS.cognito_per_pool}",
        )
        started = time.perf_counter()
        daemon = RunningDaemon.start(
            folder, daemon_environment({}), f"resyncInterval={args.resync}s", *limits
        )
        daemon.wait_ready(timeout=600)
        figures["coldReadySeconds"] = round(time.perf_counter() - started, 2)
        seen, cold = cycle_finished(daemon, 0, 600)
        figures["coldCycleSeconds"] = cold["durationSeconds"]
        say(
            f"cold start to /readyz 200: {figures['coldReadySeconds']} s "
            f"(first cycle {cold['durationSeconds']} s, {cold['ready']}/{cold['objects']} ready)"
        )

        seen, _ = cycle_finished(daemon, seen, args.resync * 3)  # verify passes settle
        before = api_calls(daemon)
        seen, steady = cycle_finished(daemon, seen, args.resync * 3)
        after = api_calls(daemon)
        delta = {key: after[key] - before.get(key, 0) for key in after}
        calls = sum(delta.values())
        figures["steadyCycleSeconds"] = steady["durationSeconds"]
        figures["steadyCallsPerService"] = round(calls / count, 2)
        figures["steadyChanges"] = steady["changes"]
        top = sorted(((v, k) for k, v in delta.items() if v), reverse=True)[:8]
        say(
            f"steady resync cycle: {steady['durationSeconds']} s, {int(calls)} calls "
            f"({figures['steadyCallsPerService']}/service), {steady['changes']} changes"
        )
        for value, (service, operation) in top:
            say(f"    {service:>15} {operation:<34} {int(value)}")

        edited_file = next(
            p for p in sorted(folder.glob("*.yaml")) if "tokenLifetime" in p.read_text()
        )
        text = edited_file.read_text()
        edited = re.sub(
            r"tokenLifetime: (\d+)m",
            lambda m: f"tokenLifetime: {int(m.group(1)) + 1}m",
            text,
            count=1,
        )
        mark = len(daemon.events)
        started = time.perf_counter()
        edited_file.write_text(edited)
        daemon.wait_for(lambda e: e.get("event") == "change", 120, mark)
        figures["editToFirstChangeSeconds"] = round(time.perf_counter() - started, 2)
        say(f"edit to first change: {figures['editToFirstChangeSeconds']} s")

        figures["daemonPeakRssMiB"] = round((peak_rss_kib(daemon.process.pid) or 0) / 1024, 1)
        say(f"daemon peak RSS: {figures['daemonPeakRssMiB']} MiB")
    finally:
        if daemon is not None:
            figures["exitCode"] = daemon.stop()
        authserver.stop()
        moto.stop()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
