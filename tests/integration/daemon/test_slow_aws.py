"""A slow AWS: a reconcile that outlasts its timeout is cut and retried; SIGTERM waits for
the write under way and still exits 0."""

from __future__ import annotations

import time

import pytest

from tests.harness.moto import MotoPeer
from tests.integration.converge._live import latest_task_definition
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # waits out deliberately slow AWS calls


def test_a_reconcile_past_its_timeout_is_reported_and_retried(setup: Setup, moto: MotoPeer) -> None:
    moto.slow_down("ListTaskDefinitions", seconds=4, count=1)
    daemon = setup.start("resyncInterval=1h", "reconcileTimeout=1s")
    timed_out = daemon.wait_for(event("error", reason="ReconcileTimeout"), timeout=30)
    assert "within 1s" in timed_out["message"]
    key = timed_out["object"]
    daemon.wait_for(event("retry_scheduled", object=key), timeout=10)
    daemon.wait_ready()
    daemon.wait_until(
        lambda: daemon.conditions(key)["Ready"]["status"] == "True",
        what=f"{key} converges on its retry",
    )


def test_sigterm_lets_the_write_under_way_finish_then_exits_zero(
    setup: Setup, moto: MotoPeer
) -> None:
    seeded = moto.calls().get("RegisterTaskDefinition", 0)  # the seeding registered some
    moto.slow_down("RegisterTaskDefinition", seconds=3, count=3)
    daemon = setup.start("resyncInterval=1h")
    deadline = time.monotonic() + 60
    while moto.calls().get("RegisterTaskDefinition", 0) == seeded:
        assert time.monotonic() < deadline, "no task definition write started"
        time.sleep(0.05)
    assert daemon.stop() == 0
    setup.started.clear()
    names = [e.get("event") for e in daemon.events]
    stopping = names.index("stopping")
    finished = [
        i
        for i, e in enumerate(daemon.events)
        if e.get("event") == "change" and e["resource"] == "ecs:task-definition"
    ]
    assert finished, daemon.output()
    assert min(finished) > stopping  # the write under way at SIGTERM landed after it
    assert names[-1] == "stopped"
    definition, _ = latest_task_definition(setup.world, daemon.events[finished[0]]["id"])
    assert "/ecs-oauth-" in definition["taskRoleArn"]
