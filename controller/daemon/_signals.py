"""The batch signals: one cheap digest per object from reads that cover many objects.

DescribeServices (ten services a call) gives the revision each ECS service runs and its
deployments; ListSecrets (a hundred a page) gives each secret's ``LastChangedDate``, tags
and version stages; one GetAccountAuthorizationDetails read gives every role with its
policies. A change by hand to any of these moves the object's digest, and only then is the
object read in depth (``_verify``). What no batch read shows (a Cognito client's settings,
a revision registered but not run) waits for the events or for ``verifyInterval``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from controller.aws import AwsError
from controller.desired import DesiredState
from controller.engine import Engine
from controller.plan._desired import (
    SECRET_PREFIX,
    execution_role_name,
    registration_secret_name,
    secret_name,
    task_role_name,
)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _service_view(found: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """What of a described ECS service the controller sets or depends on."""
    if found is None:
        return None
    deployments = sorted(
        (d.get("taskDefinition"), d.get("rolloutState")) for d in found.get("deployments", [])
    )
    return (found.get("taskDefinition"), found.get("status"), tuple(deployments))


async def read_signals(engine: Engine, state: DesiredState) -> dict[str, str | None]:
    """Each object's batch signal, read afresh (the cycle's batch reads are replaced, and
    the reconciles that follow reuse them). A batch read that fails gives its objects no
    signal, so they are verified in depth rather than trusted."""
    await engine.renew(state)  # DescribeServices in batches of ten, cached
    world = engine.world
    try:
        secrets: dict[str, Any] | None = dict(await world.secrets.renew(SECRET_PREFIX))
    except AwsError:
        secrets = None
    try:
        roles: dict[str, Any] | None = dict(await world.iam.renew())
    except AwsError:
        roles = None
    signals: dict[str, str | None] = {f"IdentityProvider/{name}": None for name in state.providers}
    for name in state.roles:
        role = roles.get(task_role_name(name)) if roles is not None else None
        signals[f"Role/{name}"] = _digest(role) if roles is not None else None
    for name, service in state.services.items():
        signals[f"Service/{name}"] = await _service_signal(
            engine,
            name,
            service.spec.cluster,
            service.spec.service,
            service.spec.role,
            secrets,
            roles,
        )
    return signals


async def _service_signal(
    engine: Engine,
    name: str,
    cluster: str,
    ecs_service: str | None,
    role: str,
    secrets: dict[str, Any] | None,
    roles: dict[str, Any] | None,
) -> str | None:
    if secrets is None or roles is None:
        return None
    view: tuple[Any, ...] | None = None
    if ecs_service:
        try:
            view = _service_view(await engine.world.services.get(cluster, ecs_service))
        except AwsError:
            return None
    parts = []
    for secret in (secret_name(name), registration_secret_name(name)):
        found = secrets.get(secret)
        parts.append(
            None
            if found is None
            else (found.last_changed_date, found.deleted_date, found.tags, found.stages)
        )
    return _digest(
        view, parts, roles.get(execution_role_name(name)), roles.get(task_role_name(role))
    )
