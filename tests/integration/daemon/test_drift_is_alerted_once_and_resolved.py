"""Out-of-band drift: one chat message naming the field, corrected (or left alone in detect
mode), and one "resolved" message once it is gone."""

from __future__ import annotations

import time

import pytest

from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import SeededWorld, write_desired_state
from tests.integration.converge._live import (
    cognito_client,
    ecs_service,
    latest_task_definition,
    register_revision,
    secret_value,
    set_cognito_scopes,
    task_definition_arns,
)
from tests.integration.daemon.conftest import Setup

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

FOREIGN_ROLE = "arn:aws:iam::123456789012:role/someone-elses-role"
QUIET_SECONDS = 3.0  # longer than a resync: no further alert may come in this time


def drift_and_resolved(setup: Setup) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    bodies = setup.webhook()
    return (
        [b for b in bodies if b["kind"] == "drift"],
        [b for b in bodies if b["kind"] == "resolved"],
    )


def task_role(world: SeededWorld, family: str) -> str:
    definition, _ = latest_task_definition(world, family)
    return str(definition["taskRoleArn"])


def test_a_foreign_task_definition_revision_is_corrected_and_announced_once(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=2s")
    daemon.wait_ready()
    ours = task_role(setup.world, "orders-api")
    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)

    slack = setup.chat.wait_for(4, timeout=30)  # drift + resolved, each to Slack and webhook
    time.sleep(QUIET_SECONDS)
    drift, resolved = drift_and_resolved(setup)
    assert len(drift) == 1, setup.webhook()
    assert len(resolved) == 1, setup.webhook()
    assert drift[0]["object"] == "Service/orders-api"
    assert drift[0]["resource"] == "ecs:task-definition"
    assert drift[0]["paths"] == ["taskRoleArn"]
    assert drift[0]["status"] == "corrected"
    assert resolved[0]["fingerprint"] == drift[0]["fingerprint"]
    slack_texts = [m.body["text"] for m in slack if m.path.startswith("/slack/")]
    assert len(slack_texts) == 2
    assert "taskRoleArn" in slack_texts[0]
    assert task_role(setup.world, "orders-api") == ours
    service = ecs_service(setup.world, "orders-api")
    assert service["taskDefinition"] == task_definition_arns(setup.world, "orders-api")[-1]
    assert daemon.conditions("Service/orders-api")["Drifted"]["status"] == "False"


def test_a_scope_removed_from_the_cognito_client_is_put_back_and_announced_once(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=2s")
    daemon.wait_ready()
    client_id = secret_value(setup.world, "checkout-worker")["client_id"]
    set_cognito_scopes(setup.world, client_id, ["orders/read"])

    setup.chat.wait_for(4, timeout=30)
    time.sleep(QUIET_SECONDS)
    drift, resolved = drift_and_resolved(setup)
    assert [(d["resource"], d["paths"]) for d in drift] == [("idp:client", ["scopes"])]
    assert len(resolved) == 1
    scopes = cognito_client(setup.world, client_id)["AllowedOAuthScopes"]
    assert sorted(scopes) == ["orders/read", "orders/write"]


def test_detect_mode_leaves_the_drift_alone_with_one_alert_and_no_write(
    setup: Setup, oidc_provider: OidcProviderPeer
) -> None:

    setup.apply()
    write_desired_state(setup.folder, setup.world, oidc_provider.issuer, mode="detect")
    daemon = setup.start("resyncInterval=1s", "mode=detect")
    daemon.wait_ready()
    ours = task_role(setup.world, "orders-api")
    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)

    setup.chat.wait_for(2, timeout=30)  # the drift, to Slack and to the webhook
    daemon.wait_until(
        lambda: daemon.conditions("Service/orders-api")["Drifted"]["status"] == "True",
        what="Drifted=True",
    )
    time.sleep(QUIET_SECONDS)
    drift, resolved = drift_and_resolved(setup)
    assert [(d["paths"], d["status"]) for d in drift] == [(["taskRoleArn"], "left-alone")]
    assert resolved == []
    assert task_role(setup.world, "orders-api") == FOREIGN_ROLE
    assert not [e for e in daemon.events if e.get("event") == "change" and e["applied"]]
    drifted = daemon.conditions("Service/orders-api")["Drifted"]
    assert drifted["reason"] == "DriftDetected"
    assert "taskRoleArn" in drifted["message"]

    register_revision(setup.world, "orders-api", taskRoleArn=ours)  # a person puts it back
    setup.chat.wait_for(4, timeout=30)
    drift, resolved = drift_and_resolved(setup)
    assert len(drift) == 1
    assert len(resolved) == 1
