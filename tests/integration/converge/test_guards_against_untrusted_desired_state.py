"""Desired state comes from many teams and is treated as untrusted: an object that names
what is not its own is reported and the resource is left as it was."""

from __future__ import annotations

import json
import subprocess

from controller.sandbox._seed import TASK_TRUST_POLICY
from tests.harness.world import SeededWorld

from ._live import MANAGED_BY, ecs_service, tags
from .conftest import Cli, explain
from .test_ecs_services_are_deployed_as_ecs_allows import problems

OTHER_CONTROLLER = "payments-prod"
FOREIGN_TAGS = {MANAGED_BY: OTHER_CONTROLLER, "ecs-oauth.dev/owner": "Service/orders-api"}
EXEC_ROLE = "ecs-oauth-orders-api-exec"


def adopting_orders_api(cli: Cli) -> None:
    payments = cli.folder / "payments.yaml"
    text = payments.read_text()
    payments.write_text(
        text.replace("  service: orders-api\n", "  service: orders-api\n  adopt: true\n")
    )


def without_document(text: str, marker: str) -> str:
    return "---\n".join(doc for doc in text.split("---\n") if marker not in doc)


class TestAServiceNamingAnotherFamilysEcsService:
    def test_it_is_reported_and_the_ecs_service_keeps_its_revision(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        payments = cli.folder / "payments.yaml"
        text = without_document(payments.read_text(), "name: checkout-worker}")
        payments.write_text(text.replace("service: orders-api", "service: checkout-worker"))
        before = ecs_service(world, "checkout-worker")["taskDefinition"]

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/orders-api"]
        assert (resource, reason) == ("ecs:service", "ServiceFamilyMismatch")
        assert "prod/checkout-worker" in message
        assert "runs task-definition family checkout-worker" in message
        assert "declared family orders-api" in message
        assert ecs_service(world, "checkout-worker")["taskDefinition"] == before
        assert "/checkout-worker:" in before


class TestAResourceAnotherControllerManages:
    def test_its_secret_is_reported_and_left_untouched_even_with_adopt(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        adopting_orders_api(cli)
        sm = world.client("secretsmanager")
        value = json.dumps({"client_id": "theirs", "client_secret": "theirs"})
        sm.create_secret(
            Name="ecs-oauth/orders-api",
            SecretString=value,
            Tags=[{"Key": k, "Value": v} for k, v in FOREIGN_TAGS.items()],
        )

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/orders-api"]
        assert (resource, reason) == ("secretsmanager:secret", "OwnedByOtherController")
        assert repr(OTHER_CONTROLLER) in message
        described = sm.describe_secret(SecretId="ecs-oauth/orders-api")
        assert tags(described["Tags"]) == FOREIGN_TAGS
        assert sm.get_secret_value(SecretId="ecs-oauth/orders-api")["SecretString"] == value

    def test_its_role_is_reported_and_left_untouched_even_with_adopt(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        adopting_orders_api(cli)
        iam = world.client("iam")
        trust = TASK_TRUST_POLICY
        iam.create_role(
            RoleName=EXEC_ROLE,
            Path="/ecs-oauth/exec/",
            AssumeRolePolicyDocument=json.dumps(trust),
            Tags=[{"Key": k, "Value": v} for k, v in FOREIGN_TAGS.items()],
        )

        result = cli("apply", "--auto-approve")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/orders-api"]
        assert (resource, reason) == ("iam:role", "OwnedByOtherController")
        assert repr(OTHER_CONTROLLER) in message
        assert tags(iam.list_role_tags(RoleName=EXEC_ROLE)["Tags"]) == FOREIGN_TAGS
        assert iam.list_role_policies(RoleName=EXEC_ROLE)["PolicyNames"] == []
        assert iam.list_attached_role_policies(RoleName=EXEC_ROLE)["AttachedPolicies"] == []


REMOTE = "https://ecs.example.invalid"


class TestTheDefaultControllerIdAgainstAnEndpointThatIsNotLocal:
    def refused(self, result: subprocess.CompletedProcess[str]) -> str:
        assert result.returncode == 1, explain(result)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, explain(result)
        assert "controllerId" in lines[0]
        assert "--set controllerId=" in lines[0]
        assert "Traceback" not in result.stderr
        return lines[0]

    def test_apply_refuses_before_any_call(self, cli: Cli, world: SeededWorld) -> None:
        before = world.moto.calls()
        remote = Cli(cli.folder, {**cli.env, "AWS_ENDPOINT_URL": REMOTE})

        self.refused(remote("apply", "--auto-approve"))

        assert world.moto.calls() == before

    def test_one_service_endpoint_that_is_not_local_is_enough_to_refuse(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        before = world.moto.calls()
        remote = Cli(cli.folder, {**cli.env, "AWS_ENDPOINT_URL_ECS": REMOTE})

        self.refused(remote("apply", "--auto-approve"))

        assert world.moto.calls() == before

    def test_run_refuses_too(self, cli: Cli, world: SeededWorld) -> None:
        before = world.moto.calls()
        remote = Cli(cli.folder, {**cli.env, "AWS_ENDPOINT_URL": REMOTE})

        self.refused(remote("run", "--set", "http.listen=127.0.0.1:0"))

        assert world.moto.calls() == before

    def test_plan_writes_nothing_and_is_not_refused(self, cli: Cli) -> None:
        result = cli("plan")

        assert result.returncode == 0, explain(result)

    def test_a_loopback_endpoint_keeps_the_default(self, cli: Cli) -> None:
        cli.apply()
