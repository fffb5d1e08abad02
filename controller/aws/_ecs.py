"""ECS task definitions and services.

Revisions are immutable, so a described ARN is cached for the life of the process and
never described again. Task-definition writes go through the shared limiter: AWS allows
about one per second per account and Region, and every register creates a revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from controller.aws._clients import AwsClients
from controller.aws._errors import AwsError, call, translate

DESCRIBE_SERVICES_BATCH = 10


def registrable(definition: Mapping[str, Any], accepted: Iterable[str]) -> dict[str, Any]:
    """A described revision as RegisterTaskDefinition takes it: only the members its input
    shape names. DescribeTaskDefinition returns read-only fields too (ARN, revision, status,
    dates, and whatever AWS adds later), and RegisterTaskDefinition refuses unknown ones."""
    members = set(accepted)
    return {key: value for key, value in definition.items() if key in members}


class TaskDefinitions:
    def __init__(self, aws: AwsClients) -> None:
        self._aws = aws
        self._client = aws.client("ecs")
        self._described: dict[str, dict[str, Any]] = {}

    async def latest_arn(self, family: str) -> str | None:
        """The highest ACTIVE revision's ARN; None while the family has no revision.

        Reads one page, newest first: on AWS that page starts with the latest revision.
        The order is never trusted (moto ignores it), so the highest revision seen wins.
        """
        newest: tuple[int, str] | None = None
        try:
            paginator = self._client.get_paginator("list_task_definitions")
            pages = paginator.paginate(
                familyPrefix=family,
                status="ACTIVE",
                sort="DESC",
                PaginationConfig={"PageSize": 100},
            )
            async for page in pages:
                for arn in page.get("taskDefinitionArns", []):
                    arn_family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
                    if arn_family == family and (newest is None or int(revision) > newest[0]):
                        newest = (int(revision), arn)
                break  # the first page holds the newest revision
        except Exception as exc:
            raise translate("ListTaskDefinitions", exc) from exc
        return newest[1] if newest else None

    async def describe(self, arn: str) -> dict[str, Any]:
        """The revision with its tags, as ``{"taskDefinition": ..., "tags": [...]}``."""
        if arn not in self._described:
            response = await call(
                self._client, "DescribeTaskDefinition", taskDefinition=arn, include=["TAGS"]
            )
            self._described[arn] = {
                "taskDefinition": response["taskDefinition"],
                "tags": response.get("tags", []),
            }
        return self._described[arn]

    async def tags(self, arn: str) -> dict[str, str]:
        """The revision's tags, read afresh: unlike the revision, they change."""
        response = await call(self._client, "ListTagsForResource", resourceArn=arn)
        return {tag["key"]: tag["value"] for tag in response.get("tags", [])}

    async def tag(self, arn: str, tags: dict[str, str]) -> None:
        await call(
            self._client,
            "TagResource",
            resourceArn=arn,
            tags=[{"key": key, "value": value} for key, value in tags.items()],
        )
        known = self._described.get(arn)
        if known is not None:
            kept = [t for t in known["tags"] if t["key"] not in tags]
            known["tags"] = kept + [{"key": k, "value": v} for k, v in tags.items()]

    async def register(self, definition: dict[str, Any], tags: list[dict[str, str]]) -> str:
        model = self._client.meta.service_model.operation_model("RegisterTaskDefinition")
        async with self._aws.task_definition_writes:
            kwargs = registrable(definition, model.input_shape.members)
            if tags:
                kwargs["tags"] = tags
            response = await call(self._client, "RegisterTaskDefinition", **kwargs)
        arn: str = response["taskDefinition"]["taskDefinitionArn"]
        self._described[arn] = {"taskDefinition": response["taskDefinition"], "tags": tags}
        return arn


def without_events(service: dict[str, Any]) -> dict[str, Any]:
    """A described service as it is cached: without its ``events``. ECS returns up to the
    last 100 service events with every description; nothing here reads them, and at
    thousands of services they would be most of the daemon's memory."""
    return {key: value for key, value in service.items() if key != "events"}


class EcsServices:
    """DescribeServices in batches, with each service's outcome kept on its own: a missing
    or forbidden cluster, or a failure ECS lists for one service, is raised only to the
    caller that asks for that service, never to the batch."""

    def __init__(self, aws: AwsClients) -> None:
        self._client = aws.client("ecs")
        self._cache: dict[tuple[str, str], dict[str, Any] | AwsError | None] = {}

    def invalidate(self) -> None:
        self._cache.clear()

    def forget(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Drop these services' reads, so the next ask (or prefetch) reads them afresh."""
        for key in wanted:
            self._cache.pop(key, None)

    async def prefetch(self, wanted: Iterable[tuple[str, str]]) -> None:
        """DescribeServices for many services at once: ten per call, per cluster.

        Never raises: a call that fails (ClusterNotFoundException, AccessDeniedException,
        throttling that outlasted the retries, ...) is recorded for every service of that
        call, and a ``failures[]`` entry for its service; ``get`` raises them.
        """
        by_cluster: dict[str, list[str]] = {}
        for cluster, service in set(wanted):
            if (cluster, service) not in self._cache:
                by_cluster.setdefault(cluster, []).append(service)
        for cluster, names in by_cluster.items():
            names.sort()
            for start in range(0, len(names), DESCRIBE_SERVICES_BATCH):
                batch = names[start : start + DESCRIBE_SERVICES_BATCH]
                try:
                    response = await call(
                        self._client, "DescribeServices", cluster=cluster, services=batch
                    )
                except AwsError as exc:
                    for name in batch:
                        self._cache[(cluster, name)] = exc
                    continue
                self._record(cluster, batch, response)

    def _record(self, cluster: str, batch: list[str], response: dict[str, Any]) -> None:
        for name in batch:
            self._cache[(cluster, name)] = None
        for failure in response.get("failures", []):
            # "MISSING" means the service does not exist; any other reason is an error.
            reason = str(failure.get("reason") or "Unknown")
            if reason == "MISSING":
                continue
            name = str(failure.get("arn", "")).rsplit("/", 1)[-1]
            if name in batch:
                detail = str(failure.get("detail") or f"ECS could not describe service {name}")
                self._cache[(cluster, name)] = AwsError("DescribeServices", reason, detail)
        for found in response.get("services", []):
            if found.get("status") != "INACTIVE":
                self._cache[(cluster, found["serviceName"])] = without_events(found)

    async def get(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The service as DescribeServices showed it; None when it does not exist (or is
        INACTIVE). Raises the AwsError its read ended with."""
        if (cluster, service) not in self._cache:
            await self.prefetch([(cluster, service)])
        found = self._cache[(cluster, service)]
        if isinstance(found, AwsError):
            if found.throttled:  # not remembered: the next ask tries again
                del self._cache[(cluster, service)]
            raise found
        return found

    async def refresh(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The service read afresh: a rollout's progress must not come from a cached read."""
        self._cache.pop((cluster, service), None)
        return await self.get(cluster, service)

    async def force_new_deployment(self, cluster: str, service: str) -> dict[str, Any]:
        """Replace every task on the same revision, so new tasks read the secret anew."""
        response = await call(
            self._client, "UpdateService", cluster=cluster, service=service, forceNewDeployment=True
        )
        updated = without_events(response["service"])
        self._cache[(cluster, service)] = updated
        return updated

    async def deploy(
        self, cluster: str, service: str, task_definition: str, *, force: bool = False
    ) -> dict[str, Any]:
        """Point the service at a revision; ``force`` starts fresh tasks even on the same one."""
        response = await call(
            self._client,
            "UpdateService",
            cluster=cluster,
            service=service,
            taskDefinition=task_definition,
            forceNewDeployment=force,
        )
        updated = without_events(response["service"])
        self._cache[(cluster, service)] = updated
        return updated
