"""The sandbox's AWS (moto plus extensions) behaves as the controller relies on.

The controller is written for AWS; these pin down the parts the sandbox adds
to moto (Cognito operations, a Cognito-like token endpoint, fault injection),
so a change in moto or in the additions shows up here first and not as a
puzzling failure in a controller test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.sandbox.motoserver import start_in_process
from tests.harness.moto import MotoPeer, start_moto_server

SCOPE_READ = "orders/read"
SCOPE_WRITE = "orders/write"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def cognito(moto: MotoPeer) -> Any:
    return moto.boto3_client("cognito-idp")


@pytest.fixture
def pool_id(cognito: Any) -> str:
    pool: str = cognito.create_user_pool(PoolName="sandbox")["UserPool"]["Id"]
    cognito.create_resource_server(
        UserPoolId=pool,
        Identifier="orders",
        Name="Orders",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read orders"},
            {"ScopeName": "write", "ScopeDescription": "write orders"},
        ],
    )
    return pool


def create_client(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    """A confidential client-credentials app client, as the controller creates them."""
    config: dict[str, Any] = {
        "ClientName": "orders-api",
        "GenerateSecret": True,
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": [SCOPE_READ],
    }
    config.update(settings)
    client: dict[str, Any] = cognito.create_user_pool_client(UserPoolId=pool_id, **config)[
        "UserPoolClient"
    ]
    return client


@pytest.fixture
def client(cognito: Any, pool_id: str) -> dict[str, Any]:
    return create_client(cognito, pool_id)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as session:
        yield session


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = raised.value.response["Error"]["Code"]
    return code


def request_token(
    http: httpx.Client,
    moto: MotoPeer,
    pool_id: str,
    client_id: str,
    secret: str,
    scope: str | None = SCOPE_READ,
    grant_type: str = "client_credentials",
    basic: bool = True,
) -> httpx.Response:
    form = {"grant_type": grant_type}
    if scope is not None:
        form["scope"] = scope
    url = f"{moto.url}/__cognito/{pool_id}/oauth2/token"
    if basic:
        return http.post(url, data=form, auth=(client_id, secret))
    form.update(client_id=client_id, client_secret=secret)
    return http.post(url, data=form)


def verified_claims(http: httpx.Client, moto: MotoPeer, pool_id: str, token: str) -> Any:
    """The token's claims, checked against the keys found through discovery."""
    issuer = f"{moto.url}/__cognito/{pool_id}"
    metadata = http.get(f"{issuer}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == issuer
    keys = KeySet.import_key_set(http.get(metadata["jwks_uri"]).json())
    claims = jwt.decode(token, keys).claims
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}).validate(claims)
    return claims


# UpdateResourceServer


def test_update_resource_server_replaces_the_name_and_every_scope(
    cognito: Any, pool_id: str
) -> None:
    updated = cognito.update_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders API",
        Scopes=[{"ScopeName": "admin", "ScopeDescription": "administer orders"}],
    )["ResourceServer"]

    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="orders")
    assert updated == described["ResourceServer"]
    assert updated["Name"] == "Orders API"
    assert updated["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "administer orders"}]


def test_update_resource_server_without_scopes_removes_them_all(cognito: Any, pool_id: str) -> None:
    cognito.update_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders")

    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="orders")
    assert described["ResourceServer"].get("Scopes", []) == []


def test_updating_an_unknown_resource_server_is_resource_not_found(
    cognito: Any, pool_id: str
) -> None:
    with pytest.raises(ClientError) as raised:
        cognito.update_resource_server(UserPoolId=pool_id, Identifier="billing", Name="Billing")

    assert error_code(raised) == "ResourceNotFoundException"


# Client secrets


def test_listing_the_resource_servers_of_an_unknown_pool_is_resource_not_found(
    cognito: Any,
) -> None:
    """moto answers an HTML 500 page; AWS (and the sandbox) ResourceNotFoundException."""
    with pytest.raises(ClientError) as raised:
        cognito.list_resource_servers(UserPoolId="us-east-1_Ex4mple01", MaxResults=50)

    assert error_code(raised) == "ResourceNotFoundException"
    assert "us-east-1_Ex4mple01" in str(raised.value)


def test_listing_the_resource_servers_of_a_pool_still_works(cognito: Any, pool_id: str) -> None:
    listed = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=50)

    assert [server["Identifier"] for server in listed["ResourceServers"]] == ["orders"]


def test_the_generated_secret_is_the_first_active_secret_and_is_listed_without_value(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])

    [secret] = listed["ClientSecrets"]
    assert re.fullmatch(rf"{client['ClientId']}--\d+", secret["ClientSecretId"])
    assert "ClientSecretCreateDate" in secret
    assert "ClientSecretValue" not in secret


def test_an_added_secret_is_generated_and_shown_only_once(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"])

    descriptor = added["ClientSecretDescriptor"]
    assert re.fullmatch(r"[\w+]{24,64}", descriptor["ClientSecretValue"])
    assert descriptor["ClientSecretValue"] != client["ClientSecret"]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert [s["ClientSecretId"] for s in listed["ClientSecrets"]][1] == descriptor["ClientSecretId"]
    assert all("ClientSecretValue" not in s for s in listed["ClientSecrets"])


def test_a_chosen_secret_is_never_echoed_back(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    added = cognito.add_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client["ClientId"], ClientSecret="chosen+" + "s" * 30
    )

    assert "ClientSecretValue" not in added["ClientSecretDescriptor"]
    assert added["ClientSecretDescriptor"]["ClientSecretId"].startswith(client["ClientId"])


@pytest.mark.parametrize(
    "chosen",
    ["s" * 23, "s" * 65, "with-a-dash-" + "s" * 20],
    ids=["too-short", "too-long", "outside-the-pattern"],
)
def test_a_chosen_secret_must_be_24_to_64_word_characters(
    moto: MotoPeer, pool_id: str, client: dict[str, Any], chosen: str
) -> None:
    # botocore would refuse the short one itself; the server's answer is what counts here.
    unvalidated = moto.boto3_client("cognito-idp", Config(parameter_validation=False))

    with pytest.raises(ClientError) as raised:
        unvalidated.add_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client["ClientId"], ClientSecret=chosen
        )

    assert error_code(raised) == "InvalidParameterException"


def test_a_client_holds_at_most_two_secrets(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"])

    with pytest.raises(ClientError) as raised:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"])

    assert error_code(raised) == "LimitExceededException"
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert len(listed["ClientSecrets"]) == 2


def test_deleting_the_original_secret_makes_room_for_another(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    client_id = client["ClientId"]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    original_id = listed["ClientSecrets"][0]["ClientSecretId"]
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)

    cognito.delete_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original_id
    )
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)

    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    ids = [secret["ClientSecretId"] for secret in listed["ClientSecrets"]]
    assert len(ids) == 2
    assert original_id not in ids


def test_the_last_secret_cannot_be_deleted(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    client_id = client["ClientId"]
    [only] = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)[
        "ClientSecrets"
    ]

    with pytest.raises(ClientError) as raised:
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client_id, ClientSecretId=only["ClientSecretId"]
        )

    assert error_code(raised) == "InvalidParameterException"


def test_deleting_an_unknown_secret_is_resource_not_found(
    cognito: Any, pool_id: str, client: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as raised:
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client["ClientId"], ClientSecretId="nope--1"
        )

    assert error_code(raised) == "ResourceNotFoundException"


def test_a_public_client_has_no_secrets_and_cannot_get_one(cognito: Any, pool_id: str) -> None:
    public = create_client(cognito, pool_id, GenerateSecret=False)

    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=public["ClientId"])
    with pytest.raises(ClientError) as raised:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=public["ClientId"])

    assert listed["ClientSecrets"] == []
    assert error_code(raised) == "InvalidParameterException"


# Token endpoint


def test_the_original_secret_obtains_a_token_that_verifies_against_the_jwks(
    http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    response = request_token(http, moto, pool_id, client["ClientId"], client["ClientSecret"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    claims = verified_claims(http, moto, pool_id, body["access_token"])
    assert claims["sub"] == claims["client_id"] == client["ClientId"]
    assert claims["scope"] == SCOPE_READ
    assert claims["token_use"] == "access"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["jti"]


def test_an_added_secret_obtains_a_token_by_client_secret_post(
    cognito: Any, http: httpx.Client, moto: MotoPeer, pool_id: str
) -> None:
    client = create_client(cognito, pool_id, AllowedOAuthScopes=[SCOPE_READ, SCOPE_WRITE])
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"])
    secret = added["ClientSecretDescriptor"]["ClientSecretValue"]

    response = request_token(
        http, moto, pool_id, client["ClientId"], secret, f"{SCOPE_WRITE} {SCOPE_READ}", basic=False
    )

    assert response.status_code == 200, response.text
    claims = verified_claims(http, moto, pool_id, response.json()["access_token"])
    assert set(claims["scope"].split()) == {SCOPE_READ, SCOPE_WRITE}


def test_a_chosen_secret_obtains_a_token(
    cognito: Any, http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    chosen = "Chosen_by_the_controller_0123456789"
    cognito.add_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client["ClientId"], ClientSecret=chosen
    )

    response = request_token(http, moto, pool_id, client["ClientId"], chosen)

    assert response.status_code == 200, response.text


def test_a_deleted_secret_no_longer_obtains_tokens(
    cognito: Any, http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    client_id = client["ClientId"]
    original_id = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)[
        "ClientSecrets"
    ][0]["ClientSecretId"]
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    cognito.delete_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original_id
    )

    response = request_token(http, moto, pool_id, client_id, client["ClientSecret"])

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_wrong_secret_is_an_invalid_client(
    http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    response = request_token(http, moto, pool_id, client["ClientId"], "wrong" * 6)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


def test_a_scope_outside_the_allowed_scopes_is_an_invalid_scope(
    http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    response = request_token(
        http, moto, pool_id, client["ClientId"], client["ClientSecret"], SCOPE_WRITE
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_token_request_without_scope_is_refused(
    http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    response = request_token(http, moto, pool_id, client["ClientId"], client["ClientSecret"], None)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_grant_other_than_client_credentials_is_unsupported(
    http: httpx.Client, moto: MotoPeer, pool_id: str, client: dict[str, Any]
) -> None:
    response = request_token(
        http, moto, pool_id, client["ClientId"], client["ClientSecret"], grant_type="password"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_client_without_the_client_credentials_flow_is_unauthorized(
    cognito: Any, http: httpx.Client, moto: MotoPeer, pool_id: str
) -> None:
    client = create_client(cognito, pool_id, AllowedOAuthFlows=["code"])

    response = request_token(http, moto, pool_id, client["ClientId"], client["ClientSecret"])

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


@pytest.mark.parametrize(
    ("validity", "units", "seconds"),
    [(5, {"AccessToken": "minutes"}, 300), (2, None, 7200), (1, {"AccessToken": "days"}, 86400)],
)
def test_the_token_lifetime_follows_access_token_validity_and_its_units(
    cognito: Any,
    http: httpx.Client,
    moto: MotoPeer,
    pool_id: str,
    validity: int,
    units: dict[str, str] | None,
    seconds: int,
) -> None:
    settings: dict[str, Any] = {"AccessTokenValidity": validity}
    if units is not None:
        settings["TokenValidityUnits"] = units
    client = create_client(cognito, pool_id, **settings)

    response = request_token(http, moto, pool_id, client["ClientId"], client["ClientSecret"])

    assert response.json()["expires_in"] == seconds
    claims = verified_claims(http, moto, pool_id, response.json()["access_token"])
    assert claims["exp"] - claims["iat"] == seconds


# Fault injection


def register_task_definition(ecs: Any) -> None:
    ecs.register_task_definition(
        family="orders-api",
        containerDefinitions=[{"name": "app", "image": "busybox", "memory": 128}],
    )


def test_an_injected_throttle_fails_exactly_n_calls_then_they_succeed(moto: MotoPeer) -> None:
    ecs = moto.boto3_client("ecs", NO_RETRIES)
    moto.inject_fault("RegisterTaskDefinition", "ThrottlingException", count=3)

    failures = []
    for _ in range(3):
        with pytest.raises(ClientError) as raised:
            register_task_definition(ecs)
        failures.append(raised)
    register_task_definition(ecs)

    assert [error_code(failure) for failure in failures] == ["ThrottlingException"] * 3
    assert all(f.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400 for f in failures)
    assert moto.calls()["RegisterTaskDefinition"] == 4
    revisions = ecs.list_task_definitions(familyPrefix="orders-api")["taskDefinitionArns"]
    assert len(revisions) == 1


def test_query_protocol_services_get_their_xml_error_format(moto: MotoPeer) -> None:
    iam = moto.boto3_client("iam", NO_RETRIES)
    moto.inject_fault("ListRoles", "Throttling", count=1)

    with pytest.raises(ClientError) as raised:
        iam.list_roles()

    assert error_code(raised) == "Throttling"
    assert raised.value.response["Error"]["Message"]
    assert iam.list_roles()["Roles"] == []


def test_botocore_retries_injected_server_errors_as_it_would_against_aws(moto: MotoPeer) -> None:
    secrets = moto.boto3_client("secretsmanager")  # standard retries: 3 attempts
    moto.inject_fault("ListSecrets", "InternalFailure", status=500, count=2)

    assert secrets.list_secrets()["SecretList"] == []
    assert moto.calls()["ListSecrets"] == 3


def test_faults_for_one_operation_are_served_in_the_order_they_were_posted(
    moto: MotoPeer,
) -> None:
    sts = moto.boto3_client("sts", NO_RETRIES)
    moto.inject_fault("GetCallerIdentity", "Throttling")
    moto.inject_fault("GetCallerIdentity", "ServiceUnavailable", status=503)

    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as raised:
            sts.get_caller_identity()
        codes.append(error_code(raised))

    assert codes == ["Throttling", "ServiceUnavailable"]
    assert sts.get_caller_identity()["Account"]


def test_a_fault_for_one_access_key_spares_the_other_callers(
    moto: MotoPeer, http: httpx.Client
) -> None:
    mine = moto.boto3_client("sts", NO_RETRIES)
    theirs = boto3.client(
        "sts",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="replica-b",
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    )
    fault = {"operation": "GetCallerIdentity", "code": "Throttling", "accessKey": "replica-b"}
    assert http.post(f"{moto.url}/__faults", json=fault).status_code == 204

    assert mine.get_caller_identity()["Account"]
    with pytest.raises(ClientError) as raised:
        theirs.get_caller_identity()
    assert error_code(raised) == "Throttling"
    assert theirs.get_caller_identity()["Account"]


def test_deleting_faults_drops_the_pending_ones(moto: MotoPeer, http: httpx.Client) -> None:
    sts = moto.boto3_client("sts", NO_RETRIES)
    moto.inject_fault("GetCallerIdentity", "Throttling", count=5)

    assert http.delete(f"{moto.url}/__faults").status_code == 204

    assert sts.get_caller_identity()["Account"]


def test_reset_drops_faults_and_call_counts(moto: MotoPeer) -> None:
    sts = moto.boto3_client("sts", NO_RETRIES)
    sts.get_caller_identity()
    moto.inject_fault("GetCallerIdentity", "Throttling", count=5)

    moto.reset()

    assert moto.calls() == {}
    assert sts.get_caller_identity()["Account"]
    assert moto.calls() == {"GetCallerIdentity": 1}


def test_an_invalid_fault_is_refused_with_the_reason(moto: MotoPeer, http: httpx.Client) -> None:
    fault = {"operation": "ListRoles", "code": "Throttling", "count": 0}

    response = http.post(f"{moto.url}/__faults", json=fault)

    assert response.status_code == 400
    assert "count" in response.json()["error"]


# Entry points


def test_start_in_process_serves_the_extensions_and_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # start_in_process sets this for moto's ECS; keep it out of the other tests.
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")
    running = start_in_process()
    try:
        with httpx.Client(base_url=running.url, timeout=10) as http:
            assert http.get("/__faults/calls").json() == {}
            assert http.get("/__cognito/us-east-1_missing/.well-known/jwks.json").status_code == 404
    finally:
        running.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.url}/__faults/calls", timeout=2)


def test_the_server_process_exits_cleanly_on_sigterm() -> None:
    peer = start_moto_server()

    peer.stop()

    assert peer.process.returncode == 0
