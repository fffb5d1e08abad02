"""Desired state comes from many teams and is treated as untrusted: an object that names
what is not its own is reported and the resource is left as it was."""

from __future__ import annotations

from tests.harness.world import SeededWorld

from ._live import ecs_service
from .conftest import Cli, explain
from .test_ecs_services_are_deployed_as_ecs_allows import problems


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

        result = cli("apply")

        assert result.returncode == 1, explain(result)
        resource, reason, message = problems(cli)["Service/orders-api"]
        assert (resource, reason) == ("ecs:service", "ServiceFamilyMismatch")
        assert "prod/checkout-worker" in message
        assert "runs task-definition family checkout-worker" in message
        assert "declared family orders-api" in message
        assert ecs_service(world, "checkout-worker")["taskDefinition"] == before
        assert "/checkout-worker:" in before
