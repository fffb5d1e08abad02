"""When one service cannot converge, ``apply`` exits 1 with a line that names the object,
the resource and the action, and every other service still converges.

Each class runs its failing apply once (a class-scoped scenario) and then looks at it
from several sides; only a class's last test writes again.
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from dataclasses import dataclass

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import SeededWorld

from ._live import (
    CONTROLLER_ID,
    MANAGED_BY,
    SERVICES,
    cognito_client,
    container,
    describe_secret,
    ecs_service,
    latest_task_definition,
    planned,
    secret_value,
    secrets,
    tags,
    task_definition_arns,
)
from .conftest import Cli, explain, seed_fresh

# One service at a time, in name order: the first task-definition write is checkout-worker's.
ONE_AT_A_TIME = ("--set", "concurrency=1")
PROBLEM = re.compile(
    r'^  ! (?P<object>\S+): (?P<resource>\S+) "(?P<id>[^"]+)": (?P<reason>\w+): (?P<message>.*)$'
)
BILLING = textwrap.dedent(
    """\
    apiVersion: ecs-oauth.dev/v1alpha1
    kind: Service
    metadata: {name: billing}
    spec:
      role: orders-reader
      cluster: prod
      taskDefinition: {family: billing, container: app}
    """
)


@dataclass(frozen=True)
class Failed:
    """A world after an apply that could not converge everything."""

    world: SeededWorld
    cli: Cli
    result: subprocess.CompletedProcess[str]
    registrations: int  # RegisterTaskDefinition calls the apply made, failed ones included


def problem_lines(output: str) -> list[re.Match[str]]:
    return [m for line in output.splitlines() if (m := PROBLEM.match(line))]


def the_problem(failed: Failed) -> re.Match[str]:
    assert failed.result.returncode == 1, explain(failed.result)
    [problem] = problem_lines(failed.result.stdout)
    return problem


def assert_converged(world: SeededWorld, service: str) -> None:
    latest = task_definition_arns(world, service)[-1]
    assert latest.endswith(f"/{service}:2")
    assert ecs_service(world, service)["taskDefinition"] == latest


def assert_untouched_task_definition(world: SeededWorld, service: str) -> None:
    arns = task_definition_arns(world, service)
    assert [arn.rsplit("/", 1)[1] for arn in arns] == [f"{service}:1"]
    assert ecs_service(world, service)["taskDefinition"] == arns[0]


def apply_with_fault(
    moto: MotoPeer,
    oidc: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
    **fault: object,
) -> Failed:
    """A fresh world, one queued RegisterTaskDefinition fault, then ``apply``."""
    world, cli = seed_fresh(moto, oidc, tmp_path_factory.mktemp("failed") / "desired")
    before = moto.calls()["RegisterTaskDefinition"]  # the seeding's own
    moto.inject_fault("RegisterTaskDefinition", **fault)  # type: ignore[arg-type]
    result = cli("apply", "--auto-approve", *ONE_AT_A_TIME)
    return Failed(world, cli, result, moto.calls()["RegisterTaskDefinition"] - before)


class TestARefusedTaskDefinitionWrite:
    @pytest.fixture(scope="class")
    @classmethod
    def failed(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Failed:
        return apply_with_fault(
            moto_server, oidc_provider_server, tmp_path_factory, code="ClientException", count=1
        )

    def test_the_problem_line_names_object_resource_and_action(self, failed: Failed) -> None:
        problem = the_problem(failed)

        assert problem["object"] == "Service/checkout-worker"
        assert problem["resource"] == "ecs:task-definition"
        assert problem["id"] == "checkout-worker"
        assert problem["reason"] == "AwsError"
        assert problem["message"].startswith("ecs:task-definition update failed: ")
        assert "RegisterTaskDefinition" in problem["message"]
        assert "ClientException" in problem["message"]

    def test_apply_says_it_is_incomplete_without_a_traceback(self, failed: Failed) -> None:
        assert failed.result.returncode == 1
        last = failed.result.stdout.rstrip().splitlines()[-1]
        assert re.fullmatch(r"Apply complete: \d+ created, \d+ updated, 0 deleted; 1 problem", last)
        assert "  ! Service/checkout-worker: ecs:task-definition" in failed.result.stdout
        assert "Traceback" not in failed.result.stdout + failed.result.stderr

    def test_the_other_services_converge(self, failed: Failed) -> None:
        assert_converged(failed.world, "orders-api")
        assert_converged(failed.world, "stock-sync")

    def test_the_failed_service_keeps_its_revision_and_the_earlier_steps_landed(
        self, failed: Failed
    ) -> None:
        assert_untouched_task_definition(failed.world, "checkout-worker")
        value = secret_value(failed.world, "checkout-worker")
        client = cognito_client(failed.world, value["client_id"])
        assert client["ClientName"] == "ecs-oauth-checkout-worker"

    def test_botocore_does_not_retry_the_refusal(self, failed: Failed) -> None:
        # One refused call, and one that worked for each of the two other services.
        assert failed.registrations == 3

    def test_the_next_apply_finishes_the_failed_service(self, failed: Failed) -> None:
        plan = failed.cli.plan_json()
        failed.cli.apply()

        owner = "Service/checkout-worker"
        worker = "containers.worker"
        assert planned(plan) == {
            (
                owner,
                "ecs:task-definition",
                "checkout-worker",
                "update",
                (
                    "taskRoleArn",
                    "executionRoleArn",
                    f"{worker}.secrets.OAUTH_CLIENT_ID",
                    f"{worker}.secrets.OAUTH_CLIENT_SECRET",
                    f"{worker}.environment.OAUTH_TOKEN_ENDPOINT",
                    f"{worker}.environment.OAUTH_SCOPE",
                ),
            ),
            (owner, "ecs:service", "prod/checkout-worker", "update", ("taskDefinition",)),
        }
        assert_converged(failed.world, "checkout-worker")
        failed.cli.assert_in_sync()


class TestATransientThrottle:
    def test_botocore_retries_it_away_and_apply_converges(
        self, cli: Cli, moto: MotoPeer, world: SeededWorld
    ) -> None:
        before = moto.calls()["RegisterTaskDefinition"]
        moto.inject_fault("RegisterTaskDefinition", "ThrottlingException", count=1)

        cli.apply()

        for service in SERVICES:
            assert_converged(world, service)
        assert moto.calls()["RegisterTaskDefinition"] - before == 3 + 1


@pytest.mark.slow
class TestAServerErrorThatOutlastsEveryRetry:
    """Backoff between botocore's attempts makes this take about 15 s."""

    @pytest.fixture(scope="class")
    @classmethod
    def failed(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Failed:
        # The controller's botocore configuration allows 6 attempts in all.
        return apply_with_fault(
            moto_server,
            oidc_provider_server,
            tmp_path_factory,
            code="ServerException",
            status=500,
            count=6,
        )

    def test_it_fails_only_that_service_after_six_attempts(self, failed: Failed) -> None:
        problem = the_problem(failed)

        assert (problem["object"], problem["resource"]) == (
            "Service/checkout-worker",
            "ecs:task-definition",
        )
        assert problem["message"].startswith("ecs:task-definition update failed: ")
        assert "ServerException" in problem["message"]
        assert failed.registrations == 6 + 2
        assert_converged(failed.world, "orders-api")
        assert_converged(failed.world, "stock-sync")
        assert_untouched_task_definition(failed.world, "checkout-worker")


class TestARefusingIdentityProvider:
    @pytest.fixture(scope="class")
    @classmethod
    def failed(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Failed:
        world, cli = seed_fresh(
            moto_server, oidc_provider_server, tmp_path_factory.mktemp("idp") / "desired"
        )
        cli.env["PARTNERS_DCR_TOKEN"] = "not-the-initial-access-token"
        return Failed(world, cli, cli("apply", "--auto-approve"), 0)

    def test_a_refused_registration_is_named_on_the_oidc_service(self, failed: Failed) -> None:
        problem = the_problem(failed)

        assert problem["object"] == "Service/stock-sync"
        assert problem["resource"] == "idp:client"
        assert problem["reason"] == "IdpError"
        assert problem["message"].startswith("idp:client create failed: ")
        assert "not-the-initial-access-token" not in failed.result.stdout + failed.result.stderr

    def test_nothing_is_created_for_it_and_the_others_converge(self, failed: Failed) -> None:
        world = failed.world
        names = [s["Name"] for s in world.client("secretsmanager").list_secrets()["SecretList"]]

        assert "ecs-oauth/stock-sync" not in names
        assert_untouched_task_definition(world, "stock-sync")
        assert_converged(world, "orders-api")
        assert_converged(world, "checkout-worker")


class TestATaskDefinitionFamilyWithoutRevision:
    @pytest.fixture(scope="class")
    @classmethod
    def failed(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Failed:
        """A fourth service whose family nobody has registered yet."""
        world, cli = seed_fresh(
            moto_server, oidc_provider_server, tmp_path_factory.mktemp("billing") / "desired"
        )
        (cli.folder / "billing.yaml").write_text(BILLING)
        return Failed(world, cli, cli("apply", "--auto-approve"), 0)

    def test_the_service_reports_task_definition_missing(self, failed: Failed) -> None:
        problem = the_problem(failed)

        assert problem["object"] == "Service/billing"
        assert problem["resource"] == "ecs:task-definition"
        assert problem["id"] == "billing"
        assert problem["reason"] == "TaskDefinitionMissing"

    def test_its_secret_and_client_are_still_created(self, failed: Failed) -> None:
        world = failed.world
        assert tags(describe_secret(world, "billing")["Tags"])[MANAGED_BY] == CONTROLLER_ID
        client = cognito_client(world, secret_value(world, "billing")["client_id"])
        assert client["ClientName"] == "ecs-oauth-billing"
        assert client["AllowedOAuthScopes"] == ["orders/read"]

    def test_no_execution_role_is_made_before_a_revision_says_whether_it_has_one(
        self, failed: Failed
    ) -> None:
        """The first revision may name the team's own execution role, which is then the
        one granted: a dedicated role made up front could be left unused."""
        names = {r["RoleName"] for r in failed.world.client("iam").list_roles()["Roles"]}

        assert "ecs-oauth-billing-exec" not in names

    def test_the_other_services_converge(self, failed: Failed) -> None:
        for service in SERVICES:
            assert_converged(failed.world, service)

    def test_a_revision_registered_later_is_wired_by_the_next_apply(self, failed: Failed) -> None:
        world = failed.world
        world.client("ecs").register_task_definition(
            family="billing",
            containerDefinitions=[
                {"name": "app", "image": "registry.example.com/billing:0.1", "memory": 256}
            ],
        )

        failed.cli.apply()

        definition, _ = latest_task_definition(world, "billing")
        arn = describe_secret(world, "billing")["ARN"]
        assert definition["revision"] == 2
        assert secrets(container(definition, "app"))["OAUTH_CLIENT_SECRET"] == (
            f"{arn}:client_secret::"
        )
        assert definition["executionRoleArn"].endswith("/ecs-oauth-billing-exec")
        failed.cli.assert_in_sync()


class TestAServiceInAMissingCluster:
    @pytest.fixture(scope="class")
    @classmethod
    def failed(
        cls,
        moto_server: MotoPeer,
        oidc_provider_server: OidcProviderPeer,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Failed:
        world, cli = seed_fresh(
            moto_server, oidc_provider_server, tmp_path_factory.mktemp("cluster") / "desired"
        )
        payments = cli.folder / "payments.yaml"
        moved = payments.read_text().replace(
            "cluster: prod\n  service: checkout-worker", "cluster: gone\n  service: checkout-worker"
        )
        assert "cluster: gone" in moved
        payments.write_text(moved)
        return Failed(world, cli, cli("apply", "--auto-approve"), 0)

    def test_apply_names_that_service_alone_with_cluster_not_found(self, failed: Failed) -> None:
        problem = the_problem(failed)

        assert (problem["object"], problem["resource"]) == (
            "Service/checkout-worker",
            "ecs:service",
        )
        assert problem["reason"] == "ClusterNotFound"
        assert "ClusterNotFoundException" in problem["message"]
        assert "Traceback" not in failed.result.stdout + failed.result.stderr

    def test_every_other_service_converges(self, failed: Failed) -> None:
        assert_converged(failed.world, "orders-api")
        assert_converged(failed.world, "stock-sync")

    def test_its_own_revision_is_still_registered(self, failed: Failed) -> None:
        definition, _ = latest_task_definition(failed.world, "checkout-worker")
        arn = describe_secret(failed.world, "checkout-worker")["ARN"]
        assert definition["revision"] == 2
        assert secrets(container(definition, "worker"))["OAUTH_CLIENT_ID"] == f"{arn}:client_id::"
