"""The doctor's verdicts on what it read, for the links the integration tests cannot
easily break against real peers: clocks, vanished services, old revisions, extra scopes,
foreign task roles; and the fixes it gives, which never roll onto a revision that fails a
check and never say apply where apply changes nothing (detect mode)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.cli._doctor_checks import (
    ENFORCE,
    Remedy,
    clock_check,
    deployment_check,
    scopes_check,
    task_role_check,
)

CREATED = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
LATEST = "arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:7"


def ecs_service(started: datetime, task_definition: str = LATEST) -> dict[str, object]:
    deployment = {"status": "PRIMARY", "createdAt": started, "rolloutState": "COMPLETED"}
    return {"taskDefinition": task_definition, "deployments": [deployment]}


class TestTheClock:
    def test_a_skew_under_a_minute_passes(self) -> None:
        check = clock_check(timedelta(seconds=-12))

        assert (check.status, check.detail) == (
            "PASS",
            "the IdP's clock is 12 s behind this machine's (limit 60 s)",
        )

    def test_a_skew_over_a_minute_fails_and_says_to_synchronise(self) -> None:
        check = clock_check(timedelta(minutes=5))

        assert check.status == "FAIL"
        assert (
            check.detail == "the IdP's clock is 300 s ahead of this machine's, over the 60 s limit"
        )
        assert check.fix.startswith("synchronise the clocks (NTP)")

    def test_an_idp_without_a_date_header_fails_as_unknown(self) -> None:
        assert "no Date header" in clock_check(None).detail


class TestTheDeployment:
    def test_a_deployment_younger_than_the_secret_version_passes(self) -> None:
        check = deployment_check(
            ecs_service(CREATED + timedelta(seconds=3)), "prod/orders-api", LATEST, CREATED
        )

        assert check.status == "PASS"

    def test_a_deployment_older_than_the_secret_version_says_to_force_a_new_one(self) -> None:
        check = deployment_check(
            ecs_service(CREATED - timedelta(hours=1)), "prod/orders-api", LATEST, CREATED
        )

        assert check.status == "FAIL"
        assert "running tasks hold an older credential" in check.detail
        assert check.fix == (
            "force a new deployment: aws ecs update-service --cluster prod "
            "--service orders-api --force-new-deployment"
        )

    def test_a_service_on_an_older_revision_says_to_apply(self) -> None:
        older = LATEST.replace(":7", ":5")

        check = deployment_check(ecs_service(CREATED, older), "prod/orders-api", LATEST, CREATED)

        assert check.detail == "orders-api runs orders-api:5, not the latest revision orders-api:7"
        assert check.fix.startswith("run ecs-oauth apply")

    def test_a_missing_ecs_service_is_named_with_its_cluster(self) -> None:
        check = deployment_check(None, "prod/orders-api", LATEST, CREATED)

        assert check.detail == "ECS service orders-api not found in cluster prod"


def test_extra_scopes_are_named_as_such() -> None:
    check = scopes_check(["orders/read", "orders/write"], "orders-reader", ["orders/read"])

    assert check.status == "FAIL"
    assert check.detail.endswith("(extra orders/write)")


class TestTheDeploymentAsEcsReportsIt:
    def test_the_primary_deployment_decides_which_revision_runs(self) -> None:
        older = LATEST.replace(":7", ":5")
        service = ecs_service(CREATED, LATEST)
        service["deployments"][0]["taskDefinition"] = older  # type: ignore[index]

        check = deployment_check(service, "prod/orders-api", LATEST, CREATED)

        assert check.detail == "orders-api runs orders-api:5, not the latest revision orders-api:7"

    def test_a_rolled_back_deployment_of_the_latest_revision_says_why(self) -> None:
        older = LATEST.replace(":7", ":5")
        later = CREATED + timedelta(minutes=1)
        service: dict[str, object] = {
            "taskDefinition": older,
            "deployments": [
                {"status": "PRIMARY", "taskDefinition": older, "createdAt": later},
                {
                    "status": "ACTIVE",
                    "taskDefinition": LATEST,
                    "createdAt": later,
                    "rolloutState": "FAILED",
                    "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
                },
            ],
        }

        check = deployment_check(service, "prod/orders-api", LATEST, CREATED)

        assert check.status == "FAIL"
        assert "orders-api:7 failed (ECS deployment circuit breaker" in check.detail
        assert "register a new revision" in check.fix

    def test_a_code_deploy_service_cannot_be_judged_from_deployments(self) -> None:
        service: dict[str, object] = {
            "taskDefinition": LATEST,
            "deploymentController": {"type": "CODE_DEPLOY"},
            "deployments": [],
        }

        check = deployment_check(service, "prod/orders-api", LATEST, CREATED)

        assert check.status == "FAIL"
        assert "CODE_DEPLOY deployment controller" in check.detail


ROLE_ARN = "arn:aws:iam::123456789012:role/ecs-oauth/task/ecs-oauth-orders-reader"
DETECT = Remedy("orders-api", detect=True)


class TestTheTaskRole:
    def test_the_role_s_own_task_role_passes(self) -> None:
        check = task_role_check(
            LATEST, {"taskRoleArn": ROLE_ARN}, "orders-reader", ROLE_ARN, ENFORCE
        )

        assert (check.status, check.detail) == (
            "PASS",
            f"orders-api:7 runs as Role/orders-reader's task role {ROLE_ARN}",
        )

    def test_another_task_role_fails_and_names_both(self) -> None:
        intruder = "arn:aws:iam::123456789012:role/intruder"

        check = task_role_check(
            LATEST, {"taskRoleArn": intruder}, "orders-reader", ROLE_ARN, ENFORCE
        )

        assert check.status == "FAIL"
        assert (
            check.detail == f"orders-api:7 runs as {intruder}, not Role/orders-reader's {ROLE_ARN}"
        )
        assert (
            check.fix
            == "run ecs-oauth apply: it registers a revision that runs as ecs-oauth-orders-reader"
        )

    def test_no_task_role_at_all_fails(self) -> None:
        check = task_role_check(LATEST, {}, "orders-reader", ROLE_ARN, ENFORCE)

        assert check.detail.startswith(
            "orders-api:7 runs as no task role, not Role/orders-reader's"
        )

    def test_a_role_missing_in_iam_says_apply_creates_it(self) -> None:
        check = task_role_check(LATEST, {"taskRoleArn": ROLE_ARN}, "orders-reader", None, DETECT)

        assert (
            check.detail == "Role/orders-reader's IAM role ecs-oauth-orders-reader does not exist"
        )
        assert check.fix.startswith("run ecs-oauth apply: it creates the role")

    def test_without_a_revision_it_is_skipped(self) -> None:
        assert task_role_check(None, {}, "orders-reader", ROLE_ARN, ENFORCE).status == "SKIP"


class TestNoFixRollsOntoABrokenRevision:
    def test_an_older_running_revision_is_not_rolled_onto_a_latest_that_fails(self) -> None:
        older = LATEST.replace(":7", ":5")

        check = deployment_check(
            ecs_service(CREATED, older), "prod/orders-api", LATEST, CREATED, unfit="task-role"
        )

        assert check.status == "FAIL"
        assert check.fix == (
            "do not roll orders-api onto orders-api:7: it fails the task-role check above; "
            "run ecs-oauth apply: it registers a corrected revision and rolls the service onto it"
        )

    def test_no_forced_deployment_of_a_revision_that_fails(self) -> None:
        check = deployment_check(
            ecs_service(CREATED - timedelta(hours=1)),
            "prod/orders-api",
            LATEST,
            CREATED,
            unfit="task-definition and task-role",
        )

        assert "force-new-deployment" not in check.fix
        assert check.fix.startswith(
            "do not roll orders-api onto orders-api:7: it fails the task-definition and "
            "task-role check above"
        )

    def test_a_deployment_running_the_latest_passes_whatever_that_revision_holds(self) -> None:
        check = deployment_check(
            ecs_service(CREATED + timedelta(seconds=1)),
            "prod/orders-api",
            LATEST,
            CREATED,
            unfit="task-role",
        )

        assert check.status == "PASS"


class TestDetectMode:
    def test_a_fix_that_says_apply_says_by_hand_instead(self) -> None:
        check = scopes_check(["orders/read"], "checkout", ["orders/write"], DETECT)

        assert check.fix == (
            "Service/orders-api is in detect mode, so apply changes nothing for it: its team "
            "corrects this by hand, or sets spec.mode: enforce and runs ecs-oauth apply"
        )

    def test_a_fix_by_hand_stays_as_it_is(self) -> None:
        check = deployment_check(
            ecs_service(CREATED - timedelta(hours=1)),
            "prod/orders-api",
            LATEST,
            CREATED,
            remedy=DETECT,
        )

        assert check.fix.startswith("force a new deployment: aws ecs update-service")

    def test_no_roll_onto_a_broken_revision_and_no_apply_either(self) -> None:
        older = LATEST.replace(":7", ":5")

        check = deployment_check(
            ecs_service(CREATED, older),
            "prod/orders-api",
            LATEST,
            CREATED,
            unfit="task-role",
            remedy=DETECT,
        )

        assert check.fix.startswith("do not roll orders-api onto orders-api:7")
        assert "is in detect mode, so apply changes nothing for it" in check.fix
