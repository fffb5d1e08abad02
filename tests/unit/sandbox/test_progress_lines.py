"""What the sandbox prints while it watches ``/status``: transitions, not the whole table."""

from __future__ import annotations

from typing import Any

from controller.sandbox import all_ready, daemon_event_line, transitions


def condition(type_: str, status: str, reason: str, message: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason, "message": message}


def status(
    *objects: dict[str, Any], controller: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "controller": {"id": "default", "conditions": controller or []},
        "objects": list(objects),
    }


def service(name: str, *conditions: dict[str, str]) -> dict[str, Any]:
    return {"kind": "Service", "name": name, "conditions": list(conditions)}


READY = condition("Ready", "True", "Ready", "every managed resource exists")
SYNCED = condition("Synced", "True", "Synced", "nothing to change")
IN_SYNC = condition("Drifted", "False", "InSync")


class TestFirstSight:
    def test_an_object_first_shows_its_readiness_only(self) -> None:
        lines = transitions(None, status(service("orders-api", READY, SYNCED, IN_SYNC)))

        assert lines == ["Service/orders-api  Ready=True Ready: every managed resource exists"]

    def test_a_drift_already_there_on_first_sight_is_told(self) -> None:
        drifted = condition(
            "Drifted", "True", "DriftDetected", "ecs:task-definition x: taskRoleArn"
        )

        lines = transitions(None, status(service("stock-sync", READY, drifted)))

        assert (
            "Service/stock-sync  Drifted=True DriftDetected: ecs:task-definition x: taskRoleArn"
            in lines
        )

    def test_a_controller_condition_is_told_only_when_it_is_not_fine(self) -> None:
        fine = condition("DesiredStateValid", "True", "DesiredStateValid")
        broken = condition("DesiredStateValid", "False", "DesiredStateInvalid", "a.yaml:3:1: bad")

        assert transitions(None, status(controller=[fine])) == []
        assert transitions(None, status(controller=[broken])) == [
            "controller  DesiredStateValid=False DesiredStateInvalid: a.yaml:3:1: bad"
        ]


class TestChanges:
    def test_nothing_is_told_twice(self) -> None:
        document = status(service("orders-api", READY, SYNCED, IN_SYNC))

        assert transitions(document, document) == []

    def test_a_drift_and_its_correction_are_each_one_line(self) -> None:
        before = status(service("orders-api", READY, SYNCED, IN_SYNC))
        corrected = condition(
            "Drifted", "True", "DriftCorrected", "ecs:task-definition: taskRoleArn"
        )
        during = status(service("orders-api", READY, SYNCED, corrected))

        assert transitions(before, during) == [
            "Service/orders-api  Drifted=True DriftCorrected: ecs:task-definition: taskRoleArn"
        ]
        assert transitions(during, before) == ["Service/orders-api  Drifted=False InSync"]

    def test_a_new_message_with_the_same_status_and_reason_is_not_news(self) -> None:
        before = status(service("orders-api", condition("Ready", "False", "AwsError", "try 1")))
        after = status(service("orders-api", condition("Ready", "False", "AwsError", "try 2")))

        assert transitions(before, after) == []


class TestReadiness:
    def test_every_named_service_must_be_ready(self) -> None:
        not_ready = condition("Ready", "False", "NotCreated")
        document = status(service("orders-api", READY), service("stock-sync", not_ready))

        assert all_ready(document, {"orders-api"})
        assert not all_ready(document, {"orders-api", "stock-sync"})

    def test_a_service_the_daemon_has_not_reported_yet_is_not_ready(self) -> None:
        assert not all_ready(status(service("orders-api", READY)), {"orders-api", "checkout"})


class TestTheChangesTheDaemonMakes:
    def test_a_created_resource_is_one_line(self) -> None:
        event = {
            "event": "change",
            "object": "Service/orders-api",
            "resource": "idp:client",
            "action": "create",
            "id": "ecs-oauth-orders-api",
            "paths": ["name", "scopes", "grantTypes"],
            "applied": True,
        }

        assert (
            daemon_event_line(event) == "Service/orders-api  create idp:client ecs-oauth-orders-api"
        )

    def test_an_update_names_its_fields_up_to_three(self) -> None:
        event = {
            "event": "change",
            "object": "Service/orders-api",
            "resource": "ecs:task-definition",
            "action": "update",
            "id": "orders-api",
            "paths": ["taskRoleArn", "executionRoleArn", "a", "b", "c"],
            "applied": True,
        }

        assert daemon_event_line(event) == (
            "Service/orders-api  update ecs:task-definition orders-api "
            "(taskRoleArn, executionRoleArn, a and 2 more)"
        )

    def test_a_change_left_alone_in_detect_mode_is_not_a_change_made(self) -> None:
        event = {"event": "change", "object": "Service/stock-sync", "applied": False}

        assert daemon_event_line(event) is None

    def test_a_completed_rotation_phase_is_shown(self) -> None:
        event = {"event": "rotation_phase", "object": "Service/orders-api", "action": "finish"}

        assert daemon_event_line(event) == "Service/orders-api  rotation: finish done"

    def test_every_other_event_is_left_to_the_log(self) -> None:
        assert daemon_event_line({"event": "cycle_finished"}) is None
