"""Okta pages its lists of apps and of scopes (``limit``, at most 200, and the next page in
``Link: <...>; rel="next"``). The local org pages them the same way, and the adapter asks
for the largest page and follows every next link: an object past the first page is seen."""

from __future__ import annotations

import copy
from datetime import timedelta

import httpx

from controller.idp import ClientRecord, ClientSpec, OktaAdapter
from tests.peers.okta import RunningOkta

MORE_THAN_A_PAGE = 230  # the adapter's pages hold 200
SPEC = ClientSpec("ecs-oauth-orders-api", ("orders.read",), timedelta(minutes=15))


def scopes_path(okta: RunningOkta) -> str:
    return f"/api/v1/authorizationServers/{okta.org.server_id}/scopes"


def many_scopes(okta: RunningOkta) -> None:
    with okta.org.lock:
        for n in range(MORE_THAN_A_PAGE):
            scope_id = f"scp{n:05d}"
            okta.org.scopes[scope_id] = {
                "id": scope_id,
                "name": f"reports.{n:03d}",
                "description": "by hand",
                "system": False,
                "default": False,
                "consent": "IMPLICIT",
            }


def test_the_org_pages_a_list_and_links_the_next_page(okta: RunningOkta) -> None:
    many_scopes(okta)
    auth = {"Authorization": f"SSWS {okta.org.api_token}"}
    pages = []
    with httpx.Client(headers=auth, timeout=60) as http:  # the first call parses the document
        page = http.get(okta.org_url + scopes_path(okta))
        pages.append(page.json())
        while "next" in page.links:
            page = http.get(page.links["next"]["url"])
            pages.append(page.json())
        largest = http.get(okta.org_url + scopes_path(okta), params={"limit": "200"})

    assert [len(p) for p in pages] == [20] * 11 + [10]  # no limit asked: small pages
    names = [scope["name"] for p in pages for scope in p]
    assert names == [f"reports.{n:03d}" for n in range(MORE_THAN_A_PAGE)]
    assert len(largest.json()) == 200
    assert "next" in largest.links


async def test_a_declared_scope_past_the_first_page_is_not_missing(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    many_scopes(okta)

    missing = await adapter.missing_scopes({"reports.229": "", "orders.read": ""})

    assert missing == ["orders.read"]
    assert okta.org.calls.count(f"GET {scopes_path(okta)}") == 2


async def test_an_app_past_the_first_page_is_found_by_its_label(
    adapter: OktaAdapter, okta: RunningOkta
) -> None:
    await adapter.create_scope("orders.read", "")
    template = await adapter.create(
        ClientSpec("ecs-oauth-orders-api-0", SPEC.scopes, SPEC.token_lifetime), "s" * 48
    )
    with okta.org.lock:
        shape = okta.org.apps.pop(template.client_id)
        for n in range(MORE_THAN_A_PAGE):  # same prefix, so the search lists them all
            app = copy.deepcopy(shape)
            app["id"] = app["credentials"]["oauthClient"]["client_id"] = f"0oa{n:017d}"
            app["label"] = f"ecs-oauth-orders-api-{n:03d}"
            okta.org.apps[app["id"]] = app
    record = await adapter.create(SPEC, "t" * 48)

    found = await adapter.find_by_name(SPEC.name)

    assert found == ClientRecord(record.client_id, "t" * 48)
    assert okta.org.calls.count("GET /api/v1/apps") == 2
