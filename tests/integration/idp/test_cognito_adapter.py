"""The Cognito adapter against moto in server mode (with the sandbox's additions).

moto merges an UpdateUserPoolClient request into the stored client where AWS
replaces it, so the read-modify-write rule is checked on the request sent, not
only on what moto stores afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import regex
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.aws import AwsClients
from controller.idp import (
    ClientRecord,
    ClientSpec,
    CognitoAdapter,
    CognitoResourceServers,
    IdpNotFound,
    IdpRejected,
)
from tests.harness.moto import MotoPeer

SPEC = ClientSpec(
    name="ecs-oauth-orders-api",
    scopes=("orders/read", "orders/write"),
    token_lifetime=timedelta(minutes=15),
)
ORDERS_SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read orders"},
    {"ScopeName": "write", "ScopeDescription": "Write orders"},
]


@pytest.fixture
def cognito(moto: MotoPeer) -> Any:
    return moto.boto3_client("cognito-idp")


@pytest.fixture
def pool_id(cognito: Any) -> str:
    pool: str = cognito.create_user_pool(PoolName="services")["UserPool"]["Id"]
    cognito.create_resource_server(
        UserPoolId=pool, Identifier="orders", Name="Orders", Scopes=ORDERS_SCOPES
    )
    return pool


@pytest.fixture
async def aws(moto: MotoPeer) -> AsyncIterator[AwsClients]:
    async with AwsClients() as clients:
        yield clients


@pytest.fixture
def adapter(pool_id: str, moto: MotoPeer, aws: AwsClients) -> CognitoAdapter:
    return CognitoAdapter(pool_id, token_endpoint(moto, pool_id), aws)


def token_endpoint(moto: MotoPeer, pool_id: str) -> str:
    return f"{moto.url}/__cognito/{pool_id}/oauth2/token"


async def test_endpoints_are_the_pools_issuer_and_the_configured_token_endpoint(
    adapter: CognitoAdapter, pool_id: str, moto: MotoPeer
) -> None:
    endpoints = await adapter.endpoints()

    assert endpoints.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert endpoints.token_endpoint == token_endpoint(moto, pool_id)


async def test_a_created_client_reads_back_as_specified(
    adapter: CognitoAdapter, cognito: Any, pool_id: str
) -> None:
    record = await adapter.create(SPEC)
    observed = await adapter.read(record)

    assert observed is not None
    assert observed.client_id == record.client_id
    assert observed.name == "ecs-oauth-orders-api"
    assert observed.scopes == ("orders/read", "orders/write")
    assert observed.grant_types == ("client_credentials",)
    assert observed.token_lifetime == timedelta(minutes=15)
    assert observed.record is record
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=record.client_id)
    assert described["UserPoolClient"]["ClientSecret"] == record.client_secret


async def test_an_update_changes_scopes_and_lifetime(adapter: CognitoAdapter) -> None:
    record = await adapter.create(SPEC)
    narrower = ClientSpec(SPEC.name, ("orders/read",), timedelta(hours=1))

    updated = await adapter.update(record, narrower)
    observed = await adapter.read(updated)

    assert updated == record
    assert observed is not None
    assert observed.scopes == ("orders/read",)
    assert observed.token_lifetime == timedelta(hours=1)


async def test_an_update_sends_back_every_attribute_it_does_not_own(
    adapter: CognitoAdapter, aws: AwsClients, cognito: Any, pool_id: str
) -> None:
    legacy = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="ecs-oauth-orders-api",
        GenerateSecret=True,
        RefreshTokenValidity=7,
        IdTokenValidity=2,
        AuthSessionValidity=5,
        EnableTokenRevocation=False,
        TokenValidityUnits={"IdToken": "hours", "RefreshToken": "days"},
    )["UserPoolClient"]
    record = ClientRecord(legacy["ClientId"], legacy["ClientSecret"])
    sent = capture_updates(aws)

    await adapter.update(record, SPEC)

    assert len(sent) == 1
    request = sent[0]
    assert request["RefreshTokenValidity"] == 7
    assert request["IdTokenValidity"] == 2
    assert request["AuthSessionValidity"] == 5
    assert request["EnableTokenRevocation"] is False
    assert request["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "hours",
        "RefreshToken": "days",
    }
    stored = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=legacy["ClientId"])
    client = stored["UserPoolClient"]
    assert client["RefreshTokenValidity"] == 7
    assert client["AllowedOAuthScopes"] == ["orders/read", "orders/write"]


def capture_updates(aws: AwsClients) -> list[dict[str, Any]]:
    """Every UpdateUserPoolClient request as sent (moto merges where AWS replaces)."""
    sent: list[dict[str, Any]] = []
    aws.client("cognito-idp").meta.events.register(
        "provide-client-params.cognito-idp.UpdateUserPoolClient",
        lambda params, **_: sent.append(dict(params)),
    )
    return sent


class TestAMachineClient:
    async def test_a_created_client_allows_no_user_sign_in_and_hides_user_existence(
        self, adapter: CognitoAdapter, cognito: Any, pool_id: str
    ) -> None:
        record = await adapter.create(SPEC)

        described = cognito.describe_user_pool_client(
            UserPoolId=pool_id, ClientId=record.client_id
        )["UserPoolClient"]
        assert described["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
        assert described["PreventUserExistenceErrors"] == "ENABLED"

    async def test_user_sign_in_flows_turned_on_by_hand_read_as_grants_and_an_update_ends_them(
        self, adapter: CognitoAdapter, aws: AwsClients, cognito: Any, pool_id: str
    ) -> None:
        record = await adapter.create(SPEC)
        current = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=record.client_id)[
            "UserPoolClient"
        ]
        cognito.update_user_pool_client(
            UserPoolId=pool_id,
            ClientId=record.client_id,
            ClientName=current["ClientName"],
            AllowedOAuthFlows=current["AllowedOAuthFlows"],
            AllowedOAuthScopes=current["AllowedOAuthScopes"],
            AllowedOAuthFlowsUserPoolClient=True,
            ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
            PreventUserExistenceErrors="LEGACY",
        )

        drifted = await adapter.read(record)
        await adapter.update(record, SPEC)
        fixed = await adapter.read(record)

        assert drifted is not None
        assert fixed is not None
        assert drifted.grant_types == ("ALLOW_USER_PASSWORD_AUTH", "client_credentials")
        assert fixed.grant_types == ("client_credentials",)
        described = cognito.describe_user_pool_client(
            UserPoolId=pool_id, ClientId=record.client_id
        )["UserPoolClient"]
        assert described["PreventUserExistenceErrors"] == "ENABLED"

    async def test_a_renamed_client_gets_its_name_back(
        self, adapter: CognitoAdapter, aws: AwsClients, cognito: Any, pool_id: str
    ) -> None:
        record = await adapter.create(SPEC)
        current = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=record.client_id)[
            "UserPoolClient"
        ]
        cognito.update_user_pool_client(
            UserPoolId=pool_id,
            ClientId=record.client_id,
            ClientName="renamed-by-hand",
            AllowedOAuthFlows=current["AllowedOAuthFlows"],
            AllowedOAuthScopes=current["AllowedOAuthScopes"],
            AllowedOAuthFlowsUserPoolClient=True,
        )
        sent = capture_updates(aws)

        await adapter.update(record, SPEC)
        observed = await adapter.read(record)

        assert [request["ClientName"] for request in sent] == ["ecs-oauth-orders-api"]
        assert observed is not None
        assert observed.name == "ecs-oauth-orders-api"

    async def test_a_read_reports_the_secret_cognito_holds(self, adapter: CognitoAdapter) -> None:
        record = await adapter.create(SPEC)
        corrupted = ClientRecord(record.client_id, "not-the-secret")

        observed = await adapter.read(corrupted)

        assert observed is not None
        assert observed.client_secret == record.client_secret
        assert observed.client_secret != corrupted.client_secret


async def test_a_deleted_client_is_gone(adapter: CognitoAdapter) -> None:
    record = await adapter.create(SPEC)

    await adapter.delete(record)

    assert await adapter.read(record) is None
    await adapter.delete(record)  # already gone: nothing to do
    with pytest.raises(IdpNotFound):
        await adapter.update(record, SPEC)


async def test_a_client_is_found_by_name_past_the_first_page(
    adapter: CognitoAdapter, cognito: Any, pool_id: str
) -> None:
    for number in range(65):
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"other-{number}")
    record = await adapter.create(SPEC)

    found = await adapter.find_by_name(SPEC.name)

    assert found == record
    assert await adapter.find_by_name("ecs-oauth-nobody") is None


async def test_two_clients_of_one_name_are_not_adopted(adapter: CognitoAdapter) -> None:
    await adapter.create(SPEC)
    await adapter.create(SPEC)

    with pytest.raises(IdpRejected, match="2 app clients"):
        await adapter.find_by_name(SPEC.name)


async def test_the_created_credentials_get_a_token_with_the_asked_scopes(
    adapter: CognitoAdapter, moto: MotoPeer, pool_id: str
) -> None:
    record = await adapter.create(SPEC)
    endpoints = await adapter.endpoints()

    async with AsyncOAuth2Client(
        record.client_id, record.client_secret, token_endpoint_auth_method="client_secret_basic"
    ) as oauth:
        token = await oauth.fetch_token(
            endpoints.token_endpoint, grant_type="client_credentials", scope="orders/read"
        )
        jwks = (await oauth.get(f"{moto.url}/__cognito/{pool_id}/.well-known/jwks.json")).json()

    claims = jwt.decode(token["access_token"], KeySet.import_key_set(jwks)).claims
    assert claims["client_id"] == record.client_id
    assert claims["scope"] == "orders/read"
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_ensure_creates_a_missing_resource_server(
    pool_id: str, aws: AwsClients, cognito: Any
) -> None:
    servers = CognitoResourceServers(pool_id, aws)

    wrote = await servers.ensure("payments", {"read": "Read payments"})

    assert wrote
    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="payments")
    assert described["ResourceServer"]["Name"] == "payments"
    assert await servers.list() == {
        "orders": {"read": "Read orders", "write": "Write orders"},
        "payments": {"read": "Read payments"},
    }


async def test_a_url_resource_server_is_created_with_a_name_cognito_accepts(
    pool_id: str, aws: AwsClients, cognito: Any
) -> None:
    servers = CognitoResourceServers(pool_id, aws)

    await servers.ensure("https://api.example.com", {"read": "Read"})

    described = cognito.describe_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com"
    )["ResourceServer"]
    assert regex.fullmatch(r"[\w\s+=,.@-]+", described["Name"], regex.ASCII)
    assert described["Name"] == "https---api.example.com"
    assert (await servers.list())["https://api.example.com"] == {"read": "Read"}


async def test_ensure_adds_declared_scopes_keeps_the_others_and_then_writes_nothing(
    pool_id: str, aws: AwsClients, moto: MotoPeer, cognito: Any
) -> None:
    servers = CognitoResourceServers(pool_id, aws)

    first = await servers.ensure("orders", {"read": "Read orders", "admin": "Administer"})
    writes_after_first = moto.calls().get("UpdateResourceServer", 0)
    second = await servers.ensure("orders", {"read": "Read orders", "admin": "Administer"})

    assert (first, second) == (True, False)
    assert writes_after_first == 1
    assert moto.calls().get("UpdateResourceServer", 0) == 1
    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="orders")
    assert described["ResourceServer"]["Name"] == "Orders"
    assert (await servers.list())["orders"] == {
        "admin": "Administer",
        "read": "Read orders",
        "write": "Write orders",
    }


async def test_resource_servers_are_listed_past_the_first_page(
    pool_id: str, aws: AwsClients, cognito: Any
) -> None:
    for number in range(55):
        cognito.create_resource_server(
            UserPoolId=pool_id, Identifier=f"api-{number}", Name=f"api-{number}"
        )

    listed = await CognitoResourceServers(pool_id, aws).list()

    assert len(listed) == 56
    assert listed["api-54"] == {}
