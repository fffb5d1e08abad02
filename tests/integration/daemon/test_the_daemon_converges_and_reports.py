"""The daemon converges a desired state, turns ready, and reports what it did."""

from __future__ import annotations

import json
import signal
import subprocess

from tests.harness.daemon import ECS_OAUTH
from tests.integration.converge._live import secret_value
from tests.integration.daemon.conftest import Setup, event, is_ready

SERVICES = ("checkout-worker", "orders-api", "stock-sync")
OBJECTS = {
    ("IdentityProvider", "corp"),
    ("IdentityProvider", "partners"),
    ("Role", "checkout"),
    ("Role", "orders-reader"),
    ("Role", "stock-keeper"),
    *{("Service", name) for name in SERVICES},
}


def status_command(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ECS_OAUTH), "status", "--url", url, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_daemon_converges_and_readyz_turns_200(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    assert daemon.get("/healthz")[0] == 200
    for service in SERVICES:
        assert is_ready(daemon, f"Service/{service}"), daemon.conditions(f"Service/{service}")
        assert secret_value(setup.world, service)["client_id"]
    daemon.wait_for(event("cycle_finished", ready=8, problems=0))


def test_status_json_has_the_shape_spec_gives(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h", "controllerId=shape-test")
    daemon.wait_ready()
    result = status_command(daemon.url, "--output", "json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["controller"]["id"] == "shape-test"
    assert status["controller"]["leader"] is True
    assert {"startedAt", "finishedAt", "objects"} <= set(status["controller"]["lastCycle"])
    assert {(o["kind"], o["name"]) for o in status["objects"]} == OBJECTS
    for item in status["objects"]:
        spec_keys = {"kind", "name", "labels", "observedGeneration", "conditions", "resources"}
        extra = {"rotation"} if item["kind"] == "Service" else set()
        assert set(item) == spec_keys | extra
        assert len(item["observedGeneration"]) == 12
        assert [c["type"] for c in item["conditions"]] == ["Ready", "Synced", "Drifted"]
        for cond in item["conditions"]:
            assert set(cond) == {"type", "status", "reason", "message", "lastTransitionTime"}
            assert cond["status"] in ("True", "False")
            assert cond["reason"][:1].isupper()
            assert " " not in cond["reason"]
    orders = next(o for o in status["objects"] if o["name"] == "orders-api")
    assert orders["resources"]["secretArn"].startswith("arn:aws:secretsmanager:")
    assert orders["resources"]["taskDefinitionArn"].startswith("arn:aws:ecs:")


def test_status_prints_a_table_with_one_row_per_object(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    result = status_command(daemon.url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("controller default: last cycle")
    assert lines[1].split()[:4] == ["OBJECT", "READY", "SYNCED", "DRIFTED"]
    rows = {line.split()[0]: line.split()[1:4] for line in lines[2:]}
    assert rows == {f"{kind}/{name}": ["True", "True", "False"] for kind, name in OBJECTS}


def test_status_says_so_when_no_daemon_answers() -> None:
    result = status_command("http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the daemon at http://127.0.0.1:9")


def test_metrics_count_reconciles_calls_and_cycle_age(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    code, page = daemon.get("/metrics")
    assert code == 200
    assert 'ecs_oauth_reconciles_total{kind="Service",result="changed"} 3.0' in page
    assert (
        'ecs_oauth_api_calls_total{operation="GetAccountAuthorizationDetails",service="iam"}'
        in page
    )
    assert 'ecs_oauth_api_calls_total{operation="POST",service="idp"}' in page
    assert "ecs_oauth_reconcile_duration_seconds_bucket" in page
    assert "ecs_oauth_queue_depth " in page
    assert "ecs_oauth_desired_state_valid 1.0" in page
    age = next(line for line in page.splitlines() if line.startswith("ecs_oauth_last_good_cycle"))
    assert float(age.split()[1]) >= 0


def test_every_change_is_one_log_event_with_object_resource_action_and_reconcile_id(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    changes = [e for e in daemon.events if e.get("event") == "change"]
    assert changes
    for change in changes:
        assert {"object", "resource", "action", "reconcile_id", "timestamp"} <= set(change)
    by_object = {}
    for change in changes:
        by_object.setdefault(change["object"], set()).add(change["reconcile_id"])
    assert all(len(ids) == 1 for ids in by_object.values())  # one reconcile converged each


def test_sigint_also_stops_the_daemon_cleanly(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    assert daemon.stop(signal.SIGINT) == 0
    assert daemon.events[-1]["event"] == "stopped"
