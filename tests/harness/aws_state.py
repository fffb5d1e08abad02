"""Everything the controller could have written in the test AWS world, as plain data.

Guards are shown by comparing this before and after a refused command: equal means
nothing was written, whatever code path a refusal took.
"""

from __future__ import annotations

from typing import Any

from tests.harness.world import SeededWorld

# Operations that change something, by the verbs AWS names them with.
WRITE_VERBS = (
    "Add", "Attach", "Create", "Delete", "Detach", "Put", "Register", "Remove", "Restore",
    "Tag", "Untag", "Update",
)  # fmt: skip


def writes(calls: dict[str, int]) -> dict[str, int]:
    """The write operations among the peer's call counts."""
    return {op: n for op, n in calls.items() if op.startswith(WRITE_VERBS)}


def aws_state(world: SeededWorld) -> dict[str, Any]:
    return {
        "roles": _roles(world),
        "task_definitions": _task_definitions(world),
        "services": _services(world),
        "secrets": _secrets(world),
        "cognito": _cognito(world),
    }


def _roles(world: SeededWorld) -> dict[str, Any]:
    iam = world.client("iam")
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        full = iam.get_role(RoleName=name)["Role"]
        roles[name] = {
            "path": full["Path"],
            "trust": full["AssumeRolePolicyDocument"],
            "boundary": full.get("PermissionsBoundary"),
            "tags": iam.list_role_tags(RoleName=name)["Tags"],
            "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
            "inline": iam.list_role_policies(RoleName=name)["PolicyNames"],
        }
    return roles


def _task_definitions(world: SeededWorld) -> list[str]:
    return sorted(world.client("ecs").list_task_definitions()["taskDefinitionArns"])


def _services(world: SeededWorld) -> dict[str, Any]:
    ecs = world.client("ecs")
    found = {}
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        if arns:
            for service in ecs.describe_services(cluster=cluster, services=arns)["services"]:
                found[service["serviceArn"]] = service["taskDefinition"]
    return found


def _secrets(world: SeededWorld) -> dict[str, Any]:
    sm = world.client("secretsmanager")
    found = {}
    for secret in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]:
        described = sm.describe_secret(SecretId=secret["ARN"])
        found[secret["Name"]] = {
            "tags": described.get("Tags", []),
            "versions": described.get("VersionIdsToStages", {}),
            "deleted": described.get("DeletedDate"),
        }
    return found


def _cognito(world: SeededWorld) -> dict[str, Any]:
    cognito = world.client("cognito-idp")
    pool = world.user_pool_id
    clients = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    described = [
        cognito.describe_user_pool_client(UserPoolId=pool, ClientId=c["ClientId"])["UserPoolClient"]
        for c in clients
    ]
    servers = cognito.list_resource_servers(UserPoolId=pool, MaxResults=50)["ResourceServers"]
    return {
        "clients": sorted(
            (c["ClientName"], c["ClientId"], sorted(c.get("AllowedOAuthScopes", [])))
            for c in described
        ),
        "resource_servers": sorted(
            (s["Identifier"], sorted(x["ScopeName"] for x in s.get("Scopes", []))) for s in servers
        ),
    }
