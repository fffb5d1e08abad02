"""CreateUserPoolClient has no client token: a 5xx or a dropped connection may come after
Cognito made the client, so the SDK must not send it again (a second client); a throttle
means Cognito did nothing, and is retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from controller.aws import AwsClients
from controller.idp import ClientSpec, CognitoAdapter, IdpUnavailable
from tests.harness.chaos_control import ChaosControl
from tests.harness.moto import MotoPeer

SPEC = ClientSpec(name="ecs-oauth-orders-api", scopes=(), token_lifetime=timedelta(minutes=15))


@pytest.fixture
async def adapter(moto: MotoPeer) -> AsyncIterator[tuple[CognitoAdapter, str]]:
    pool: str = moto.boto3_client("cognito-idp").create_user_pool(PoolName="p")["UserPool"]["Id"]
    async with AwsClients() as clients:
        yield CognitoAdapter(pool, "https://auth.example.com/oauth2/token", clients), pool


def client_names(moto: MotoPeer, pool: str) -> list[str]:
    listed: list[dict[str, Any]] = moto.boto3_client("cognito-idp").list_user_pool_clients(
        UserPoolId=pool, MaxResults=60
    )["UserPoolClients"]
    return [client["ClientName"] for client in listed]


@pytest.mark.parametrize(
    ("code", "status"), [("InternalFailure", 500), ("ServiceUnavailable", 503)]
)
async def test_a_5xx_is_not_retried(
    moto: MotoPeer, adapter: tuple[CognitoAdapter, str], code: str, status: int
) -> None:
    cognito, _ = adapter
    moto.inject_fault("CreateUserPoolClient", code, status)
    with pytest.raises(IdpUnavailable):
        await cognito.create(SPEC)
    assert moto.calls()["CreateUserPoolClient"] == 1


async def test_a_connection_dropped_after_cognito_acted_leaves_one_client(
    moto: MotoPeer, adapter: tuple[CognitoAdapter, str]
) -> None:
    cognito, pool = adapter
    chaos = ChaosControl(moto.url)
    chaos.start(seed=1, rate=1.0, kinds=["reset"], operations=["CreateUserPoolClient"])
    with pytest.raises(IdpUnavailable):
        await cognito.create(SPEC)
    chaos.stop()
    assert moto.calls()["CreateUserPoolClient"] == 1
    assert len(client_names(moto, pool)) <= 1


async def test_a_throttle_is_retried(moto: MotoPeer, adapter: tuple[CognitoAdapter, str]) -> None:
    cognito, pool = adapter
    moto.inject_fault("CreateUserPoolClient", "ThrottlingException", 400, count=2)
    await cognito.create(SPEC)
    assert moto.calls()["CreateUserPoolClient"] == 3
    assert client_names(moto, pool) == [SPEC.name]
