"""Drift made while no daemon ran: the controller's record of convergence lives on the
resources, so a daemon that starts afterwards knows the change for drift, not for an edit."""

from __future__ import annotations

import time

import pytest

from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import write_desired_state
from tests.integration.converge._live import latest_task_definition, register_revision
from tests.integration.daemon.conftest import Setup

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

FOREIGN_ROLE = "arn:aws:iam::123456789012:role/someone-elses-role"
QUIET_SECONDS = 3.0  # longer than a resync: no further alert may come in this time


def test_a_daemon_started_after_the_drift_announces_it_once_and_shows_it_in_detect_mode(
    setup: Setup, oidc_provider: OidcProviderPeer
) -> None:
    setup.apply()
    write_desired_state(setup.folder, setup.world, oidc_provider.issuer, mode="detect")
    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)

    daemon = setup.start("resyncInterval=1s")
    daemon.wait_ready()
    daemon.wait_until(
        lambda: daemon.conditions("Service/orders-api")["Drifted"]["status"] == "True",
        what="Drifted=True",
    )
    setup.chat.wait_for(2, timeout=30)  # the drift, to Slack and to the webhook
    time.sleep(QUIET_SECONDS)

    drifts = [body for body in setup.webhook() if body["kind"] == "drift"]
    assert [body["object"] for body in drifts] == ["Service/orders-api"], setup.webhook()
    assert [body for body in setup.webhook() if body["kind"] == "resolved"] == []
    definition, _ = latest_task_definition(setup.world, "orders-api")
    assert definition["taskRoleArn"] == FOREIGN_ROLE  # detect mode: left alone
    for name in ("checkout-worker", "stock-sync"):
        assert daemon.conditions(f"Service/{name}")["Drifted"]["status"] == "False"


def test_a_restarted_daemon_corrects_drift_made_while_it_was_down_and_announces_it(
    setup: Setup,
) -> None:
    first = setup.start("resyncInterval=1s")
    first.wait_ready()
    first.stop()
    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)

    second = setup.start("resyncInterval=1s")
    second.wait_ready()
    setup.chat.wait_for(2, timeout=30)
    time.sleep(QUIET_SECONDS)

    drifts = [body for body in setup.webhook() if body["kind"] == "drift"]
    assert [(d["object"], d["status"]) for d in drifts] == [("Service/orders-api", "corrected")]
    definition, _ = latest_task_definition(setup.world, "orders-api")
    assert definition["taskRoleArn"] != FOREIGN_ROLE
