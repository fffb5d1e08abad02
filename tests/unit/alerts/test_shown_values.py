"""Before and after values reach chat only when harmless; a secret never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from controller.alerts import (
    Drift,
    Origin,
    drift_alert,
    resolved_alert,
    shown_value,
    slack_message,
    webhook_document,
)
from controller.alerts._values import MAX_VALUE_CHARS
from controller.plan import KNOWN_AFTER_APPLY, SENSITIVE, Change, FieldChange, Sensitive

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OURS = "arn:aws:iam::123456789012:role/ecs-oauth/task/ecs-oauth-orders"
FOREIGN = "arn:aws:iam::123456789012:role/someone-elses-role"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.c2lnbmF0dXJlMTIzNDU2"


def _sent(drift: Drift) -> str:
    """Everything any target would receive about ``drift``, drifted and resolved."""
    origin = Origin("platform-prod", "123456789012", "eu-west-1", "production")
    alerts = [drift_alert([drift]), resolved_alert([drift])]
    stamped = [replace(alert, origin=origin) for alert in alerts]
    return repr([(slack_message(a), webhook_document(a, NOW)) for a in stamped])


class TestHarmlessValues:
    def test_a_moved_task_role_shows_where_it_went_and_where_it_belongs(self) -> None:
        change = Change(
            "Service/orders-api",
            "ecs:task-definition",
            "orders-api",
            "update",
            (FieldChange("taskRoleArn", FOREIGN, OURS),),
        )

        [field] = Drift.from_change(change, corrected=True).fields

        assert (field.path, field.before, field.after) == ("taskRoleArn", FOREIGN, OURS)

    def test_a_structured_value_is_shown_as_compact_json(self) -> None:
        assert shown_value("tags", {"team": "payments"}) == '{"team": "payments"}'

    def test_a_missing_value_is_no_value(self) -> None:
        assert shown_value("taskRoleArn", None) is None

    def test_a_long_value_is_clipped(self) -> None:
        shown = shown_value("description", "word " * 100)

        assert shown is not None
        assert len(shown) == MAX_VALUE_CHARS
        assert shown.endswith("…")


class TestSecretsNeverShow:
    def test_a_secret_valued_change_reaches_no_target(self) -> None:
        change = Change(
            "Service/orders-api",
            "secretsmanager:secret",
            "ecs-oauth/orders-api",
            "update",
            (
                FieldChange(
                    "value.client_secret", Sensitive("old-s3cr3t"), Sensitive("n3w-s3cr3t")
                ),
                FieldChange("value.scope", "orders/read", "orders/read orders/write"),
            ),
        )

        drift = Drift.from_change(change, corrected=True)
        sent = _sent(drift)

        assert "s3cr3t" not in sent
        assert drift.fields[0].before == drift.fields[0].after == SENSITIVE
        assert "orders/read orders/write" in sent  # the harmless field still shows

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("value.client_secret", "plain-looking"),
            ("registration.registrationAccessToken", "abc"),
            ("initialAccessToken", "abc"),
            ("environment.PASSWORD", "hunter2"),
            ("description", TOKEN),
            ("url", "https://user:pa55@idp.example.com/token"),
            ("value", {"client_secret": "plain-looking"}),
            ("value", [Sensitive("x")]),
            ("clientId", SENSITIVE),
            ("clientId", KNOWN_AFTER_APPLY),
        ],
        ids=[
            "secret-named path",
            "token-named path",
            "access-token path",
            "password path",
            "token-shaped text",
            "credentials in a URL",
            "secret-named key inside",
            "sensitive inside a list",
            "the sensitive marker",
            "known after apply",
        ],
    )
    def test_anything_secret_like_or_unknown_is_shown_as_sensitive(
        self, path: str, value: object
    ) -> None:
        assert shown_value(path, value) == SENSITIVE
