"""Every AWS call an ``apply`` makes is allowed by the IAM policy the README gives the
controller, resource by resource and condition by condition.

The static test (``test_the_iam_policy_covers_every_call``) sees that each operation is
named somewhere in the policy; this one replays the sandbox's journal of an apply's calls
through an IAM evaluator, so a call on a resource the policy does not cover, a role passed
that the policy does not let pass, or a CreateRole without the required permissions
boundary fails here instead of in a real account.
"""

from __future__ import annotations

import json
from typing import Any

from tests.harness.iam_policy import Request, allows
from tests.harness.iam_requests import ECS_TASKS, Account, requests_of
from tests.harness.world import ACCOUNT, LEASE_TABLE, SeededWorld
from tests.integration.sandbox._readme import fenced, section

from .conftest import Cli

BOUNDARY_NAME = "ecs-oauth-task-boundary"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/{BOUNDARY_NAME}"
BOUNDARY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:*", "secretsmanager:*"], "Resource": "*"}],
}
NO_ROLES = Account(ACCOUNT, {})


def readme_policy(*passed_roles: str) -> dict[str, Any]:
    """The README's policy, with what its prose says to add: ``iam:PassRole`` on each
    shared ``executionRoleArn`` a Service names."""
    [text] = fenced(section("Running against real AWS"), "json")
    policy: dict[str, Any] = json.loads(text)
    for arn in passed_roles:
        policy["Statement"].append(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": arn,
                "Condition": {"StringEquals": {"iam:PassedToService": ECS_TASKS}},
            }
        )
    return policy


def refused(world: SeededWorld, journal: list[dict[str, Any]]) -> list[tuple[str, Request]]:
    """Each call's permission checks the README's policy would deny."""
    iam = world.client("iam")
    paths = {role["RoleName"]: role["Path"] for role in iam.list_roles()["Roles"]}
    account = Account(ACCOUNT, paths)
    policy = readme_policy(world.execution_role_arn)
    return [
        (call["operation"], request)
        for call in journal
        for request in requests_of(call, account)
        if not allows(policy, request)
    ]


def bounded_apply(world: SeededWorld, cli: Cli, *settings: str) -> None:
    """Create the boundary policy, forget the setup's calls, apply with the boundary set
    (and any other ``--set`` settings given)."""
    world.client("iam").create_policy(
        PolicyName=BOUNDARY_NAME, PolicyDocument=json.dumps(BOUNDARY_DOCUMENT)
    )
    world.moto.clear_journal()
    cli.apply("--set", f"tenancy.permissionsBoundaryArn={BOUNDARY}", *settings)


def operations(journal: list[dict[str, Any]]) -> set[str]:
    return {call["operation"] for call in journal}


def test_every_call_of_a_first_apply_is_allowed(world: SeededWorld, cli: Cli) -> None:
    bounded_apply(world, cli)
    journal = world.moto.journal()

    assert {"CreateRole", "RegisterTaskDefinition", "CreateSecret"} <= operations(journal)
    assert refused(world, journal) == []


def test_every_role_the_apply_created_carries_the_boundary(world: SeededWorld, cli: Cli) -> None:
    bounded_apply(world, cli)
    iam = world.client("iam")

    created = [c["params"] for c in world.moto.journal() if c["operation"] == "CreateRole"]

    assert len(created) == 5
    for params in created:
        role = iam.get_role(RoleName=params["RoleName"])["Role"]
        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY


def test_every_call_of_an_apply_that_repairs_drift_is_allowed(world: SeededWorld, cli: Cli) -> None:
    bounded_apply(world, cli)
    iam = world.client("iam")
    wider = iam.create_policy(PolicyName="wider", PolicyDocument=json.dumps(BOUNDARY_DOCUMENT))
    iam.put_role_permissions_boundary(
        RoleName="ecs-oauth-checkout", PermissionsBoundary=wider["Policy"]["Arn"]
    )
    iam.tag_role(RoleName="ecs-oauth-checkout", Tags=[{"Key": "ecs-oauth.dev/owner", "Value": "x"}])
    iam.detach_role_policy(
        RoleName="ecs-oauth-stock-sync-exec",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    )
    world.moto.clear_journal()

    cli.apply("--set", f"tenancy.permissionsBoundaryArn={BOUNDARY}")
    journal = world.moto.journal()

    assert {"PutRolePermissionsBoundary", "TagRole", "AttachRolePolicy"} <= operations(journal)
    assert refused(world, journal) == []


def test_every_call_of_an_apply_holding_the_lease_is_allowed(world: SeededWorld, cli: Cli) -> None:
    world.create_lease_table(LEASE_TABLE)
    bounded_apply(world, cli, "--set", f"leaderElection.table={LEASE_TABLE}")
    journal = world.moto.journal()

    assert {"GetItem", "PutItem", "DeleteItem"} <= operations(journal)
    assert refused(world, journal) == []


class TestTheEvaluatorRefusesWhatAwsWould:
    """Without these, a policy test that passes could be one that allows everything."""

    def create_role(self, **params: Any) -> list[Request]:
        call = {
            "service": "iam",
            "operation": "CreateRole",
            "region": "us-east-1",
            "params": {"RoleName": "ecs-oauth-orders", "Path": "/ecs-oauth/task/", **params},
        }
        return requests_of(call, NO_ROLES)

    def test_a_create_role_without_the_boundary_is_refused(self) -> None:
        [request] = self.create_role()

        assert not allows(readme_policy(), request)

    def test_a_create_role_with_another_boundary_is_refused(self) -> None:
        other = f"arn:aws:iam::{ACCOUNT}:policy/wide-open"
        [request] = self.create_role(PermissionsBoundary=other)

        assert not allows(readme_policy(), request)

    def test_a_create_role_with_the_boundary_is_allowed(self) -> None:
        [request] = self.create_role(PermissionsBoundary=BOUNDARY)

        assert allows(readme_policy(), request)

    def test_passing_a_role_the_readme_does_not_name_is_refused(self) -> None:
        call = {
            "service": "ecs",
            "operation": "RegisterTaskDefinition",
            "region": "us-east-1",
            "params": {"family": "f", "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/admin"},
        }
        _register, pass_role = requests_of(call, NO_ROLES)

        assert pass_role.action == "iam:PassRole"
        assert not allows(readme_policy(), pass_role)

    def test_a_secret_outside_ecs_oauth_is_refused(self) -> None:
        call = {
            "service": "secretsmanager",
            "operation": "GetSecretValue",
            "region": "us-east-1",
            "params": {"SecretId": "prod/database"},
        }
        [request] = requests_of(call, NO_ROLES)

        assert not allows(readme_policy(), request)
