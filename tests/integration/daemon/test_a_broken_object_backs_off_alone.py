"""One broken Service shows why and backs off; the others converge regardless."""

from __future__ import annotations

import pytest

from tests.integration.daemon.conftest import Setup, event, is_ready

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

MISSING_ROLE = "arn:aws:iam::123456789012:role/no-such-execution-role"


def test_a_service_whose_execution_role_is_missing_backs_off_while_others_converge(
    setup: Setup,
) -> None:

    payments = setup.folder / "payments.yaml"
    payments.write_text(payments.read_text().replace(setup.world.execution_role_arn, MISSING_ROLE))
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()

    ready = daemon.conditions("Service/checkout-worker")["Ready"]
    assert (ready["status"], ready["reason"]) == ("False", "ExecutionRoleMissing")
    assert MISSING_ROLE in ready["message"]
    assert is_ready(daemon, "Service/orders-api")
    assert is_ready(daemon, "Service/stock-sync")

    retried = event("retry_scheduled", object="Service/checkout-worker")
    retries = [daemon.wait_for(retried, 30)]
    for _ in range(2):
        seen = daemon.events.index(retries[-1]) + 1
        retries.append(daemon.wait_for(retried, 30, seen))
    delays = [r["delay_seconds"] for r in retries]
    # Jittered exponential: each step at least the previous step's lower bound.
    assert delays[1] >= 1.0, delays
    assert delays[2] >= 2.0, delays
    others = [e for e in daemon.events if e.get("event") == "retry_scheduled"]
    assert {e["object"] for e in others} == {"Service/checkout-worker"}

    setup.world.client("iam").create_role(
        RoleName="no-such-execution-role", AssumeRolePolicyDocument="{}"
    )
    daemon.wait_until(
        lambda: is_ready(daemon, "Service/checkout-worker"),
        timeout=60,
        what="the service recovers once its role exists",
    )


def test_a_service_in_a_missing_cluster_backs_off_while_the_daemon_stays_ready(
    setup: Setup,
) -> None:
    payments = setup.folder / "payments.yaml"
    moved = payments.read_text().replace(
        "cluster: prod\n  service: checkout-worker", "cluster: gone\n  service: checkout-worker"
    )
    assert "cluster: gone" in moved
    payments.write_text(moved)
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()

    ready = daemon.conditions("Service/checkout-worker")["Ready"]
    assert (ready["status"], ready["reason"]) == ("False", "ClusterNotFound")
    assert is_ready(daemon, "Service/orders-api")
    assert is_ready(daemon, "Service/stock-sync")
    retried = event("retry_scheduled", object="Service/checkout-worker")
    first = daemon.wait_for(retried, 30)
    daemon.wait_for(retried, 30, daemon.events.index(first) + 1)
    assert daemon.get("/readyz")[0] == 200
    assert daemon.process.poll() is None
    assert not [e for e in daemon.events if e.get("event") in ("task_crashed", "cycle_failed")]
