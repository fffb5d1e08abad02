"""What the controller does with a Service's ECS service, from DescribeServices and the
deployment it recorded on the revision: deploy, leave alone, or report why not."""

from __future__ import annotations

from typing import Any

from controller.engine._ecs_service import (
    DEPLOYED_TAG,
    deployed_value,
    recorded_deployment,
    service_verdict,
)

PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:"
OLD, NEW = PREFIX + "1", PREFIX + "2"


def live(
    task_definition: str = OLD,
    *deployments: dict[str, Any],
    controller: str | None = "ECS",
    status: str = "ACTIVE",
) -> dict[str, Any]:
    service: dict[str, Any] = {
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "serviceName": "orders-api",
        "status": status,
        "taskDefinition": task_definition,
        "deployments": list(deployments)
        or [{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": task_definition}],
    }
    if controller is not None:
        service["deploymentController"] = {"type": controller}
    return service


def failed(id_: str, task_definition: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "id": id_,
        "status": status,
        "taskDefinition": task_definition,
        "rolloutState": "FAILED",
        "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
    }


class TestARollingUpdateService:
    def test_a_new_revision_is_deployed(self) -> None:
        assert service_verdict(live(OLD), NEW, False, None).action == "deploy"

    def test_a_service_without_a_deployment_controller_field_is_a_rolling_one(self) -> None:
        assert service_verdict(live(OLD, controller=None), NEW, False, None).action == "deploy"

    def test_the_revision_it_runs_is_left_alone(self) -> None:
        assert service_verdict(live(NEW), NEW, False, None).action == "none"

    def test_replaced_credentials_start_fresh_tasks_on_the_same_revision(self) -> None:
        assert service_verdict(live(NEW), NEW, True, None).action == "deploy"


class TestDeploymentControllersEcsCannotBeToldToDeploy:
    def test_code_deploy_is_reported_instead_of_updated(self) -> None:
        verdict = service_verdict(live(OLD, controller="CODE_DEPLOY"), NEW, False, None)

        assert (verdict.action, verdict.reason) == ("problem", "DeploymentControllerUnsupported")
        assert "CODE_DEPLOY" in verdict.message
        assert "orders-api:2" in verdict.message

    def test_external_is_reported_even_for_fresh_tasks_on_the_same_revision(self) -> None:
        verdict = service_verdict(live(NEW, controller="EXTERNAL"), NEW, True, None)

        assert verdict.reason == "DeploymentControllerUnsupported"

    def test_one_already_on_the_revision_needs_nothing(self) -> None:
        assert service_verdict(live(NEW, controller="CODE_DEPLOY"), NEW, False, None).action == (
            "none"
        )


def test_a_draining_service_is_reported_not_updated() -> None:
    verdict = service_verdict(live(OLD, status="DRAINING"), NEW, False, None)

    assert (verdict.action, verdict.reason) == ("problem", "EcsServiceDraining")


class TestADeploymentThatDidNotStick:
    def test_a_rolled_back_deployment_is_reported_not_repeated(self) -> None:
        rolled_back = live(
            OLD,
            {"id": "ecs-svc/3", "status": "PRIMARY", "taskDefinition": OLD},
            failed("ecs-svc/2", NEW),
        )

        verdict = service_verdict(rolled_back, NEW, False, "ecs-svc/2")

        assert (verdict.action, verdict.reason) == ("problem", "RolloutFailed")
        assert "circuit breaker" in verdict.message
        assert "rolled the service back to orders-api:1" in verdict.message

    def test_once_the_failed_deployment_drained_it_is_still_not_repeated(self) -> None:
        verdict = service_verdict(live(OLD), NEW, False, "ecs-svc/2")

        assert (verdict.action, verdict.reason) == ("problem", "RolloutFailed")
        assert DEPLOYED_TAG in verdict.message

    def test_a_failed_deployment_without_rollback_is_reported(self) -> None:
        stuck = live(NEW, failed("ecs-svc/2", NEW, status="PRIMARY"))

        assert service_verdict(stuck, NEW, False, "ecs-svc/2").reason == "RolloutFailed"

    def test_a_new_revision_is_deployed_again(self) -> None:
        newer = PREFIX + "3"
        rolled_back = live(OLD, failed("ecs-svc/2", NEW))

        assert service_verdict(rolled_back, newer, False, None).action == "deploy"


class TestTheRecordOnTheRevision:
    def test_it_names_the_deployment_of_that_revision_to_that_service(self) -> None:
        tags = {DEPLOYED_TAG: deployed_value("prod", "orders-api", NEW, "ecs-svc/2")}

        assert recorded_deployment(tags, "prod", "orders-api", NEW) == "ecs-svc/2"

    def test_a_record_copied_from_the_revision_before_records_nothing(self) -> None:
        tags = {DEPLOYED_TAG: deployed_value("prod", "orders-api", OLD, "ecs-svc/1")}

        assert recorded_deployment(tags, "prod", "orders-api", NEW) is None

    def test_a_record_for_another_service_records_nothing(self) -> None:
        tags = {DEPLOYED_TAG: deployed_value("prod", "billing", NEW, "ecs-svc/2")}

        assert recorded_deployment(tags, "prod", "orders-api", NEW) is None
        assert recorded_deployment({}, "prod", "orders-api", NEW) is None


class TestAServiceRunningAnotherFamily:
    OTHER = "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout-worker:4"

    def test_it_is_reported_and_never_updated(self) -> None:
        verdict = service_verdict(live(self.OTHER), NEW, False, None, "orders-api")

        assert (verdict.action, verdict.reason) == ("problem", "ServiceFamilyMismatch")
        assert "prod/orders-api" in verdict.message
        assert "family checkout-worker" in verdict.message
        assert "declared family orders-api" in verdict.message

    def test_even_when_credentials_were_replaced(self) -> None:
        verdict = service_verdict(live(self.OTHER), NEW, True, None, "orders-api")

        assert verdict.reason == "ServiceFamilyMismatch"

    def test_an_older_revision_of_the_declared_family_is_deployed(self) -> None:
        assert service_verdict(live(OLD), NEW, False, None, "orders-api").action == "deploy"

    def test_without_a_declared_family_the_revision_names_it(self) -> None:
        assert service_verdict(live(self.OTHER), NEW, False, None).reason == (
            "ServiceFamilyMismatch"
        )

    def test_a_family_that_is_a_prefix_of_another_is_not_the_same(self) -> None:
        longer = PREFIX.replace("orders-api:", "orders-api-v2:") + "1"

        assert service_verdict(live(longer), NEW, False, None, "orders-api").reason == (
            "ServiceFamilyMismatch"
        )
