"""The doctor's verdicts on what it read, for the links the integration tests cannot
easily break against real peers: clocks, vanished services, old revisions, extra scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.cli._doctor_checks import clock_check, deployment_check, scopes_check

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
