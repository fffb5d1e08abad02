"""Rotation through the daemon's schedule: a due credential is rotated end to end, the phase
shows in status, and chat hears once that it completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.converge._live import secret_value
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # a full rotation, rollout and grace period included

ROTATED_AT = "ecs-oauth.dev/rotated-at"


def test_a_credential_past_its_rotate_every_is_rotated_by_the_daemon(setup: Setup) -> None:
    payments = setup.folder / "payments.yaml"
    payments.write_text(
        payments.read_text().replace(
            "taskDefinition: {family: orders-api, container: app}",
            "taskDefinition: {family: orders-api, container: app}\n"
            "  secret: {rotateEvery: 30d, gracePeriod: 1s}",
        )
    )
    setup.apply()
    before = secret_value(setup.world, "orders-api")
    long_ago = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    setup.world.client("secretsmanager").tag_resource(
        SecretId="ecs-oauth/orders-api", Tags=[{"Key": ROTATED_AT, "Value": long_ago}]
    )

    daemon = setup.start("resyncInterval=1h")
    daemon.wait_for(event("rotation", object="Service/orders-api", action="started"), 60)
    daemon.wait_for(event("rotation", object="Service/orders-api", action="completed"), 120)

    after = secret_value(setup.world, "orders-api")
    assert after["client_id"] == before["client_id"]  # Cognito: same client, new secret
    assert after["client_secret"] != before["client_secret"]
    secrets = setup.world.client("cognito-idp").list_user_pool_client_secrets(
        UserPoolId=setup.world.user_pool_id, ClientId=after["client_id"]
    )["ClientSecrets"]
    assert len(secrets) == 1
    rotation = next(o for o in daemon.status()["objects"] if o["name"] == "orders-api")["rotation"]
    assert rotation["phase"] == "idle"
    assert rotation["lastRotatedAt"] > long_ago
    setup.chat.wait_for(2, timeout=10)
    completed = [b for b in setup.webhook() if b["kind"] == "rotation"]
    assert [b["status"] for b in completed] == ["completed"]
    assert before["client_secret"] not in "".join(daemon.raw)
    assert after["client_secret"] not in "".join(daemon.raw)
