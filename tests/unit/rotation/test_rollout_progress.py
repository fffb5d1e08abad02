"""How far a rollout has got, from DescribeServices' deployments: revoke may only run
once no task started before finish is left."""

from __future__ import annotations

from typing import Any

from controller.engine._rotation_plan import rollout_progress

OURS = "ecs-svc/2"


def deployment(id_: str, status: str, state: str | None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"id": id_, "status": status, **more}
    if state is not None:
        found["rolloutState"] = state
    return found


def test_our_deployment_alone_and_completed_completes_the_rollout() -> None:
    assert rollout_progress([deployment(OURS, "PRIMARY", "COMPLETED")], OURS) == ("completed", "")


def test_old_tasks_still_draining_keep_the_rollout_waiting() -> None:
    progress, why = rollout_progress(
        [
            deployment(OURS, "PRIMARY", "COMPLETED"),
            deployment("ecs-svc/1", "ACTIVE", "COMPLETED"),
        ],
        OURS,
    )

    assert progress == "waiting"
    assert "2 deployment(s)" in why


def test_our_deployment_in_progress_keeps_the_rollout_waiting() -> None:
    assert rollout_progress([deployment(OURS, "PRIMARY", "IN_PROGRESS")], OURS)[0] == "waiting"


def test_a_failed_deployment_fails_the_rollout_with_ecs_reason() -> None:
    failed = deployment(
        OURS, "PRIMARY", "FAILED", rolloutStateReason="ECS deployment circuit breaker: tasks failed"
    )

    assert rollout_progress([failed], OURS) == (
        "failed",
        "ECS deployment circuit breaker: tasks failed",
    )


def test_a_later_deployment_that_replaced_ours_completes_the_rollout_too() -> None:
    assert rollout_progress([deployment("ecs-svc/3", "PRIMARY", "COMPLETED")], OURS)[0] == (
        "completed"
    )


def test_a_deployment_without_rollout_state_counts_once_it_runs_every_task() -> None:
    settled = deployment(OURS, "PRIMARY", None, runningCount=2, desiredCount=2)
    starting = deployment(OURS, "PRIMARY", None, runningCount=1, desiredCount=2)

    assert rollout_progress([settled], OURS)[0] == "completed"
    assert rollout_progress([starting], OURS)[0] == "waiting"


def test_a_service_without_deployments_is_never_read_as_a_completed_rollout() -> None:
    progress, why = rollout_progress([], OURS)

    assert progress == "waiting"
    assert "no deployment" in why
