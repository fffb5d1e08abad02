"""The Okta adapter against the local org: a Service's client is an OIDC service app
whose policy grants exactly its Role's scopes, and a token carries exactly those."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdpRejected,
    OktaAdapter,
    OktaCredentials,
    ServiceApp,
    request_token,
)
from tests.peers.okta import RunningOkta

SPEC = ClientSpec("ecs-oauth-orders-api", ("orders.read",), timedelta(minutes=15))


async def declared(adapter: OktaAdapter, *names: str) -> None:
    for name in await adapter.missing_scopes({name: name for name in names}):
        await adapter.create_scope(name, name)


async def test_a_created_client_is_an_owned_service_app_with_its_own_policy(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read")
    record = await adapter.create(SPEC, "s" * 48)

    app = okta.org.apps[record.client_id]
    assert app["label"] == "ecs-oauth-orders-api"
    assert app["profile"] == {"managedBy": "ecs-oauth", "service": "orders-api"}
    assert app["settings"]["oauthClient"]["application_type"] == "service"
    assert app["settings"]["oauthClient"]["grant_types"] == ["client_credentials"]
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == (
        "client_secret_basic"
    )
    observed = await adapter.read(record)
    assert observed is not None
    assert (observed.scopes, observed.grant_types, observed.token_lifetime) == (
        ("orders.read",),
        ("client_credentials",),
        timedelta(minutes=15),
    )


async def test_a_token_carries_exactly_the_roles_scopes_and_lifetime(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read", "orders.write")
    record = await adapter.create(SPEC, "s" * 48)
    endpoints = await adapter.endpoints()

    async with aiohttp.ClientSession() as http:
        issued = await request_token(
            http, endpoints.token_endpoint, record.client_id, record.client_secret, SPEC.scopes
        )
        async with http.post(
            endpoints.token_endpoint,
            data={"grant_type": "client_credentials", "scope": "orders.read"},
            headers={
                "Authorization": aiohttp.encode_basic_auth(record.client_id, record.client_secret)
            },
        ) as answer:
            token = (await answer.json())["access_token"]
        async with http.get(f"{endpoints.issuer}/v1/keys") as answer:
            keys = KeySet.import_key_set(await answer.json())
        with pytest.raises(IdpRejected) as refused:
            await request_token(
                http,
                endpoints.token_endpoint,
                record.client_id,
                record.client_secret,
                ("orders.read", "orders.write"),
            )

    claims = jwt.decode(token, keys).claims
    assert (issued.scopes, issued.expires_in) == (("orders.read",), 15 * 60)
    assert claims["scp"] == ["orders.read"]
    assert claims["iss"] == endpoints.issuer
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert refused.value.error == "access_denied"


async def test_missing_scopes_are_created_and_others_left_alone(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "billing.audit")
    assert await adapter.missing_scopes({"orders.read": "", "billing.audit": ""}) == ["orders.read"]
    await declared(adapter, "orders.read")
    assert sorted(s["name"] for s in okta.org.scopes.values()) == ["billing.audit", "orders.read"]


async def test_drift_on_grant_types_scopes_lifetime_and_status_is_read_and_corrected(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read", "orders.write")
    record = await adapter.create(SPEC, "s" * 48)
    app = okta.org.apps[record.client_id]
    app["settings"]["oauthClient"]["grant_types"] = ["client_credentials", "implicit"]
    app["status"] = "INACTIVE"
    [rules] = okta.org.rules.values()
    [rule] = rules.values()
    rule["conditions"]["scopes"]["include"] = ["orders.read", "orders.write"]
    rule["actions"]["token"]["accessTokenLifetimeMinutes"] = 60

    drifted = await adapter.read(record)
    await adapter.update(record, SPEC)
    adapter.invalidate()
    repaired = await adapter.read(record)

    assert drifted is not None
    assert repaired is not None
    assert (drifted.scopes, drifted.grant_types, drifted.token_lifetime) == (
        ("orders.read", "orders.write"),
        (),
        timedelta(hours=1),
    )
    assert (repaired.scopes, repaired.grant_types, repaired.token_lifetime) == (
        ("orders.read",),
        ("client_credentials",),
        timedelta(minutes=15),
    )


async def test_a_deleted_client_is_gone_with_its_policy(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read")
    record = await adapter.create(SPEC, "s" * 48)

    await adapter.delete(record)
    adapter.invalidate()

    assert await adapter.read(record) is None
    assert okta.org.apps == {}
    assert okta.org.policies == {}


async def test_a_rate_limit_storm_is_waited_out_until_the_announced_reset(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    okta.org.throttle_next = 2

    assert await adapter.missing_scopes({"orders.read": ""}) == ["orders.read"]
    assert (
        okta.org.calls.count(f"GET /api/v1/authorizationServers/{okta.org.server_id}/scopes") == 3
    )


async def token_works(adapter: OktaAdapter, client_id: str, secret: str) -> bool:
    endpoints = await adapter.endpoints()
    async with aiohttp.ClientSession() as http:
        try:
            await request_token(http, endpoints.token_endpoint, client_id, secret, SPEC.scopes)
        except IdpRejected:
            return False
    return True


async def test_a_second_secret_works_beside_the_first_until_the_first_is_retired(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read")
    record = await adapter.create(SPEC, "s" * 48)

    added = await adapter.add_secret(record.client_id, "t" * 48)
    both = await adapter.list_secrets(record.client_id)
    together = [await token_works(adapter, record.client_id, v) for v in ("s" * 48, "t" * 48)]
    await adapter.delete_secret(record.client_id, both[0].secret_id)
    after = [await token_works(adapter, record.client_id, v) for v in ("s" * 48, "t" * 48)]

    assert [info.secret_id for info in both][-1] == added
    assert together == [True, True]
    assert after == [False, True]
    assert [info.secret_id for info in await adapter.list_secrets(record.client_id)] == [added]


async def test_a_service_app_with_a_private_key_manages_the_org_in_place_of_an_api_token(
    okta: RunningOkta,
) -> None:
    client_id, key = okta.service_app(("okta.apps.manage", "okta.authorizationServers.manage"))

    async def credentials() -> OktaCredentials:
        return ServiceApp(client_id, key)

    async with aiohttp.ClientSession() as http:
        adapter = OktaAdapter(okta.org_url, okta.org.server_id, credentials, http)
        await declared(adapter, "orders.read")
        record = await adapter.create(SPEC, "s" * 48)
        observed = await adapter.read(record)

    assert observed is not None
    assert observed.scopes == ("orders.read",)
    assert len(okta.org.access_tokens) == 1  # one token for every call, renewed when due


async def test_a_service_app_without_the_apps_scope_is_refused(okta: RunningOkta) -> None:
    client_id, key = okta.service_app(("okta.authorizationServers.manage",))

    async def credentials() -> OktaCredentials:
        return ServiceApp(client_id, key)

    async with aiohttp.ClientSession() as http:
        adapter = OktaAdapter(okta.org_url, okta.org.server_id, credentials, http)
        with pytest.raises(IdpRejected) as refused:
            await adapter.create(SPEC, "s" * 48)

    assert (refused.value.status, refused.value.error) == (400, "invalid_scope")
    assert okta.org.apps == {}


async def test_an_app_with_the_clients_label_is_found_with_its_newest_secret(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await declared(adapter, "orders.read")
    record = await adapter.create(SPEC, "s" * 48)
    await adapter.create(ClientSpec("ecs-oauth-orders-api-v2", SPEC.scopes, SPEC.token_lifetime))
    await adapter.add_secret(record.client_id, "t" * 48)

    found = await adapter.find_by_name(SPEC.name)
    missing = await adapter.find_by_name("ecs-oauth-nobody")

    assert found == ClientRecord(record.client_id, "t" * 48)
    assert missing is None
