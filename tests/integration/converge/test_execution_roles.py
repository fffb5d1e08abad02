"""Which execution role reads a Service's secret, and that the revision names it.

ECS refuses a revision with container ``secrets`` and no ``executionRoleArn``, and a task
whose execution role cannot read the secret fails to start. The role is the Service's
``executionRoleArn``; else the team's own, named by their latest revision (kept, so their
image pulls, logs and other secrets keep working); else a dedicated role.
"""

from __future__ import annotations

import json
from typing import Any

from controller.sandbox._seed import TASK_TRUST_POLICY
from tests.harness.world import SeededWorld

from ._live import (
    container,
    describe_secret,
    latest_task_definition,
    register_revision,
    secret_value,
    secrets,
)
from .conftest import Cli, explain

TEAM_ROLE = "orders-team-execution"
TRUST = TASK_TRUST_POLICY  # what a team writes for its own role


def team_execution_role(world: SeededWorld) -> str:
    """A role the team made for their own task: the controller must never modify it."""
    iam = world.client("iam")
    arn: str = iam.create_role(RoleName=TEAM_ROLE, AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"
    ]["Arn"]
    iam.put_role_policy(
        RoleName=TEAM_ROLE,
        PolicyName="pull-and-log",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
            }
        ),
    )
    return arn


def resource_policy_principal(world: SeededWorld, service: str) -> Any:
    policy = world.client("secretsmanager").get_resource_policy(SecretId=f"ecs-oauth/{service}")
    [statement] = json.loads(policy["ResourcePolicy"])["Statement"]
    return statement["Principal"]


def role_names(world: SeededWorld) -> set[str]:
    return {role["RoleName"] for role in world.client("iam").list_roles()["Roles"]}


class TestTheTeamsOwnExecutionRole:
    def test_a_revision_s_execution_role_is_kept_and_granted_read_on_the_secret(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        team_role = team_execution_role(world)
        register_revision(world, "orders-api", executionRoleArn=team_role)
        inline_before = world.client("iam").list_role_policies(RoleName=TEAM_ROLE)

        cli.apply()

        definition, _ = latest_task_definition(world, "orders-api")
        assert definition["executionRoleArn"] == team_role
        assert resource_policy_principal(world, "orders-api") == {"AWS": team_role}
        assert "ecs-oauth-orders-api-exec" not in role_names(world)
        inline_after = world.client("iam").list_role_policies(RoleName=TEAM_ROLE)
        assert inline_after["PolicyNames"] == inline_before["PolicyNames"]
        cli.assert_in_sync()

    def test_a_shared_execution_role_is_set_on_the_registered_revision(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        cli.apply()

        definition, _ = latest_task_definition(world, "checkout-worker")
        assert definition["executionRoleArn"] == world.execution_role_arn
        assert resource_policy_principal(world, "checkout-worker") == {
            "AWS": world.execution_role_arn
        }

    def test_a_revision_without_one_gets_the_dedicated_role(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        cli.apply()

        definition, _ = latest_task_definition(world, "orders-api")
        assert definition["executionRoleArn"].endswith("/ecs-oauth-orders-api-exec")
        assert describe_secret(world, "orders-api")["ARN"] in json.dumps(
            world.client("iam").get_role_policy(
                RoleName="ecs-oauth-orders-api-exec", PolicyName="ecs-oauth-read-secret"
            )["PolicyDocument"]
        )


class TestRefusedExecutionRoles:
    def test_an_execution_role_of_another_account_is_refused_by_name(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        foreign = "arn:aws:iam::210987654321:role/someone-elses"
        desired = cli.folder / "payments.yaml"
        desired.write_text(desired.read_text().replace(world.execution_role_arn, foreign))

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        assert "ExecutionRoleInAnotherAccount" in result.stdout + result.stderr
        assert foreign.split(":")[4] in result.stdout + result.stderr
        # The others converge all the same.
        assert secret_value(world, "orders-api")["client_id"]
        definition, _ = latest_task_definition(world, "checkout-worker")
        assert "OAUTH_CLIENT_ID" not in secrets(container(definition, "worker"))
