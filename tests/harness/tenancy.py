"""Two teams and a platform folder in one desired-state tree, and what team B tries.

Shared by the converge and daemon tests, so each attack is written once.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.harness.world import SeededWorld

LAYOUT = {"providers.yaml": "platform", "payments.yaml": "payments", "inventory.yaml": "inventory"}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def tenancy_values(folder: Path, world: SeededWorld) -> Path:
    """The platform's values file: two teams and a platform folder."""
    values = folder.parent / "values.yaml"
    values.write_text(
        textwrap.dedent(
            f"""\
            tenancy:
              platformPaths: [platform]
              teams:
                payments:
                  paths: [payments]
                  ecsServices: ["prod/orders-*", "prod/checkout-*"]
                  taskDefinitionFamilies: ["orders-*", "checkout-*"]
                  scopes: ["orders/*"]
                  executionRoleArns: ["{world.execution_role_arn}"]
                inventory:
                  paths: [inventory]
                  ecsServices: ["prod/stock-*"]
                  taskDefinitionFamilies: ["stock-*"]
                  scopes: ["inventory.*"]
            """
        )
    )
    return values


def into_team_folders(folder: Path) -> None:
    for name, owner in LAYOUT.items():
        (folder / owner).mkdir()
        (folder / name).rename(folder / owner / name)


@dataclass(frozen=True)
class Attack:
    """Team B's document, and what the refusal must say about it."""

    document: str
    refusal: str


def doc(kind: str, name: str, spec: str) -> str:
    return f"apiVersion: ecs-oauth.dev/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}}}\n" + (
        "spec:\n" + textwrap.indent(textwrap.dedent(spec), "  ")
    )


ATTACKS = {
    "wiring another team's ECS service": Attack(
        doc(
            "Service",
            "hijack",
            """\
            role: stock-keeper
            cluster: prod
            service: orders-api
            taskDefinition: {family: stock-hijack, container: app}
            """,
        ),
        "Service hijack (team inventory) may not wire ECS service prod/orders-api; "
        "inventory may wire prod/stock-*",
    ),
    "attaching AdministratorAccess": Attack(
        doc("Role", "admin", f"scopes: [inventory.read]\nmanagedPolicyArns: [{ADMIN}]\n"),
        f"Role admin (team inventory) may not attach {ADMIN}; inventory may attach nothing",
    ),
    "using another team's Role": Attack(
        doc(
            "Service",
            "thief",
            """\
            role: checkout
            cluster: prod
            service: stock-thief
            taskDefinition: {family: stock-thief, container: app}
            """,
        ),
        "Service thief (team inventory) may not use Role checkout of team payments; "
        "inventory may use its own Roles and the platform's",
    ),
    "adding a scope to another team's resource server": Attack(
        doc("Scope", "orders.admin", "provider: corp\nresourceServer: orders\n"),
        "Scope orders.admin (team inventory) may not define scope orders/orders.admin; "
        "inventory may define inventory.*",
    ),
    "passing another team's execution role": Attack(
        doc(
            "Service",
            "stock-extra",
            """\
            role: stock-keeper
            cluster: prod
            taskDefinition: {family: stock-extra, container: app}
            executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
            """,
        ),
        "Service stock-extra (team inventory) may not pass execution role "
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole; inventory may pass nothing",
    ),
    "declaring its own identity provider": Attack(
        doc(
            "IdentityProvider",
            "mine",
            "oidc: {issuer: https://idp.example.com, initialAccessToken: {fromEnv: T}}\n",
        ),
        "IdentityProvider mine (team inventory) may not be declared by a team",
    ),
}
