"""An operation the installed botocore lacks is a refusal that says what to install,
never an AttributeError that ends a worker; resource server names Cognito accepts."""

from __future__ import annotations

import asyncio
from typing import Any

import botocore.session
import pytest
import regex
from aiolimiter import AsyncLimiter
from hypothesis import given
from hypothesis import strategies as st

from controller.aws import AwsClients
from controller.idp import IdpRejected
from controller.idp._cognito import OPERATION_SINCE, CognitoAdapter, call_cognito
from controller.idp._cognito_scopes import resource_server_name


class OldCognitoClient:
    """A Cognito client from a botocore before the client-secret operations."""

    async def describe_user_pool_client(self, **params: Any) -> dict[str, Any]:
        return {"UserPoolClient": {"ClientId": params["ClientId"]}}


class FakeAws:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._limiter = AsyncLimiter(100, 1)

    def client(self, service: str) -> Any:
        assert service == "cognito-idp"
        return self._client

    def cognito_limiter(self, user_pool_id: str) -> AsyncLimiter:
        return self._limiter


def aws(client: Any) -> AwsClients:
    fake: Any = FakeAws(client)
    return fake  # type: ignore[no-any-return]


class TestMissingOperations:
    def test_a_missing_operation_is_refused_naming_the_botocore_it_needs(self) -> None:
        with pytest.raises(IdpRejected) as raised:
            asyncio.run(
                call_cognito(aws(OldCognitoClient()), "us-east-1_Pool", "ListUserPoolClientSecrets")
            )

        assert "botocore 1.42.59 or later" in str(raised.value)
        assert "ListUserPoolClientSecrets" in str(raised.value)
        assert raised.value.error == "UnknownOperation"

    def test_the_adapter_turns_it_into_a_refusal_too(self) -> None:
        adapter = CognitoAdapter(
            "us-east-1_Pool", "https://auth.example/token", aws(OldCognitoClient())
        )

        with pytest.raises(IdpRejected):
            asyncio.run(adapter.add_secret("client", "v" * 40))

    def test_operations_the_client_has_still_work(self) -> None:
        response = asyncio.run(
            call_cognito(
                aws(OldCognitoClient()), "us-east-1_Pool", "DescribeUserPoolClient", ClientId="c"
            )
        )

        assert response == {"UserPoolClient": {"ClientId": "c"}}

    def test_every_operation_named_is_in_the_installed_model(self) -> None:
        model = botocore.session.get_session().get_service_model("cognito-idp")

        assert set(OPERATION_SINCE) <= set(model.operation_names)


NAME_PATTERN = regex.compile(r"[\w\s+=,.@-]+", regex.ASCII)
# Cognito's ResourceServer Identifier alphabet: [\x21\x23-\x5B\x5D-\x7E]+
IDENTIFIERS = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\']),
    min_size=1,
    max_size=300,
)


class TestResourceServerNames:
    def test_a_url_identifier_gets_a_name_without_colon_or_slash(self) -> None:
        assert resource_server_name("https://api.example.com") == "https---api.example.com"

    def test_a_plain_identifier_is_its_own_name(self) -> None:
        assert resource_server_name("orders") == "orders"

    @given(IDENTIFIERS)
    def test_every_identifier_gets_a_name_matching_cognitos_pattern(self, identifier: str) -> None:
        name = resource_server_name(identifier)

        assert NAME_PATTERN.fullmatch(name)
        assert 1 <= len(name) <= 256

    def test_the_pattern_is_the_one_in_the_sdk_model(self) -> None:
        model = botocore.session.get_session().get_service_model("cognito-idp")

        assert model.shape_for("ResourceServerNameType").metadata["pattern"] == NAME_PATTERN.pattern
