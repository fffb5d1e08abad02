"""The sandbox's AWS refuses what AWS refuses and lags where AWS lags.

boto3 against the separate moto server process, strict mode on as every
server starts. Each error must parse in botocore as the one from AWS would,
so a controller's ``except client.exceptions.X`` behaves the same here.
"""

from __future__ import annotations

import json
import time
import urllib.error
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from controller.sandbox._seed import TASK_TRUST_POLICY
from tests.harness.moto import MotoPeer

NO_RETRIES = Config(retries={"total_max_attempts": 1})
TRUST = json.dumps(TASK_TRUST_POLICY)
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
SECRET_REFERENCE = [{"name": "OAUTH_CLIENT_ID", "valueFrom": "arn:aws:secretsmanager:x"}]


def client(moto: MotoPeer, service: str) -> Any:
    return moto.boto3_client(service, config=NO_RETRIES)


def error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    details = raised.value.response["Error"]
    return details["Code"], details["Message"]


def listed_names(secrets: Any, **params: Any) -> list[str]:
    return [entry["Name"] for entry in secrets.list_secrets(**params)["SecretList"]]


def task_definition(**extra: Any) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx", "memory": 128, "secrets": SECRET_REFERENCE}
    return {"family": "orders-api", "containerDefinitions": [container], **extra}


class TestInputShapes:
    def test_an_iam_tag_value_with_an_exclamation_mark_is_a_validation_error(
        self, moto: MotoPeer
    ) -> None:
        iam = client(moto, "iam")
        tags = [{"Key": "ecs-oauth.dev/scopes", "Value": "orders/read!"}]

        with pytest.raises(ClientError) as raised:
            iam.create_role(RoleName="ecs-oauth-orders", AssumeRolePolicyDocument=TRUST, Tags=tags)

        code, message = error(raised)
        assert code == "ValidationError"
        assert message.startswith(
            "1 validation error detected: Value 'orders/read!' at 'tags.1.member.value' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        )
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    def test_an_iam_tag_value_in_the_tag_alphabet_is_accepted(self, moto: MotoPeer) -> None:
        iam = client(moto, "iam")
        tags = [{"Key": "ecs-oauth.dev/scopes", "Value": "orders/read orders:write"}]

        iam.create_role(RoleName="ecs-oauth-orders", AssumeRolePolicyDocument=TRUST, Tags=tags)

        assert iam.list_role_tags(RoleName="ecs-oauth-orders")["Tags"] == tags

    def test_a_cognito_resource_server_named_by_a_url_is_an_invalid_parameter(
        self, moto: MotoPeer
    ) -> None:
        cognito = client(moto, "cognito-idp")
        pool = cognito.create_user_pool(PoolName="corp")["UserPool"]["Id"]

        with pytest.raises(cognito.exceptions.InvalidParameterException) as raised:
            cognito.create_resource_server(
                UserPoolId=pool,
                Identifier="https://api.example.com",
                Name="https://api.example.com",
            )

        assert "at 'name' failed to satisfy constraint" in error(raised)[1]

    def test_a_cognito_resource_server_identified_by_a_url_is_accepted(
        self, moto: MotoPeer
    ) -> None:
        cognito = client(moto, "cognito-idp")
        pool = cognito.create_user_pool(PoolName="corp")["UserPool"]["Id"]

        created = cognito.create_resource_server(
            UserPoolId=pool, Identifier="https://api.example.com", Name="orders api"
        )

        assert created["ResourceServer"]["Identifier"] == "https://api.example.com"

    def test_an_ecs_value_outside_its_enum_is_a_client_exception(self, moto: MotoPeer) -> None:
        ecs = client(moto, "ecs")

        with pytest.raises(ecs.exceptions.ClientException) as raised:
            ecs.register_task_definition(**task_definition(networkMode="bridged"))

        assert "at 'networkMode' failed to satisfy constraint" in error(raised)[1]

    def test_a_dynamodb_value_outside_its_enum_is_a_validation_exception(
        self, moto: MotoPeer
    ) -> None:
        dynamodb = client(moto, "dynamodb")

        with pytest.raises(ClientError) as raised:
            dynamodb.scan(TableName="leases", Select="EVERYTHING")

        code, message = error(raised)
        assert code == "ValidationException"
        assert message.startswith(
            "1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL_ATTRIBUTES, "
        )

    def test_a_secret_value_too_long_is_refused_without_repeating_it(self, moto: MotoPeer) -> None:
        secrets = client(moto, "secretsmanager")
        value = "s" * 65537

        with pytest.raises(ClientError) as raised:
            secrets.create_secret(Name="ecs-oauth/orders-api", SecretString=value)

        code, message = error(raised)
        assert code == "ValidationException"
        assert "Value at 'secretString'" in message
        assert value not in message


class TestTaskDefinitionSecrets:
    def test_container_secrets_without_an_execution_role_are_refused(self, moto: MotoPeer) -> None:
        ecs = client(moto, "ecs")

        with pytest.raises(ecs.exceptions.ClientException) as raised:
            ecs.register_task_definition(**task_definition())

        assert error(raised)[1] == (
            "When you are specifying container secrets, you must also specify a value for "
            "'executionRoleArn'."
        )

    def test_container_secrets_with_an_execution_role_are_registered(self, moto: MotoPeer) -> None:
        ecs = client(moto, "ecs")

        registered = ecs.register_task_definition(
            **task_definition(executionRoleArn=EXECUTION_ROLE)
        )

        assert registered["taskDefinition"]["executionRoleArn"] == EXECUTION_ROLE


class TestListSecretsLags:
    def test_a_secret_created_a_moment_ago_is_described_but_not_yet_listed(
        self, moto: MotoPeer
    ) -> None:
        moto.strict(list_secrets_lag_seconds=60)  # a busy machine may stall past the default 2 s
        secrets = client(moto, "secretsmanager")
        secrets.create_secret(Name="ecs-oauth/orders-api", SecretString="{}")
        time.sleep(0.1)

        assert secrets.describe_secret(SecretId="ecs-oauth/orders-api")["Name"]
        assert listed_names(secrets) == []

    def test_a_secret_is_listed_once_the_window_has_passed(self, moto: MotoPeer) -> None:
        moto.strict(list_secrets_lag_seconds=0.3)
        secrets = client(moto, "secretsmanager")
        secrets.create_secret(Name="ecs-oauth/orders-api", SecretString="{}")
        time.sleep(0.4)

        assert listed_names(secrets) == ["ecs-oauth/orders-api"]

    def test_a_retagged_secret_is_listed_with_its_earlier_tags(self, moto: MotoPeer) -> None:
        moto.strict(list_secrets_lag_seconds=0.5)
        secrets = client(moto, "secretsmanager")
        secrets.create_secret(
            Name="ecs-oauth/orders-api", SecretString="{}", Tags=[{"Key": "team", "Value": "a"}]
        )
        time.sleep(0.6)
        secrets.tag_resource(SecretId="ecs-oauth/orders-api", Tags=[{"Key": "team", "Value": "b"}])

        [entry] = secrets.list_secrets()["SecretList"]
        by_new_tag = listed_names(secrets, Filters=[{"Key": "tag-value", "Values": ["b"]}])

        assert entry["Tags"] == [{"Key": "team", "Value": "a"}]
        assert by_new_tag == []

    def test_a_deleted_secret_is_still_listed_within_the_window(self, moto: MotoPeer) -> None:
        moto.strict(list_secrets_lag_seconds=0.5)
        secrets = client(moto, "secretsmanager")
        secrets.create_secret(Name="ecs-oauth/orders-api", SecretString="{}")
        time.sleep(0.6)
        secrets.delete_secret(SecretId="ecs-oauth/orders-api", ForceDeleteWithoutRecovery=True)

        assert listed_names(secrets) == ["ecs-oauth/orders-api"]


class TestSecretVersions:
    def test_a_version_id_and_a_stage_of_different_versions_are_an_invalid_request(
        self, moto: MotoPeer
    ) -> None:
        secrets = client(moto, "secretsmanager")
        first = secrets.create_secret(Name="s", SecretString="1")["VersionId"]
        secrets.put_secret_value(SecretId="s", SecretString="2")

        with pytest.raises(secrets.exceptions.InvalidRequestException) as raised:
            secrets.get_secret_value(SecretId="s", VersionId=first, VersionStage="AWSCURRENT")

        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        value = secrets.get_secret_value(SecretId="s", VersionId=first, VersionStage="AWSPREVIOUS")
        assert value["SecretString"] == "1"

    def test_the_hundred_and_first_version_in_a_day_exceeds_the_quota(self, moto: MotoPeer) -> None:
        secrets = client(moto, "secretsmanager")
        secrets.create_secret(Name="s", SecretString="0")
        tokens = [f"token-{n:04d}-0000-0000-0000-000000000000" for n in range(1, 100)]
        for token in tokens:
            secrets.put_secret_value(SecretId="s", SecretString=token, ClientRequestToken=token)

        with pytest.raises(secrets.exceptions.LimitExceededException):
            secrets.put_secret_value(SecretId="s", SecretString="one too many")
        again = secrets.put_secret_value(
            SecretId="s", SecretString=tokens[-1], ClientRequestToken=tokens[-1]
        )
        assert again["VersionId"] == tokens[-1]


class TestIamVisibility:
    def test_a_role_created_a_moment_ago_is_readable_but_not_in_the_account_details(
        self, moto: MotoPeer
    ) -> None:
        iam = client(moto, "iam")
        iam.create_role(RoleName="ecs-oauth-orders", AssumeRolePolicyDocument=TRUST)

        details = iam.get_account_authorization_details(Filter=["Role"])

        assert iam.get_role(RoleName="ecs-oauth-orders")["Role"]["RoleName"]
        assert details["RoleDetailList"] == []

    def test_the_role_appears_in_the_account_details_once_visible(self, moto: MotoPeer) -> None:
        moto.strict(iam_visibility_seconds=0.3)
        iam = client(moto, "iam")
        iam.create_role(RoleName="ecs-oauth-orders", AssumeRolePolicyDocument=TRUST)
        time.sleep(0.4)

        details = iam.get_account_authorization_details(Filter=["Role"])

        assert [role["RoleName"] for role in details["RoleDetailList"]] == ["ecs-oauth-orders"]


def lease_item(holder: str, rvn: str) -> dict[str, Any]:
    return {"name": {"S": "ecs-oauth/default"}, "holder": {"S": holder}, "rvn": {"S": rvn}}


class TestDynamoDbReads:
    """What a lease standby reads right after the holder renewed."""

    @pytest.fixture
    def table(self, moto: MotoPeer) -> Any:
        dynamodb = client(moto, "dynamodb")
        dynamodb.create_table(
            TableName="leases",
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return dynamodb

    def test_a_plain_read_right_after_a_write_sees_the_item_as_it_was(
        self, moto: MotoPeer, table: Any
    ) -> None:
        moto.strict(dynamodb_read_lag_seconds=0.5)
        time.sleep(0.6)
        table.put_item(TableName="leases", Item=lease_item("a", "1"))
        time.sleep(0.6)
        table.put_item(TableName="leases", Item=lease_item("a", "2"))

        plain = table.get_item(TableName="leases", Key={"name": {"S": "ecs-oauth/default"}})

        assert plain["Item"]["rvn"] == {"S": "1"}

    def test_an_item_created_within_the_window_is_not_there_for_a_plain_read(
        self, moto: MotoPeer, table: Any
    ) -> None:
        table.put_item(TableName="leases", Item=lease_item("a", "1"))

        plain = table.get_item(TableName="leases", Key={"name": {"S": "ecs-oauth/default"}})

        assert "Item" not in plain

    def test_a_consistent_read_sees_the_latest_write(self, moto: MotoPeer, table: Any) -> None:
        table.put_item(TableName="leases", Item=lease_item("a", "1"))
        table.put_item(TableName="leases", Item=lease_item("b", "2"))

        consistent = table.get_item(
            TableName="leases", Key={"name": {"S": "ecs-oauth/default"}}, ConsistentRead=True
        )

        assert consistent["Item"]["holder"] == {"S": "b"}

    def test_a_plain_read_once_the_window_has_passed_sees_the_latest_write(
        self, moto: MotoPeer, table: Any
    ) -> None:
        moto.strict(dynamodb_read_lag_seconds=0.3)
        table.put_item(TableName="leases", Item=lease_item("a", "1"))
        time.sleep(0.4)

        plain = table.get_item(TableName="leases", Key={"name": {"S": "ecs-oauth/default"}})

        assert plain["Item"]["holder"] == {"S": "a"}


class TestControl:
    def test_every_rule_and_the_shape_checks_are_on_by_default(self, moto: MotoPeer) -> None:
        settings = moto.strict()

        assert settings["shapes"] is True
        assert all(settings["rules"].values())
        assert (settings["listSecretsLagSeconds"], settings["iamVisibilitySeconds"]) == (2, 2)
        assert settings["dynamodbReadLagSeconds"] == 1

    def test_a_rule_switched_off_lets_moto_answer(self, moto: MotoPeer) -> None:
        moto.strict(rules={"ecs-secrets-need-execution-role": False})

        registered = client(moto, "ecs").register_task_definition(**task_definition())

        assert registered["taskDefinition"]["revision"] == 1

    def test_shape_checks_switched_off_let_moto_answer(self, moto: MotoPeer) -> None:
        moto.strict(shapes=False)
        tags = [{"Key": "k", "Value": "v!"}]

        client(moto, "iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, Tags=tags)

    def test_a_reset_restores_the_defaults(self, moto: MotoPeer) -> None:
        moto.strict(shapes=False, rules={"secrets-list-lag": False}, iam_visibility_seconds=0)

        moto.reset()

        settings = moto.strict()
        assert settings["shapes"] is True
        assert all(settings["rules"].values())
        assert settings["iamVisibilitySeconds"] == 2

    def test_the_defaults_can_be_restored_without_forgetting_the_world(
        self, moto: MotoPeer
    ) -> None:
        iam = client(moto, "iam")
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        moto.strict(shapes=False)

        moto.strict_defaults()

        assert moto.strict()["shapes"] is True
        assert iam.get_role(RoleName="r")["Role"]["RoleName"] == "r"

    def test_an_unknown_setting_is_refused_and_changes_nothing(self, moto: MotoPeer) -> None:
        with pytest.raises(urllib.error.HTTPError) as raised:
            moto.strict(rules={"no-such-rule": False})

        assert raised.value.code == 400
        assert all(moto.strict()["rules"].values())
