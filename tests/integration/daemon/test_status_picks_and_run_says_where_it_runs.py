"""``status --target``/``-l`` keep the objects picked, by the labels ``/status`` carries;
``run`` names where it runs and warns of what would go unnoticed, before its first log."""

from __future__ import annotations

import json
import signal

from tests.harness.daemon import RunningDaemon
from tests.harness.world import ACCOUNT
from tests.integration.daemon.conftest import Setup
from tests.integration.daemon.test_the_daemon_converges_and_reports import status_command


def label(setup: Setup, service: str, labels: str) -> None:
    payments = setup.folder / "payments.yaml"
    named = f"metadata: {{name: {service}}}"
    payments.write_text(
        payments.read_text().replace(named, f"metadata: {{name: {service}, labels: {labels}}}")
    )


def test_status_keeps_only_the_objects_a_selector_picks(setup: Setup) -> None:
    label(setup, "orders-api", "{team: payments}")
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()

    by_label = status_command(daemon.url, "-o", "json", "-l", "team=payments")
    by_target = status_command(daemon.url, "-o", "json", "--target", "role/checkout")
    table = status_command(daemon.url, "-l", "team!=payments,!nothing")

    assert by_label.returncode == 0, by_label.stderr
    [picked] = json.loads(by_label.stdout)["objects"]
    assert (picked["kind"], picked["name"], picked["labels"]) == (
        "Service",
        "orders-api",
        {"team": "payments"},
    )
    assert [o["name"] for o in json.loads(by_target.stdout)["objects"]] == ["checkout"]
    rows = [line.split()[0] for line in table.stdout.splitlines()[2:]]
    assert "Service/orders-api" not in rows
    assert len(rows) == 7


def test_a_bad_selector_is_one_error_line(setup: Setup) -> None:
    result = status_command("http://127.0.0.1:9", "--target", "orders-api")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --target 'orders-api': expected KIND/NAME, e.g. Service/orders-api"
    )


def test_run_names_where_it_runs_and_warns_of_what_goes_unnoticed(setup: Setup) -> None:
    daemon = RunningDaemon.start(setup.folder, setup.env, "resyncInterval=1h")  # no alerts
    daemon.wait_ready()

    assert daemon.stop(signal.SIGTERM) == 0, daemon.output()
    lines = daemon.stderr.splitlines()
    assert lines[0] == (
        f"Account {ACCOUNT}, region us-east-1, controller default, desired state {setup.folder}"
    )
    assert lines[1].startswith("warning: no alert target is configured")
    assert lines[2].startswith("warning: leader election is off (leaderElection.table unset)")


def test_with_alerts_set_run_does_not_warn_of_them(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()

    assert daemon.stop(signal.SIGTERM) == 0, daemon.output()
    setup.started.remove(daemon)
    assert "no alert target" not in daemon.stderr
