"""What each alert says, and the exact shapes Slack and the JSON webhook receive."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from controller.alerts import (
    Alert,
    Drift,
    desired_state_invalid,
    desired_state_recovered,
    drift_alert,
    resolved_alert,
    rotation_alert,
    slack_message,
    webhook_document,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
PATHS = ("containerDefinitions[app].secrets", "taskRoleArn")
CORRECTED = Drift("Service/orders-api", "ecs:task-definition", "orders-api", PATHS, True)
LEFT_ALONE = Drift("Service/orders-api", "ecs:task-definition", "orders-api", PATHS, False)


def _everything_sent(alert: Alert) -> str:
    return repr((slack_message(alert), webhook_document(alert, NOW)))


class TestDriftAlerts:
    def test_a_corrected_drift_says_it_was_corrected(self) -> None:
        alert = drift_alert(CORRECTED)

        assert alert.status == "corrected"
        assert alert.title == "Drift corrected on Service/orders-api"
        assert alert.text == (
            "Service/orders-api: ecs:task-definition orders-api drifted in "
            "containerDefinitions[app].secrets, taskRoleArn; corrected."
        )

    def test_a_drift_a_cloudtrail_event_attributed_names_who_and_from_where(self) -> None:
        actor = "arn:aws:sts::123456789012:assumed-role/Admin/alice from 203.0.113.7"
        alert = drift_alert(replace(CORRECTED, actor=actor))

        assert alert.text.endswith(f"taskRoleArn, changed by {actor}; corrected.")
        assert alert.fingerprint == drift_alert(CORRECTED).fingerprint  # the same drift

    def test_a_drift_in_detect_mode_says_it_was_left_alone(self) -> None:
        alert = drift_alert(LEFT_ALONE)

        assert alert.status == "left-alone"
        assert alert.text.endswith("; left alone (detect mode).")
        assert "corrected" not in _everything_sent(alert)

    def test_every_message_names_the_object_the_resource_and_each_path(self) -> None:
        sent = _everything_sent(drift_alert(CORRECTED))

        for name in ("Service/orders-api", "ecs:task-definition", *PATHS):
            assert name in sent

    def test_a_drift_without_paths_is_about_the_whole_resource(self) -> None:
        gone = Drift("Service/orders-api", "iam:role", "ecs-oauth-orders", (), True)

        assert "drifted in the whole resource; corrected." in drift_alert(gone).text

    def test_resolved_says_the_resource_is_back_in_sync(self) -> None:
        alert = resolved_alert(CORRECTED)

        assert (alert.kind, alert.status) == ("resolved", "resolved")
        assert alert.text == (
            "Service/orders-api: ecs:task-definition orders-api is back in sync "
            "(containerDefinitions[app].secrets, taskRoleArn)."
        )


class TestSlackMessage:
    def test_it_has_fallback_text_and_simple_blocks(self) -> None:
        alert = drift_alert(CORRECTED)

        message = slack_message(alert)

        assert message["text"] == f"{alert.title}: {alert.text}"
        assert message["blocks"] == [
            {"type": "header", "text": {"type": "plain_text", "text": alert.title}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f":wrench: {alert.text}"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Changed paths* (ecs:task-definition)\n"
                    "• `containerDefinitions[app].secrets`\n• `taskRoleArn`",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"drift · corrected · fingerprint {alert.fingerprint}",
                    }
                ],
            },
        ]

    def test_markup_in_a_name_cannot_ping_the_channel(self) -> None:
        sly = Drift("Service/x", "ecs:task-definition", "x", ("tags.<!channel>&",), True)

        sent = repr(slack_message(drift_alert(sly))["blocks"])

        assert "<!channel>" not in sent
        assert "&lt;!channel&gt;&amp;" in sent

    def test_long_texts_stay_within_slacks_limits(self) -> None:
        alert = desired_state_invalid(
            "x" * 400, [f"f.yaml:{n}:1: error: {'y' * 500}" for n in range(99)]
        )

        blocks = slack_message(alert)["blocks"]

        assert len(blocks[0]["text"]["text"]) <= 150
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        assert blocks[-2]["text"]["text"].endswith("\n```")


class TestWebhookDocument:
    def test_it_carries_the_documented_keys(self) -> None:
        alert = drift_alert(LEFT_ALONE)

        assert webhook_document(alert, NOW) == {
            "kind": "drift",
            "status": "left-alone",
            "object": "Service/orders-api",
            "resource": "ecs:task-definition",
            "paths": list(PATHS),
            "title": alert.title,
            "text": alert.text,
            "details": [],
            "fingerprint": alert.fingerprint,
            "time": "2026-01-02T03:04:05+00:00",
        }


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
        assert all(line in slack_message(alert)["blocks"][2]["text"]["text"] for line in lines)
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
