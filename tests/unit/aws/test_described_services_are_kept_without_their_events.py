"""ECS returns up to the last 100 service events with every DescribeServices and
UpdateService answer. The batch read keeps each service for the cycle, so at thousands of
services those events would be most of the daemon's memory; nothing reads them."""

from __future__ import annotations

from typing import Any

from controller.aws import EcsServices

EVENTS = [
    {"id": str(n), "message": f"(service orders-api) has reached a steady state. {n}"}
    for n in range(100)
]


def described(name: str) -> dict[str, Any]:
    return {
        "serviceName": name,
        "status": "ACTIVE",
        "taskDefinition": f"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:3",
        "deployments": [{"status": "PRIMARY", "rolloutState": "COMPLETED"}],
        "events": EVENTS,
    }


class FakeEcs:
    async def describe_services(self, *, cluster: str, services: list[str]) -> dict[str, Any]:
        return {"services": [described(name) for name in services], "failures": []}

    async def update_service(self, *, service: str, **_: Any) -> dict[str, Any]:
        return {"service": described(service)}


class FakeClients:
    def client(self, _service: str) -> Any:
        return FakeEcs()


async def test_a_batch_read_keeps_each_service_without_its_events() -> None:
    services = EcsServices(FakeClients())  # type: ignore[arg-type]

    await services.prefetch([("prod", "orders-api"), ("prod", "checkout-worker")])
    found = await services.get("prod", "orders-api")

    assert found is not None
    assert "events" not in found
    assert found["deployments"] == [{"status": "PRIMARY", "rolloutState": "COMPLETED"}]
    assert found["taskDefinition"].endswith("orders-api:3")


async def test_a_deploy_keeps_its_answer_without_the_events() -> None:
    services = EcsServices(FakeClients())  # type: ignore[arg-type]

    deployed = await services.deploy("prod", "orders-api", "orders-api:4")
    cached = await services.get("prod", "orders-api")

    assert "events" not in deployed
    assert cached is deployed
