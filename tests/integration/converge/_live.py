"""What landed, read straight from the peers with boto3: the tests' view, not the controller's."""

from __future__ import annotations

import json
from typing import Any

from tests.harness.world import FAMILIES, SeededWorld

SERVICES = tuple(sorted(FAMILIES))  # checkout-worker, orders-api, stock-sync
COGNITO_SERVICES = ("checkout-worker", "orders-api")
OIDC_SERVICE = "stock-sync"
ROLE_OF = {
    "orders-api": "orders-reader",
    "checkout-worker": "checkout",
    "stock-sync": "stock-keeper",
}
SCOPES_OF = {
    "orders-reader": ["orders/read"],
    "checkout": ["orders/read", "orders/write"],
    "stock-keeper": ["inventory.read", "inventory.write"],
}
LIFETIME_SECONDS_OF = {"orders-reader": 15 * 60, "checkout": 10 * 60, "stock-keeper": 30 * 60}
MANAGED_BY = "ecs-oauth.dev/managed-by"
OWNER = "ecs-oauth.dev/owner"
GENERATION = "ecs-oauth.dev/generation"  # the inputs an object last converged at
CONTROLLER_ID = "default"
ENV_VARS = ("OAUTH_TOKEN_ENDPOINT", "OAUTH_SCOPE")
SECRET_VARS = ("OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET")


def scopes_of(service: str) -> list[str]:
    return SCOPES_OF[ROLE_OF[service]]


def secret_name(service: str) -> str:
    return f"ecs-oauth/{service}"


def registration_value(world: SeededWorld, service: str) -> dict[str, Any] | None:
    """The controller-only secret of RFC 7592 handles; None where there is none (Cognito)."""
    manager = world.client("secretsmanager")
    try:
        response = manager.get_secret_value(
            SecretId=f"{secret_name(service)}/registration", VersionStage="AWSCURRENT"
        )
    except manager.exceptions.ResourceNotFoundException:
        return None
    value: dict[str, Any] = json.loads(response["SecretString"])
    return value


def registration_tokens(world: SeededWorld, service: str) -> list[str]:
    """Every registration access token the controller keeps for the service's clients."""
    value = registration_value(world, service) or {"clients": {}}
    return [entry["registration_access_token"] for entry in value["clients"].values()]


def describe_secret(world: SeededWorld, service: str) -> dict[str, Any]:
    described: dict[str, Any] = world.client("secretsmanager").describe_secret(
        SecretId=secret_name(service)
    )
    return described


def secret_value(world: SeededWorld, service: str) -> dict[str, Any]:
    """The JSON at AWSCURRENT, asked for by stage as ECS does."""
    response = world.client("secretsmanager").get_secret_value(
        SecretId=secret_name(service), VersionStage="AWSCURRENT"
    )
    value: dict[str, Any] = json.loads(response["SecretString"])
    return value


def tags(entries: list[dict[str, str]]) -> dict[str, str]:
    """AWS tag lists as a dict, whichever casing the API uses."""
    return {e.get("Key", e.get("key", "")): e.get("Value", e.get("value", "")) for e in entries}


def task_definition_arns(world: SeededWorld, family: str) -> list[str]:
    """ACTIVE revisions of ``family``, oldest first (by revision number, not API order)."""
    arns = world.client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")[
        "taskDefinitionArns"
    ]
    return sorted(arns, key=lambda arn: int(arn.rsplit(":", 1)[1]))


def latest_task_definition(
    world: SeededWorld, family: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The highest ACTIVE revision and its tags."""
    arn = task_definition_arns(world, family)[-1]
    response = world.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"])
    return response["taskDefinition"], tags(response.get("tags", []))


def container(definition: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in definition["containerDefinitions"] if c["name"] == name)
    return found


def environment(entry: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in entry.get("environment", [])}


def secrets(entry: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["valueFrom"] for s in entry.get("secrets", [])}


def register_revision(world: SeededWorld, family: str, **changes: Any) -> str:
    """Register a new revision by hand, as a deploy pipeline would, and roll the service to it.

    ``changes`` replaces top-level fields; ``environment`` (a dict) patches the app
    container's variables.
    """
    definition, tag_map = latest_task_definition(world, family)
    env_patch: dict[str, str] = changes.pop("environment", {})
    request: dict[str, Any] = {
        key: definition[key]
        for key in ("family", "containerDefinitions", "taskRoleArn", "executionRoleArn")
        if key in definition
    }
    request.update(changes)
    if env_patch:
        app = container(request, FAMILIES[family])
        merged = {**environment(app), **env_patch}
        app["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
    ecs = world.client("ecs")
    arn: str = ecs.register_task_definition(
        **request, tags=[{"key": k, "value": v} for k, v in tag_map.items()]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="prod", service=family, taskDefinition=arn)
    return arn


def ecs_service(world: SeededWorld, name: str) -> dict[str, Any]:
    service: dict[str, Any] = world.client("ecs").describe_services(
        cluster="prod", services=[name]
    )["services"][0]
    return service


def cognito_client(world: SeededWorld, client_id: str) -> dict[str, Any]:
    client: dict[str, Any] = world.client("cognito-idp").describe_user_pool_client(
        UserPoolId=world.user_pool_id, ClientId=client_id
    )["UserPoolClient"]
    return client


def set_cognito_scopes(world: SeededWorld, client_id: str, scopes: list[str]) -> None:
    """An administrator edits the app client; UpdateUserPoolClient resets what it omits,
    so the whole configuration goes back with only the scopes changed."""
    current = cognito_client(world, client_id)
    accepted = (
        "ClientName",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "ExplicitAuthFlows",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthFlowsUserPoolClient",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
    )
    request = {key: current[key] for key in accepted if key in current}
    world.client("cognito-idp").update_user_pool_client(
        UserPoolId=world.user_pool_id,
        ClientId=client_id,
        **request,
        AllowedOAuthScopes=scopes,
    )


Planned = tuple[str, str, str, str, tuple[str, ...]]


def planned(plan: dict[str, Any]) -> set[Planned]:
    """Each change of a JSON plan as (object, resource, id, action, changed paths)."""
    return {
        (
            change["object"],
            change["resource"],
            change["id"],
            change["action"],
            tuple(field["path"] for field in change["diff"]),
        )
        for change in plan["changes"]
    }


def field_change(plan: dict[str, Any], resource: str, path: str) -> dict[str, Any]:
    """The one diff entry for ``path`` of ``resource`` in a JSON plan."""
    [found] = [
        field
        for change in plan["changes"]
        if change["resource"] == resource
        for field in change["diff"]
        if field["path"] == path
    ]
    return dict(found)
