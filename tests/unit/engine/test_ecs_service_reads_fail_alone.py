"""A batch read of ECS services never fails the batch: each service's read ends in the
service, None (it does not exist) or the error its own read met, raised only to whoever
asks for that service."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from controller.aws import AwsError, EcsServices


class FakeEcs:
    """DescribeServices as ECS answers it: per cluster, with failures[] per service."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.denied_clusters: set[str] = set()

    async def describe_services(self, cluster: str, services: list[str]) -> dict[str, Any]:
        self.calls.append((cluster, services))
        if cluster == "gone":
            raise _error("ClusterNotFoundException", "Cluster not found.")
        if cluster in self.denied_clusters:
            raise _error("AccessDeniedException", "not authorized")
        arn = "arn:aws:ecs:us-east-1:123456789012:service/" + cluster + "/"
        found = [{"serviceName": s, "status": "ACTIVE"} for s in services if s.startswith("ok")]
        failures = [
            {"arn": arn + s, "reason": "MISSING" if s.startswith("missing") else "ACCESS_DENIED"}
            for s in services
            if not s.startswith("ok")
        ]
        return {"services": found, "failures": failures}


class FakeAws:
    def __init__(self, ecs: FakeEcs) -> None:
        self.ecs = ecs

    def client(self, name: str) -> FakeEcs:
        return self.ecs


def _error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeServices")


@pytest.fixture
def ecs() -> FakeEcs:
    return FakeEcs()


@pytest.fixture
def services(ecs: FakeEcs) -> EcsServices:
    return EcsServices(FakeAws(ecs))  # type: ignore[arg-type]


async def test_a_missing_cluster_fails_only_the_services_in_it(
    ecs: FakeEcs, services: EcsServices
) -> None:
    await services.prefetch([("gone", "ok-a"), ("gone", "ok-b"), ("prod", "ok-c")])

    for name in ("ok-a", "ok-b"):
        with pytest.raises(AwsError) as failed:
            await services.get("gone", name)
        assert failed.value.code == "ClusterNotFoundException"
    assert await services.get("prod", "ok-c") == {"serviceName": "ok-c", "status": "ACTIVE"}
    assert len(ecs.calls) == 2  # the failed read is kept for the cycle, not repeated


async def test_a_forbidden_cluster_is_an_error_of_its_services(
    ecs: FakeEcs, services: EcsServices
) -> None:
    ecs.denied_clusters.add("secret")
    await services.prefetch([("secret", "ok-a")])

    with pytest.raises(AwsError) as failed:
        await services.get("secret", "ok-a")
    assert failed.value.code == "AccessDeniedException"


async def test_a_service_ecs_lists_as_missing_does_not_exist(services: EcsServices) -> None:
    await services.prefetch([("prod", "missing-a"), ("prod", "ok-b")])

    assert await services.get("prod", "missing-a") is None
    assert await services.get("prod", "ok-b") is not None


async def test_any_other_failure_entry_is_an_error_of_that_service_alone(
    services: EcsServices,
) -> None:
    await services.prefetch([("prod", "denied-a"), ("prod", "ok-b")])

    with pytest.raises(AwsError) as failed:
        await services.get("prod", "denied-a")
    assert failed.value.code == "ACCESS_DENIED"
    assert await services.get("prod", "ok-b") is not None


async def test_a_throttled_read_is_tried_again_by_the_next_ask(
    ecs: FakeEcs, services: EcsServices
) -> None:
    ecs.denied_clusters.add("busy")
    original = ecs.describe_services

    async def throttled(cluster: str, services: list[str]) -> dict[str, Any]:
        if not ecs.calls:
            ecs.calls.append((cluster, services))
            raise _error("ThrottlingException", "Rate exceeded")
        return await original("prod", services)

    ecs.describe_services = throttled  # type: ignore[method-assign]
    await services.prefetch([("busy", "ok-a")])

    with pytest.raises(AwsError):
        await services.get("busy", "ok-a")
    assert await services.get("busy", "ok-a") is not None
