"""The resync as a safety net on a read budget: a steady world costs only batch reads, and
a batch signal that moves (a secret's value put by hand) gets its object read in depth
and corrected at the next resync, events or not."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.harness.daemon import RunningDaemon
from tests.integration.converge._live import secret_value
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

# Reads of one object that a steady world's resync must not make.
PER_OBJECT_READS = (
    "DescribeTaskDefinition",
    "GetSecretValue",
    "DescribeSecret",
    "DescribeUserPoolClient",
    "ListTaskDefinitions",
)
BATCH_READS = ("DescribeServices", "ListSecrets", "GetAccountAuthorizationDetails")
CALL = re.compile(r'^ecs_oauth_api_calls_total\{operation="(\w+)",service="([\w-]+)"\} (\S+)$')


def calls(daemon: RunningDaemon) -> dict[str, float]:
    code, page = daemon.get("/metrics")
    assert code == 200
    found: dict[str, float] = {}
    for line in page.splitlines():
        if match := CALL.match(line):
            found[match[1]] = found.get(match[1], 0.0) + float(match[3])
    return found


def steady(e: dict[str, object]) -> bool:
    """A resync whose batch signals showed nothing changed and nothing due."""
    return (
        e.get("event") == "verification_planned"
        and e.get("unknown") == 0
        and (e.get("changed") == 0 and e.get("due") == 0)
    )


def planned_after(daemon: RunningDaemon, index: int, count: int) -> int:
    """The index of the ``count``-th steady resync plan logged after ``index``."""
    for _ in range(count):
        daemon.wait_for(steady, timeout=60, after=index)
        index = next(n for n in range(index, len(daemon.events)) if steady(daemon.events[n])) + 1
    return index


def test_a_steady_world_resyncs_on_batch_reads_alone(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=2s", "verifyInterval=100d")
    daemon.wait_ready()
    index = planned_after(daemon, 0, 1)  # the first cycle's own writes have settled
    time.sleep(1.0)  # the steady resync's few reconciles (identity providers) finish
    before = calls(daemon)
    planned_after(daemon, index, 2)
    time.sleep(1.0)
    after = calls(daemon)
    delta = {op: after.get(op, 0.0) - before.get(op, 0.0) for op in after}
    assert {op: delta.get(op, 0.0) for op in PER_OBJECT_READS} == dict.fromkeys(
        PER_OBJECT_READS, 0.0
    ), delta
    assert all(delta.get(op, 0.0) >= 1 for op in BATCH_READS), delta
    _, page = daemon.get("/metrics")
    assert 'ecs_oauth_verifications_total{reason="skipped"}' in page
    assert 'ecs_oauth_read_budget_used_ratio{quota="cognito-client-read"}' in page


def test_a_secret_put_by_hand_moves_its_signal_and_is_corrected_at_the_next_resync(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=2s", "verifyInterval=100d")
    daemon.wait_ready()
    planned_after(daemon, 0, 1)
    ours = secret_value(setup.world, "orders-api")
    setup.world.client("secretsmanager").put_secret_value(
        SecretId="ecs-oauth/orders-api",
        SecretString=json.dumps({**ours, "scope": "everything"}),
    )
    planned = daemon.wait_for(
        lambda e: e.get("event") == "verification_planned" and e.get("changed", 0) >= 1,
        timeout=60,
    )
    assert planned["due"] == 0
    daemon.wait_for(event("drift", object="Service/orders-api"), timeout=30)
    deadline = time.monotonic() + 30
    while secret_value(setup.world, "orders-api")["scope"] != ours["scope"]:
        assert time.monotonic() < deadline, daemon.output()
        time.sleep(0.2)
