"""How Cognito's app-client and resource-server shapes map to the adapter's terms.

The read-modify-write rule is the one most easily broken: Cognito resets whatever an
UpdateUserPoolClient request leaves out, and moto does not (it merges), so these pin
the request itself.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from controller.idp import ClientRecord, ClientSpec, IdpNotFound, IdpRejected, IdpUnavailable
from controller.idp._cognito import (
    MACHINE_AUTH_FLOWS,
    access_token_validity_minutes,
    create_request,
    idp_error,
    observed_client,
    token_lifetime,
    update_request,
)
from controller.idp._cognito_scopes import merged_scopes, scope_list, scope_map

SPEC = ClientSpec(
    name="ecs-oauth-orders-api",
    scopes=("orders/read", "orders/write"),
    token_lifetime=timedelta(minutes=15),
)
RECORD = ClientRecord(client_id="abc", client_secret="s3cr3t")


def operation_members(operation: str) -> list[str]:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    return list(model.operation_model(operation).input_shape.members)


def described_client(**overrides: Any) -> dict[str, Any]:
    """A DescribeUserPoolClient answer for a client someone else also configured."""
    client = {
        "UserPoolId": "us-east-1_AbCdEf",
        "ClientName": "ecs-oauth-orders-api",
        "ClientId": "abc",
        "ClientSecret": "s3cr3t",
        "CreationDate": "2026-01-01T00:00:00Z",
        "LastModifiedDate": "2026-01-02T00:00:00Z",
        "RefreshTokenValidity": 10,
        "IdTokenValidity": 2,
        "AccessTokenValidity": 1,
        "TokenValidityUnits": {"IdToken": "hours", "RefreshToken": "days"},
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["orders/read"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AuthSessionValidity": 3,
    }
    client.update(overrides)
    return client


def test_every_updatable_attribute_is_one_that_describe_returns() -> None:
    """Otherwise read-modify-write could not carry it over and an update would reset it."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    described = set(model.shape_for("UserPoolClientType").members)

    assert set(operation_members("UpdateUserPoolClient")) <= described


def test_an_update_carries_every_attribute_it_does_not_own_unchanged() -> None:
    current = described_client()

    request = update_request(current, SPEC, operation_members("UpdateUserPoolClient"))

    assert request["ClientName"] == "ecs-oauth-orders-api"
    assert request["RefreshTokenValidity"] == 10
    assert request["IdTokenValidity"] == 2
    assert request["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert request["PreventUserExistenceErrors"] == "ENABLED"
    assert request["EnableTokenRevocation"] is True
    assert request["AuthSessionValidity"] == 3
    assert request["ClientId"] == "abc"


def test_an_update_sets_the_owned_attributes_and_keeps_the_other_validity_units() -> None:
    request = update_request(described_client(), SPEC, operation_members("UpdateUserPoolClient"))

    assert request["AllowedOAuthScopes"] == ["orders/read", "orders/write"]
    assert request["AllowedOAuthFlows"] == ["client_credentials"]
    assert request["AllowedOAuthFlowsUserPoolClient"] is True
    assert request["AccessTokenValidity"] == 15
    assert request["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "hours",
        "RefreshToken": "days",
    }


def test_an_update_gives_a_renamed_client_its_name_back() -> None:
    current = described_client(ClientName="renamed-by-hand")

    request = update_request(current, SPEC, operation_members("UpdateUserPoolClient"))

    assert request["ClientName"] == "ecs-oauth-orders-api"


def test_an_update_turns_off_user_sign_in_flows_and_user_existence_errors() -> None:
    current = described_client(
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="LEGACY",
    )

    request = update_request(current, SPEC, operation_members("UpdateUserPoolClient"))

    assert request["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert request["PreventUserExistenceErrors"] == "ENABLED"


def test_the_machine_flows_are_values_the_sdk_accepts() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    allowed = set(model.shape_for("ExplicitAuthFlowsType").enum)

    assert set(MACHINE_AUTH_FLOWS) <= allowed
    assert not any(flow.startswith("ALLOW_USER") for flow in MACHINE_AUTH_FLOWS)


def test_an_update_sends_nothing_the_request_does_not_accept() -> None:
    request = update_request(described_client(), SPEC, operation_members("UpdateUserPoolClient"))

    assert not {"ClientSecret", "CreationDate", "LastModifiedDate", "UserPoolId"} & set(request)
    assert set(request) <= set(operation_members("UpdateUserPoolClient"))


def test_a_create_asks_for_a_confidential_client_credentials_client() -> None:
    request = create_request(SPEC)

    assert request == {
        "ClientName": "ecs-oauth-orders-api",
        "GenerateSecret": True,
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthScopes": ["orders/read", "orders/write"],
        "AccessTokenValidity": 15,
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }
    assert set(request) <= set(operation_members("CreateUserPoolClient"))


@pytest.mark.parametrize(
    ("lifetime", "minutes"),
    [
        (timedelta(minutes=15), 15),
        (timedelta(hours=1), 60),
        (timedelta(minutes=5, seconds=1), 6),
    ],
)
def test_validity_is_whole_minutes_never_shorter_than_asked(
    lifetime: timedelta, minutes: int
) -> None:
    assert access_token_validity_minutes(lifetime) == minutes


@pytest.mark.parametrize(
    ("config", "lifetime"),
    [
        ({"AccessTokenValidity": 15, "TokenValidityUnits": {"AccessToken": "minutes"}}, 15 * 60),
        ({"AccessTokenValidity": 2}, 2 * 3600),
        ({"AccessTokenValidity": 2, "TokenValidityUnits": {"IdToken": "minutes"}}, 2 * 3600),
        ({"AccessTokenValidity": 900, "TokenValidityUnits": {"AccessToken": "seconds"}}, 900),
        ({"AccessTokenValidity": 1, "TokenValidityUnits": {"AccessToken": "days"}}, 86400),
        ({}, 3600),
    ],
)
def test_the_lifetime_reads_validity_in_its_unit_with_cognitos_defaults(
    config: dict[str, Any], lifetime: int
) -> None:
    assert token_lifetime(config) == timedelta(seconds=lifetime)


def test_a_described_client_reads_in_the_specs_terms() -> None:
    config = described_client(
        AllowedOAuthScopes=["orders/write", "orders/read"],
        AccessTokenValidity=15,
        TokenValidityUnits={"AccessToken": "minutes"},
    )

    observed = observed_client(config, RECORD)

    assert observed.client_id == "abc"
    assert observed.name == "ecs-oauth-orders-api"
    assert observed.scopes == ("orders/read", "orders/write")
    assert observed.grant_types == ("client_credentials",)
    assert observed.token_lifetime == timedelta(minutes=15)
    assert observed.record is RECORD


def test_user_sign_in_flows_read_as_grants_so_they_show_as_drift() -> None:
    config = described_client(
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
    )

    assert observed_client(config, RECORD).grant_types == (
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "client_credentials",
    )


def test_the_secret_describe_returns_is_observed_but_never_printed() -> None:
    observed = observed_client(described_client(ClientSecret="s3cr3t-from-cognito"), RECORD)

    assert observed.client_secret == "s3cr3t-from-cognito"
    assert "s3cr3t" not in repr(observed)


def test_a_client_without_a_secret_observes_none() -> None:
    config = described_client()
    del config["ClientSecret"]

    assert observed_client(config, RECORD).client_secret is None


def test_flows_of_a_client_not_enabled_for_oauth_do_not_count() -> None:
    config = described_client(AllowedOAuthFlowsUserPoolClient=False)

    assert observed_client(config, RECORD).grant_types == ()


def test_a_client_without_oauth_settings_reads_as_empty() -> None:
    config = {"ClientId": "abc", "ClientName": "legacy"}

    observed = observed_client(config, RECORD)

    assert (observed.scopes, observed.grant_types) == ((), ())


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "detail"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "DescribeUserPoolClient")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("ResourceNotFoundException", 400), IdpNotFound),
        (client_error("TooManyRequestsException", 400), IdpUnavailable),
        (client_error("InternalErrorException", 500), IdpUnavailable),
        (client_error("InvalidParameterException", 400), IdpRejected),
        (client_error("LimitExceededException", 400), IdpRejected),
        (EndpointConnectionError(endpoint_url="https://cognito-idp.example"), IdpUnavailable),
        (ResponseParserError("Unable to parse response: b'<html>'"), IdpUnavailable),
    ],
)
def test_aws_errors_map_to_not_found_retry_later_or_refused(
    error: ClientError | BotoCoreError | ResponseParserError, expected: type[Exception]
) -> None:
    translated = idp_error("DescribeUserPoolClient", error)

    assert type(translated) is expected
    assert "DescribeUserPoolClient" in str(translated)


def test_aws_error_codes_and_statuses_are_kept_for_callers() -> None:
    translated = idp_error("DescribeUserPoolClient", client_error("InvalidParameterException", 400))

    assert (translated.status, translated.error) == (400, "InvalidParameterException")


def test_declared_scopes_are_added_and_corrected_and_others_left_alone() -> None:
    current = {"read": "Read", "write": "Write", "legacy": "Someone else's"}

    merged = merged_scopes(current, {"read": "Read orders", "admin": ""})

    assert merged == {
        "read": "Read orders",
        "write": "Write",
        "legacy": "Someone else's",
        "admin": "admin",
    }


def test_declared_scopes_already_present_change_nothing() -> None:
    current = {"read": "Read", "write": "Write"}

    assert merged_scopes(current, {"read": "Read"}) == current


def test_scopes_round_trip_through_the_wire_form_in_a_stable_order() -> None:
    scopes = {"write": "Write", "read": "Read"}

    wire = scope_list(scopes)

    assert [scope["ScopeName"] for scope in wire] == ["read", "write"]
    assert scope_map({"Scopes": wire}) == scopes
    assert scope_map({}) == {}
