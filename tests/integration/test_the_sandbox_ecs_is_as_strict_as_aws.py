"""The sandbox's ECS deploys, refuses and fails as ECS does, where moto alone would not:
the controller's rollout handling is only tested if the peer behaves like AWS."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness.moto import MotoPeer

CLUSTER = "prod"


@pytest.fixture
def ecs(moto: MotoPeer) -> Any:
    client = moto.boto3_client("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


def register(ecs: Any, image: str) -> str:
    arn: str = ecs.register_task_definition(
        family="orders-api",
        containerDefinitions=[{"name": "app", "image": image, "memory": 256}],
    )["taskDefinition"]["taskDefinitionArn"]
    return arn


def create_service(ecs: Any, name: str, revision: str, controller: str = "ECS") -> dict[str, Any]:
    service: dict[str, Any] = ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=revision,
        desiredCount=1,
        deploymentController={"type": controller},
    )["service"]
    return service


def describe(ecs: Any, name: str) -> dict[str, Any]:
    [service] = ecs.describe_services(cluster=CLUSTER, services=[name])["services"]
    return service


def refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    details = error.value.response["Error"]
    return details["Code"], details["Message"]


class TestARollingDeployment:
    def test_a_new_task_definition_becomes_the_primary_deployment(self, ecs: Any) -> None:
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first)

        ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)

        service = describe(ecs, "orders-api")
        [deployment] = service["deployments"]
        assert service["taskDefinition"] == second
        assert (deployment["status"], deployment["taskDefinition"]) == ("PRIMARY", second)
        assert deployment["rolloutState"] == "COMPLETED"

    def test_a_forced_deployment_starts_a_new_deployment_of_the_same_revision(
        self, ecs: Any
    ) -> None:
        revision = register(ecs, "app:1")
        before = create_service(ecs, "orders-api", revision)["deployments"][0]

        ecs.update_service(cluster=CLUSTER, service="orders-api", forceNewDeployment=True)

        [deployment] = describe(ecs, "orders-api")["deployments"]
        assert deployment["id"] != before["id"]
        assert deployment["createdAt"] >= before["createdAt"]
        assert deployment["taskDefinition"] == revision

    def test_a_family_and_revision_is_recorded_as_the_revision_arn(self, ecs: Any) -> None:
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first)

        ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition="orders-api:2")

        assert describe(ecs, "orders-api")["deployments"][0]["taskDefinition"] == second


class TestDeploymentControllersOtherThanEcs:
    @pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
    def test_a_new_task_definition_is_refused_with_ecs_own_error(
        self, ecs: Any, controller: str
    ) -> None:
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first, controller)

        with pytest.raises(ClientError) as refused:
            ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)

        code, message = refusal(refused)
        assert code == "InvalidParameterException"
        assert message.startswith(
            f"Unable to update task definition on services with a {controller} deployment "
            "controller."
        )
        assert describe(ecs, "orders-api")["taskDefinition"] == first

    @pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
    def test_a_forced_deployment_is_refused(self, ecs: Any, controller: str) -> None:
        create_service(ecs, "orders-api", register(ecs, "app:1"), controller)

        with pytest.raises(ClientError) as refused:
            ecs.update_service(cluster=CLUSTER, service="orders-api", forceNewDeployment=True)

        code, message = refusal(refused)
        assert code == "InvalidParameterException"
        assert "Cannot force a new deployment" in message

    def test_the_desired_count_may_still_change(self, ecs: Any) -> None:
        create_service(ecs, "orders-api", register(ecs, "app:1"), "CODE_DEPLOY")

        ecs.update_service(cluster=CLUSTER, service="orders-api", desiredCount=3)

        assert describe(ecs, "orders-api")["desiredCount"] == 3


class TestADeletedServiceWithRunningTasks:
    def test_it_drains_and_refuses_updates(self, ecs: Any) -> None:
        create_service(ecs, "orders-api", register(ecs, "app:1"))
        ecs.delete_service(cluster=CLUSTER, service="orders-api", force=True)

        assert describe(ecs, "orders-api")["status"] == "DRAINING"
        with pytest.raises(ClientError) as refused:
            ecs.update_service(cluster=CLUSTER, service="orders-api", forceNewDeployment=True)
        assert refusal(refused)[0] == "ServiceNotActiveException"


class TestADeploymentTheCircuitBreakerStops:
    def test_update_service_answers_as_usual(self, ecs: Any, moto: MotoPeer) -> None:
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first)
        moto.fail_next_deployment(CLUSTER, "orders-api")

        answer = ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)

        primary = answer["service"]["deployments"][0]
        assert (primary["status"], primary["taskDefinition"]) == ("PRIMARY", second)
        assert primary["rolloutState"] == "IN_PROGRESS"

    def test_it_then_reads_failed_and_the_service_rolled_back(
        self, ecs: Any, moto: MotoPeer
    ) -> None:
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first)
        moto.fail_next_deployment(CLUSTER, "orders-api")
        answer = ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)
        ours = answer["service"]["deployments"][0]["id"]

        service = describe(ecs, "orders-api")

        primary, failed = service["deployments"]
        assert service["taskDefinition"] == first
        assert (primary["status"], primary["taskDefinition"]) == ("PRIMARY", first)
        assert primary["rolloutState"] == "COMPLETED"
        assert (failed["id"], failed["status"], failed["rolloutState"]) == (
            ours,
            "ACTIVE",
            "FAILED",
        )
        assert "circuit breaker" in failed["rolloutStateReason"]

    def test_only_the_next_deployment_fails(self, ecs: Any, moto: MotoPeer) -> None:
        first, second, third = (register(ecs, f"app:{n}") for n in (1, 2, 3))
        create_service(ecs, "orders-api", first)
        moto.fail_next_deployment(CLUSTER, "orders-api")
        ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)

        ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=third)

        [deployment] = describe(ecs, "orders-api")["deployments"]
        assert (deployment["taskDefinition"], deployment["rolloutState"]) == (third, "COMPLETED")

    def test_a_reset_forgets_a_pending_failure(self, ecs: Any, moto: MotoPeer) -> None:
        moto.fail_next_deployment(CLUSTER, "orders-api")
        moto.reset()
        ecs.create_cluster(clusterName=CLUSTER)
        first, second = register(ecs, "app:1"), register(ecs, "app:2")
        create_service(ecs, "orders-api", first)

        ecs.update_service(cluster=CLUSTER, service="orders-api", taskDefinition=second)

        assert describe(ecs, "orders-api")["deployments"][0]["rolloutState"] == "COMPLETED"
