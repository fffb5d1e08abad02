"""What ``run`` warns of before it starts: no one told of drift, no lease to keep writers
apart, another instance holding the lease."""

from __future__ import annotations

from controller.cli._preflight import NO_ALERTS, run_warnings
from controller.config import load_settings

SLACK = "alerts.slack.webhookUrl.fromEnv=SLACK_URL"
TABLE = "leaderElection.table=ecs-oauth-leases"


def test_no_alert_target_and_no_lease_are_both_warned_of() -> None:
    warnings = run_warnings(load_settings([], []), holder=None)

    assert warnings[0] == NO_ALERTS
    assert warnings[1].startswith("warning: leader election is off (leaderElection.table unset)")


def test_a_configured_target_and_a_free_lease_warn_of_nothing() -> None:
    assert run_warnings(load_settings([], [SLACK, TABLE]), holder=None) == []


def test_a_webhook_alone_is_an_alert_target() -> None:
    settings = load_settings([], ["alerts.webhook.url.fromEnv=HOOK", TABLE])

    assert run_warnings(settings, holder=None) == []


def test_a_lease_held_by_another_instance_is_named() -> None:
    settings = load_settings([], [SLACK, TABLE, "controllerId=prod"])

    assert run_warnings(settings, holder="host-a/123") == [
        "warning: host-a/123 holds the lease of controller prod (table ecs-oauth-leases): this "
        "replica stands by and writes nothing while that one renews it"
    ]
