"""The sandbox's AWS keeps a journal of every call it received, for tests that judge the
calls themselves (the README policy test matches each one against the policy)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.harness.moto import MotoPeer

SECRET_VALUE = "s3cr3t-never-journaled"


def operations(moto: MotoPeer) -> list[tuple[str, str]]:
    return [(call["service"], call["operation"]) for call in moto.journal()]


def test_calls_are_journaled_in_order_with_their_parameters(moto: MotoPeer) -> None:
    moto.boto3_client("secretsmanager").create_secret(Name="ecs-oauth/orders-api")
    moto.boto3_client("iam").get_account_authorization_details(Filter=["Role"])

    journal = moto.journal()

    assert [(c["service"], c["operation"]) for c in journal] == [
        ("secretsmanager", "CreateSecret"),
        ("iam", "GetAccountAuthorizationDetails"),
    ]
    assert journal[0]["params"]["Name"] == "ecs-oauth/orders-api"
    assert journal[1]["params"]["Filter"] == ["Role"]
    assert journal[1]["region"] == "us-east-1"
    assert {call["accessKey"] for call in journal} == {"testing"}
    assert journal[0]["started"] <= journal[0]["ended"] <= journal[1]["started"]


def test_sensitive_values_are_left_out(moto: MotoPeer) -> None:
    secrets = moto.boto3_client("secretsmanager")
    secrets.create_secret(Name="ecs-oauth/orders-api", SecretString=SECRET_VALUE)

    [call] = moto.journal()

    assert call["params"]["SecretString"] == "<sensitive>"
    assert SECRET_VALUE not in str(moto.journal())


def test_refused_calls_are_journaled_too(moto: MotoPeer) -> None:
    """A call AWS refuses still needed the permission to be made."""
    iam = moto.boto3_client("iam")
    with pytest.raises(ClientError):
        iam.get_role(RoleName="no-such-role")

    assert operations(moto) == [("iam", "GetRole")]


def test_clearing_and_a_reset_forget_the_journal(moto: MotoPeer) -> None:
    moto.boto3_client("sts").get_caller_identity()
    moto.clear_journal()
    assert moto.journal() == []

    moto.boto3_client("sts").get_caller_identity()
    moto.reset()

    assert moto.journal() == []


def test_the_journal_is_kept_with_strict_checks_off(moto: MotoPeer) -> None:
    moto.strict(shapes=False, rules=dict.fromkeys(moto.strict()["rules"], False))
    moto.clear_journal()

    moto.boto3_client("sts").get_caller_identity()

    assert operations(moto) == [("sts", "GetCallerIdentity")]
