"""The RFC 7591/7592 adapter against what no real peer does, from a small stub server:
no OpenID discovery, registration answers without handles or with a URI elsewhere,
refusing ``application_type``, expiring secrets, failing, echoing credentials back."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import test_utils, web

from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdpError,
    IdpManagementLost,
    IdpRejected,
    IdpUnavailable,
    IdpUnmanageable,
    OidcAdapter,
)
from tests.harness.idp_checks import assert_no_secret, raised
from tests.harness.idp_checks import initial_access_token as iat

SPEC = ClientSpec(
    name="ecs-oauth-orders-api",
    scopes=("orders.read",),
    token_lifetime=timedelta(minutes=15),
)
EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)


class Stub:
    """An RFC 8414-only server that rotates the registration access token on every
    read, as Keycloak does, with switches for the ways real servers go wrong."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.fail_with: int | None = None
        self.echo_credentials = False
        self.refuse_application_type = False
        self.reply_without: set[str] = set()
        self.client_uri_host: str | None = None  # another host name: another origin
        self.read_moves_uri = False
        self.secret_expires_at = 0
        self.token_answer: tuple[int, dict[str, Any]] = (401, {"error": "invalid_client"})
        self.registrations: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.authorizations: list[tuple[str, str]] = []
        self.app = web.Application(middlewares=[self.seen])
        self.app.router.add_get("/.well-known/oauth-authorization-server", self.metadata)
        self.app.router.add_post("/reg", self.register)
        self.app.router.add_get("/reg/{client_id}", self.read)
        self.app.router.add_delete("/reg/{client_id}", self.delete)
        self.app.router.add_post("/token", self.token)

    @web.middleware
    async def seen(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.authorizations.append((request.host, request.headers.get("Authorization", "")))
        return await handler(request)

    def client_uri(self, request: web.Request, client_id: str) -> str:
        origin = request.url.origin()
        if self.client_uri_host is not None:
            origin = origin.with_host(self.client_uri_host)
        return f"{origin}/reg/{client_id}"

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
        self.registrations.append(body)
        if self.refuse_application_type and "application_type" in body:
            return web.json_response(
                {
                    "error": "invalid_client_metadata",
                    "error_description": "application_type must be 'native' or 'web'",
                },
                status=400,
            )
        client_id = f"c{len(self.registrations)}"
        self.tokens[client_id] = f"rat-{client_id}"
        reply = {
            **body,
            "client_id": client_id,
            "client_secret": f"secret-{client_id}",
            "client_secret_expires_at": self.secret_expires_at,
            "registration_access_token": self.tokens[client_id],
            "registration_client_uri": self.client_uri(request, client_id),
        }
        for key in self.reply_without:
            reply.pop(key, None)
        return web.json_response(reply, status=201)

    def authorized(self, request: web.Request) -> str | None:
        client_id = request.match_info["client_id"]
        expected = self.tokens.get(client_id)
        if expected is None or request.headers.get("Authorization") != f"Bearer {expected}":
            return None
        return client_id

    async def read(self, request: web.Request) -> web.Response:
        client_id = self.authorized(request)
        if client_id is None:
            return web.json_response({"error": "invalid_token"}, status=401)
        rotated = f"{self.tokens[client_id]}+"
        self.tokens[client_id] = rotated
        reply = {
            "client_id": client_id,
            "client_name": SPEC.name,
            "scope": "orders.read",
            "grant_types": ["client_credentials"],
            "registration_access_token": rotated,
        }
        if self.read_moves_uri:
            self.client_uri_host = "localhost"
            reply["registration_client_uri"] = self.client_uri(request, client_id)
        return web.json_response(reply)

    async def delete(self, request: web.Request) -> web.Response:
        client_id = self.authorized(request)
        if client_id is None:
            return web.json_response({"error": "invalid_token"}, status=401)
        del self.tokens[client_id]
        self.deleted.append(client_id)
        return web.Response(status=204)

    async def token(self, request: web.Request) -> web.Response:
        status, body = self.token_answer
        return web.json_response(body, status=status)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


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

    assert first.record.registration_access_token == "rat-c1+"
    assert second is not None
    assert second.record.registration_access_token == "rat-c1++"
    assert second.record.client_secret == "secret-c1"
    assert second.client_secret is None  # this server does not echo it


async def test_application_type_service_is_asked_for_first(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub

    await OidcAdapter(issuer, iat("iat"), http).create(SPEC)

    assert [body.get("application_type") for body in server.registrations] == ["service"]


async def test_a_server_refusing_application_type_is_asked_without_it_once(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    server.refuse_application_type = True
    adapter = OidcAdapter(issuer, iat("iat"), http)

    first = await adapter.create(SPEC)
    second = await adapter.create(SPEC)

    assert [body.get("application_type") for body in server.registrations] == [
        "service",
        None,
        None,
    ]
    assert (first.client_id, second.client_id) == ("c2", "c3")


async def test_a_server_that_took_the_service_type_is_not_asked_without_it(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    adapter = OidcAdapter(issuer, iat("iat"), http)
    await adapter.create(SPEC)
    server.refuse_application_type = True

    with pytest.raises(IdpRejected) as refused:
        await adapter.create(SPEC)

    assert refused.value.error == "invalid_client_metadata"
    assert [body.get("application_type") for body in server.registrations] == [
        "service",
        "service",
    ]


@pytest.mark.parametrize(
    "missing",
    [{"registration_access_token"}, {"registration_client_uri"}, {"client_secret"}],
)
async def test_a_registration_that_can_never_be_managed_is_not_kept(
    stub: tuple[Stub, str], http: aiohttp.ClientSession, missing: set[str]
) -> None:
    server, issuer = stub
    server.reply_without = missing

    with pytest.raises(IdpUnmanageable) as refused:
        await OidcAdapter(issuer, iat("iat"), http).create(SPEC)

    assert refused.value.client_id == "c1"
    can_delete = missing == {"client_secret"}
    assert refused.value.deleted is can_delete
    assert server.deleted == (["c1"] if can_delete else [])
    assert str(next(iter(missing))) in str(refused.value)
    if not can_delete:
        assert "delete client c1 at the identity provider by hand" in str(refused.value)
    assert_no_secret(refused.value, ["secret-c1", "rat-c1"])


async def test_a_registration_uri_elsewhere_is_refused_and_gets_no_token(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    server.client_uri_host = "localhost"

    with pytest.raises(IdpUnmanageable, match="outside the issuer's origin") as refused:
        await OidcAdapter(issuer, iat("iat"), http).create(SPEC)

    assert refused.value.deleted is False
    assert "delete client c1 at the identity provider by hand" in str(refused.value)
    assert server.deleted == []
    assert not [seen for seen in server.authorizations if "rat-c1" in seen[1]]


async def test_a_read_moving_the_registration_elsewhere_is_refused_keeping_the_new_token(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    adapter = OidcAdapter(issuer, iat("iat"), http)
    record = await adapter.create(SPEC)
    server.read_moves_uri = True

    with pytest.raises(IdpRejected, match="outside the issuer's origin") as refused:
        await adapter.read(record)

    newest = refused.value.newest_record
    assert newest is not None
    assert newest.registration_access_token == "rat-c1+"
    assert newest.registration_client_uri == record.registration_client_uri


async def test_a_secret_expiry_is_on_the_created_record(
    stub: tuple[Stub, str], http: aiohttp.ClientSession
) -> None:
    server, issuer = stub
    server.secret_expires_at = int(EXPIRY.timestamp())

    record = await OidcAdapter(issuer, iat("iat"), http).create(SPEC)

    assert record.secret_expires_at == EXPIRY
    assert "secret-c1" not in repr(record)


@pytest.mark.parametrize(
    ("answer", "gone"),
    [
        ((401, {"error": "invalid_client"}), True),
        ((400, {"error": "invalid_client"}), True),
        ((200, {"access_token": "a", "token_type": "Bearer"}), False),
        ((400, {"error": "invalid_scope"}), False),
        ((404, {}), False),
    ],
)
async def test_a_401_is_a_gone_client_only_when_its_own_credentials_are_refused_too(
    stub: tuple[Stub, str],
    http: aiohttp.ClientSession,
    answer: tuple[int, dict[str, Any]],
    gone: bool,
) -> None:
    server, issuer = stub
    server.token_answer = answer
    adapter = OidcAdapter(issuer, iat("iat"), http)
    record = await adapter.create(SPEC)
    lost = ClientRecord(
        record.client_id, record.client_secret, "dead-token", record.registration_client_uri
    )

    if gone:
        assert await adapter.read(lost) is None
        await adapter.delete(lost)
    else:
        with pytest.raises(IdpManagementLost):
            await adapter.read(lost)
        with pytest.raises(IdpManagementLost):
            await adapter.delete(lost)
    assert server.deleted == []


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


def test_errors_print_no_record() -> None:
    record = ClientRecord("c1", "the-secret", "the-token", "https://idp.example.com/reg/c1")

    error = IdpError("read: HTTP 401", newest_record=record)

    assert_no_secret(error, ["the-secret", "the-token"])
