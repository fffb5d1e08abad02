"""CloudTrail-shaped events map to the reconcile keys of the objects they touched, and to
nothing for anything unmanaged; the mapping is pure, so every rule is tested directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.config import Settings, load_desired
from controller.events import ManagedIndex, decide, managed_index, objects_touched, parse_event
from tests.harness.cloudtrail import ACCOUNT, ALICE, ALICE_IP, body

ROOT = Path(__file__).resolve().parents[3]
ECS, IAM = "ecs.amazonaws.com", "iam.amazonaws.com"
SECRETS, COGNITO = "secretsmanager.amazonaws.com", "cognito-idp.amazonaws.com"
CLIENT_ID = "4p1fkq8ve0example5j2hldm1kb"
TASK_DEFINITION_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/orders-api:8"


@pytest.fixture(scope="module")
def index() -> ManagedIndex:
    state = load_desired(ROOT / "examples", Settings())
    return managed_index(state, {"Service/checkout-worker": {"clientId": CLIENT_ID}})


def touched(index: ManagedIndex, source: str, name: str, request: dict[str, object]) -> object:
    return objects_touched(parse_event(body(source, name, request)), index)


@pytest.mark.parametrize(
    ("name", "request_parameters"),
    [
        ("RegisterTaskDefinition", {"family": "orders-api", "containerDefinitions": []}),
        ("DeregisterTaskDefinition", {"taskDefinition": "orders-api:7"}),
        ("DeregisterTaskDefinition", {"taskDefinition": TASK_DEFINITION_ARN}),
        ("DeleteTaskDefinitions", {"taskDefinitions": ["orders-api:1", TASK_DEFINITION_ARN]}),
        ("UpdateService", {"cluster": "prod", "service": "orders-api", "forceNewDeployment": True}),
        (
            "UpdateService",
            {"service": f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/orders-api"},
        ),
        (
            "UpdateService",
            {"cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod", "service": "orders-api"},
        ),
        ("TagResource", {"resourceArn": TASK_DEFINITION_ARN, "tags": []}),
    ],
)
def test_ecs_calls_name_the_service_by_family_or_ecs_service(
    index: ManagedIndex, name: str, request_parameters: dict[str, object]
) -> None:
    assert touched(index, ECS, name, request_parameters) == {"Service/orders-api"}


def test_a_registration_without_a_family_is_routed_by_the_revision_it_made(
    index: ManagedIndex,
) -> None:
    response = {"taskDefinition": {"taskDefinitionArn": TASK_DEFINITION_ARN}}
    call = parse_event(body(ECS, "RegisterTaskDefinition", None, response))
    assert objects_touched(call, index) == {"Service/orders-api"}


def test_an_ecs_service_in_the_default_cluster_is_not_the_one_in_prod(
    index: ManagedIndex,
) -> None:
    assert touched(index, ECS, "UpdateService", {"service": "orders-api"}) == frozenset()


@pytest.mark.parametrize(
    ("role", "key"),
    [
        ("ecs-oauth-orders-reader", "Role/orders-reader"),
        ("ecs-oauth-stock-sync-exec", "Service/stock-sync"),
    ],
)
@pytest.mark.parametrize(
    "name", ["PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy", "DeleteRole"]
)
def test_iam_calls_name_the_role_or_the_service_of_an_execution_role(
    index: ManagedIndex, name: str, role: str, key: str
) -> None:
    assert touched(index, IAM, name, {"roleName": role, "policyName": "x"}) == {key}


@pytest.mark.parametrize(
    "secret_id",
    [
        "ecs-oauth/orders-api",
        "ecs-oauth/orders-api/registration",
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecs-oauth/orders-api-AbC123",
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecs-oauth/orders-api/registration-x9Y8z7",
    ],
)
@pytest.mark.parametrize("name", ["PutSecretValue", "UpdateSecret", "DeleteSecret"])
def test_secret_calls_name_the_service_by_secret_name_or_arn(
    index: ManagedIndex, name: str, secret_id: str
) -> None:
    assert touched(index, SECRETS, name, {"secretId": secret_id}) == {"Service/orders-api"}


@pytest.mark.parametrize("name", ["UpdateUserPoolClient", "DeleteUserPoolClient"])
def test_cognito_client_calls_name_the_service_whose_client_it_is(
    index: ManagedIndex, name: str
) -> None:
    request = {"userPoolId": "us-east-1_Ex4mple01", "clientId": CLIENT_ID}
    assert touched(index, COGNITO, name, request) == {"Service/checkout-worker"}


def test_a_resource_server_change_names_the_provider_of_its_user_pool(
    index: ManagedIndex,
) -> None:
    request = {"userPoolId": "us-east-1_Ex4mple01", "identifier": "orders", "name": "orders"}
    assert touched(index, COGNITO, "UpdateResourceServer", request) == {"IdentityProvider/corp"}


@pytest.mark.parametrize(
    ("source", "name", "request_parameters"),
    [
        (ECS, "RegisterTaskDefinition", {"family": "someone-elses-app"}),
        (IAM, "PutRolePolicy", {"roleName": "ecs-oauth-nobody"}),
        (SECRETS, "PutSecretValue", {"secretId": "prod/database"}),
        (SECRETS, "PutSecretValue", {"secretId": "ecs-oauth/orders-api-old"}),
        (COGNITO, "UpdateUserPoolClient", {"clientId": "someoneelses"}),
        (ECS, "UpdateService", {"cluster": "prod", "service": "billing"}),
    ],
)
def test_calls_on_unmanaged_resources_touch_nothing(
    index: ManagedIndex, source: str, name: str, request_parameters: dict[str, object]
) -> None:
    decision = decide(body(source, name, request_parameters), index, None)
    assert (decision.outcome, decision.keys) == ("unmanaged", frozenset())


def test_someone_elses_change_is_reconciled_and_names_who_made_it(index: ManagedIndex) -> None:
    decision = decide(body(ECS, "RegisterTaskDefinition", {"family": "orders-api"}), index, None)
    assert decision.outcome == "reconcile"
    assert decision.keys == {"Service/orders-api"}
    assert decision.call is not None
    assert decision.call.describe_actor() == f"{ALICE} from {ALICE_IP}"


def test_a_call_we_do_not_route_is_unknown(index: ManagedIndex) -> None:
    decision = decide(body(ECS, "CreateCluster", {"clusterName": "prod"}), index, None)
    assert decision.outcome == "unknown"


def test_a_failed_call_changed_nothing(index: ManagedIndex) -> None:
    message = body(
        IAM, "PutRolePolicy", {"roleName": "ecs-oauth-orders-reader"}, errorCode="AccessDenied"
    )
    assert decide(message, index, None).outcome == "failed-call"


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[1, 2]",
        '{"detail-type": "EC2 Instance State-change Notification", "detail": {}}',
        '{"detail-type": "AWS API Call via CloudTrail", "detail": "x"}',
        '{"detail-type": "AWS API Call via CloudTrail", "detail": {"eventSource": "ecs"}}',
        '{"detail-type": "AWS API Call via CloudTrail", "detail": '
        '{"eventSource": "ecs.amazonaws.com", "eventName": "X", "requestParameters": [1]}}',
    ],
)
def test_a_malformed_message_says_why(index: ManagedIndex, message: str) -> None:
    decision = decide(message, index, None)
    assert decision.outcome == "malformed"
    assert decision.error
