"""What each alert says, and the exact shapes Slack and the JSON webhook receive."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from controller.alerts import (
    Alert,
    Drift,
    FieldDelta,
    Origin,
    desired_state_invalid,
    desired_state_recovered,
    drift_alert,
    resolved_alert,
    rotation_alert,
    slack_message,
    webhook_document,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ORDERS = "Service/orders-api"
FOREIGN = "arn:aws:iam::123456789012:role/someone-elses-role"
OURS = "arn:aws:iam::123456789012:role/ecs-oauth/task/ecs-oauth-orders"
TASK_DEFINITION = Drift(
    ORDERS,
    "ecs:task-definition",
    "orders-api",
    ("taskRoleArn", "containerDefinitions[app].environment.OAUTH_SCOPE"),
    True,
    (
        FieldDelta("taskRoleArn", FOREIGN, OURS),
        FieldDelta("containerDefinitions[app].environment.OAUTH_SCOPE", None, "orders/read"),
    ),
)
CLIENT = Drift(
    ORDERS,
    "idp:client",
    "abc123",
    ("scopes",),
    True,
    (FieldDelta("scopes", "[]", '["orders/read"]'),),
)
PROD = Origin("platform-prod", "123456789012", "eu-west-1", "production", "https://status.example/")


def _everything_sent(alert: Alert) -> str:
    return repr((slack_message(alert), webhook_document(alert, NOW)))


def _incident(*drifts: Drift, origin: Origin = PROD) -> Alert:
    return replace(drift_alert(drifts), origin=origin)


class TestIncidentText:
    def test_a_corrected_incident_names_every_resource_and_path_and_says_corrected(self) -> None:
        alert = drift_alert([TASK_DEFINITION, CLIENT])

        assert alert.status == "corrected"
        assert alert.title == "Drift corrected on Service/orders-api"
        assert alert.text == (
            "Service/orders-api: ecs:task-definition orders-api (taskRoleArn, "
            "containerDefinitions[app].environment.OAUTH_SCOPE); idp:client abc123 (scopes) "
            "drifted; corrected."
        )

    def test_an_incident_in_detect_mode_says_it_was_left_alone(self) -> None:
        alert = drift_alert([replace(TASK_DEFINITION, corrected=False)])

        assert alert.status == "left-alone"
        assert alert.text.endswith("; left alone (detect mode).")
        assert "corrected" not in _everything_sent(alert)

    def test_a_drift_without_paths_is_about_the_whole_resource(self) -> None:
        gone = Drift(ORDERS, "iam:role", "ecs-oauth-orders", (), True)

        assert "iam:role ecs-oauth-orders (the whole resource) drifted" in drift_alert([gone]).text

    def test_who_made_the_change_is_named_when_known(self) -> None:
        alert = drift_alert([replace(TASK_DEFINITION, actor="arn:aws:iam::1:user/alice")])

        assert alert.actor == "arn:aws:iam::1:user/alice"
        assert alert.text.endswith("corrected. Changed by arn:aws:iam::1:user/alice.")
        assert webhook_document(alert, NOW)["actor"] == "arn:aws:iam::1:user/alice"

    def test_without_an_actor_nobody_is_named(self) -> None:
        alert = drift_alert([TASK_DEFINITION])

        assert alert.actor is None
        assert "Changed by" not in _everything_sent(alert)

    def test_resolved_says_the_object_is_back_in_sync(self) -> None:
        alert = resolved_alert([TASK_DEFINITION, CLIENT])

        assert (alert.kind, alert.status) == ("resolved", "resolved")
        assert alert.fingerprint == drift_alert([CLIENT, TASK_DEFINITION]).fingerprint
        assert alert.text.startswith("Service/orders-api: back in sync (ecs:task-definition")

    def test_an_incident_is_about_one_object(self) -> None:
        with pytest.raises(ValueError, match="one object"):
            drift_alert([TASK_DEFINITION, replace(CLIENT, object="Service/billing")])


class TestSlackMessage:
    def test_it_lays_out_header_facts_resources_and_context(self) -> None:
        alert = _incident(TASK_DEFINITION)

        blocks = slack_message(alert)["blocks"]

        assert blocks == [
            {"type": "header", "text": {"type": "plain_text", "text": alert.title}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f":wrench: {alert.text}"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Object*\nService/orders-api"},
                    {"type": "mrkdwn", "text": "*Action*\ncorrected"},
                    {"type": "mrkdwn", "text": "*Environment*\nproduction"},
                    {"type": "mrkdwn", "text": "*Controller*\nplatform-prod"},
                    {"type": "mrkdwn", "text": "*Account / Region*\n123456789012 / eu-west-1"},
                ],
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*ecs:task-definition* `orders-api`\n"
                    f"• `taskRoleArn`: `{FOREIGN}` → `{OURS}`\n"
                    "• `containerDefinitions[app].environment.OAUTH_SCOPE`: _(none)_ → "
                    "`orders/read`",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "production · controller platform-prod · account 123456789012 · "
                        f"eu-west-1 · drift · fingerprint {alert.fingerprint} · "
                        "<https://status.example/|status page>",
                    }
                ],
            },
        ]

    def test_its_fallback_text_says_it_all_in_plain_text(self) -> None:
        alert = _incident(TASK_DEFINITION)

        assert slack_message(alert)["text"] == "\n".join(
            [
                alert.title,
                alert.text,
                f"ecs:task-definition orders-api taskRoleArn: {FOREIGN} → {OURS}",
                "ecs:task-definition orders-api "
                "containerDefinitions[app].environment.OAUTH_SCOPE: (none) → orders/read",
                "production · controller platform-prod · account 123456789012 · eu-west-1",
                "Status: https://status.example/",
            ]
        )

    def test_each_drifted_resource_gets_its_own_section(self) -> None:
        sections = [
            b["text"]["text"]
            for b in slack_message(_incident(TASK_DEFINITION, CLIENT))["blocks"]
            if b["type"] == "section" and "text" in b
        ]

        assert [s.split("\n")[0] for s in sections[1:]] == [
            "*ecs:task-definition* `orders-api`",
            "*idp:client* `abc123`",
        ]

    def test_without_environment_or_status_page_those_parts_are_left_out(self) -> None:
        sent = repr(slack_message(_incident(CLIENT, origin=Origin("c", "1", "r"))))

        assert "Environment" not in sent
        assert "status page" not in sent

    def test_markup_in_a_name_or_value_cannot_ping_the_channel(self) -> None:
        sly = Drift(
            "Service/x",
            "ecs:task-definition",
            "x",
            ("tags.<!channel>&",),
            True,
            (FieldDelta("tags.<!channel>&", "<!here>", "`<@U123>`"),),
        )

        sent = repr(slack_message(drift_alert([sly])))

        for mention in ("<!channel>", "<!here>", "<@U123>"):
            assert mention not in sent
        assert "&lt;!channel&gt;&amp;" in sent

    def test_long_texts_stay_within_slacks_limits(self) -> None:
        alert = desired_state_invalid(
            "x" * 400, [f"f.yaml:{n}:1: error: {'y' * 500}" for n in range(99)]
        )

        blocks = slack_message(alert)["blocks"]

        assert len(blocks[0]["text"]["text"]) <= 150
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if "text" in b)
        assert all(len(f["text"]) <= 2000 for b in blocks for f in b.get("fields", []))
        assert blocks[-2]["text"]["text"].endswith("\n```")

    def test_many_resources_are_cut_to_ten_sections_and_a_count(self) -> None:
        many = [replace(CLIENT, id=f"client-{n}") for n in range(13)]

        blocks = slack_message(drift_alert(many))["blocks"]

        assert len(blocks) < 50
        assert blocks[-2]["text"]["text"] == "… and 3 more resources"


class TestWebhookDocument:
    def test_it_carries_the_documented_keys(self) -> None:
        alert = _incident(TASK_DEFINITION, CLIENT)

        assert webhook_document(alert, NOW) == {
            "kind": "drift",
            "status": "corrected",
            "action": "corrected",
            "object": "Service/orders-api",
            "environment": "production",
            "controllerId": "platform-prod",
            "account": "123456789012",
            "region": "eu-west-1",
            "resource": "ecs:task-definition, idp:client",
            "paths": [
                "taskRoleArn",
                "containerDefinitions[app].environment.OAUTH_SCOPE",
                "scopes",
            ],
            "resources": [
                {
                    "resource": "ecs:task-definition",
                    "id": "orders-api",
                    "fields": [
                        {"path": "taskRoleArn", "before": FOREIGN, "after": OURS},
                        {
                            "path": "containerDefinitions[app].environment.OAUTH_SCOPE",
                            "before": None,
                            "after": "orders/read",
                        },
                    ],
                },
                {
                    "resource": "idp:client",
                    "id": "abc123",
                    "fields": [{"path": "scopes", "before": "[]", "after": '["orders/read"]'}],
                },
            ],
            "actor": None,
            "title": alert.title,
            "text": alert.text,
            "details": [],
            "statusUrl": "https://status.example/",
            "fingerprint": alert.fingerprint,
            "time": "2026-01-02T03:04:05+00:00",
        }

    def test_alerts_other_than_drift_carry_no_resources(self) -> None:
        document = webhook_document(rotation_alert(ORDERS, "completed", phase="revoke"), NOW)

        assert (document["resources"], document["actor"]) == ([], None)


class TestRotationAlerts:
    def test_a_completed_rotation_is_good_news_in_one_line(self) -> None:
        alert = rotation_alert("Service/orders-api", "completed", phase="revoke")

        assert (alert.kind, alert.status, alert.resource) == (
            "rotation",
            "completed",
            "secretsmanager:secret",
        )
        assert alert.text == "Service/orders-api: credential rotation completed."

    def test_a_failed_rotation_names_the_phase_and_the_reason(self) -> None:
        alert = rotation_alert(
            "Service/orders-api", "failed", phase="roll-out", reason="DeploymentFailed"
        )

        assert alert.title == "Credential rotation failed for Service/orders-api"
        assert alert.text == (
            "Service/orders-api: credential rotation failed in phase roll-out: DeploymentFailed."
        )

    def test_a_stuck_rotation_names_the_phase(self) -> None:
        alert = rotation_alert("Service/orders-api", "stuck", phase="test")

        assert alert.text == "Service/orders-api: credential rotation stuck in phase test."
        assert slack_message(alert)["blocks"][1]["text"]["text"].startswith(":hourglass:")

    def test_each_outcome_of_each_phase_has_its_own_fingerprint(self) -> None:
        prints = {
            rotation_alert("Service/a", status, phase=phase).fingerprint
            for status in ("completed", "failed", "stuck")
            for phase in ("create", "test")
        }

        assert len(prints) == 6


class TestDesiredStateAlerts:
    def test_an_invalid_desired_state_lists_its_diagnostics(self) -> None:
        lines = [
            "desired/orders.yaml:4:3: error: unknown field 'scopez'",
            "desired/roles.yaml:9:7: error: Scope 'orders.read' does not exist",
        ]

        alert = desired_state_invalid("desired/", lines)

        assert (alert.kind, alert.status, alert.object) == ("desired-state", "invalid", "desired/")
        assert alert.text == (
            "Desired state desired/ is invalid (2 errors); still reconciling the last valid state."
        )
        assert alert.details == tuple(lines)
        fenced = slack_message(alert)["blocks"][-2]["text"]["text"]
        assert all(line in fenced for line in lines)
        assert webhook_document(alert, NOW)["details"] == lines

    def test_many_diagnostics_are_cut_to_the_first_twenty_and_a_count(self) -> None:
        alert = desired_state_invalid("d/", [f"d/a.yaml:{n}:1: error: bad" for n in range(25)])

        assert len(alert.details) == 21
        assert alert.details[-1] == "... and 5 more"

    def test_recovery_pairs_with_the_invalid_alert(self) -> None:
        invalid = desired_state_invalid("d/", ["d/a.yaml:1:1: error: bad"])
        recovered = desired_state_recovered("d/")

        assert recovered.status == "recovered"
        assert recovered.fingerprint == invalid.fingerprint
        assert recovered.text == "Desired state d/ is valid again; reconciling it."
