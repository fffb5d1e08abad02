"""Conditions move their lastTransitionTime only on a flip; status renders SPEC's shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.daemon import StatusBoard
from controller.daemon._board import Observation
from controller.daemon._conditions import transition
from controller.engine import drift_among
from controller.plan import Change, FieldChange, Problem

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)
KEY = "Service/orders-api"
TASK_DEF = Change(
    KEY, "ecs:task-definition", "orders-api", "update", (FieldChange("taskRoleArn", "x", "y"),)
)
ROLL = Change(
    KEY, "ecs:service", "prod/orders-api", "update", (FieldChange("taskDefinition", "a", "b"),)
)
BROKEN = Problem(KEY, "secretsmanager:resource-policy", "arn", "ExecutionRoleMissing", "no role")


def seen(*, changes=(), problems=(), applied=True, drifted=()) -> Observation:  # type: ignore[no-untyped-def]
    return Observation(
        KEY, "abc123abc123", tuple(changes), tuple(problems), applied, tuple(drifted)
    )


def conditions(board: StatusBoard) -> dict[str, dict[str, str]]:
    return {c["type"]: c for c in board.as_json()["objects"][0]["conditions"]}


def test_a_new_reason_on_the_same_status_keeps_the_transition_time() -> None:
    first = transition(None, "False", "TaskDefinitionMissing", "no revision", T0)
    later = transition(first, "False", "ExecutionRoleMissing", "no role", T1)
    assert (later.reason, later.last_transition_time) == ("ExecutionRoleMissing", T0)


def test_a_flip_moves_the_transition_time() -> None:
    first = transition(None, "False", "ExecutionRoleMissing", "no role", T0)
    assert transition(first, "True", "Ready", "ok", T1).last_transition_time == T1


def test_a_problem_makes_the_object_not_ready_and_not_synced_with_its_reason() -> None:
    board = StatusBoard("default", "desired/")
    board.observe(seen(problems=[BROKEN]), T0)
    found = conditions(board)
    assert (found["Ready"]["status"], found["Ready"]["reason"]) == ("False", "ExecutionRoleMissing")
    assert found["Synced"]["status"] == "False"
    assert found["Ready"]["lastTransitionTime"] == "2026-11-29T12:00:00Z"


def test_recovery_flips_ready_at_the_time_of_the_recovering_reconcile() -> None:
    board = StatusBoard("default", "desired/")
    board.observe(seen(problems=[BROKEN]), T0)
    board.observe(seen(problems=[BROKEN]), T0 + timedelta(seconds=30))
    board.observe(seen(), T1)
    ready = conditions(board)["Ready"]
    assert (ready["status"], ready["lastTransitionTime"]) == ("True", "2026-11-29T12:05:00Z")


def test_detect_mode_changes_are_not_synced_and_drift_is_detected_not_corrected() -> None:
    board = StatusBoard("default", "desired/")
    board.observe(seen(changes=[TASK_DEF], applied=False, drifted=[TASK_DEF]), T0)
    found = conditions(board)
    assert (found["Synced"]["status"], found["Synced"]["reason"]) == ("False", "ChangesNotApplied")
    assert (found["Drifted"]["status"], found["Drifted"]["reason"]) == ("True", "DriftDetected")
    assert found["Drifted"]["message"] == "ecs:task-definition orders-api: taskRoleArn"
    assert found["Ready"]["status"] == "True"  # the resources exist, only drifted


def test_status_json_carries_kind_name_generation_conditions_and_resources() -> None:
    board = StatusBoard("prod-eu", "desired/")
    board.observe(seen(), T0)
    document = board.as_json()
    assert document["controller"]["id"] == "prod-eu"
    assert document["controller"]["leader"] is True
    [item] = document["objects"]
    assert (item["kind"], item["name"], item["observedGeneration"]) == (
        "Service",
        "orders-api",
        "abc123abc123",
    )
    assert [c["type"] for c in item["conditions"]] == ["Ready", "Synced", "Drifted"]


def test_an_invalid_desired_state_is_a_controller_condition_with_the_first_error() -> None:
    board = StatusBoard("default", "desired/")
    board.desired_state(["desired/a.yaml:3:5: error: bad"], T0)
    [condition] = board.as_json()["controller"]["conditions"]
    assert condition["reason"] == "DesiredStateInvalid"
    assert "desired/a.yaml:3:5" in condition["message"]


def test_no_drift_before_the_object_was_ever_in_sync() -> None:
    assert drift_among([TASK_DEF], in_sync_before=False) == ()


def test_the_service_roll_that_follows_a_correction_is_not_drift_of_its_own() -> None:
    assert drift_among([TASK_DEF, ROLL], in_sync_before=True) == (TASK_DEF,)


def test_a_service_pointed_elsewhere_by_hand_is_drift() -> None:
    assert drift_among([ROLL], in_sync_before=True) == (ROLL,)
