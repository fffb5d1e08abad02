"""Reconcile the objects services depend on: identity providers and task roles."""

from __future__ import annotations

from typing import Any

from controller.desired import DesiredState
from controller.engine._converged import CONVERGED_TAG, recorded_generation
from controller.engine._outcome import Outcome
from controller.engine._roles import converge_role
from controller.engine._world import World
from controller.plan import Action, diff_documents
from controller.plan._desired import (
    TASK_ROLE_PATH,
    owner_tags,
    role_document,
    scope_tags,
    task_role_name,
)

RESOURCE_SERVER = "cognito:resource-server"
OKTA_SCOPE = "okta:scope"


async def reconcile_provider(
    world: World, state: DesiredState, name: str, outcome: Outcome
) -> None:
    """Cognito: every declared scope exists on its resource server (others left alone).

    OIDC providers define scopes themselves; there is nothing to write, but the discovery
    document is fetched so a wrong issuer shows up on the provider, not on every service.
    """
    provider = state.providers[name]
    if provider.spec.okta is not None:
        await _reconcile_okta_scopes(world, state, name, outcome)
        return
    if provider.spec.oidc is not None:
        endpoints = await world.idp(provider).endpoints()
        outcome.resources["tokenEndpoint"] = endpoints.token_endpoint
        return
    assert provider.spec.cognito is not None
    pool = provider.spec.cognito.user_pool_id
    outcome.resources["userPoolId"] = pool
    outcome.converged_at = await recorded_generation(world, outcome.key)
    declared: dict[str, dict[str, str]] = {}
    for scope in state.scopes.values():
        server = scope.spec.resource_server
        if scope.spec.provider == name and server is not None:
            scope_name = state.scope_value(scope.metadata.name).removeprefix(f"{server}/")
            declared.setdefault(server, {})[scope_name] = scope.spec.description or scope_name
    servers = world.resource_servers(pool)
    live = await servers.list()
    for identifier, scopes in sorted(declared.items()):
        have = live.get(identifier)
        wanted = {**(have or {}), **scopes}
        diff = diff_documents({"scopes": wanted}, {"scopes": have} if have is not None else None)
        if not diff:
            continue
        action: Action = "create" if have is None else "update"
        if outcome.change(RESOURCE_SERVER, f"{pool}/{identifier}", action, diff):
            await servers.ensure(identifier, scopes)


async def _reconcile_okta_scopes(
    world: World, state: DesiredState, name: str, outcome: Outcome
) -> None:
    """Okta: every declared scope exists as a custom scope of the authorization server."""
    provider = state.providers[name]
    okta: Any = world.idp(provider)  # an OktaAdapter, maybe behind the read journal
    endpoints = await okta.endpoints()
    outcome.resources["tokenEndpoint"] = endpoints.token_endpoint
    declared = {
        state.scope_value(scope.metadata.name): scope.spec.description
        or state.scope_value(scope.metadata.name)
        for scope in state.scopes.values()
        if scope.spec.provider == name
    }
    for scope_name in await okta.missing_scopes(declared):
        diff = diff_documents({"name": scope_name}, None)
        if outcome.change(OKTA_SCOPE, f"{endpoints.issuer}/{scope_name}", "create", diff):
            await okta.create_scope(scope_name, declared[scope_name])


async def reconcile_role(world: World, state: DesiredState, name: str, outcome: Outcome) -> None:
    role = state.roles[name]
    provider = state.role_provider(name).metadata.name
    tags = {
        **owner_tags(world.settings.controller_id, f"Role/{name}"),
        **scope_tags(provider, state.role_scopes(name)),
    }
    known = await world.iam.find(task_role_name(name))  # read once; converge_role reuses it
    outcome.converged_at = known.tags.get(CONVERGED_TAG) if known else None
    # A task role owns no inline policy: one added by hand is drift, removed on apply.
    desired = role_document(
        world.account_id, tags, list(role.spec.managed_policy_arns), inline_policies={}
    )
    arn = await converge_role(
        world,
        outcome,
        task_role_name(name),
        desired,
        {},
        adopt=False,
        description=f"ECS task role for ecs-oauth Role/{name}"[:1000],
        path=TASK_ROLE_PATH,
    )
    outcome.resources["roleArn"] = arn
