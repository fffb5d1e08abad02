"""The RFC 7591/7592 adapter against two real authorization servers.

Every test in the first part runs against panva's oidc-provider and against the
sandbox's own server: passing on both is what shows the adapter follows the RFCs
and not one server's habits. The last part uses a small stub for what neither
peer does (no OpenID discovery, rotating the registration access token on GET,
failing, echoing credentials back).
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

import aiohttp
import pytest
from aiohttp import test_utils, web
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdpError,
    IdpNotFound,
    IdpRejected,
    IdpUnavailable,
    OidcAdapter,
)

SPEC = ClientSpec(
    name="ecs-oauth-orders-api",
    scopes=("orders.read", "payments.read"),
    token_lifetime=timedelta(minutes=15),
)


class Peer(Protocol):
    @property
    def issuer(self) -> str: ...

    @property
    def initial_access_token(self) -> str: ...


def iat(value: str) -> Callable[[], Awaitable[str]]:
    async def initial_access_token() -> str:
        return value

    return initial_access_token


@pytest.fixture(params=["oidc_provider", "sandbox_authserver"])
def peer(request: pytest.FixtureRequest) -> Peer:
    server: Peer = request.getfixturevalue(request.param)
    return server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def adapter(peer: Peer, http: aiohttp.ClientSession) -> OidcAdapter:
    return OidcAdapter(peer.issuer, iat(peer.initial_access_token), http)


async def test_endpoints_come_from_discovery(adapter: OidcAdapter, peer: Peer) -> None:
    endpoints = await adapter.endpoints()

    assert endpoints.issuer == peer.issuer
    assert endpoints.token_endpoint == f"{peer.issuer}/token"


async def test_a_created_client_reads_back_as_specified(adapter: OidcAdapter) -> None:
    record = await adapter.create(SPEC)
    observed = await adapter.read(record)

    assert record.client_secret
    assert record.registration_access_token
    assert record.registration_client_uri
    assert observed is not None
    assert observed.client_id == record.client_id
    assert observed.name == "ecs-oauth-orders-api"
    assert observed.scopes == ("orders.read", "payments.read")
    assert observed.grant_types == ("client_credentials",)
    assert observed.token_lifetime is None


async def test_an_update_changes_the_scopes_and_returns_the_rotated_token(
    adapter: OidcAdapter,
) -> None:
    record = await adapter.create(SPEC)
    wider = ClientSpec(SPEC.name, ("orders.read", "orders.write"), SPEC.token_lifetime)

    updated = await adapter.update(record, wider)
    observed = await adapter.read(updated)

    assert observed is not None
    assert observed.scopes == ("orders.read", "orders.write")
    assert observed.grant_types == ("client_credentials",)
    assert updated.client_id == record.client_id
    assert updated.client_secret == record.client_secret
    assert updated.registration_access_token != record.registration_access_token
    # Both peers kill the old registration access token at once.
    assert await adapter.read(record) is None


async def test_the_created_credentials_get_a_token_with_the_asked_scopes(
    adapter: OidcAdapter, peer: Peer, http: aiohttp.ClientSession
) -> None:
    record = await adapter.create(SPEC)
    endpoints = await adapter.endpoints()

    async with AsyncOAuth2Client(
        record.client_id, record.client_secret, token_endpoint_auth_method="client_secret_basic"
    ) as oauth:
        token = await oauth.fetch_token(
            endpoints.token_endpoint, grant_type="client_credentials", scope=" ".join(SPEC.scopes)
        )

    async with http.get(f"{peer.issuer}/.well-known/openid-configuration") as response:
        jwks_uri = (await response.json())["jwks_uri"]
    async with http.get(jwks_uri) as response:
        keys = KeySet.import_key_set(await response.json())
    claims = jwt.decode(token["access_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": endpoints.issuer},
        client_id={"essential": True, "value": record.client_id},
        exp={"essential": True},
    ).validate(claims)
    assert set(claims["scope"].split()) == {"orders.read", "payments.read"}


async def test_a_deleted_client_is_gone(adapter: OidcAdapter) -> None:
    record = await adapter.create(SPEC)

    await adapter.delete(record)

    assert await adapter.read(record) is None
    await adapter.delete(record)  # already gone: nothing to do
    with pytest.raises(IdpNotFound):
        await adapter.update(record, SPEC)


async def test_clients_cannot_be_listed_so_none_is_found_by_name(adapter: OidcAdapter) -> None:
    await adapter.create(SPEC)

    assert await adapter.find_by_name(SPEC.name) is None


async def test_a_wrong_initial_access_token_is_refused(
    peer: Peer, http: aiohttp.ClientSession
) -> None:
    adapter = OidcAdapter(peer.issuer, iat("not-the-initial-access-token"), http)

    with pytest.raises(IdpRejected) as refused:
        await adapter.create(SPEC)

    assert refused.value.status == 401
    assert refused.value.error == "invalid_token"


async def test_a_scope_the_server_does_not_know_is_refused(adapter: OidcAdapter) -> None:
    with pytest.raises(IdpRejected) as refused:
        await adapter.create(ClientSpec(SPEC.name, ("no-such.scope",), SPEC.token_lifetime))

    assert refused.value.status == 400
    assert refused.value.error == "invalid_client_metadata"


async def test_a_server_answering_for_another_issuer_is_refused(
    peer: Peer, http: aiohttp.ClientSession
) -> None:
    # The same server under another name: its discovery names the issuer it knows.
    other_name = peer.issuer.replace("127.0.0.1", "localhost")
    adapter = OidcAdapter(other_name, iat(peer.initial_access_token), http)

    with pytest.raises(IdpRejected, match="names issuer"):
        await adapter.endpoints()
    with pytest.raises(IdpRejected, match="names issuer"):
        await adapter.create(SPEC)


async def test_no_error_ever_carries_a_credential(
    adapter: OidcAdapter, peer: Peer, http: aiohttp.ClientSession
) -> None:
    record = await adapter.create(SPEC)
    wrong_iat = "wrong-initial-access-token-value"
    failures: list[Callable[[], Awaitable[Any]]] = [
        lambda: adapter.update(
            record, ClientSpec(SPEC.name, ("no-such.scope",), SPEC.token_lifetime)
        ),
        lambda: OidcAdapter(peer.issuer, iat(wrong_iat), http).create(SPEC),
        lambda: adapter.create(ClientSpec(SPEC.name, ("no-such.scope",), SPEC.token_lifetime)),
    ]
    errors = [await raised(call) for call in failures]
    await adapter.delete(record)
    errors.append(await raised(lambda: adapter.update(record, SPEC)))
    secrets = [
        record.client_secret,
        str(record.registration_access_token),
        peer.initial_access_token,
        wrong_iat,
    ]

    for error in errors:
        assert_no_secret(error, secrets)


async def raised(call: Callable[[], Awaitable[Any]]) -> IdpError:
    with pytest.raises(IdpError) as failure:
        await call()
    return failure.value


def assert_no_secret(error: BaseException, secrets: list[str]) -> None:
    """Not in the message, the repr, the arguments, nor anywhere in the traceback."""
    shown = [str(error), repr(error), *map(str, error.args)]
    shown += traceback.format_exception(error)
    for text in shown:
        for secret in secrets:
            assert secret not in text, f"{type(error).__name__} shows a credential"


# What neither peer does, from a stub server.


class Stub:
    """An RFC 8414-only server that rotates the registration access token on every
    call, as Keycloak does; ``fail_with`` makes registration answer that status."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.fail_with: int | None = None
        self.echo_credentials = False
        self.app = web.Application()
        self.app.router.add_get("/.well-known/oauth-authorization-server", self.metadata)
        self.app.router.add_post("/reg", self.register)
        self.app.router.add_get("/reg/{client_id}", self.read)

    async def metadata(self, request: web.Request) -> web.Response:
        issuer = str(request.url.origin())
        return web.json_response(
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/token",
                "registration_endpoint": f"{issuer}/reg",
            }
        )

    async def register(self, request: web.Request) -> web.Response:
        if self.echo_credentials:
            seen = request.headers["Authorization"]
            return web.json_response(
                {"error": "invalid_token", "error_description": seen}, status=401
            )
        if self.fail_with is not None:
            return web.json_response({"error": "temporarily_unavailable"}, status=self.fail_with)
        body = await request.json()
        self.tokens["c1"] = "rat-1"
        return web.json_response(
            {
                **body,
                "client_id": "c1",
                "client_secret": "secret-1",
                "registration_access_token": "rat-1",
                "registration_client_uri": f"{request.url.origin()}/reg/c1",
            },
            status=201,
        )

    async def read(self, request: web.Request) -> web.Response:
        client_id = request.match_info["client_id"]
        if request.headers.get("Authorization") != f"Bearer {self.tokens.get(client_id)}":
            return web.json_response({"error": "invalid_token"}, status=401)
        rotated = f"{self.tokens[client_id]}+"
        self.tokens[client_id] = rotated
        return web.json_response(
            {
                "client_id": client_id,
                "client_name": SPEC.name,
                "scope": "orders.read",
                "grant_types": ["client_credentials"],
                "registration_access_token": rotated,
            }
        )


@pytest.fixture
async def stub() -> AsyncIterator[tuple[Stub, str]]:
    stub = Stub()
    server = test_utils.TestServer(stub.app, host="127.0.0.1")
    await server.start_server()
    yield stub, str(server.make_url("")).rstrip("/")
    await server.close()


async def test_rfc8414_metadata_serves_when_openid_discovery_is_missing(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    _, issuer = stub
    endpoints = await OidcAdapter(issuer, iat("iat"), http).endpoints()

    assert endpoints.token_endpoint == f"{issuer}/token"


async def test_a_token_rotated_by_a_read_is_in_the_returned_record(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    adapter = OidcAdapter(stub[1], iat("iat"), http)
    record = await adapter.create(SPEC)

    first = await adapter.read(record)
    assert first is not None
    second = await adapter.read(first.record)

    assert first.record.registration_access_token == "rat-1+"
    assert second is not None
    assert second.record.registration_access_token == "rat-1++"
    assert second.record.client_secret == "secret-1"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_errors_and_rate_limits_are_worth_retrying(
    stub: tuple[Stub, str], http: aiohttp.ClientSession, status: int
) -> None:
    server, issuer = stub
    server.fail_with = status

    with pytest.raises(IdpUnavailable) as unavailable:
        await OidcAdapter(issuer, iat("iat"), http).create(SPEC)

    assert unavailable.value.status == status


async def test_a_credential_the_server_echoes_back_is_blanked(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    server.echo_credentials = True

    error = await raised(lambda: OidcAdapter(issuer, iat("the-iat"), http).create(SPEC))

    assert_no_secret(error, ["the-iat"])
    assert "(sensitive)" in str(error)


async def test_an_unreachable_server_is_worth_retrying(http: aiohttp.ClientSession) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    with pytest.raises(IdpUnavailable):
        await OidcAdapter(f"http://127.0.0.1:{port}", iat("iat"), http).endpoints()


async def test_a_record_without_management_handles_cannot_be_read(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    adapter = OidcAdapter(stub[1], iat("iat"), http)

    with pytest.raises(IdpRejected, match="no registration access token"):
        await adapter.read(ClientRecord("c1", "secret"))
