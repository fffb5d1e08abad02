"""The policy test's IAM evaluator says no where IAM says no: a test that trusts it to
find a missing permission must first see it refuse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.iam_policy import Request, Unsupported, allows, glob_matches

ROLE = "arn:aws:iam::123456789012:role/ecs-oauth/task/ecs-oauth-orders"
BOUNDARY = "arn:aws:iam::123456789012:policy/ecs-oauth-task-boundary"
BOUNDED: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:CreateRole"],
            "Resource": "arn:aws:iam::*:role/ecs-oauth/*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}},
        },
        {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"},
    ],
}


def create(context: dict[str, str], resource: str = ROLE) -> Request:
    return Request("iam:CreateRole", resource, context)


class TestGlobs:
    @pytest.mark.parametrize(
        ("pattern", "value", "matched"),
        [
            ("arn:aws:iam::*:role/ecs-oauth-*", "arn:aws:iam::1:role/ecs-oauth-x", True),
            ("arn:aws:iam::*:role/ecs-oauth-*", "arn:aws:iam::1:role/team/x", False),
            ("a?c", "abc", True),
            ("a?c", "abbc", False),
            ("a.c", "abc", False),  # a dot is literal
            ("a[b]c", "abc", False),  # no character classes in IAM globs
        ],
    )
    def test_star_and_question_mark_are_the_only_wildcards(
        self, pattern: str, value: str, matched: bool
    ) -> None:
        assert glob_matches(pattern, value) is matched


class TestStatements:
    def test_a_create_role_with_the_boundary_is_allowed(self) -> None:
        assert allows(BOUNDED, create({"iam:PermissionsBoundary": BOUNDARY}))

    def test_a_create_role_without_a_boundary_is_refused(self) -> None:
        assert not allows(BOUNDED, create({}))

    def test_a_create_role_with_another_boundary_is_refused(self) -> None:
        other = "arn:aws:iam::123456789012:policy/wide-open"
        assert not allows(BOUNDED, create({"iam:PermissionsBoundary": other}))

    def test_a_role_outside_the_resource_is_refused(self) -> None:
        admin = "arn:aws:iam::123456789012:role/admin"
        assert not allows(BOUNDED, create({"iam:PermissionsBoundary": BOUNDARY}, admin))

    def test_actions_compare_without_case_and_by_glob(self) -> None:
        assert allows(BOUNDED, Request("IAM:getrole", ROLE))
        assert not allows(BOUNDED, Request("iam:DeleteRole", ROLE))

    def test_condition_keys_compare_without_case_values_with_it(self) -> None:
        assert allows(BOUNDED, create({"IAM:permissionsboundary": BOUNDARY}))
        assert not allows(BOUNDED, create({"iam:PermissionsBoundary": BOUNDARY.upper()}))

    def test_any_listed_value_of_a_condition_matches(self) -> None:
        statement = {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringLike": {"iam:PassedToService": ["lambda.*", "ecs-tasks.*"]}},
        }
        policy = {"Statement": [statement]}
        context = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
        assert allows(policy, Request("iam:PassRole", ROLE, context))
        assert not allows(policy, Request("iam:PassRole", ROLE, {"iam:PassedToService": "x"}))

    def test_a_deny_wins_over_an_allow(self) -> None:
        deny = {"Effect": "Deny", "Action": "iam:GetRole", "Resource": ROLE}
        policy = {"Statement": [*BOUNDED["Statement"], deny]}
        assert not allows(policy, Request("iam:GetRole", ROLE))

    def test_what_it_cannot_read_is_an_error_not_an_answer(self) -> None:
        unread = {
            "Effect": "Allow",
            "Action": "iam:CreateRole",
            "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"iam:PermissionsBoundary": BOUNDARY}},
        }
        with pytest.raises(Unsupported):
            allows({"Statement": [unread]}, create({}))
        with pytest.raises(Unsupported):
            allows(
                {"Statement": [{"Effect": "Allow", "NotAction": "x", "Resource": "*"}]}, create({})
            )
