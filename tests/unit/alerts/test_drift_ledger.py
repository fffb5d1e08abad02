"""The ledger turns drifts seen every cycle into one message per distinct drift."""

from __future__ import annotations

import pytest

from controller.alerts import Drift, DriftLedger, fingerprint

ORDERS = "Service/orders-api"
ROLE_DRIFT = Drift(ORDERS, "ecs:task-definition", "orders-api", ("taskRoleArn",), corrected=True)
SCOPE_DRIFT = Drift(ORDERS, "idp:client", "abc123", ("scope",), corrected=True)


def test_a_new_drift_is_announced_once() -> None:
    ledger = DriftLedger()

    [alert] = ledger.observe(ORDERS, [ROLE_DRIFT])

    assert (alert.kind, alert.object, alert.resource) == ("drift", ORDERS, "ecs:task-definition")
    assert alert.paths == ("taskRoleArn",)
    assert alert.fingerprint == fingerprint(ROLE_DRIFT)


def test_the_same_drift_seen_again_is_not_announced_again() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])

    assert ledger.observe(ORDERS, [ROLE_DRIFT]) == []
    assert ledger.observe(ORDERS, [ROLE_DRIFT]) == []


def test_a_drift_that_is_gone_is_resolved_once() -> None:
    ledger = DriftLedger()
    [announced] = ledger.observe(ORDERS, [ROLE_DRIFT])

    [resolved] = ledger.observe(ORDERS, [])

    assert resolved.kind == "resolved"
    assert (resolved.object, resolved.resource, resolved.paths) == (
        ORDERS,
        "ecs:task-definition",
        ("taskRoleArn",),
    )
    assert resolved.fingerprint == announced.fingerprint
    assert ledger.observe(ORDERS, []) == []


def test_two_distinct_drifts_give_two_alerts() -> None:
    ledger = DriftLedger()

    alerts = ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

    assert [(a.kind, a.resource) for a in alerts] == [
        ("drift", "ecs:task-definition"),
        ("drift", "idp:client"),
    ]


def test_one_of_two_drifts_going_away_resolves_only_that_one() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

    [resolved] = ledger.observe(ORDERS, [SCOPE_DRIFT])

    assert (resolved.kind, resolved.resource) == ("resolved", "ecs:task-definition")
    assert ledger.active(ORDERS) == (SCOPE_DRIFT,)


def test_the_same_drift_reported_twice_in_one_cycle_is_one_alert() -> None:
    assert len(DriftLedger().observe(ORDERS, [ROLE_DRIFT, ROLE_DRIFT])) == 1


def test_a_drift_whose_paths_change_resolves_the_old_and_announces_the_new() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])
    wider = Drift(ORDERS, "ecs:task-definition", "orders-api", ("taskRoleArn", "cpu"), True)

    alerts = ledger.observe(ORDERS, [wider])

    assert [(a.kind, a.paths) for a in alerts] == [
        ("drift", ("taskRoleArn", "cpu")),
        ("resolved", ("taskRoleArn",)),
    ]


def test_objects_are_tracked_apart() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])

    assert ledger.observe("Service/billing", []) == []
    assert ledger.active(ORDERS) == (ROLE_DRIFT,)


def test_forget_drops_an_object_without_an_alert() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])

    ledger.forget(ORDERS)

    assert ledger.active(ORDERS) == ()
    assert ledger.observe(ORDERS, []) == []


def test_a_forgotten_object_that_comes_back_drifted_is_announced_again() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])
    ledger.forget(ORDERS)

    assert [a.kind for a in ledger.observe(ORDERS, [ROLE_DRIFT])] == ["drift"]


def test_resolved_names_the_drift_as_it_was_first_announced() -> None:
    ledger = DriftLedger()
    ledger.observe(ORDERS, [ROLE_DRIFT])
    same_but_left_alone = Drift(
        ORDERS, "ecs:task-definition", "orders-api", ("taskRoleArn",), False
    )
    ledger.observe(ORDERS, [same_but_left_alone])

    assert ledger.active(ORDERS) == (ROLE_DRIFT,)


def test_a_drift_of_another_object_is_refused() -> None:
    with pytest.raises(ValueError, match="Service/orders-api reported for Service/billing"):
        DriftLedger().observe("Service/billing", [ROLE_DRIFT])
