"""The sandbox's IAM refuses a permissions boundary that names no policy, as IAM does.

moto checks only the ARN's form and sets any boundary; IAM answers NoSuchEntity. Without
the ``iam-boundary-policy-exists`` rule, a controller that sets a misspelt boundary would
pass here and fail on its first apply in a real account.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from controller.sandbox._seed import TASK_TRUST_POLICY
from tests.harness.moto import MotoPeer

NO_RETRIES = Config(retries={"total_max_attempts": 1})
TRUST = json.dumps(TASK_TRUST_POLICY)
MISSING = "arn:aws:iam::123456789012:policy/no-such-boundary"
AWS_MANAGED = "arn:aws:iam::aws:policy/PowerUserAccess"
BOUNDARY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}


def iam(moto: MotoPeer) -> Any:
    return moto.boto3_client("iam", config=NO_RETRIES)


def boundary_policy(moto: MotoPeer) -> str:
    created = iam(moto).create_policy(
        PolicyName="ecs-oauth-task-boundary", PolicyDocument=json.dumps(BOUNDARY_DOCUMENT)
    )
    arn: str = created["Policy"]["Arn"]
    return arn


def boundary_of(moto: MotoPeer, name: str) -> str | None:
    role = iam(moto).get_role(RoleName=name)["Role"]
    found: str | None = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return found


class TestCreateRole:
    def test_a_boundary_naming_no_policy_is_no_such_entity_and_no_role_is_made(
        self, moto: MotoPeer
    ) -> None:
        with pytest.raises(ClientError) as raised:
            iam(moto).create_role(
                RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=MISSING
            )

        assert raised.value.response["Error"]["Code"] == "NoSuchEntity"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert MISSING in raised.value.response["Error"]["Message"]
        with pytest.raises(ClientError):
            iam(moto).get_role(RoleName="r")

    def test_a_customer_managed_boundary_is_set_and_read_back(self, moto: MotoPeer) -> None:
        arn = boundary_policy(moto)

        iam(moto).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)

        assert boundary_of(moto, "r") == arn

    def test_an_aws_managed_boundary_is_accepted(self, moto: MotoPeer) -> None:
        iam(moto).create_role(
            RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=AWS_MANAGED
        )

        assert boundary_of(moto, "r") == AWS_MANAGED

    def test_an_arn_that_names_no_policy_at_all_is_invalid_not_missing(
        self, moto: MotoPeer
    ) -> None:
        with pytest.raises(ClientError) as raised:
            iam(moto).create_role(
                RoleName="r",
                AssumeRolePolicyDocument=TRUST,
                PermissionsBoundary="arn:aws:iam::123456789012:role/not-a-policy",
            )

        assert raised.value.response["Error"]["Code"] != "NoSuchEntity"

    def test_moto_alone_accepts_the_missing_policy(self, moto: MotoPeer) -> None:
        """The leniency the rule closes: switched off, moto sets a boundary to nothing."""
        moto.strict(rules={"iam-boundary-policy-exists": False})

        iam(moto).create_role(
            RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=MISSING
        )

        assert boundary_of(moto, "r") == MISSING


class TestPutRolePermissionsBoundary:
    def test_a_boundary_naming_no_policy_is_refused_and_the_old_one_stays(
        self, moto: MotoPeer
    ) -> None:
        arn = boundary_policy(moto)
        iam(moto).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)

        with pytest.raises(ClientError) as raised:
            iam(moto).put_role_permissions_boundary(RoleName="r", PermissionsBoundary=MISSING)

        assert raised.value.response["Error"]["Code"] == "NoSuchEntity"
        assert boundary_of(moto, "r") == arn

    def test_the_account_details_show_the_boundary(self, moto: MotoPeer) -> None:
        moto.strict(iam_visibility_seconds=0)
        arn = boundary_policy(moto)
        iam(moto).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        iam(moto).put_role_permissions_boundary(RoleName="r", PermissionsBoundary=arn)

        [role] = iam(moto).get_account_authorization_details(Filter=["Role"])["RoleDetailList"]

        assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
