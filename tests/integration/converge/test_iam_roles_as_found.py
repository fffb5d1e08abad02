"""IAM roles the batch read could not show yet, and role names another kind already holds.

IAM is eventually consistent: GetAccountAuthorizationDetails may miss a role created
seconds ago. Here the role is created behind the controller's back right after its batch
read, so its CreateRole meets ``EntityAlreadyExists``: that role is read on its own and
converged as found, with no error and no second CreateRole.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from controller.aws import Iam, ObservedRole
from controller.plan import Plan
from controller.sandbox._seed import TASK_TRUST_POLICY
from tests.harness.moto import REGION
from tests.harness.world import ACCOUNT, SeededWorld

from ._live import CONTROLLER_ID, MANAGED_BY, OWNER, tags
from .conftest import Cli

ROLE = "ecs-oauth-orders-reader"
LOOSE_TRUST = TASK_TRUST_POLICY  # what a team writes for its own role


def created_after_the_batch_read(
    monkeypatch: pytest.MonkeyPatch, world: SeededWorld, role_tags: dict[str, str], path: str
) -> None:
    """The next batch read of IAM is followed at once by somebody's CreateRole of ROLE,
    with a hand-made inline policy."""
    read_roles = Iam._read_roles
    iam = world.client("iam")

    async def read_then_someone_creates(self: Iam) -> dict[str, ObservedRole]:
        roles = await read_roles(self)
        if ROLE not in roles and not iam_has(iam, ROLE):
            iam.create_role(
                RoleName=ROLE,
                Path=path,
                AssumeRolePolicyDocument=json.dumps(LOOSE_TRUST),
                Tags=[{"Key": k, "Value": v} for k, v in role_tags.items()],
            )
            iam.put_role_policy(
                RoleName=ROLE,
                PolicyName="by-hand",
                PolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                    }
                ),
            )
        return roles

    monkeypatch.setattr(Iam, "_read_roles", read_then_someone_creates)


def iam_has(iam: Any, name: str) -> bool:
    try:
        iam.get_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def role_changes(plan: Plan) -> list[tuple[str, str]]:
    return [(c.id, c.action) for c in plan.changes if c.resource == "iam:role" and c.id == ROLE]


class TestARoleTheBatchReadDidNotShowYet:
    def test_an_owned_role_is_converged_as_found_with_no_error(
        self, cli: Cli, world: SeededWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ours = {MANAGED_BY: CONTROLLER_ID, OWNER: "Role/orders-reader"}
        created_after_the_batch_read(monkeypatch, world, ours, "/ecs-oauth/task/")
        calls_before = world.moto.calls()

        plan = cli.engine(writes=True)

        assert plan.problems == []
        assert role_changes(plan) == [(ROLE, "update")]
        calls = world.moto.calls()
        # one CreateRole per role the controller makes (2 other task roles, 2 execution
        # roles) and the test's own: the role the batch read missed was asked for by name
        # (GetRole) before anything was created
        assert calls.get("CreateRole", 0) - calls_before.get("CreateRole", 0) == 4 + 1
        iam = world.client("iam")
        role = iam.get_role(RoleName=ROLE)["Role"]
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"},
        }
        assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []
        assert "ecs-oauth.dev/scopes" in tags(iam.list_role_tags(RoleName=ROLE)["Tags"])
        monkeypatch.undo()
        cli.assert_in_sync()

    def test_a_role_that_is_not_ours_is_reported_and_left_alone(
        self, cli: Cli, world: SeededWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        created_after_the_batch_read(monkeypatch, world, {"team": "payments"}, "/")

        plan = cli.engine(writes=True)

        [problem] = [p for p in plan.problems if p.id == ROLE]
        assert (problem.object, problem.reason) == ("Role/orders-reader", "ResourceNotOwned")
        assert role_changes(plan) == []
        iam = world.client("iam")
        assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["by-hand"]


class TestARoleNameHeldByTheOtherKind:
    @pytest.fixture
    def held(self, cli: Cli, world: SeededWorld) -> Plan:
        """``ecs-oauth-orders-reader`` already exists as an ecs-oauth execution role."""
        world.client("iam").create_role(
            RoleName=ROLE,
            Path="/ecs-oauth/exec/",
            AssumeRolePolicyDocument=json.dumps(LOOSE_TRUST),
            Tags=[
                {"Key": MANAGED_BY, "Value": CONTROLLER_ID},
                {"Key": OWNER, "Value": "Service/orders-reader"},
            ],
        )
        return cli.engine(writes=True)

    def test_it_is_a_name_conflict_not_drift(self, held: Plan) -> None:
        [problem] = [p for p in held.problems if p.id == ROLE]
        assert (problem.object, problem.resource, problem.reason) == (
            "Role/orders-reader",
            "iam:role",
            "RoleNameConflict",
        )
        assert "execution role" in problem.message
        assert role_changes(held) == []

    def test_the_other_kinds_role_is_left_as_it_was(self, world: SeededWorld, held: Plan) -> None:
        role = world.client("iam").get_role(RoleName=ROLE)["Role"]

        assert role["Path"] == "/ecs-oauth/exec/"
        assert role["AssumeRolePolicyDocument"] == LOOSE_TRUST
