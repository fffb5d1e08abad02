"""The engine's view of the settings: what one reconcile needs to know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from controller.config._settings import Settings

if TYPE_CHECKING:
    from controller.engine import EngineSettings


def engine_settings(settings: Settings, *, force: bool = False) -> EngineSettings:
    # Imported here: the AWS stack takes half a second to import, and commands that never
    # reach AWS (validate, crds) import this package too.
    from controller.aws import RateLimits
    from controller.engine import EngineSettings

    return EngineSettings(
        controller_id=settings.controller_id,
        mode=settings.mode,
        concurrency=settings.concurrency,
        prune=settings.prune.enabled,
        prune_max_fraction=settings.prune.max_fraction,
        prune_min_count=settings.prune.min_count,
        force=force,
        limits=RateLimits(
            ecs_task_definition_writes=settings.limits.ecs_task_definition_writes_per_second,
            ecs_task_definition_burst=settings.limits.ecs_task_definition_burst,
            cognito_per_pool=settings.limits.cognito_requests_per_second_per_pool,
            okta_per_org=settings.limits.okta_requests_per_second_per_org,
        ),
        region=settings.region,
        permissions_boundary_arn=settings.tenancy.permissions_boundary_arn,
        record_table=settings.leader_election.table,
    )
