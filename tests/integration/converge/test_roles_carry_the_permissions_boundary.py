"""Every IAM role the controller creates carries ``tenancy.permissionsBoundaryArn``.

A platform gives the controller CreateRole only with that boundary (the README's policy),
so a role without it would be refused in a real account; a managed role whose boundary
was changed is drift, planned and put back. A null setting never removes a boundary.
"""

from __future__ import annotations

import json
from typing import Any

from tests.harness.world import SeededWorld

from ._live import field_change, planned
from .conftest import Cli

BOUNDARY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:*", "secretsmanager:*"], "Resource": "*"}],
}
OWNED_ROLES = {
    "ecs-oauth-orders-reader",
    "ecs-oauth-checkout",
    "ecs-oauth-stock-keeper",
    "ecs-oauth-orders-api-exec",
    "ecs-oauth-stock-sync-exec",
}


def boundary_policy(world: SeededWorld, name: str = "ecs-oauth-task-boundary") -> str:
    created = world.client("iam").create_policy(
        PolicyName=name, PolicyDocument=json.dumps(BOUNDARY_DOCUMENT)
    )
    arn: str = created["Policy"]["Arn"]
    return arn


def bounded(arn: str) -> tuple[str, str]:
    return ("--set", f"tenancy.permissionsBoundaryArn={arn}")


def boundaries(world: SeededWorld) -> dict[str, str | None]:
    """Each role under /ecs-oauth/ and its boundary, as GetRole shows them."""
    iam = world.client("iam")
    names = [r["RoleName"] for r in iam.list_roles(PathPrefix="/ecs-oauth/")["Roles"]]
    found: dict[str, str | None] = {}
    for name in names:
        role: dict[str, Any] = iam.get_role(RoleName=name)["Role"]
        found[name] = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return found


def test_every_role_an_apply_creates_has_the_boundary(world: SeededWorld, cli: Cli) -> None:
    arn = boundary_policy(world)

    cli.apply(*bounded(arn))

    assert boundaries(world) == dict.fromkeys(OWNED_ROLES, arn)
    assert cli.plan_json(*bounded(arn))["changes"] == []


def test_roles_made_before_the_setting_get_the_boundary_on_the_next_apply(
    world: SeededWorld, cli: Cli
) -> None:
    cli.apply()
    arn = boundary_policy(world)

    plan = cli.plan_json(*bounded(arn))
    cli.apply(*bounded(arn))

    assert {(c[1], c[2], c[3], c[4]) for c in planned(plan)} == {
        ("iam:role", name, "update", ("permissionsBoundary",)) for name in OWNED_ROLES
    }
    assert boundaries(world) == dict.fromkeys(OWNED_ROLES, arn)


def test_a_boundary_changed_by_hand_is_planned_as_drift_and_put_back(
    world: SeededWorld, cli: Cli
) -> None:
    arn = boundary_policy(world)
    cli.apply(*bounded(arn))
    wider = boundary_policy(world, "wider")
    world.client("iam").put_role_permissions_boundary(
        RoleName="ecs-oauth-checkout", PermissionsBoundary=wider
    )

    plan = cli.plan_json(*bounded(arn))
    cli.apply(*bounded(arn))

    change = field_change(plan, "iam:role", "permissionsBoundary")
    assert (change["before"], change["after"]) == (wider, arn)
    assert boundaries(world)["ecs-oauth-checkout"] == arn


def test_without_the_setting_a_boundary_found_is_never_removed(
    world: SeededWorld, cli: Cli
) -> None:
    arn = boundary_policy(world)
    cli.apply(*bounded(arn))
    calls_before = world.moto.calls()

    plan = cli.plan_json()
    cli.apply()

    assert plan["changes"] == []
    assert boundaries(world) == dict.fromkeys(OWNED_ROLES, arn)
    calls = world.moto.calls()
    assert calls.get("DeleteRolePermissionsBoundary", 0) == 0
    assert calls.get("PutRolePermissionsBoundary", 0) == calls_before.get(
        "PutRolePermissionsBoundary", 0
    )
