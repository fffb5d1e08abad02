"""The RFC 7591/7592 adapter against real authorization servers.

Every test runs against each peer of the ``idp_peer`` fixture: panva's oidc-provider as
itself, as strict as Keycloak (the registration access token rotates on every use, reads
included) and as strict as Okta (client_credentials needs ``application_type: service``),
and the sandbox's own server. Passing on all of them is what shows the adapter follows
the RFCs and not one server's habits. What no peer does comes from a stub server, in
``test_oidc_adapter_stub.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdpManagementLost,
    IdpNotFound,
    IdpRejected,
    OidcAdapter,
)
from tests.harness.idp_checks import assert_no_secret, raised
from tests.harness.idp_checks import initial_access_token as iat
from tests.harness.idp_peers import IdpPeer

SPEC = ClientSpec(
    name="ecs-oauth-orders-api",
    scopes=("orders.read", "payments.read"),
    token_lifetime=timedelta(minutes=15),
)
WIDER = ClientSpec(SPEC.name, ("orders.read", "orders.write"), SPEC.token_lifetime)
UNKNOWN_SCOPE = ClientSpec(SPEC.name, ("no-such.scope",), SPEC.token_lifetime)
ORACLE_PEERS = ["oidc-provider", "keycloak", "okta"]


@pytest.fixture
def peer(idp_peer: IdpPeer) -> IdpPeer:
    return idp_peer


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def adapter(peer: IdpPeer, http: aiohttp.ClientSession) -> OidcAdapter:
    return OidcAdapter(peer.issuer, iat(peer.initial_access_token), http)


def with_token(record: ClientRecord, token: str) -> ClientRecord:
    return ClientRecord(
        record.client_id, record.client_secret, token, record.registration_client_uri
    )


async def test_endpoints_come_from_discovery(adapter: OidcAdapter, peer: IdpPeer) -> None:
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


async def test_a_read_echoing_the_secret_exposes_it_but_never_prints_it(
    adapter: OidcAdapter,
) -> None:
    record = await adapter.create(SPEC)

    observed = await adapter.read(record)

    assert observed is not None
    # Every peer echoes the secret on an RFC 7592 read.
    assert observed.client_secret == record.client_secret
    assert record.client_secret not in repr(observed)
    assert record.client_secret not in str(observed)


async def test_a_secret_that_never_expires_has_no_expiry(adapter: OidcAdapter) -> None:
    record = await adapter.create(SPEC)
    observed = await adapter.read(record)

    assert record.secret_expires_at is None
    assert observed is not None
    assert observed.secret_expires_at is None


@pytest.mark.parametrize("idp_peer", ORACLE_PEERS, indirect=True)
async def test_a_secret_expiry_set_at_the_idp_is_read(adapter: OidcAdapter, peer: IdpPeer) -> None:
    record = await adapter.create(SPEC)
    expiry = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    peer.patch_client(record.client_id, {"client_secret_expires_at": int(expiry.timestamp())})

    observed = await adapter.read(record)

    assert observed is not None
    assert observed.secret_expires_at == expiry


async def test_a_client_credentials_client_has_the_type_the_server_knows(
    adapter: OidcAdapter, peer: IdpPeer
) -> None:
    record = await adapter.create(SPEC)
    second = await adapter.create(SPEC)

    stored = peer.client(record.client_id)
    expected = {"okta": "service", "sandbox": None}.get(peer.profile, "web")
    assert stored.get("application_type") == expected
    assert peer.client(second.client_id).get("application_type") == expected


async def test_a_read_hands_over_the_token_it_rotated(adapter: OidcAdapter, peer: IdpPeer) -> None:
    record = await adapter.create(SPEC)

    first = await adapter.read(record)
    assert first is not None
    second = await adapter.read(first.record)

    assert second is not None
    assert second.record.client_secret == record.client_secret
    if peer.profile == "keycloak":
        assert first.record.registration_access_token != record.registration_access_token
        assert second.record.registration_access_token != first.record.registration_access_token
        with pytest.raises(IdpManagementLost):
            await adapter.read(record)


async def test_an_update_changes_the_scopes_and_returns_the_rotated_token(
    adapter: OidcAdapter,
) -> None:
    record = await adapter.create(SPEC)

    updated = await adapter.update(record, WIDER)
    observed = await adapter.read(updated)

    assert observed is not None
    assert observed.scopes == ("orders.read", "orders.write")
    assert observed.grant_types == ("client_credentials",)
    assert updated.client_id == record.client_id
    assert updated.client_secret == record.client_secret
    assert updated.registration_access_token != record.registration_access_token


async def test_a_dead_registration_token_is_lost_management_not_a_gone_client(
    adapter: OidcAdapter, peer: IdpPeer
) -> None:
    record = await adapter.create(SPEC)
    updated = await adapter.update(record, WIDER)

    # Every peer killed the old token on the update, and answers 401 to it (RFC 7592
    # answers 401 for a missing client too): the client is still there.
    with pytest.raises(IdpManagementLost) as lost:
        await adapter.read(record)
    with pytest.raises(IdpManagementLost):
        await adapter.update(record, SPEC)
    with pytest.raises(IdpManagementLost):
        await adapter.delete(record)

    assert lost.value.status == 401
    assert peer.client(record.client_id)["scope"] == "orders.read orders.write"
    assert await adapter.read(updated) is not None


async def test_a_made_up_registration_token_is_lost_management(adapter: OidcAdapter) -> None:
    record = await adapter.create(SPEC)

    with pytest.raises(IdpManagementLost):
        await adapter.read(with_token(record, "not-the-registration-token"))


async def test_an_update_keeps_the_metadata_it_does_not_own(
    adapter: OidcAdapter, peer: IdpPeer, http: aiohttp.ClientSession
) -> None:
    record = await adapter.create(SPEC)
    theirs: dict[str, Any] = {
        "contacts": ["platform@example.com"],
        "logo_uri": "https://example.com/logo.png",
    }
    if peer.profile != "sandbox":  # the sandbox keeps only RFC 7591 fields
        theirs["x_cost_center"] = "cc-1234"
    peer.patch_client(record.client_id, theirs)

    # Once straight after a read (its metadata is reused), once by a fresh adapter
    # that has to read first.
    observed = await adapter.read(record)
    assert observed is not None
    updated = await adapter.update(observed.record, WIDER)
    fresh = OidcAdapter(peer.issuer, iat(peer.initial_access_token), http)
    await fresh.update(updated, SPEC)

    stored = peer.client(record.client_id)
    assert {key: stored.get(key) for key in theirs} == theirs
    assert stored["scope"] == "orders.read payments.read"
    assert stored["client_secret"] == record.client_secret


@pytest.mark.parametrize("idp_peer", ["keycloak"], indirect=True)
async def test_a_failed_update_hands_over_the_token_its_read_rotated(
    adapter: OidcAdapter,
) -> None:
    record = await adapter.create(SPEC)

    with pytest.raises(IdpRejected) as refused:
        await adapter.update(record, UNKNOWN_SCOPE)

    newest = refused.value.newest_record
    assert refused.value.error == "invalid_client_metadata"
    assert newest is not None
    assert newest.registration_access_token != record.registration_access_token
    assert await adapter.read(newest) is not None


async def test_the_created_credentials_get_a_token_with_the_asked_scopes(
    adapter: OidcAdapter, peer: IdpPeer, http: aiohttp.ClientSession
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


async def test_a_deleted_client_is_gone(adapter: OidcAdapter, peer: IdpPeer) -> None:
    record = await adapter.create(SPEC)

    await adapter.delete(record)

    # 401 to the dead token, and the token endpoint refuses the client's own
    # credentials as invalid_client: confirmed gone.
    assert await adapter.read(record) is None
    await adapter.delete(record)  # already gone: nothing to do
    with pytest.raises(IdpNotFound):
        await adapter.update(record, SPEC)
    with pytest.raises(KeyError):
        peer.client(record.client_id)


async def test_a_registration_uri_off_the_issuers_origin_gets_no_token(
    adapter: OidcAdapter, peer: IdpPeer
) -> None:
    record = await adapter.create(SPEC)
    uri = str(record.registration_client_uri)
    # The same server under another host name is another origin.
    elsewhere = ClientRecord(
        record.client_id,
        record.client_secret,
        record.registration_access_token,
        uri.replace("127.0.0.1", "localhost"),
    )

    for call in (
        lambda: adapter.read(elsewhere),
        lambda: adapter.update(elsewhere, WIDER),
        lambda: adapter.delete(elsewhere),
    ):
        with pytest.raises(IdpRejected, match="outside the issuer's origin"):
            await call()

    # Never sent: the token still works (it would have rotated on keycloak).
    assert await adapter.read(record) is not None


async def test_clients_cannot_be_listed_so_none_is_found_by_name(adapter: OidcAdapter) -> None:
    await adapter.create(SPEC)

    assert await adapter.find_by_name(SPEC.name) is None


async def test_a_wrong_initial_access_token_is_refused(
    peer: IdpPeer, http: aiohttp.ClientSession
) -> None:
    adapter = OidcAdapter(peer.issuer, iat("not-the-initial-access-token"), http)

    with pytest.raises(IdpRejected) as refused:
        await adapter.create(SPEC)

    assert refused.value.status == 401
    assert refused.value.error == "invalid_token"


async def test_a_scope_the_server_does_not_know_is_refused(adapter: OidcAdapter) -> None:
    with pytest.raises(IdpRejected) as refused:
        await adapter.create(UNKNOWN_SCOPE)

    assert refused.value.status == 400
    assert refused.value.error == "invalid_client_metadata"
    assert "application_type" not in str(refused.value)


async def test_a_server_answering_for_another_issuer_is_refused(
    peer: IdpPeer, http: aiohttp.ClientSession
) -> None:
    # The same server under another name: its discovery names the issuer it knows.
    other_name = peer.issuer.replace("127.0.0.1", "localhost")
    adapter = OidcAdapter(other_name, iat(peer.initial_access_token), http)

    with pytest.raises(IdpRejected, match="names issuer"):
        await adapter.endpoints()
    with pytest.raises(IdpRejected, match="names issuer"):
        await adapter.create(SPEC)


async def test_no_error_ever_carries_a_credential(
    adapter: OidcAdapter, peer: IdpPeer, http: aiohttp.ClientSession
) -> None:
    record = await adapter.create(SPEC)
    wrong_iat = "wrong-initial-access-token-value"
    failures: list[Callable[[], Awaitable[Any]]] = [
        lambda: adapter.update(record, UNKNOWN_SCOPE),
        lambda: OidcAdapter(peer.issuer, iat(wrong_iat), http).create(SPEC),
        lambda: adapter.create(UNKNOWN_SCOPE),
    ]
    errors = [await raised(call) for call in failures]
    current = errors[0].newest_record or record
    errors.append(await raised(lambda: adapter.read(with_token(record, "made-up-token"))))
    await adapter.delete(current)
    errors.append(await raised(lambda: adapter.update(current, SPEC)))
    secrets = [
        record.client_secret,
        str(record.registration_access_token),
        str(current.registration_access_token),
        peer.initial_access_token,
        wrong_iat,
    ]

    for error in errors:
        assert_no_secret(error, secrets)
