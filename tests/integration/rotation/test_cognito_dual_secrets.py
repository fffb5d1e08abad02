"""The Cognito adapter's dual-secret operations against moto's extension of them (moto
lacks Add/List/DeleteUserPoolClientSecret; the sandbox adds them following the AWS model),
and the token endpoint beside moto honouring whichever secrets are active."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from controller.aws import AwsClients
from controller.engine._rotation_strategies import new_secret_value
from controller.idp import (
    ClientRecord,
    ClientSpec,
    CognitoAdapter,
    IdpRejected,
    request_token,
)

from .conftest import Rotating

SCOPES = ("orders/read",)


@pytest.fixture
async def cognito(rotating: Rotating) -> AsyncIterator[tuple[CognitoAdapter, ClientRecord]]:
    """An adapter on the seeded pool and a fresh app client, deleted afterwards."""
    async with AwsClients() as aws:
        adapter = CognitoAdapter(
            rotating.world.user_pool_id, rotating.world.cognito_token_endpoint, aws
        )
        record = await adapter.create(ClientSpec("dual-secrets", SCOPES, timedelta(minutes=15)))
        yield adapter, record
        await adapter.delete(record)


async def token_scopes(
    rotating: Rotating, client_id: str, secret: str, scopes: tuple[str, ...] = SCOPES
) -> tuple[str, ...]:
    async with rotating.controller() as world:
        issued = await request_token(
            world.http, rotating.world.cognito_token_endpoint, client_id, secret, scopes
        )
    return issued.scopes


async def test_a_client_starts_with_its_generated_secret_listed(
    cognito: tuple[CognitoAdapter, ClientRecord],
) -> None:
    adapter, record = cognito

    assert len(await adapter.list_secrets(record.client_id)) == 1


async def test_while_two_secrets_are_active_either_obtains_a_token(
    rotating: Rotating, cognito: tuple[CognitoAdapter, ClientRecord]
) -> None:
    adapter, record = cognito
    chosen = new_secret_value()

    added = await adapter.add_secret(record.client_id, chosen)

    listed = await adapter.list_secrets(record.client_id)
    assert [info.secret_id for info in listed][-1] == added
    assert len(listed) == 2
    assert await token_scopes(rotating, record.client_id, record.client_secret) == SCOPES
    assert await token_scopes(rotating, record.client_id, chosen) == SCOPES


async def test_a_deleted_secret_no_longer_authenticates_and_the_other_still_does(
    rotating: Rotating, cognito: tuple[CognitoAdapter, ClientRecord]
) -> None:
    adapter, record = cognito
    chosen = new_secret_value()
    await adapter.add_secret(record.client_id, chosen)
    original = (await adapter.list_secrets(record.client_id))[0]

    await adapter.delete_secret(record.client_id, original.secret_id)
    await adapter.delete_secret(record.client_id, original.secret_id)  # gone already: fine

    assert len(await adapter.list_secrets(record.client_id)) == 1
    assert await token_scopes(rotating, record.client_id, chosen) == SCOPES
    with pytest.raises(IdpRejected) as refused:
        await token_scopes(rotating, record.client_id, record.client_secret)
    assert (refused.value.status, refused.value.error) == (401, "invalid_client")


async def test_the_last_secret_cannot_be_deleted(
    cognito: tuple[CognitoAdapter, ClientRecord],
) -> None:
    adapter, record = cognito
    [only] = await adapter.list_secrets(record.client_id)

    with pytest.raises(IdpRejected, match="InvalidParameterException"):
        await adapter.delete_secret(record.client_id, only.secret_id)


async def test_a_token_for_a_scope_the_client_lacks_is_refused_by_name(
    rotating: Rotating, cognito: tuple[CognitoAdapter, ClientRecord]
) -> None:
    _, record = cognito

    with pytest.raises(IdpRejected) as refused:
        await token_scopes(
            rotating, record.client_id, record.client_secret, ("orders/read", "orders/write")
        )
    assert refused.value.error == "invalid_scope"
    assert record.client_secret not in str(refused.value)
