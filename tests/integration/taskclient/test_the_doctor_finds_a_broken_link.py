"""``ecs-oauth doctor`` names the link that broke and what to do, and ``ecs-oauth token``
says in one line why it cannot get a token. Each test breaks a freshly applied world
the way people and pipelines do: a deleted secret, a task definition edited out of band,
a secret changed without a rollout, a client deleted at the IdP.

Slow: every test needs a converged world of its own (seeded and applied, 3-6 s here).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.harness.doctor import verdicts as doctor_verdicts
from tests.harness.world import FAMILIES
from tests.integration.converge._live import (
    container,
    latest_task_definition,
    register_revision,
    secret_name,
    secret_value,
    secrets,
)
from tests.integration.converge.conftest import Converged, explain

pytestmark = pytest.mark.slow


def verdicts(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return doctor_verdicts(result.stdout)


class TestAMissingSecret:
    def test_a_deleted_secret_fails_the_first_check_and_skips_the_rest(
        self, fresh: Converged
    ) -> None:
        fresh.world.client("secretsmanager").delete_secret(
            SecretId=secret_name("orders-api"), ForceDeleteWithoutRecovery=True
        )

        result = fresh.cli("doctor", "orders-api")

        assert result.returncode == 1, explain(result)
        found = verdicts(result)
        assert found["secret"] == (
            "FAIL secret ecs-oauth/orders-api does not exist | fix: run ecs-oauth apply first"
        )
        assert {name: line.split()[0] for name, line in found.items() if name != "secret"} == {
            "token": "SKIP",
            "scopes": "SKIP",
            "clock": "SKIP",
            "task-definition": "SKIP",
            "task-role": "SKIP",
            "deployment": "SKIP",
        }
        assert result.stdout.splitlines()[-1] == "7 checks: 1 failed, 6 skipped"

    def test_a_secret_scheduled_for_deletion_is_restored_by_apply(self, fresh: Converged) -> None:
        fresh.world.client("secretsmanager").delete_secret(SecretId=secret_name("stock-sync"))

        doctor = fresh.cli("doctor", "stock-sync")
        token = fresh.cli("token", "stock-sync")

        assert "scheduled for deletion" in verdicts(doctor)["secret"]
        assert "fix: run ecs-oauth apply first (it restores the secret)" in doctor.stdout
        assert token.returncode == 1
        assert token.stdout == ""
        assert token.stderr.splitlines() == [
            "error: secret ecs-oauth/stock-sync is scheduled for deletion: "
            "run ecs-oauth apply first (it restores the secret)"
        ]
        fresh.cli.apply()
        assert fresh.cli("doctor", "stock-sync").returncode == 0

    def test_the_token_command_says_to_apply_first_when_the_secret_is_absent(
        self, fresh: Converged
    ) -> None:
        fresh.world.client("secretsmanager").delete_secret(
            SecretId=secret_name("checkout-worker"), ForceDeleteWithoutRecovery=True
        )

        result = fresh.cli("token", "checkout-worker")

        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            "error: secret ecs-oauth/checkout-worker does not exist: run ecs-oauth apply first"
        ]


class TestAForeignTaskRole:
    def test_a_revision_with_another_role_s_task_role_fails_and_is_never_rolled_onto(
        self, fresh: Converged
    ) -> None:
        """A pipeline registers a revision that runs as another team's task role; the
        service still runs the one before. Rolling onto the new one would be the fix for
        an old revision, and the wrong one here."""
        world = fresh.world
        definition, _ = latest_task_definition(world, "orders-api")
        other, _ = latest_task_definition(world, "checkout-worker")
        request = {
            key: definition[key]
            for key in ("family", "containerDefinitions", "executionRoleArn")
            if key in definition
        }
        registered = world.client("ecs").register_task_definition(
            **request, taskRoleArn=other["taskRoleArn"]
        )["taskDefinition"]["taskDefinitionArn"]
        revision = registered.rsplit("/", 1)[-1]

        result = fresh.cli("doctor", "orders-api")

        assert result.returncode == 1, explain(result)
        found = verdicts(result)
        assert found["task-definition"].startswith("PASS")
        assert found["task-role"] == (
            f"FAIL {revision} runs as {other['taskRoleArn']}, not Role/orders-reader's "
            f"{definition['taskRoleArn']} | fix: run ecs-oauth apply: it registers a revision "
            "that runs as ecs-oauth-orders-reader"
        )
        assert found["deployment"].startswith("FAIL orders-api runs orders-api:")
        assert found["deployment"].endswith(
            f"| fix: do not roll orders-api onto {revision}: it fails the task-role check "
            "above; run ecs-oauth apply: it registers a corrected revision and rolls the "
            "service onto it"
        )

    def test_a_fresh_world_passes_the_task_role_check_for_every_service(
        self, fresh: Converged
    ) -> None:
        for service in ("orders-api", "checkout-worker", "stock-sync"):
            result = fresh.cli("doctor", service)

            assert result.returncode == 0, explain(result)
            assert verdicts(result)["task-role"].startswith("PASS ")


class TestAnOutOfBandChange:
    def test_a_task_definition_pointed_at_another_secret_fails_the_task_definition_check(
        self, fresh: Converged
    ) -> None:
        """A pipeline copies a container definition from another service."""
        world = fresh.world
        definition, _ = latest_task_definition(world, "orders-api")
        other, _ = latest_task_definition(world, "checkout-worker")
        foreign = secrets(container(other, FAMILIES["checkout-worker"]))["OAUTH_CLIENT_SECRET"]
        containers = definition["containerDefinitions"]
        app = container(definition, FAMILIES["orders-api"])
        app["secrets"] = [
            {**entry, "valueFrom": foreign} if entry["name"] == "OAUTH_CLIENT_SECRET" else entry
            for entry in app["secrets"]
        ]
        revision = register_revision(world, "orders-api", containerDefinitions=containers)

        result = fresh.cli("doctor", "orders-api")

        assert result.returncode == 1, explain(result)
        found = verdicts(result)
        assert found["task-definition"].startswith(
            f"FAIL {revision.rsplit('/', 1)[-1]} container app: "
            f"secret OAUTH_CLIENT_SECRET is {foreign}, not "
        )
        assert found["task-definition"].endswith(
            "| fix: run ecs-oauth apply: it registers a revision with these fields corrected"
        )
        assert [name for name, line in found.items() if not line.startswith("PASS")] == [
            "task-definition"
        ]

    def test_a_secret_changed_after_the_rollout_says_to_force_a_new_deployment(
        self, fresh: Converged
    ) -> None:
        """Someone stores the credentials again by hand: a new AWSCURRENT version that the
        running tasks never read."""
        # moto dates secret versions to the whole second: one second on, the new version
        # is dated after the rollout, as AWS (to the millisecond) would date it.
        time.sleep(1)
        value = secret_value(fresh.world, "checkout-worker")
        fresh.world.client("secretsmanager").put_secret_value(
            SecretId=secret_name("checkout-worker"), SecretString=json.dumps(value)
        )

        result = fresh.cli("doctor", "checkout-worker")

        assert result.returncode == 1, explain(result)
        deployment = verdicts(result)["deployment"]
        assert deployment.startswith("FAIL checkout-worker's deployment started ")
        assert "running tasks hold an older credential" in deployment
        assert deployment.endswith(
            "| fix: force a new deployment: aws ecs update-service --cluster prod "
            "--service checkout-worker --force-new-deployment"
        )

    def test_a_client_deleted_at_the_idp_fails_the_token_check(self, fresh: Converged) -> None:
        client_id = secret_value(fresh.world, "orders-api")["client_id"]
        fresh.world.client("cognito-idp").delete_user_pool_client(
            UserPoolId=fresh.world.user_pool_id, ClientId=client_id
        )

        result = fresh.cli("doctor", "orders-api")

        found = verdicts(result)
        assert found["token"].startswith("FAIL credentials rejected by ")
        assert "fix: run ecs-oauth apply: it re-creates a client the IdP lost" in found["token"]
        assert found["scopes"].startswith("SKIP")
        assert found["task-definition"].startswith("PASS")

    def test_a_secret_whose_scope_was_narrowed_fails_the_scope_check(
        self, fresh: Converged
    ) -> None:
        value = {**secret_value(fresh.world, "stock-sync"), "scope": "inventory.read"}
        fresh.world.client("secretsmanager").put_secret_value(
            SecretId=secret_name("stock-sync"), SecretString=json.dumps(value)
        )

        found = verdicts(fresh.cli("doctor", "stock-sync"))

        assert found["scopes"] == (
            "FAIL the token carries inventory.read; Role/stock-keeper wants inventory.read "
            "inventory.write (missing inventory.write) | fix: run ecs-oauth apply: it resets "
            "the client's scopes and the secret's scope"
        )
