"""Okta as the IdP, through its management API and the official SDK.

Rules this adapter keeps:

- A Service's client is an OIDC service app labelled ``ecs-oauth-<service>``, its owner
  and Service recorded in the app's ``profile`` (apps cannot be tagged). Its client id
  is the app id (Okta's default), so a record finds its app without a search.
- What a client may ask for lives on the custom authorization server: a policy per
  client whose one rule allows client_credentials for exactly the Role's scopes, with
  the Role's token lifetime. ``read`` reports scopes and lifetime from that rule, so a
  rule changed by hand is drift like any other field.
- Declared scopes are custom scopes of that server, created when missing; others are
  left alone, as on Cognito.
- Every write first passes the lease's fence, as AWS writes do.
- The API token or the service app's private key is resolved when the SDK is first
  opened and never stored elsewhere; messages carry Okta's error code and summary only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from controller.aws import Fence
from controller.idp import _okta_wire as wire
from controller.idp._cognito import ClientSecretInfo
from controller.idp._okta_sdk import (
    CredentialSource,
    OrgLimiter,
    RateGate,
    check,
    next_cursor,
    open_apis,
    plain,
)
from controller.idp._types import (
    ClientRecord,
    ClientSpec,
    Endpoints,
    IdpNotFound,
    IdpRejected,
    IdpUnavailable,
    ObservedClient,
)

# The largest page the management API serves of apps and of scopes.
PAGE_SIZE = 200


def okta_issuer(org_url: str, authorization_server_id: str) -> str:
    """The issuer of a custom authorization server's tokens, as Okta's discovery gives it:
    what a Service's secret records, and so how prune finds the provider again."""
    return f"{org_url.rstrip('/')}/oauth2/{authorization_server_id}"


class OktaAdapter:
    """One Okta org and one of its custom authorization servers."""

    def __init__(
        self,
        org_url: str,
        authorization_server_id: str,
        credentials: CredentialSource,
        http: aiohttp.ClientSession,
        fence: Fence | None = None,
        limiter: OrgLimiter | None = None,
    ) -> None:
        self._org = org_url.rstrip("/")
        self._server = authorization_server_id
        self._credentials = credentials
        self._http = http
        self._fence = fence or Fence()
        self._gate = RateGate(limiter)
        self._apis: Any = None
        self._opening = asyncio.Lock()
        self._policies: list[dict[str, Any]] | None = None

    def invalidate(self) -> None:
        self._policies = None

    async def endpoints(self) -> Endpoints:
        issuer = okta_issuer(self._org, self._server)
        return Endpoints(issuer=issuer, token_endpoint=f"{issuer}/v1/token")

    async def read(self, record: ClientRecord) -> ObservedClient | None:
        apis = await self._sdk()
        try:
            app = plain(await self._call("read", apis.get_application(record.client_id)))
        except IdpNotFound:
            return None
        rule = await self._rule_of(record.client_id)
        return wire.observed(app, rule[1] if rule else None, record)

    async def find_by_name(self, name: str) -> ClientRecord | None:
        """An OIDC app labelled ``name`` (for adopt, or a creation cut short), with its
        newest active secret. Only an app whose client id is its app id is offered: the
        record finds its app by client id."""
        apis = await self._sdk()
        listed = await self._listed(
            "find", lambda after: apis.list_applications(q=name, limit=PAGE_SIZE, after=after)
        )
        for app in listed:
            if not wire.adoptable(app, name):
                continue
            found = await self._call("find", apis.list_o_auth2_client_secrets(app["id"]))
            secret = wire.newest_active_secret(plain(found) or [])
            if secret is not None:
                return ClientRecord(app["id"], secret)
        return None

    async def create(self, spec: ClientSpec, client_secret: str | None = None) -> ClientRecord:
        """An active service app with the controller's secret, then its policy and rule."""
        apis = await self._sdk()
        from okta.models.open_id_connect_application import OpenIdConnectApplication

        self._fence.check("okta create")
        document = OpenIdConnectApplication.from_dict(wire.app_document(spec, client_secret))
        app = plain(await self._call("create", apis.create_application(document, activate=True)))
        client_id = wire.client_id_of(app) or str(app.get("id", ""))
        secret = wire.client_secret_of(app) or client_secret
        if not client_id or not secret:
            raise IdpRejected(f"okta create: app {app.get('id')} came back without credentials")
        await self._converge_policy(client_id, spec)
        return ClientRecord(client_id, secret)

    async def update(self, record: ClientRecord, spec: ClientSpec) -> ClientRecord:
        apis = await self._sdk()
        from okta.models.open_id_connect_application import OpenIdConnectApplication

        current = plain(await self._call("update", apis.get_application(record.client_id)))
        replacement = wire.app_update(current, spec)
        if replacement is not None:
            self._fence.check("okta update")
            document = OpenIdConnectApplication.from_dict(replacement)
            await self._call("update", apis.replace_application(record.client_id, document))
        if current.get("status") != "ACTIVE":
            self._fence.check("okta update")
            await self._call("update", apis.activate_application(record.client_id))
        await self._converge_policy(record.client_id, spec)
        return record

    async def delete(self, record: ClientRecord) -> None:
        """Okta deletes only an inactive app: deactivate, delete, then drop its policy."""
        apis = await self._sdk()
        self._fence.check("okta delete")
        try:
            await self._call("delete", apis.deactivate_application(record.client_id))
            await self._call("delete", apis.delete_application(record.client_id))
        except IdpNotFound:
            pass
        rule = await self._rule_of(record.client_id)
        if rule is not None:
            self._fence.check("okta delete")
            await self._call(
                "delete", apis.delete_authorization_server_policy(self._server, rule[0]["id"])
            )
            self._policies = None

    async def create_scope(self, name: str, description: str) -> None:
        """A custom scope on the authorization server (see ``missing_scopes``)."""
        apis = await self._sdk()
        from okta.models.o_auth2_scope import OAuth2Scope

        self._fence.check("okta scopes")
        scope = OAuth2Scope.from_dict({"name": name, "description": description})
        await self._call("scopes", apis.create_o_auth2_scope(self._server, scope))

    async def missing_scopes(self, declared: dict[str, str]) -> list[str]:
        """The declared custom scopes (name to description) the server lacks; scopes it
        has and nobody declared are left alone."""
        apis = await self._sdk()
        live = await self._listed(
            "scopes",
            lambda after: apis.list_o_auth2_scopes(self._server, limit=PAGE_SIZE, after=after),
        )
        have = {scope.get("name") for scope in live}
        return sorted(name for name in declared if name not in have)

    async def add_secret(self, client_id: str, value: str) -> str:
        """Install a second secret the controller chose (stored first); its id."""
        apis = await self._sdk()
        from okta.models.o_auth2_client_secret_request_body import (
            OAuth2ClientSecretRequestBody,
        )

        self._fence.check("okta secrets")
        body = OAuth2ClientSecretRequestBody.from_dict({"client_secret": value, "status": "ACTIVE"})
        added = plain(
            await self._call("secrets", apis.create_o_auth2_client_secret(client_id, body))
        )
        return str(added["id"])

    async def list_secrets(self, client_id: str) -> list[ClientSecretInfo]:
        """The app's secrets (Okta holds at most two, active or not), oldest first."""
        apis = await self._sdk()
        listed = plain(await self._call("secrets", apis.list_o_auth2_client_secrets(client_id)))
        found = [wire.secret_info(entry) for entry in listed or []]
        return sorted(found, key=lambda info: (info.created, info.secret_id))

    async def delete_secret(self, client_id: str, secret_id: str) -> None:
        """Retire one secret: Okta deletes only an inactive one. Gone counts as retired."""
        apis = await self._sdk()
        self._fence.check("okta secrets")
        with contextlib.suppress(IdpNotFound):
            await self._call("secrets", apis.deactivate_o_auth2_client_secret(client_id, secret_id))
            await self._call("secrets", apis.delete_o_auth2_client_secret(client_id, secret_id))

    async def _converge_policy(self, client_id: str, spec: ClientSpec) -> None:
        """The client's policy and rule say exactly what ``spec`` grants."""
        apis = await self._sdk()
        from okta.models.authorization_server_policy import AuthorizationServerPolicy
        from okta.models.authorization_server_policy_rule_request import (
            AuthorizationServerPolicyRuleRequest,
        )

        found = await self._rule_of(client_id)
        rule_request = AuthorizationServerPolicyRuleRequest.from_dict(wire.rule_document(spec))
        if found is None:
            self._fence.check("okta policy")
            document = AuthorizationServerPolicy.from_dict(wire.policy_document(spec, client_id))
            policy = plain(
                await self._call(
                    "policy", apis.create_authorization_server_policy(self._server, document)
                )
            )
            self._policies = None
            await self._call(
                "policy",
                apis.create_authorization_server_policy_rule(
                    self._server, policy["id"], rule_request
                ),
            )
            return
        policy, rule = found
        if rule is None:
            self._fence.check("okta policy")
            await self._call(
                "policy",
                apis.create_authorization_server_policy_rule(
                    self._server, policy["id"], rule_request
                ),
            )
        elif wire.rule_differs(rule, spec):
            self._fence.check("okta policy")
            await self._call(
                "policy",
                apis.replace_authorization_server_policy_rule(
                    self._server, policy["id"], rule["id"], rule_request
                ),
            )

    async def _rule_of(self, client_id: str) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """The client's policy and its rule (None when the policy has none); None when
        the client has no policy."""
        apis = await self._sdk()
        if self._policies is None:
            listed = await self._call(
                "policies", apis.list_authorization_server_policies(self._server)
            )
            self._policies = plain(listed) or []
        policy = wire.policy_for(self._policies, client_id)
        if policy is None:
            return None
        rules = plain(
            await self._call(
                "policies",
                apis.list_authorization_server_policy_rules(self._server, policy["id"]),
            )
        )
        named = [rule for rule in rules or [] if rule.get("name") == wire.RULE_NAME]
        return policy, (named[0] if named else None)

    async def _call(self, operation: str, pending: Awaitable[tuple[Any, ...]]) -> Any:
        """An SDK call's data."""
        return check(operation, await self._answer(operation, pending))

    async def _listed(
        self, operation: str, page: Callable[[str | None], Awaitable[tuple[Any, ...]]]
    ) -> list[dict[str, Any]]:
        """Every page of a list: Okta pages apps and scopes, the next page's cursor in the
        answer's ``Link: rel="next"``; one page alone would miss what lies past it."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        seen: set[str] = set()
        while True:
            answer = await self._answer(operation, page(after))
            found.extend(plain(check(operation, answer)) or [])
            after = next_cursor(answer)
            if after is None or after in seen:
                return found
            seen.add(after)

    async def _answer(self, operation: str, pending: Awaitable[tuple[Any, ...]]) -> tuple[Any, ...]:
        """An SDK call's whole answer. A transport failure surfaces from the SDK as its own
        AttributeError on the missing response; both mean the org was not reached."""
        try:
            return await pending
        except (aiohttp.ClientError, TimeoutError, AttributeError) as failed:
            raise IdpUnavailable(f"okta {operation}: {type(failed).__name__}") from None

    async def _sdk(self) -> Any:
        async with self._opening:
            if self._apis is None:
                credentials = await self._credentials()
                self._apis = open_apis(self._org, credentials, self._http, self._gate)
            return self._apis
