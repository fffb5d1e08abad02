"""Out-of-band changes to what the controller owns: ``plan`` names exactly the change
(object, resource, field path), ``apply`` undoes it, and a plan after that is clean.

The tests of ``TestEnforceMode`` take turns on one converged world (each leaves it in
sync, or the next one rebuilds it); the others start from a fresh world.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from dataclasses import dataclass

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import ACCOUNT, LEASE_TABLE, SeededWorld, write_desired_state

from ._live import (
    CONTROLLER_ID,
    MANAGED_BY,
    OIDC_SERVICE,
    cognito_client,
    container,
    describe_secret,
    ecs_service,
    environment,
    field_change,
    latest_task_definition,
    planned,
    register_revision,
    registration_value,
    scopes_of,
    secret_value,
    set_cognito_scopes,
    tags,
    task_definition_arns,
)
from .conftest import Cli, Converged, explain, seed_fresh

INTRUDER = f"arn:aws:iam::{ACCOUNT}:role/intruder"


def describe_scope_by_hand(world: SeededWorld, scope: str, description: str) -> None:
    """An administrator edits the ``orders`` resource server; UpdateResourceServer
    replaces it whole, so every scope goes back with one description changed."""
    cognito = world.client("cognito-idp")
    server = cognito.describe_resource_server(UserPoolId=world.user_pool_id, Identifier="orders")
    scopes = [
        {**s, "ScopeDescription": description} if s["ScopeName"] == scope else s
        for s in server["ResourceServer"]["Scopes"]
    ]
    cognito.update_resource_server(
        UserPoolId=world.user_pool_id, Identifier="orders", Name="orders", Scopes=scopes
    )


def rollout(service: str) -> tuple[str, str, str, str, tuple[str, ...]]:
    """The ECS service following a corrected revision, which every task-definition fix brings."""
    return (f"Service/{service}", "ecs:service", f"prod/{service}", "update", ("taskDefinition",))


def assert_fixed(converged: Converged) -> None:
    """``apply`` succeeds and leaves nothing to do: the world is in sync again."""
    converged.cli.apply()
    converged.cli.assert_in_sync()
    converged.in_sync = True


class TestEnforceMode:
    def test_a_task_role_swapped_in_a_new_revision_is_put_back_in_another(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        role_arn = latest_task_definition(world, "orders-api")[0]["taskRoleArn"]
        hand_made = register_revision(world, "orders-api", taskRoleArn=world.execution_role_arn)

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            ("Service/orders-api", "ecs:task-definition", "orders-api", "update", ("taskRoleArn",)),
            rollout("orders-api"),
        }
        assert field_change(plan, "ecs:task-definition", "taskRoleArn") == {
            "path": "taskRoleArn",
            "before": world.execution_role_arn,
            "after": role_arn,
            "after_unknown": False,
            "after_sensitive": False,
            "before_sensitive": False,
        }
        assert_fixed(in_sync)
        latest = task_definition_arns(world, "orders-api")[-1]
        assert latest != hand_made
        assert latest_task_definition(world, "orders-api")[0]["taskRoleArn"] == role_arn
        assert ecs_service(world, "orders-api")["taskDefinition"] == latest

    def test_an_oauth_variable_edited_in_a_new_revision_is_put_back(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        register_revision(
            world, "checkout-worker", environment={"OAUTH_SCOPE": "orders/read", "DEBUG": "1"}
        )

        plan = in_sync.cli.plan_json()

        path = "containers.worker.environment.OAUTH_SCOPE"
        assert planned(plan) == {
            (
                "Service/checkout-worker",
                "ecs:task-definition",
                "checkout-worker",
                "update",
                (path,),
            ),
            rollout("checkout-worker"),
        }
        assert field_change(plan, "ecs:task-definition", path) == {
            "path": path,
            "before": "orders/read",
            "after": "orders/read orders/write",
            "after_unknown": False,
            "after_sensitive": False,
            "before_sensitive": False,
        }
        assert_fixed(in_sync)
        definition, _ = latest_task_definition(world, "checkout-worker")
        env = environment(container(definition, "worker"))
        assert env["OAUTH_SCOPE"] == "orders/read orders/write"
        assert env["DEBUG"] == "1"  # the deployer's own change stays
        assert env["LOG_LEVEL"] == "info"

    def test_a_scope_removed_from_the_oidc_registration_is_restored(
        self, in_sync: Converged
    ) -> None:
        client_id = secret_value(in_sync.world, OIDC_SERVICE)["client_id"]
        in_sync.oidc.patch_client(client_id, {"scope": "inventory.read"})

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            (f"Service/{OIDC_SERVICE}", "idp:client", client_id, "update", ("scopes",)),
        }
        assert field_change(plan, "idp:client", "scopes") == {
            "path": "scopes",
            "before": ["inventory.read"],
            "after": ["inventory.read", "inventory.write"],
            "after_unknown": False,
            "after_sensitive": False,
            "before_sensitive": False,
        }
        assert_fixed(in_sync)
        assert sorted(in_sync.oidc.client(client_id)["scope"].split()) == scopes_of(OIDC_SERVICE)
        assert secret_value(in_sync.world, OIDC_SERVICE)["client_id"] == client_id

    def test_a_scope_added_to_a_cognito_app_client_is_taken_away(self, in_sync: Converged) -> None:
        world = in_sync.world
        client_id = secret_value(world, "orders-api")["client_id"]
        set_cognito_scopes(world, client_id, ["orders/read", "orders/write"])

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            ("Service/orders-api", "idp:client", client_id, "update", ("scopes",)),
        }
        assert field_change(plan, "idp:client", "scopes")["after"] == ["orders/read"]
        assert_fixed(in_sync)
        assert cognito_client(world, client_id)["AllowedOAuthScopes"] == ["orders/read"]

    def test_a_scope_removed_from_a_cognito_app_client_is_given_back(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        client_id = secret_value(world, "checkout-worker")["client_id"]
        set_cognito_scopes(world, client_id, ["orders/read"])

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            ("Service/checkout-worker", "idp:client", client_id, "update", ("scopes",)),
        }
        assert field_change(plan, "idp:client", "scopes") == {
            "path": "scopes",
            "before": ["orders/read"],
            "after": ["orders/read", "orders/write"],
            "after_unknown": False,
            "after_sensitive": False,
            "before_sensitive": False,
        }
        assert_fixed(in_sync)
        client = cognito_client(world, client_id)
        assert sorted(client["AllowedOAuthScopes"]) == scopes_of("checkout-worker")
        assert client["ClientSecret"] == secret_value(world, "checkout-worker")["client_secret"]

    def test_a_deleted_secret_is_restored_under_the_same_arn(self, in_sync: Converged) -> None:
        world = in_sync.world
        secrets = world.client("secretsmanager")
        before = describe_secret(world, "orders-api")
        value_before = secret_value(world, "orders-api")
        secrets.delete_secret(SecretId="ecs-oauth/orders-api", RecoveryWindowInDays=7)

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            (
                "Service/orders-api",
                "secretsmanager:secret",
                "ecs-oauth/orders-api",
                "update",
                ("deletedDate",),
            ),
        }
        assert field_change(plan, "secretsmanager:secret", "deletedDate")["after"] is None
        assert_fixed(in_sync)
        after = describe_secret(world, "orders-api")
        assert after["ARN"] == before["ARN"]
        assert "DeletedDate" not in after
        assert secret_value(world, "orders-api") == value_before
        names = [s["Name"] for s in secrets.list_secrets(IncludePlannedDeletion=True)["SecretList"]]
        assert sorted(names) == [
            *(f"ecs-oauth/{s}" for s in ("checkout-worker", "orders-api", "stock-sync")),
            "ecs-oauth/stock-sync/registration",
        ]

    def test_a_widened_secret_resource_policy_is_narrowed_to_the_shared_role(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        secrets = world.client("secretsmanager")
        widened = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": [world.execution_role_arn, INTRUDER]},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
        secrets.put_resource_policy(
            SecretId="ecs-oauth/checkout-worker", ResourcePolicy=json.dumps(widened)
        )

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            (
                "Service/checkout-worker",
                "secretsmanager:resource-policy",
                "ecs-oauth/checkout-worker",
                "update",
                ("resourcePolicy",),
            ),
        }
        assert INTRUDER in json.dumps(
            field_change(plan, "secretsmanager:resource-policy", "resourcePolicy")["before"]
        )
        assert_fixed(in_sync)
        policy = json.loads(
            secrets.get_resource_policy(SecretId="ecs-oauth/checkout-worker")["ResourcePolicy"]
        )
        assert INTRUDER not in json.dumps(policy)
        [statement] = policy["Statement"]
        assert statement["Principal"] == {"AWS": world.execution_role_arn}

    def test_a_secret_read_policy_widened_on_a_dedicated_role_is_narrowed_again(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        iam = world.client("iam")
        name = "ecs-oauth-stock-sync-exec"
        [policy_name] = iam.list_role_policies(RoleName=name)["PolicyNames"]
        secret_arn = describe_secret(world, "stock-sync")["ARN"]
        wide = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
            ],
        }
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(wide))

        plan = in_sync.cli.plan_json()

        [(owner, resource, id_, action, paths)] = planned(plan)
        assert (owner, resource, id_, action) == ("Service/stock-sync", "iam:role", name, "update")
        assert all(path.startswith(f"inlinePolicies.{policy_name}.") for path in paths)
        assert_fixed(in_sync)
        document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        assert document["Statement"][0]["Resource"] == secret_arn

    def test_an_inline_policy_added_to_a_task_role_is_planned_and_removed(
        self, in_sync: Converged
    ) -> None:
        iam = in_sync.world.client("iam")
        name = "ecs-oauth-orders-reader"
        extra = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
        iam.put_role_policy(RoleName=name, PolicyName="by-hand", PolicyDocument=json.dumps(extra))

        plan = in_sync.cli.plan_json()

        [(owner, resource, id_, action, paths)] = planned(plan)
        assert (owner, resource, id_, action) == ("Role/orders-reader", "iam:role", name, "update")
        assert paths == ("inlinePolicies.by-hand",)
        assert_fixed(in_sync)
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == []

    def test_a_second_inline_policy_on_a_dedicated_execution_role_is_removed_its_own_kept(
        self, in_sync: Converged
    ) -> None:
        iam = in_sync.world.client("iam")
        name = "ecs-oauth-stock-sync-exec"
        [own] = iam.list_role_policies(RoleName=name)["PolicyNames"]
        extra = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
        }
        iam.put_role_policy(RoleName=name, PolicyName="by-hand", PolicyDocument=json.dumps(extra))

        plan = in_sync.cli.plan_json()

        [(owner, resource, id_, action, paths)] = planned(plan)
        assert (owner, resource, id_, action) == ("Service/stock-sync", "iam:role", name, "update")
        assert paths == ("inlinePolicies.by-hand",)
        assert_fixed(in_sync)
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == [own]

    def test_a_renamed_cognito_app_client_gets_its_name_back(self, in_sync: Converged) -> None:
        world = in_sync.world
        cognito = world.client("cognito-idp")
        client_id = secret_value(world, "orders-api")["client_id"]
        client = cognito_client(world, client_id)
        cognito.update_user_pool_client(
            UserPoolId=world.user_pool_id,
            ClientId=client_id,
            ClientName="renamed-by-hand",
            AllowedOAuthFlows=client["AllowedOAuthFlows"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=client["AllowedOAuthScopes"],
        )

        plan = in_sync.cli.plan_json()

        [(owner, resource, id_, action, paths)] = planned(plan)
        assert (owner, resource, id_, action) == (
            "Service/orders-api",
            "idp:client",
            client_id,
            "update",
        )
        assert paths == ("name",)
        assert_fixed(in_sync)
        assert cognito_client(world, client_id)["ClientName"] == "ecs-oauth-orders-api"

    def test_a_changed_cognito_token_lifetime_is_set_back(self, in_sync: Converged) -> None:
        world = in_sync.world
        cognito = world.client("cognito-idp")
        client_id = secret_value(world, "orders-api")["client_id"]
        client = cognito_client(world, client_id)
        cognito.update_user_pool_client(
            UserPoolId=world.user_pool_id,
            ClientId=client_id,
            ClientName=client["ClientName"],
            AllowedOAuthFlows=client["AllowedOAuthFlows"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=client["AllowedOAuthScopes"],
            AccessTokenValidity=1,
            TokenValidityUnits={"AccessToken": "hours"},
        )

        plan = in_sync.cli.plan_json()

        [(owner, resource, id_, action, paths)] = planned(plan)
        assert (owner, resource, id_, action) == (
            "Service/orders-api",
            "idp:client",
            client_id,
            "update",
        )
        assert paths == ("tokenLifetime",)
        assert_fixed(in_sync)
        client = cognito_client(world, client_id)
        assert (client["AccessTokenValidity"], client["TokenValidityUnits"]["AccessToken"]) == (
            15,
            "minutes",
        )

    def test_an_edited_secret_value_is_written_back_keeping_the_credentials(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        original = secret_value(world, "orders-api")
        world.client("secretsmanager").put_secret_value(
            SecretId="ecs-oauth/orders-api",
            SecretString=json.dumps({**original, "scope": "orders/read orders/write"}),
        )

        plan = in_sync.cli.plan_json()

        assert planned(plan) == {
            (
                "Service/orders-api",
                "secretsmanager:secret",
                "ecs-oauth/orders-api",
                "update",
                ("value.scope",),
            ),
        }
        assert_fixed(in_sync)
        assert secret_value(world, "orders-api") == original

    def test_a_corrupted_client_secret_is_drift_and_the_idp_s_secret_is_written_back(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        original = secret_value(world, "orders-api")
        world.client("secretsmanager").put_secret_value(
            SecretId="ecs-oauth/orders-api",
            SecretString=json.dumps({**original, "client_secret": "x" * 51}),
        )

        plan = in_sync.cli.plan_json()

        assert (
            "Service/orders-api",
            "secretsmanager:secret",
            "ecs-oauth/orders-api",
            "update",
            ("value.client_secret",),
        ) in planned(plan)
        assert field_change(plan, "secretsmanager:secret", "value.client_secret") == {
            "path": "value.client_secret",
            "before": None,
            "after": None,
            "after_unknown": False,
            "after_sensitive": True,
            "before_sensitive": True,
        }
        assert_fixed(in_sync)
        assert secret_value(world, "orders-api") == original

    def test_registration_handles_left_in_the_task_secret_move_to_the_controller_s_own(
        self, in_sync: Converged
    ) -> None:
        world = in_sync.world
        value = secret_value(world, OIDC_SERVICE)
        manager = world.client("secretsmanager")
        [(client_id, handles)] = registration_value(world, OIDC_SERVICE)["clients"].items()
        manager.delete_secret(
            SecretId=f"ecs-oauth/{OIDC_SERVICE}/registration", ForceDeleteWithoutRecovery=True
        )
        manager.put_secret_value(
            SecretId=f"ecs-oauth/{OIDC_SERVICE}", SecretString=json.dumps({**value, **handles})
        )

        plan = in_sync.cli.plan_json()

        changed = planned(plan)
        assert changed == {
            (
                f"Service/{OIDC_SERVICE}",
                "secretsmanager:secret",
                f"ecs-oauth/{OIDC_SERVICE}",
                "update",
                ("value.registration_access_token", "value.registration_client_uri"),
            ),
        }
        assert handles["registration_access_token"] not in json.dumps(plan)
        assert_fixed(in_sync)
        assert secret_value(world, OIDC_SERVICE) == value
        assert set(registration_value(world, OIDC_SERVICE)["clients"]) == {client_id}


class TestDriftIsKnownFromTheResourcesThemselves:
    """Every object records on its own resources the inputs it last converged at, so a
    process that never saw it converge (``plan`` by hand here) still tells drift from edits."""

    def test_a_plan_by_hand_marks_an_out_of_band_change_as_drift(self, in_sync: Converged) -> None:
        register_revision(in_sync.world, "orders-api", taskRoleArn=INTRUDER)

        plan = in_sync.cli.plan_json()
        text = in_sync.cli("plan").stdout

        drift = {(c["resource"], c["drift"]) for c in plan["changes"]}
        assert drift == {("ecs:task-definition", True), ("ecs:service", False)}
        assert "(drift)" in text
        assert_fixed(in_sync)

    def test_an_inline_policy_added_to_a_task_role_by_hand_is_drift(
        self, in_sync: Converged
    ) -> None:
        in_sync.world.client("iam").put_role_policy(
            RoleName="ecs-oauth-orders-reader",
            PolicyName="backdoor",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                }
            ),
        )

        plan = in_sync.cli.plan_json()

        assert [(c["object"], c["drift"]) for c in plan["changes"]] == [
            ("Role/orders-reader", True)
        ]
        assert_fixed(in_sync)

    def test_a_scope_changed_by_hand_is_drift_where_the_lease_table_keeps_the_provider_s_record(
        self, in_sync: Converged
    ) -> None:
        """A user pool's resource servers cannot be tagged: the provider's record is an
        item in the lease table. Without one, only a daemon's memory knows its drift."""
        world = in_sync.world
        with contextlib.suppress(world.client("dynamodb").exceptions.ResourceInUseException):
            world.create_lease_table()
        table = ("--set", f"leaderElection.table={LEASE_TABLE}")
        describe_scope_by_hand(world, "read", "changed by hand")
        in_sync.cli.apply(*table)  # puts it back, and records the provider's generation
        describe_scope_by_hand(world, "read", "changed by hand again")

        recorded = in_sync.cli.plan_json(*table)
        unrecorded = in_sync.cli.plan_json()

        resource_server = ("IdentityProvider/corp", "cognito:resource-server")
        assert [(c["object"], c["resource"], c["drift"]) for c in recorded["changes"]] == [
            (*resource_server, True)
        ]
        assert [(c["object"], c["resource"], c["drift"]) for c in unrecorded["changes"]] == [
            (*resource_server, False)
        ]
        in_sync.cli.apply(*table)
        in_sync.cli.assert_in_sync()
        in_sync.in_sync = True

    def test_an_edit_of_the_desired_state_is_planned_as_an_update_not_as_drift(
        self, in_sync: Converged
    ) -> None:
        both = "scopes: [inventory.read, inventory.write]"
        [desired] = [f for f in in_sync.cli.folder.glob("*.yaml") if both in f.read_text()]
        original = desired.read_text()
        desired.write_text(original.replace(both, "scopes: [inventory.read]"))
        try:
            plan = in_sync.cli.plan_json()
        finally:
            desired.write_text(original)

        assert plan["changes"]
        assert not [c for c in plan["changes"] if c["drift"]]
        in_sync.in_sync = True


class TestAClientDeletedAtTheIdentityProvider:
    """Somebody deletes the service's app client: the credentials in the secret are dead."""

    @pytest.fixture
    def deleted(self, in_sync: Converged) -> tuple[Converged, dict[str, str]]:
        world = in_sync.world
        value = secret_value(world, "orders-api")
        world.client("cognito-idp").delete_user_pool_client(
            UserPoolId=world.user_pool_id, ClientId=value["client_id"]
        )
        return in_sync, value

    def test_a_new_client_is_planned_recorded_in_the_same_secret_and_works(
        self, deleted: tuple[Converged, dict[str, str]]
    ) -> None:
        converged, before = deleted
        world = converged.world
        arn = describe_secret(world, "orders-api")["ARN"]

        plan = converged.cli.plan_json()

        assert planned(plan) == {
            (
                "Service/orders-api",
                "idp:client",
                "ecs-oauth-orders-api",
                "create",
                ("name", "scopes", "grantTypes"),
            ),
            # The plan says what the new client replaces, though not yet its id or secret.
            (
                "Service/orders-api",
                "secretsmanager:secret",
                "ecs-oauth/orders-api",
                "update",
                ("value.client_id", "value.client_secret"),
            ),
            ("Service/orders-api", "ecs:service", "prod/orders-api", "update", ("deployment",)),
        }
        new_id = field_change(plan, "secretsmanager:secret", "value.client_id")
        assert (new_id["before"], new_id["after_unknown"]) == (before["client_id"], True)
        assert_fixed(converged)
        after = secret_value(world, "orders-api")
        assert after["client_id"] != before["client_id"]
        assert describe_secret(world, "orders-api")["ARN"] == arn
        client = cognito_client(world, after["client_id"])
        assert client["ClientSecret"] == after["client_secret"]

    def test_the_ecs_service_is_rolled_onto_the_new_credentials(
        self, deleted: tuple[Converged, dict[str, str]]
    ) -> None:
        converged, _ = deleted
        moto = converged.world.moto
        before = moto.calls().get("UpdateService", 0)

        assert_fixed(converged)

        assert moto.calls().get("UpdateService", 0) > before


class TestDetectMode:
    def test_drift_is_planned_with_a_note_and_left_alone(self, in_sync: Converged) -> None:
        world = in_sync.world
        folder = in_sync.cli.folder
        write_desired_state(folder, world, in_sync.oidc.issuer, mode="detect")
        client_id = secret_value(world, "checkout-worker")["client_id"]
        set_cognito_scopes(world, client_id, ["orders/read"])

        plan = in_sync.cli("plan", "--detailed-exitcode")
        applied = in_sync.cli("apply", "--auto-approve")

        assert plan.returncode == 0, explain(plan)  # nothing apply would change
        [headline] = [line for line in plan.stdout.splitlines() if "idp:client" in line]
        assert headline.strip() == (
            f'# Service/checkout-worker: idp:client "{client_id}" would be updated in place '
            "(drift)"  # converged before: a change made by hand
        )
        found = plan.stdout.index("Found in detect mode, left as they are")
        assert found < plan.stdout.index(headline)
        assert "~ scopes:" in plan.stdout
        assert "No changes to apply." in plan.stdout
        assert plan.stdout.rstrip().endswith("0 to adopt; 1 found in detect mode.")
        assert applied.returncode == 0, explain(applied)
        assert "Found in detect mode" in applied.stdout
        assert cognito_client(world, client_id)["AllowedOAuthScopes"] == ["orders/read"]
        document = in_sync.cli.plan_json()
        assert planned(document) == {
            ("Service/checkout-worker", "idp:client", client_id, "update", ("scopes",)),
        }
        [change] = document["changes"]
        assert (change["applied"], change["reason"]) == (False, "detect")
        assert document["summary"]["detect"] == 1

        write_desired_state(folder, world, in_sync.oidc.issuer, mode="enforce")
        assert_fixed(in_sync)
        assert sorted(cognito_client(world, client_id)["AllowedOAuthScopes"]) == scopes_of(
            "checkout-worker"
        )


@dataclass(frozen=True)
class Blocked:
    world: SeededWorld
    cli: Cli
    result: subprocess.CompletedProcess[str]
    unowned: dict[str, str]


class TestOwnership:
    @pytest.fixture(scope="class")
    @classmethod
    def blocked(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Blocked:
        """Somebody's own secret already sits at the name the controller would use."""
        world, cli = seed_fresh(
            moto_server, oidc_provider_server, tmp_path_factory.mktemp("unowned") / "desired"
        )
        unowned = {"hello": "world"}
        world.client("secretsmanager").create_secret(
            Name="ecs-oauth/orders-api",
            SecretString=json.dumps(unowned),
            Tags=[{"Key": "team", "Value": "payments"}],
        )
        return Blocked(world, cli, cli("apply", "--auto-approve"), unowned)

    def test_an_unowned_secret_is_reported_as_not_owned(self, blocked: Blocked) -> None:
        result = blocked.result

        assert result.returncode == 1, explain(result)
        problems = [
            line.strip() for line in result.stdout.splitlines() if line.strip().startswith("!")
        ]
        assert len(problems) == 1, result.stdout
        assert problems[0].startswith(
            '! Service/orders-api: secretsmanager:secret "ecs-oauth/orders-api": ResourceNotOwned:'
        )

    def test_the_unowned_secret_is_left_untouched(self, blocked: Blocked) -> None:
        world = blocked.world
        secrets = world.client("secretsmanager")

        described = describe_secret(world, "orders-api")
        assert tags(described["Tags"]) == {"team": "payments"}
        assert len(described["VersionIdsToStages"]) == 1
        assert secret_value(world, "orders-api") == blocked.unowned
        assert not secrets.get_resource_policy(SecretId="ecs-oauth/orders-api").get(
            "ResourcePolicy"
        )

    def test_nothing_that_would_depend_on_it_is_made_for_that_service(
        self, blocked: Blocked
    ) -> None:
        world = blocked.world

        assert len(task_definition_arns(world, "orders-api")) == 1
        clients = world.client("cognito-idp").list_user_pool_clients(
            UserPoolId=world.user_pool_id, MaxResults=60
        )["UserPoolClients"]
        assert "ecs-oauth-orders-api" not in {c["ClientName"] for c in clients}

    def test_the_other_services_still_converge(self, blocked: Blocked) -> None:
        world = blocked.world

        for service in ("checkout-worker", "stock-sync"):
            latest = task_definition_arns(world, service)[-1]
            assert latest.endswith(f"/{service}:2")
            assert ecs_service(world, service)["taskDefinition"] == latest
            assert tags(describe_secret(world, service)["Tags"])[MANAGED_BY] == CONTROLLER_ID

    def test_the_next_plan_reports_the_same_problem_and_nothing_else(
        self, blocked: Blocked
    ) -> None:
        plan = blocked.cli.plan_json()

        assert plan["changes"] == []
        assert [(p["object"], p["resource"], p["reason"]) for p in plan["problems"]] == [
            ("Service/orders-api", "secretsmanager:secret", "ResourceNotOwned")
        ]
