"""Out-of-band drift: one chat message per incident naming every resource and field with
its before and after values, corrected (or left alone in detect mode), and one "resolved"
message once all of it is gone."""

from __future__ import annotations

import time

import pytest

from tests.harness.moto import REGION
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import ACCOUNT, SeededWorld, write_desired_state
from tests.integration.converge._live import (
    cognito_client,
    ecs_service,
    latest_task_definition,
    register_revision,
    secret_value,
    set_cognito_scopes,
    task_definition_arns,
)
from tests.integration.daemon.conftest import Setup, event

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


def test_one_reverted_apply_is_one_message_for_the_object_then_one_resolved(
    setup: Setup,
) -> None:
    """Ops' report: a hand-reverted ``apply`` sent a "drifted" and a "back in sync" per
    resource. Two resources of one Service drift at once (a task-definition revision with
    a foreign task role and another scope, and the Cognito client's scopes): one message
    with every field, before and after, then one "resolved"; per target."""
    daemon = setup.start(
        "resyncInterval=6s",
        "alerts.environment=integration",
        "alerts.statusUrl=http://127.0.0.1:8080/status",
    )
    daemon.wait_ready()
    ours = task_role(setup.world, "checkout-worker")
    credential = secret_value(setup.world, "checkout-worker")
    # Right after a full cycle, so both edits land before the next reconcile reads.
    daemon.wait_for(event("cycle_finished", full=True), after=len(daemon.events))
    register_revision(
        setup.world,
        "checkout-worker",
        taskRoleArn=FOREIGN_ROLE,
        environment={"OAUTH_SCOPE": "orders/read"},
    )
    set_cognito_scopes(setup.world, credential["client_id"], ["orders/read"])

    setup.chat.wait_for(4, timeout=40)  # the incident and its resolution, to each target
    time.sleep(QUIET_SECONDS)
    hook, slack = setup.webhook(), setup.slack()
    assert [(b["kind"], b["object"]) for b in hook] == [
        ("drift", "Service/checkout-worker"),
        ("resolved", "Service/checkout-worker"),
    ], hook
    incident, resolved = hook
    assert resolved["fingerprint"] == incident["fingerprint"]
    assert (incident["action"], incident["account"], incident["region"]) == (
        "corrected",
        ACCOUNT,
        REGION,
    )
    assert (incident["controllerId"], incident["environment"], incident["statusUrl"]) == (
        "default",
        "integration",
        "http://127.0.0.1:8080/status",
    )
    resources = {r["resource"]: r for r in incident["resources"]}  # type: ignore[attr-defined]
    assert sorted(resources) == ["ecs:task-definition", "idp:client"]
    fields = {f["path"]: f for f in resources["ecs:task-definition"]["fields"]}
    assert fields["taskRoleArn"] == {"path": "taskRoleArn", "before": FOREIGN_ROLE, "after": ours}
    assert any("OAUTH_SCOPE" in path for path in fields)
    assert len(slack) == 2
    assert FOREIGN_ROLE in str(slack[0]["text"])
    assert credential["client_secret"] not in repr(setup.chat.messages)
    assert task_role(setup.world, "checkout-worker") == ours


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
    [field] = drift[0]["resources"][0]["fields"]  # type: ignore[index]
    assert field == {"path": "taskRoleArn", "before": FOREIGN_ROLE, "after": ours}
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
