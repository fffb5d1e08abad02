"""The ledger turns drifts seen every cycle into one message per incident: one object's
drifts announced together once, and one "resolved" when all of them are gone."""

from __future__ import annotations

import pytest

from controller.alerts import Drift, DriftLedger, incident_fingerprint

ORDERS = "Service/orders-api"
ROLE_DRIFT = Drift(ORDERS, "ecs:task-definition", "orders-api", ("taskRoleArn",), corrected=True)
SCOPE_DRIFT = Drift(ORDERS, "idp:client", "abc123", ("scope",), corrected=True)
CPU_DRIFT = Drift(ORDERS, "ecs:task-definition", "orders-api", ("cpu",), corrected=False)


class TestOneIncidentOneMessage:
    def test_a_new_drift_is_announced_once(self) -> None:
        ledger = DriftLedger()

        [alert] = ledger.observe(ORDERS, [ROLE_DRIFT])

        assert (alert.kind, alert.object, alert.resource) == (
            "drift",
            ORDERS,
            "ecs:task-definition",
        )
        assert alert.paths == ("taskRoleArn",)
        assert alert.drifts == (ROLE_DRIFT,)
        assert alert.fingerprint == incident_fingerprint([ROLE_DRIFT])

    def test_drifts_of_several_resources_in_one_reconcile_are_one_message(self) -> None:
        ledger = DriftLedger()

        [alert] = ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

        assert alert.drifts == (ROLE_DRIFT, SCOPE_DRIFT)
        assert alert.resource == "ecs:task-definition, idp:client"
        assert alert.paths == ("taskRoleArn", "scope")

    def test_the_same_drift_seen_again_is_not_announced_again(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

        assert ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT]) == []
        assert ledger.observe(ORDERS, [SCOPE_DRIFT, ROLE_DRIFT]) == []

    def test_the_same_drift_reported_twice_in_one_reconcile_is_listed_once(self) -> None:
        [alert] = DriftLedger().observe(ORDERS, [ROLE_DRIFT, ROLE_DRIFT])

        assert alert.drifts == (ROLE_DRIFT,)

    def test_a_further_drift_while_the_incident_is_open_is_one_more_message_of_it(
        self,
    ) -> None:
        ledger = DriftLedger()
        [first] = ledger.observe(ORDERS, [ROLE_DRIFT])

        [more] = ledger.observe(ORDERS, [ROLE_DRIFT, CPU_DRIFT])

        assert more.drifts == (CPU_DRIFT,)
        assert more.title == "More drift left alone (detect mode) on Service/orders-api"
        assert more.fingerprint == first.fingerprint


class TestOneResolvedMessage:
    def test_all_drift_gone_is_resolved_once_naming_every_resource(self) -> None:
        ledger = DriftLedger()
        [announced] = ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

        [resolved] = ledger.observe(ORDERS, [])

        assert (resolved.kind, resolved.object) == ("resolved", ORDERS)
        assert resolved.drifts == (ROLE_DRIFT, SCOPE_DRIFT)
        assert resolved.fingerprint == announced.fingerprint
        assert ledger.observe(ORDERS, []) == []

    def test_one_of_two_drifts_going_away_says_nothing_until_the_other_goes_too(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT, SCOPE_DRIFT])

        assert ledger.observe(ORDERS, [SCOPE_DRIFT]) == []
        [resolved] = ledger.observe(ORDERS, [])

        assert resolved.kind == "resolved"
        assert resolved.drifts == (ROLE_DRIFT, SCOPE_DRIFT)

    def test_resolved_names_the_drift_as_it_was_first_announced(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT])
        same_but_left_alone = Drift(
            ORDERS, "ecs:task-definition", "orders-api", ("taskRoleArn",), False
        )
        ledger.observe(ORDERS, [same_but_left_alone])

        assert ledger.active(ORDERS) == (ROLE_DRIFT,)

    def test_an_incident_that_resolved_and_comes_back_is_a_new_incident(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT])
        ledger.observe(ORDERS, [])

        assert [a.kind for a in ledger.observe(ORDERS, [ROLE_DRIFT])] == ["drift"]


class TestBookkeeping:
    def test_objects_are_tracked_apart(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT])

        assert ledger.observe("Service/billing", []) == []
        assert ledger.active(ORDERS) == (ROLE_DRIFT,)

    def test_forget_drops_an_object_without_an_alert(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT])

        ledger.forget(ORDERS)

        assert ledger.active(ORDERS) == ()
        assert ledger.observe(ORDERS, []) == []

    def test_a_forgotten_object_that_comes_back_drifted_is_announced_again(self) -> None:
        ledger = DriftLedger()
        ledger.observe(ORDERS, [ROLE_DRIFT])
        ledger.forget(ORDERS)

        assert [a.kind for a in ledger.observe(ORDERS, [ROLE_DRIFT])] == ["drift"]

    def test_a_drift_of_another_object_is_refused(self) -> None:
        with pytest.raises(ValueError, match="Service/orders-api reported for Service/billing"):
            DriftLedger().observe("Service/billing", [ROLE_DRIFT])
