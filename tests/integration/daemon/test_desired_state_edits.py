"""Edits to the desired-state files: picked up within seconds; invalid ones never replace
the last valid state."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.integration.converge._live import cognito_client, secret_value
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs


def secret_exists(setup: Setup, name: str) -> bool:
    secrets = setup.world.client("secretsmanager").list_secrets()["SecretList"]
    return any(s["Name"] == name for s in secrets)


def test_an_edit_converges_within_seconds_with_an_hourly_resync(setup: Setup) -> None:
    daemon = setup.start("resyncInterval=1h")
    daemon.wait_ready()
    seen = len(daemon.events)
    payments = setup.folder / "payments.yaml"
    payments.write_text(
        payments.read_text().replace(
            "spec: {scopes: [orders.read], tokenLifetime: 15m}",
            "spec: {scopes: [orders.read], tokenLifetime: 20m}",
        )
    )
    edited = time.monotonic()
    changed = daemon.wait_for(event("desired_state_changed"), 30, seen)
    assert changed["changed"] == ["Role/orders-reader", "Service/orders-api"]  # only those
    daemon.wait_for(event("change", object="Service/orders-api", resource="idp:client"), 30, seen)
    assert time.monotonic() - edited < 30  # generous: the point is "not an hour"
    client_id = secret_value(setup.world, "orders-api")["client_id"]
    daemon.wait_until(
        lambda: cognito_client(setup.world, client_id)["AccessTokenValidity"] == 20,
        what="the client's token lifetime follows the edit",
    )


def test_an_invalid_edit_keeps_the_last_valid_state_and_names_file_and_line(
    setup: Setup,
) -> None:

    daemon = setup.start("resyncInterval=1s")
    daemon.wait_ready()
    inventory = setup.folder / "inventory.yaml"
    valid = inventory.read_text()
    inventory.write_text(valid.replace("tokenLifetime: 30m", "tokenLifetime: 3h"))

    invalid = daemon.wait_for(event("desired_state_invalid"), timeout=30)
    first = invalid["errors"][0]
    assert first.startswith(f"{inventory}:14:"), first
    assert "tokenLifetime" in first
    condition = daemon.status()["controller"]["conditions"][0]
    assert (condition["status"], condition["reason"]) == ("False", "DesiredStateInvalid")
    assert f"{inventory}:14:" in condition["message"]
    assert "ecs_oauth_desired_state_valid 0.0" in daemon.get("/metrics")[1]

    # The last valid state keeps being reconciled: a deleted secret comes back.
    setup.world.client("secretsmanager").delete_secret(
        SecretId="ecs-oauth/stock-sync", ForceDeleteWithoutRecovery=True
    )
    daemon.wait_until(
        lambda: secret_exists(setup, "ecs-oauth/stock-sync"),
        what="the secret is re-created from the last valid state",
    )
    alerts = [b for b in setup.webhook() if b["kind"] == "desired-state"]
    assert [a["status"] for a in alerts] == ["invalid"]  # once, though cycles went on

    inventory.write_text(valid)
    daemon.wait_for(event("desired_state_recovered"), timeout=30)
    daemon.wait_until(
        lambda: daemon.status()["controller"]["conditions"][0]["status"] == "True",
        what="DesiredStateValid flips back",
    )
    setup.chat.wait_for(4, timeout=10)
    statuses = [b["status"] for b in setup.webhook() if b["kind"] == "desired-state"]
    assert statuses == ["invalid", "recovered"]


def test_a_folder_deleted_and_made_again_is_read_at_the_next_resync(setup: Setup) -> None:
    """A watch on a deleted folder sees nothing of the new one; the resync reads the files
    afresh, so the edit lands by then at the latest."""
    daemon = setup.start("resyncInterval=3s")
    daemon.wait_ready()
    files = {path.name: path.read_text() for path in setup.folder.glob("*.yaml")}
    shutil.rmtree(setup.folder)
    daemon.wait_for(event("desired_state_invalid"), timeout=30)
    seen = len(daemon.events)
    setup.folder.mkdir()
    for name, text in files.items():
        (setup.folder / name).write_text(
            text.replace(
                "spec: {scopes: [orders.read], tokenLifetime: 15m}",
                "spec: {scopes: [orders.read], tokenLifetime: 25m}",
            )
        )

    changed = daemon.wait_for(event("desired_state_changed"), 60, seen)
    assert "Role/orders-reader" in changed["changed"]
    client_id = secret_value(setup.world, "orders-api")["client_id"]
    daemon.wait_until(
        lambda: cognito_client(setup.world, client_id)["AccessTokenValidity"] == 25,
        what="the recreated folder's edit is converged",
    )
    assert daemon.status()["controller"]["conditions"][0]["status"] == "True"
