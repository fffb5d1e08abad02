"""``apply`` deploys a Service's revision only where ECS can deploy it, reports why not
elsewhere, and never deploys again a revision ECS's circuit breaker rolled back."""

from __future__ import annotations

import textwrap
from typing import Any

from tests.harness.moto import MotoPeer
from tests.harness.world import SeededWorld

from ._live import (
    container,
    describe_secret,
    ecs_service,
    latest_task_definition,
    secrets,
    tags,
    task_definition_arns,
)
from .conftest import Cli, explain
from .test_failures_are_named import assert_converged, problem_lines

BILLING = textwrap.dedent(
    """\
    apiVersion: ecs-oauth.dev/v1alpha1
    kind: Service
    metadata: {name: billing}
    spec:
      role: orders-reader
      cluster: prod
      service: billing
      taskDefinition: {family: billing, container: app}
    """
)
DEPLOYED_TAG = "ecs-oauth.dev/deployed"


def problems(cli: Cli) -> dict[str, tuple[str, str, str]]:
    """The last run's problems: object -> (resource, reason, message)."""
    result = cli.runs[-1]
    return {
        m["object"]: (m["resource"], m["reason"], m["message"])
        for m in problem_lines(result.stdout)
    }


def update_service_calls(moto: MotoPeer) -> int:
    return moto.calls().get("UpdateService", 0)


class TestACodeDeployService:
    def test_its_revision_is_registered_and_the_service_is_reported_not_updated(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        ecs = world.client("ecs")
        first = ecs.register_task_definition(
            family="billing",
            containerDefinitions=[{"name": "app", "image": "billing:1", "memory": 256}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster="prod",
            serviceName="billing",
            taskDefinition=first,
            desiredCount=1,
            deploymentController={"type": "CODE_DEPLOY"},
        )
        (cli.folder / "billing.yaml").write_text(BILLING)

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/billing"]
        assert (resource, reason) == ("ecs:service", "DeploymentControllerUnsupported")
        assert "CODE_DEPLOY" in message
        assert set(problems(cli)) == {"Service/billing"}
        definition, _ = latest_task_definition(world, "billing")
        arn = describe_secret(world, "billing")["ARN"]
        assert secrets(container(definition, "app"))["OAUTH_CLIENT_ID"] == f"{arn}:client_id::"
        assert ecs_service(world, "billing")["taskDefinition"] == first
        for service in ("orders-api", "checkout-worker", "stock-sync"):
            assert_converged(world, service)


class TestADrainingService:
    def test_it_is_reported_and_left_alone(self, cli: Cli, world: SeededWorld) -> None:
        world.client("ecs").delete_service(cluster="prod", service="stock-sync", force=True)

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        assert problems(cli) == {
            "Service/stock-sync": (
                "ecs:service",
                "EcsServiceDraining",
                problems(cli)["Service/stock-sync"][2],
            )
        }
        assert ecs_service(world, "stock-sync")["taskDefinition"].endswith("/stock-sync:1")


class TestADeploymentTheCircuitBreakerRolledBack:
    def test_the_next_apply_reports_it_and_does_not_deploy_it_again(
        self, cli: Cli, world: SeededWorld, moto: MotoPeer
    ) -> None:
        moto.fail_next_deployment("prod", "orders-api")
        cli.apply()
        service = ecs_service(world, "orders-api")
        assert service["taskDefinition"].endswith("/orders-api:1")  # rolled back
        before = update_service_calls(moto)

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/orders-api"]
        assert (resource, reason) == ("ecs:service", "RolloutFailed")
        assert "circuit breaker" in message
        assert set(problems(cli)) == {"Service/orders-api"}
        assert update_service_calls(moto) == before
        assert ecs_service(world, "orders-api")["taskDefinition"].endswith("/orders-api:1")

    def test_the_revision_records_the_deployment_it_was_given(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        cli.apply()

        revision = task_definition_arns(world, "orders-api")[-1]
        primary = ecs_service(world, "orders-api")["deployments"][0]
        listed = world.client("ecs").list_tags_for_resource(resourceArn=revision)["tags"]
        assert tags(listed)[DEPLOYED_TAG] == f"prod/orders-api orders-api:2 {primary['id']}"

    def test_a_new_revision_is_deployed(self, cli: Cli, world: SeededWorld, moto: MotoPeer) -> None:
        moto.fail_next_deployment("prod", "orders-api")
        cli.apply()
        newer = register_without_deploying(world, "orders-api", image="orders-api:fixed")

        cli.apply()

        assert ecs_service(world, "orders-api")["taskDefinition"] == newer
        assert_converged_on(world, "orders-api", newer)
        cli.assert_in_sync()


def register_without_deploying(world: SeededWorld, family: str, image: str) -> str:
    """A pipeline's new revision (the latest, with the controller's fields), not deployed."""
    definition, tag_map = latest_task_definition(world, family)
    request: dict[str, Any] = {
        key: definition[key]
        for key in ("family", "containerDefinitions", "taskRoleArn", "executionRoleArn")
        if key in definition
    }
    for entry in request["containerDefinitions"]:
        entry["image"] = image
    arn: str = world.client("ecs").register_task_definition(
        **request, tags=[{"key": k, "value": v} for k, v in tag_map.items()]
    )["taskDefinition"]["taskDefinitionArn"]
    return arn


def assert_converged_on(world: SeededWorld, service: str, revision: str) -> None:
    [deployment] = ecs_service(world, service)["deployments"]
    assert (deployment["taskDefinition"], deployment["rolloutState"]) == (revision, "COMPLETED")
