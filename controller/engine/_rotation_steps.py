"""The phases every rotation shares, whatever the IdP: test, finish, rollout, revoke.

Each phase reads what it needs afresh and is safe to run again after a crash at any
point: it either finds its effect already there or makes it. ``create``, ``set`` and the
IdP half of ``revoke`` depend on the IdP and live in the strategies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from controller.aws import AWSCURRENT, AWSPENDING, AwsError, ObservedSecret
from controller.desired import Service
from controller.engine._ecs_service import ROLLING_UPDATE, deployment_controller
from controller.engine._registrations import Registrations
from controller.engine._rotation_plan import (
    DEPLOYMENT_TAG,
    RETIRING,
    ROTATED_AT_TAG,
    grace_left,
    parse_time,
    rollout_progress,
)
from controller.engine._secret_record import record_from_value
from controller.engine._world import World
from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdentityProviderAdapter,
    IdpRejected,
    request_token,
)

ROLLOUT_POLL = timedelta(seconds=15)
# What UpdateSecretVersionStage answers when RemoveFromVersionId no longer holds the stage:
# a lost compare-and-swap. Any other error is a real failure and goes up.
STAGE_MISMATCH_CODES = frozenset({"InvalidParameterException"})
CAS_RETRY = timedelta(seconds=1)


class RotationFailed(Exception):
    """A phase cannot go on until something changes; ``reason`` is CamelCase."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Wait:
    """A phase that is not finished yet: call again after ``after``."""

    after: timedelta
    why: str


class Strategy(Protocol):
    """How a second credential is made and the old one retired at one kind of IdP."""

    async def create(self, rotation: RotationContext) -> None:
        """Store the new credential as this rotation's AWSPENDING version."""
        ...

    async def install(self, rotation: RotationContext) -> None:
        """The ``set`` phase: make the IdP accept the AWSPENDING credential."""
        ...

    async def revoke(self, rotation: RotationContext) -> None:
        """Make the old credential invalid; the AWSCURRENT one stays."""
        ...


@dataclass
class RotationContext:
    """One service's rotation as one call of ``advance_rotation`` sees it."""

    world: World
    name: str
    service: Service
    client_spec: ClientSpec
    idp: IdentityProviderAdapter
    strategy: Strategy
    secret: ObservedSecret
    token: str  # this rotation's AWSPENDING version id
    now: datetime
    registrations: Registrations

    async def refresh(self) -> ObservedSecret:
        secret = await self.world.secrets.describe(self.secret.arn)
        if secret is None:
            raise RotationFailed("SecretMissing", f"secret {self.secret.name} no longer exists")
        self.secret = secret
        return secret

    async def value(self, stage: str) -> dict[str, Any]:
        value = await self.world.secrets.value(self.secret, stage)
        if value is None:
            raise RotationFailed(
                "SecretVersionMissing", f"secret {self.secret.name} has no {stage} version"
            )
        return value

    async def record(self, stage: str) -> ClientRecord:
        """The client a version names, with its registration handles where it has any."""
        record = record_from_value(await self.value(stage))
        if record is None:
            raise RotationFailed(
                "SecretValueInvalid",
                f"the {stage} version of {self.secret.name} holds no client_id and client_secret",
            )
        return self.registrations.attach(record)

    async def tag(self, tags: dict[str, str]) -> None:
        await self.world.secrets.tag(self.secret.arn, tags)
        self.secret = replace(self.secret, tags={**self.secret.tags, **tags})

    async def untag(self, keys: list[str]) -> None:
        present = [key for key in keys if key in self.secret.tags]
        if present:
            await self.world.secrets.untag(self.secret.arn, present)
            self.secret = replace(
                self.secret, tags={k: v for k, v in self.secret.tags.items() if k not in present}
            )


async def prove_pending(rotation: RotationContext) -> None:
    """Obtain a token with the AWSPENDING credential and check it carries the role's scopes,
    before any task is given that credential."""
    record = await rotation.record(AWSPENDING)
    endpoints = await rotation.idp.endpoints()
    wanted = tuple(sorted(rotation.client_spec.scopes))
    try:
        issued = await request_token(
            rotation.world.http,
            endpoints.token_endpoint,
            record.client_id,
            record.client_secret,
            wanted,
        )
    except IdpRejected as exc:
        raise RotationFailed(
            "TokenRefused",
            f"the new credential of client {record.client_id} obtained no token ({exc}); "
            "the current credential stays in use",
        ) from None
    if issued.scopes != wanted:
        raise RotationFailed(
            "ScopesMismatch",
            f"a token for the new credential carries scopes {' '.join(issued.scopes)!r}, "
            f"the role has {' '.join(wanted)!r}",
        )


async def finish(rotation: RotationContext) -> Wait | None:
    """Promote AWSPENDING to AWSCURRENT (a compare-and-swap against the version read just
    before) and mark the old version as the one being retired; AWSPREVIOUS follows by itself.
    """
    secret = await rotation.refresh()
    secrets = rotation.world.secrets
    current = secret.version(AWSCURRENT)
    if current != rotation.token:
        if secret.version(AWSPENDING) != rotation.token or current is None:
            raise RotationFailed(
                "PendingVersionMissing",
                f"secret {secret.name} lost this rotation's AWSPENDING version before finish",
            )
        retiring = secret.version(RETIRING)
        if retiring != current:
            await secrets.move_stage(secret.arn, RETIRING, current, retiring)
        try:
            await secrets.move_stage(secret.arn, AWSCURRENT, rotation.token, current)
        except AwsError as exc:
            if exc.code not in STAGE_MISMATCH_CODES:
                raise
            # AWSCURRENT left ``current`` in the meantime (a reconcile saved a new version):
            # read again and retry, never move from a version that is no longer current.
            return Wait(CAS_RETRY, "AWSCURRENT moved during finish")
        secret = await rotation.refresh()
    if secret.version(AWSPENDING) == rotation.token:
        await secrets.remove_stage(secret.arn, AWSPENDING, rotation.token)
        await rotation.refresh()
    return None


async def rollout(rotation: RotationContext) -> Wait | None:
    """Replace every running task (they read the secret only when they start), then wait
    until the deployment completed. A failed deployment stops the rotation before revoke,
    so the tasks still running on the old credential keep working."""
    ecs_service = rotation.service.spec.service
    if ecs_service is None:
        return None  # no ECS service to roll: tasks pick the new credential up when they start
    cluster = rotation.service.spec.cluster
    services = rotation.world.services
    ours = rotation.secret.tags.get(DEPLOYMENT_TAG)
    if not ours:
        _check_deployable(await services.refresh(cluster, ecs_service), cluster, ecs_service)
        updated = await services.force_new_deployment(cluster, ecs_service)
        ours = _primary_deployment(updated) or "none"
        await rotation.tag({DEPLOYMENT_TAG: ours})
    live = _check_deployable(await services.refresh(cluster, ecs_service), cluster, ecs_service)
    progress, why = rollout_progress(live.get("deployments", []), ours)
    if progress == "failed":
        raise RotationFailed(
            "RolloutFailed",
            f"deployment {ours} of ECS service {cluster}/{ecs_service} failed ({why}); the old "
            "credential stays valid. Once the service deploys successfully, the rotation "
            "revokes it",
        )
    if progress == "waiting":
        return Wait(ROLLOUT_POLL, why)
    return None


async def revoke(rotation: RotationContext) -> Wait | None:
    """After ``gracePeriod`` since finish: retire the old credential at the IdP, then drop
    the label that kept its version findable."""
    grace = rotation.service.spec.secret.grace_period
    rotated_at = parse_time(rotation.secret.tags.get(ROTATED_AT_TAG))
    left = grace_left(rotated_at, grace, rotation.now)
    if left > timedelta(0):
        return Wait(left, "gracePeriod before the old credential is revoked")
    await rotation.strategy.revoke(rotation)
    retiring = rotation.secret.version(RETIRING)
    if retiring is not None:
        await rotation.world.secrets.remove_stage(rotation.secret.arn, RETIRING, retiring)
        await rotation.refresh()
    return None


def _check_deployable(live: dict[str, Any] | None, cluster: str, name: str) -> dict[str, Any]:
    """The service, if ECS can start a deployment of it that the rollout can wait for."""
    if live is None:
        raise RotationFailed(
            "EcsServiceMissing", f"ECS service {name} not found in cluster {cluster}"
        )
    if live.get("status") == "DRAINING":
        raise RotationFailed(
            "EcsServiceDraining",
            f"ECS service {cluster}/{name} is DRAINING: no deployment replaces its tasks",
        )
    controller = deployment_controller(live)
    if controller != ROLLING_UPDATE:
        raise RotationFailed(
            "DeploymentControllerUnsupported",
            f"ECS service {cluster}/{name} uses the {controller} deployment controller, which "
            "refuses the forced deployment a rollout needs, and ECS reports no deployment "
            "to wait for: the new credential is current and new tasks get it, the old one "
            "stays valid and is not revoked",
        )
    return live


def _primary_deployment(service: dict[str, Any]) -> str | None:
    primary = [d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"]
    return str(primary[0]["id"]) if primary else None
