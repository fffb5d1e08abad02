"""Point a Service's ECS service at the revision that carries its credentials."""

from __future__ import annotations

from controller.desired._kinds import ServiceSpec
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import FieldChange

ECS_SERVICE = "ecs:service"


async def roll_ecs_service(
    world: World,
    outcome: Outcome,
    spec: ServiceSpec,
    revision: str | None,
    credentials_replaced: bool,
) -> None:
    """Move the ECS service to ``revision``; with ``credentials_replaced``, start fresh tasks
    even on the same revision, since tasks read their secret only when they start."""
    outcome.at(ECS_SERVICE)
    service_name = spec.service
    if service_name is None or revision is None:
        return
    cluster = spec.cluster
    live = await world.services.get(cluster, service_name)
    service_id = f"{cluster}/{service_name}"
    if live is None:
        outcome.problem(
            ECS_SERVICE,
            service_id,
            "EcsServiceMissing",
            f"ECS service {service_name} not found in cluster {cluster}",
        )
        return
    outcome.resources["ecsServiceArn"] = live["serviceArn"]
    current = live.get("taskDefinition")
    if current == revision and not credentials_replaced:
        return
    diff: tuple[FieldChange, ...] = (FieldChange("taskDefinition", current, revision),)
    if current == revision:
        diff = (FieldChange("deployment", "running tasks hold replaced credentials", "new"),)
    if outcome.change(ECS_SERVICE, service_id, "update", diff):
        await world.services.deploy(cluster, service_name, revision, force=credentials_replaced)
