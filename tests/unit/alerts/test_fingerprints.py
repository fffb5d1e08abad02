"""Fingerprints identify a drift by where it is, never by what the values are."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.alerts import (
    Drift,
    FieldDelta,
    drift_alert,
    fingerprint,
    slack_message,
    webhook_document,
)
from controller.plan import Change, FieldChange, Sensitive

DRIFT = Drift(
    "Service/orders-api",
    "ecs:task-definition",
    "orders-api",
    ("containerDefinitions[app].secrets", "taskRoleArn"),
    corrected=True,
)
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_the_fingerprint_is_pinned_so_it_survives_restarts_and_upgrades() -> None:
    assert fingerprint(DRIFT) == "d7e81c89af95cae1"


@given(st.permutations(["taskRoleArn", "cpu", "containerDefinitions[app].secrets"]))
def test_the_fingerprint_ignores_the_order_of_paths(paths: list[str]) -> None:
    assert fingerprint(replace(DRIFT, paths=tuple(paths))) == fingerprint(
        replace(DRIFT, paths=("cpu", "containerDefinitions[app].secrets", "taskRoleArn"))
    )


def test_the_fingerprint_ignores_a_path_repeated() -> None:
    assert fingerprint(replace(DRIFT, paths=(*DRIFT.paths, "taskRoleArn"))) == fingerprint(DRIFT)


def test_the_fingerprint_ignores_what_was_done_about_the_drift() -> None:
    assert fingerprint(replace(DRIFT, corrected=False)) == fingerprint(DRIFT)


@pytest.mark.parametrize(
    "other",
    [
        replace(DRIFT, object="Service/billing"),
        replace(DRIFT, resource="iam:role"),
        replace(DRIFT, id="orders-api-v2"),
        replace(DRIFT, paths=("taskRoleArn",)),
    ],
    ids=["object", "resource", "id", "paths"],
)
def test_each_part_of_where_the_drift_is_changes_the_fingerprint(other: Drift) -> None:
    assert fingerprint(other) != fingerprint(DRIFT)


def test_the_boundaries_between_parts_count() -> None:
    assert fingerprint(replace(DRIFT, resource="ecs:task", id="definitionorders-api")) != (
        fingerprint(replace(DRIFT, resource="ecs:taskdefinition", id="orders-api"))
    )


def test_a_drift_from_a_planned_change_keeps_its_paths_and_no_secret_value() -> None:
    change = Change(
        "Service/orders-api",
        "secretsmanager:secret",
        "ecs-oauth/orders-api",
        "update",
        (
            FieldChange("value.client_secret", Sensitive("old-s3cr3t"), Sensitive("new-s3cr3t")),
            FieldChange("tags.team", "payments", "billing"),
        ),
    )

    drift = Drift.from_change(change, corrected=False)
    alert = drift_alert([drift])

    assert drift.paths == ("value.client_secret", "tags.team")
    assert (drift.object, drift.resource, drift.id) == (change.object, change.resource, change.id)
    shown = repr((drift, alert, slack_message(alert), webhook_document(alert, NOW)))
    assert "s3cr3t" not in shown


def test_the_values_shown_do_not_change_the_fingerprint() -> None:
    moved = replace(DRIFT, fields=(FieldDelta("taskRoleArn", "a", "b"),), actor="alice")

    assert fingerprint(moved) == fingerprint(DRIFT)
