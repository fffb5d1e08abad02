"""Which roles found at a name are the other kind's, and which inline policies are drift."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import ObservedRole
from controller.engine._roles import path_conflict, unwanted_inline

POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def role(path: str = "/", inline: dict[str, dict[str, Any]] | None = None) -> ObservedRole:
    return ObservedRole(
        name="ecs-oauth-orders-api-exec",
        arn=f"arn:aws:iam::123456789012:role{path}ecs-oauth-orders-api-exec",
        trust_policy={},
        tags={},
        managed_policy_arns=[],
        inline_policies=inline or {},
        path=path,
    )


class TestPaths:
    def test_a_task_role_found_where_an_execution_role_is_wanted_is_a_conflict(self) -> None:
        assert path_conflict(role("/ecs-oauth/task/"), "/ecs-oauth/exec/") == "task role"

    def test_an_execution_role_found_where_a_task_role_is_wanted_is_a_conflict(self) -> None:
        assert path_conflict(role("/ecs-oauth/exec/"), "/ecs-oauth/task/") == "execution role"

    @pytest.mark.parametrize("path", ["/", "/team/", "/ecs-oauth/task/"])
    def test_a_role_at_its_own_or_an_unrelated_path_is_converged_as_found(self, path: str) -> None:
        assert path_conflict(role(path), "/ecs-oauth/task/") is None

    def test_roles_read_without_a_path_default_to_the_root(self) -> None:
        assert ObservedRole("r", "arn", {}, {}, []).path == "/"


class TestInlinePolicies:
    def test_an_inline_policy_the_role_does_not_own_is_a_change_to_nothing(self) -> None:
        desired = {"inlinePolicies": {}}

        [change] = unwanted_inline(desired, role(inline={"by-hand": POLICY}))

        assert (change.path, change.after) == ("inlinePolicies.by-hand", None)
        assert change.before is not None

    def test_the_owned_inline_policy_is_not_unwanted(self) -> None:
        desired = {"inlinePolicies": {"ecs-oauth-read-secret": POLICY}}

        found = role(inline={"ecs-oauth-read-secret": POLICY, "by-hand": POLICY})

        assert [c.path for c in unwanted_inline(desired, found)] == ["inlinePolicies.by-hand"]

    def test_a_role_that_owns_no_inline_set_never_loses_one(self) -> None:
        assert unwanted_inline({}, role(inline={"by-hand": POLICY})) == ()
