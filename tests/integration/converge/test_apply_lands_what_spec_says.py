"""After one ``ecs-oauth apply``, AWS and both identity providers hold exactly what SPEC's
table "What it manages, per Service" says, and nothing the controller does not own moved.

One apply for the whole module; every test only reads.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import regex

from controller.plan import FORMAT_VERSION
from tests.harness.moto import REGION, MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import ACCOUNT, FAMILIES

from ._live import (
    COGNITO_SERVICES,
    CONTROLLER_ID,
    GENERATION,
    LIFETIME_SECONDS_OF,
    MANAGED_BY,
    OIDC_SERVICE,
    OWNER,
    ROLE_OF,
    SCOPES_OF,
    SERVICES,
    cognito_client,
    container,
    describe_secret,
    ecs_service,
    environment,
    latest_task_definition,
    registration_value,
    scopes_of,
    secret_value,
    secrets,
    tags,
    task_definition_arns,
)
from .conftest import Converged, converge_fresh, explain, shared_role_snapshot

EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
OWN_EXECUTION_ROLE = ("orders-api", "stock-sync")  # no executionRoleArn in their spec
SHARED_EXECUTION_ROLE = "checkout-worker"
SECRET_KEYS = {"client_id", "client_secret", "token_endpoint", "scope", "issuer"}
TAG_VALUE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")  # botocore's IAM tagValueType


@pytest.fixture(scope="module")
def converged(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Converged:
    """``plan --output json`` then ``apply``, both through the CLI, once for the module."""
    folder = tmp_path_factory.mktemp("landed") / "desired"
    return converge_fresh(moto_server, oidc_provider_server, folder, through_cli=True)


def plan_before(converged: Converged) -> dict[str, Any]:
    assert converged.plan_before is not None
    document: dict[str, Any] = json.loads(converged.plan_before.stdout)
    return document


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy["Statement"]
    return [found] if isinstance(found, dict) else list(found)


def one(value: Any) -> Any:
    """IAM may answer a single value as itself or as a one-item list."""
    if isinstance(value, list):
        assert len(value) == 1, value
        return value[0]
    return value


class TestTaskRoles:
    @pytest.mark.parametrize("role", sorted(SCOPES_OF))
    def test_only_ecs_tasks_of_this_account_and_region_may_assume_the_task_role(
        self, converged: Converged, role: str
    ) -> None:
        trust = converged.world.client("iam").get_role(RoleName=f"ecs-oauth-{role}")["Role"][
            "AssumeRolePolicyDocument"
        ]

        [statement] = statements(trust)
        assert statement["Effect"] == "Allow"
        assert one(statement["Action"]) == "sts:AssumeRole"
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"},
        }

    @pytest.mark.parametrize("role", sorted(SCOPES_OF))
    def test_the_task_role_lives_at_the_task_role_path(
        self, converged: Converged, role: str
    ) -> None:
        found = converged.world.client("iam").get_role(RoleName=f"ecs-oauth-{role}")["Role"]

        assert found["Path"] == "/ecs-oauth/task/"

    @pytest.mark.parametrize("role", sorted(SCOPES_OF))
    def test_the_task_role_is_tagged_with_owner_and_its_scopes(
        self, converged: Converged, role: str
    ) -> None:
        found = tags(
            converged.world.client("iam").list_role_tags(RoleName=f"ecs-oauth-{role}")["Tags"]
        )

        assert found[MANAGED_BY] == CONTROLLER_ID
        assert found[OWNER] == f"Role/{role}"
        assert found["ecs-oauth.dev/scopes"].split() == SCOPES_OF[role]
        assert all(TAG_VALUE.fullmatch(value) for value in found.values())

    def test_task_roles_carry_no_policies_when_none_are_declared(
        self, converged: Converged
    ) -> None:
        iam = converged.world.client("iam")
        for role in SCOPES_OF:
            name = f"ecs-oauth-{role}"
            assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
            assert iam.list_role_policies(RoleName=name)["PolicyNames"] == []


class TestSecretAccess:
    @pytest.mark.parametrize("service", OWN_EXECUTION_ROLE)
    def test_a_service_without_an_execution_role_gets_a_dedicated_one(
        self, converged: Converged, service: str
    ) -> None:
        iam = converged.world.client("iam")
        name = f"ecs-oauth-{service}-exec"
        role = iam.get_role(RoleName=name)["Role"]
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]

        [statement] = statements(role["AssumeRolePolicyDocument"])
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"]["ArnLike"] == {
            "aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"
        }
        assert role["Path"] == "/ecs-oauth/exec/"
        assert [p["PolicyArn"] for p in attached] == [EXECUTION_POLICY_ARN]
        assert tags(iam.list_role_tags(RoleName=name)["Tags"]) == {
            MANAGED_BY: CONTROLLER_ID,
            OWNER: f"Service/{service}",
        }

    @pytest.mark.parametrize("service", OWN_EXECUTION_ROLE)
    def test_the_dedicated_execution_role_may_read_exactly_its_service_secret(
        self, converged: Converged, service: str
    ) -> None:
        iam = converged.world.client("iam")
        name = f"ecs-oauth-{service}-exec"
        secret_arn = describe_secret(converged.world, service)["ARN"]

        [policy_name] = iam.list_role_policies(RoleName=name)["PolicyNames"]
        document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        [statement] = statements(document)
        assert statement["Effect"] == "Allow"
        assert one(statement["Action"]) == "secretsmanager:GetSecretValue"
        assert one(statement["Resource"]) == secret_arn

    @pytest.mark.parametrize("service", OWN_EXECUTION_ROLE)
    def test_a_secret_read_through_a_dedicated_role_has_no_resource_policy(
        self, converged: Converged, service: str
    ) -> None:
        response = converged.world.client("secretsmanager").get_resource_policy(
            SecretId=f"ecs-oauth/{service}"
        )

        assert not response.get("ResourcePolicy")

    def test_a_shared_execution_role_is_granted_read_on_the_secret_itself(
        self, converged: Converged
    ) -> None:
        policy = json.loads(
            converged.world.client("secretsmanager").get_resource_policy(
                SecretId=f"ecs-oauth/{SHARED_EXECUTION_ROLE}"
            )["ResourcePolicy"]
        )

        [statement] = statements(policy)
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"AWS": converged.world.execution_role_arn}
        assert one(statement["Action"]) == "secretsmanager:GetSecretValue"

    def test_a_shared_execution_role_is_left_exactly_as_it_was(self, converged: Converged) -> None:
        assert shared_role_snapshot(converged.world) == converged.shared_role_before

    def test_no_dedicated_role_is_made_for_a_service_with_a_shared_one(
        self, converged: Converged
    ) -> None:
        names = {role["RoleName"] for role in converged.world.client("iam").list_roles()["Roles"]}

        assert f"ecs-oauth-{SHARED_EXECUTION_ROLE}-exec" not in names
        assert {n for n in names if n.startswith("ecs-oauth-")} == {
            *(f"ecs-oauth-{role}" for role in SCOPES_OF),
            *(f"ecs-oauth-{service}-exec" for service in OWN_EXECUTION_ROLE),
        }


class TestSecrets:
    @pytest.mark.parametrize("service", SERVICES)
    def test_the_secret_holds_what_a_task_needs_to_get_a_token(
        self, converged: Converged, service: str
    ) -> None:
        value = secret_value(converged.world, service)

        assert set(value) == SECRET_KEYS
        assert value["scope"].split() == scopes_of(service)
        assert value["client_id"]
        assert value["client_secret"]

    @pytest.mark.parametrize("service", COGNITO_SERVICES)
    def test_a_cognito_secret_names_the_pool_issuer_and_the_configured_token_endpoint(
        self, converged: Converged, service: str
    ) -> None:
        value = secret_value(converged.world, service)
        pool = converged.world.user_pool_id

        assert value["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
        assert value["token_endpoint"] == converged.world.cognito_token_endpoint

    def test_an_oidc_secret_names_the_issuer_and_its_discovered_token_endpoint(
        self, converged: Converged
    ) -> None:
        value = secret_value(converged.world, OIDC_SERVICE)

        assert value["issuer"] == converged.oidc.issuer
        assert value["token_endpoint"] == f"{converged.oidc.issuer}/token"

    def test_an_oidc_client_s_registration_handles_live_in_a_controller_only_secret(
        self, converged: Converged
    ) -> None:
        client_id = secret_value(converged.world, OIDC_SERVICE)["client_id"]
        registration = registration_value(converged.world, OIDC_SERVICE)
        name = f"ecs-oauth/{OIDC_SERVICE}/registration"
        manager = converged.world.client("secretsmanager")

        assert registration is not None
        [(held_for, handles)] = registration["clients"].items()
        assert held_for == client_id
        assert set(handles) == {"registration_access_token", "registration_client_uri"}
        assert handles["registration_client_uri"].startswith(converged.oidc.issuer)
        assert not manager.get_resource_policy(SecretId=name).get("ResourcePolicy")
        assert tags(manager.describe_secret(SecretId=name)["Tags"]) == {
            MANAGED_BY: CONTROLLER_ID,
            OWNER: f"Service/{OIDC_SERVICE}",
        }

    @pytest.mark.parametrize("service", COGNITO_SERVICES)
    def test_a_cognito_client_needs_no_registration_secret(
        self, converged: Converged, service: str
    ) -> None:
        assert registration_value(converged.world, service) is None

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_secret_carries_the_ownership_tags(
        self, converged: Converged, service: str
    ) -> None:
        found = tags(describe_secret(converged.world, service)["Tags"])
        generation = found.pop(GENERATION)

        assert found == {MANAGED_BY: CONTROLLER_ID, OWNER: f"Service/{service}"}
        assert re.fullmatch("[0-9a-f]{12}", generation)  # what the Service converged at


class TestOAuthClients:
    @pytest.mark.parametrize("service", COGNITO_SERVICES)
    def test_the_cognito_app_client_allows_client_credentials_only(
        self, converged: Converged, service: str
    ) -> None:
        value = secret_value(converged.world, service)
        client = cognito_client(converged.world, value["client_id"])

        assert client["ClientName"] == f"ecs-oauth-{service}"
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert client["ClientSecret"] == value["client_secret"]

    @pytest.mark.parametrize("service", COGNITO_SERVICES)
    def test_the_cognito_app_client_has_the_role_scopes_and_token_lifetime(
        self, converged: Converged, service: str
    ) -> None:
        client = cognito_client(
            converged.world, secret_value(converged.world, service)["client_id"]
        )
        unit_seconds = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
        unit = client.get("TokenValidityUnits", {}).get("AccessToken", "hours")

        assert sorted(client["AllowedOAuthScopes"]) == scopes_of(service)
        lifetime = client["AccessTokenValidity"] * unit_seconds[unit]
        assert lifetime == LIFETIME_SECONDS_OF[ROLE_OF[service]]

    def test_the_cognito_scopes_are_defined_on_their_resource_server(
        self, converged: Converged
    ) -> None:
        server = converged.world.client("cognito-idp").describe_resource_server(
            UserPoolId=converged.world.user_pool_id, Identifier="orders"
        )["ResourceServer"]

        assert {s["ScopeName"] for s in server["Scopes"]} == {"read", "write"}

    def test_the_oidc_registration_has_the_role_scopes_and_client_credentials_only(
        self, converged: Converged
    ) -> None:
        value = secret_value(converged.world, OIDC_SERVICE)
        client = converged.oidc.client(value["client_id"])

        assert client["client_name"] == f"ecs-oauth-{OIDC_SERVICE}"
        assert sorted(client["scope"].split()) == scopes_of(OIDC_SERVICE)
        assert client["grant_types"] == ["client_credentials"]
        assert client["client_secret"] == value["client_secret"]


class TestTaskDefinitions:
    @pytest.mark.parametrize("service", SERVICES)
    def test_a_new_revision_is_registered_beside_the_deployed_one(
        self, converged: Converged, service: str
    ) -> None:
        arns = task_definition_arns(converged.world, service)

        assert [arn.rsplit(":", 1)[1] for arn in arns] == ["1", "2"]

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_new_revision_keeps_everything_the_deployer_owns(
        self, converged: Converged, service: str
    ) -> None:
        definition, tag_map = latest_task_definition(converged.world, service)
        app = container(definition, FAMILIES[service])
        sidecar = container(definition, "sidecar")

        assert [c["name"] for c in definition["containerDefinitions"]] == [
            FAMILIES[service],
            "sidecar",
        ]
        assert app["image"] == f"registry.example.com/{service}:1.4.2"
        assert app["memory"] == 512
        assert environment(app)["LOG_LEVEL"] == "info"
        assert sidecar["image"] == "registry.example.com/envoy:1.31"
        assert sidecar["memory"] == 128
        assert not sidecar.get("secrets")
        assert not sidecar.get("environment")
        assert tag_map["team"] == "payments"

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_new_revision_runs_as_the_role_task_role(
        self, converged: Converged, service: str
    ) -> None:
        definition, _ = latest_task_definition(converged.world, service)

        role = ROLE_OF[service]
        assert definition["taskRoleArn"] == (
            f"arn:aws:iam::{ACCOUNT}:role/ecs-oauth/task/ecs-oauth-{role}"
        )

    @pytest.mark.parametrize("service", OWN_EXECUTION_ROLE)
    def test_the_new_revision_uses_the_dedicated_execution_role(
        self, converged: Converged, service: str
    ) -> None:
        definition, _ = latest_task_definition(converged.world, service)

        expected = f"arn:aws:iam::{ACCOUNT}:role/ecs-oauth/exec/ecs-oauth-{service}-exec"
        assert definition["executionRoleArn"] == expected

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_credentials_come_from_the_secret_by_json_key(
        self, converged: Converged, service: str
    ) -> None:
        definition, _ = latest_task_definition(converged.world, service)
        arn = describe_secret(converged.world, service)["ARN"]

        assert secrets(container(definition, FAMILIES[service])) == {
            "OAUTH_CLIENT_ID": f"{arn}:client_id::",
            "OAUTH_CLIENT_SECRET": f"{arn}:client_secret::",
        }

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_token_endpoint_and_scope_are_plain_variables(
        self, converged: Converged, service: str
    ) -> None:
        definition, _ = latest_task_definition(converged.world, service)
        value = secret_value(converged.world, service)

        assert environment(container(definition, FAMILIES[service])) == {
            "LOG_LEVEL": "info",
            "OAUTH_TOKEN_ENDPOINT": value["token_endpoint"],
            "OAUTH_SCOPE": " ".join(scopes_of(service)),
        }

    @pytest.mark.parametrize("service", SERVICES)
    def test_the_ecs_service_is_rolled_to_the_new_revision(
        self, converged: Converged, service: str
    ) -> None:
        latest = task_definition_arns(converged.world, service)[-1]

        assert ecs_service(converged.world, service)["taskDefinition"] == latest


class TestPlanOutput:
    def test_the_json_plan_has_exactly_spec_shape(self, converged: Converged) -> None:
        plan = plan_before(converged)

        assert set(plan) == {"format_version", "context", "changes", "summary", "problems"}
        assert plan["format_version"] == FORMAT_VERSION
        assert set(plan["context"]) == {"account", "region", "controllerId", "desired"}
        assert (plan["context"]["account"], plan["context"]["region"]) == (ACCOUNT, REGION)
        assert set(plan["summary"]) == {
            "create",
            "update",
            "delete",
            "adopt",
            "detect",
            "orphaned",
            "problems",
        }
        assert plan["problems"] == []
        assert plan["changes"]
        for change in plan["changes"]:
            assert set(change) == {
                "object",
                "resource",
                "id",
                "action",
                "diff",
                "drift",
                "applied",
                "reason",
            }
            assert change["drift"] is False  # a first apply repairs nothing
            assert (change["applied"], change["reason"]) == (True, None)
            assert change["action"] in plan["summary"]
            assert isinstance(change["id"], str)
            for field in change["diff"]:
                assert set(field) == {
                    "path",
                    "before",
                    "after",
                    "after_unknown",
                    "after_sensitive",
                    "before_sensitive",
                }
                assert isinstance(field["path"], str)
                assert field["after"] not in ("(sensitive)", "(known after apply)")

    def test_values_known_only_after_apply_are_flagged_not_spelled(
        self, converged: Converged
    ) -> None:
        plan = plan_before(converged)

        fields = [
            field
            for change in plan["changes"]
            if change["resource"] == "secretsmanager:secret"
            for field in change["diff"]
            if field["path"] in ("value.client_id", "value.client_secret")
        ]

        assert len(fields) == 2 * len(SERVICES)
        assert {(f["after"], f["after_unknown"]) for f in fields} == {(None, True)}

    def test_the_json_summary_counts_the_changes(self, converged: Converged) -> None:
        plan = plan_before(converged)

        for action in ("create", "update", "delete", "adopt"):
            count = sum(1 for c in plan["changes"] if c["action"] == action and c["applied"])
            assert plan["summary"][action] == count

    def test_the_first_plan_names_every_resource_it_will_create(self, converged: Converged) -> None:
        plan = plan_before(converged)
        planned = {(c["object"], c["resource"], c["id"], c["action"]) for c in plan["changes"]}

        for service in SERVICES:
            owner = f"Service/{service}"
            assert (owner, "idp:client", f"ecs-oauth-{service}", "create") in planned
            assert (owner, "secretsmanager:secret", f"ecs-oauth/{service}", "create") in planned
            assert (owner, "ecs:task-definition", service, "update") in planned
            assert (owner, "ecs:service", f"prod/{service}", "update") in planned
        for role in SCOPES_OF:
            assert (f"Role/{role}", "iam:role", f"ecs-oauth-{role}", "create") in planned

    def test_the_client_secret_is_never_spelled_in_the_apply_output(
        self, converged: Converged
    ) -> None:
        assert converged.apply is not None
        lines = [
            line for line in converged.apply.stdout.splitlines() if "value.client_secret" in line
        ]
        secrets_now = [
            secret_value(converged.world, service)["client_secret"] for service in SERVICES
        ]

        assert len(lines) == 3
        assert all(line.endswith("= (known after apply)") for line in lines)
        assert not [s for s in secrets_now if s in converged.apply.stdout + converged.apply.stderr]

    def test_the_apply_output_shows_the_plan_then_progress_then_the_past_tense(
        self, converged: Converged
    ) -> None:
        assert converged.apply is not None
        stdout, stderr = converged.apply.stdout, converged.apply.stderr

        assert stdout.startswith(f"Account {ACCOUNT}, region {REGION}, controller ")
        assert stdout.index("will perform the following actions") < stdout.index("Plan: ")
        assert (
            stdout.rstrip().splitlines()[-1] == "Apply complete: 13 created, 6 updated, 0 deleted"
        )
        assert re.search(
            r"^ecs:task-definition orders-api: registering revision… done in \d+\.\ds$",
            stderr,
            re.MULTILINE,
        ), stderr


class TestIdempotence:
    def test_a_second_apply_changes_nothing(self, converged: Converged) -> None:
        calls_before = converged.world.moto.calls()
        result = converged.cli.apply()
        calls = converged.world.moto.calls()

        assert "No changes." in result.stdout, explain(result)
        writes = {
            op: calls[op] - calls_before.get(op, 0)
            for op in calls
            if op.startswith(("Create", "Put", "Update", "Register", "Attach", "Tag", "Delete"))
            and calls[op] != calls_before.get(op, 0)
        }
        assert writes == {}

    def test_plan_with_detailed_exitcode_then_exits_zero_with_an_empty_plan(
        self, converged: Converged
    ) -> None:
        result = converged.cli("plan", "--detailed-exitcode", "--output", "json")

        assert result.returncode == 0, explain(result)
        document = json.loads(result.stdout)
        assert (document["changes"], document["problems"]) == ([], [])
        assert document["summary"] == {
            "create": 0,
            "update": 0,
            "delete": 0,
            "adopt": 0,
            "detect": 0,
            "orphaned": 0,
            "problems": 0,
        }
