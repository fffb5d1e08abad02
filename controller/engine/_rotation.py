"""Zero-downtime rotation of a service's client credential, one step at a time.

``advance_rotation`` reads where the rotation stands from AWS (the service secret's tags
and version stages), runs every phase that can run now, and returns without blocking:
while a rollout or the grace period is under way it says when to call again. Nothing is
kept on local disk or in memory between calls, so a controller killed at any point
resumes where AWS says it was. Only one caller should advance a given service at a time
(the daemon's work queue is keyed by object); the pending version's deterministic token
and the compare-and-swap at finish keep a second one from doing harm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from controller.aws import AWSCURRENT, AWSPENDING, AwsError, ObservedSecret
from controller.desired import DesiredState
from controller.engine._registrations import Registrations
from controller.engine._rotation_plan import (
    FAILED_TAG,
    IN_PROGRESS_TAGS,
    PHASE_TAG,
    ROTATED_AT_TAG,
    STARTED_TAG,
    Observed,
    Phase,
    failure_tag,
    format_time,
    next_phase,
    parse_phase,
    parse_time,
    resume_phase,
    rotation_due,
    rotation_token,
    until_due,
)
from controller.engine._rotation_steps import (
    RotationContext,
    RotationFailed,
    Wait,
    finish,
    prove_pending,
    revoke,
    rollout,
)
from controller.engine._rotation_strategies import strategy_for
from controller.engine._service import client_spec
from controller.engine._world import World
from controller.idp import IdpError, IdpUnavailable
from controller.plan._desired import SECRET_PREFIX, is_ours, owner_tags, secret_name

# A phase that failed is tried again after this long; its alert is sent once.
RETRY_FAILED = timedelta(minutes=1)
RETRY_UNAVAILABLE = timedelta(seconds=15)

EventKind = Literal["started", "completed", "failed"]


@dataclass(frozen=True)
class RotationEvent:
    """Something to tell people about (alerts, logs, status), once per occurrence."""

    kind: EventKind
    service: str
    phase: Phase
    reason: str = ""
    message: str = ""


@dataclass(frozen=True)
class RotationStep:
    """Where one ``advance_rotation`` call left the rotation.

    ``done``: no rotation is under way (it completed, or none was due). ``requeue_after``:
    when to call again (the rollout or the grace period is still running, a failed phase is
    retried, or the next rotation falls due). ``failure`` is the reason the current phase
    cannot go on, on every call while it lasts; ``events`` report each change only once.
    """

    service: str
    phase: Phase | None
    done: bool
    requeue_after: timedelta | None
    completed: tuple[Phase, ...] = ()
    events: tuple[RotationEvent, ...] = ()
    waiting_for: str = ""
    failure: RotationEvent | None = None


@dataclass(frozen=True)
class RotationState:
    """What a status page shows: read from the batch secret listing, no extra call."""

    phase: Phase | None
    started: datetime | None
    last_rotated_at: datetime | None  # the last finish, else the secret's creation
    failed: str | None  # "<phase>:<Reason>" while a phase keeps failing


def state_of(secret: ObservedSecret) -> RotationState:
    tags = secret.tags
    return RotationState(
        phase=parse_phase(tags.get(PHASE_TAG)),
        started=parse_time(tags.get(STARTED_TAG)),
        last_rotated_at=parse_time(tags.get(ROTATED_AT_TAG)) or secret.created_date,
        failed=tags.get(FAILED_TAG),
    )


async def rotation_state(world: World, service_name: str) -> RotationState | None:
    """The service's rotation as of this cycle's listing; None before its secret exists."""
    secret = (await world.secrets.listing(SECRET_PREFIX)).get(secret_name(service_name))
    return state_of(secret) if secret is not None else None


async def advance_rotation(
    world: World,
    state: DesiredState,
    service_name: str,
    *,
    now: datetime,
    force_start: bool = False,
) -> RotationStep:
    """Run every phase that can run now; start a rotation when due (or ``force_start``).

    A phase that fails comes back as ``failure`` (and once as an event); an AWS error
    while reading the secret, before any phase ran, is raised for the caller to retry.
    """
    service = state.services[service_name]
    name = secret_name(service_name)
    secret = await world.secrets.describe(name)
    if secret is None or secret.deleted_date is not None:
        return _blocked(service_name, "SecretMissing", f"secret {name} does not exist; apply first")
    if not is_ours(secret.tags, world.settings.controller_id):
        return _blocked(service_name, "ResourceNotOwned", f"secret {name} is not this controller's")
    events: list[RotationEvent] = []
    observed = _observed(secret)
    phase = resume_phase(observed)
    if phase is None:
        last = state_of(secret).last_rotated_at
        rotate_every = service.spec.secret.rotate_every
        if not (force_start or rotation_due(last, rotate_every, now)):
            return RotationStep(service_name, None, True, until_due(last, rotate_every, now))
        secret = await _start(world, secret, now)
        phase, observed = "create", _observed(secret)
        events.append(RotationEvent("started", service_name, "create"))
    provider = state.service_provider(service_name)
    idp = world.idp(provider)
    assert observed.token is not None
    rotation = RotationContext(
        world=world,
        name=service_name,
        service=service,
        client_spec=client_spec(state, service_name),
        idp=idp,
        strategy=strategy_for(provider, idp),
        secret=secret,
        token=observed.token,
        now=now,
        registrations=await Registrations.of(
            world,
            provider,
            service_name,
            owner_tags(world.settings.controller_id, f"Service/{service_name}"),
        ),
    )
    return await _run_from(rotation, phase, events)


async def _start(world: World, secret: ObservedSecret, now: datetime) -> ObservedSecret:
    """Tag the secret with a new rotation: its phase and its start, which names it."""
    leftover = [key for key in IN_PROGRESS_TAGS if key in secret.tags]
    await world.secrets.untag(secret.arn, leftover)
    started = {PHASE_TAG: "create", STARTED_TAG: format_time(now)}
    await world.secrets.tag(secret.arn, started)
    kept = {k: v for k, v in secret.tags.items() if k not in leftover}
    return replace(secret, tags={**kept, **started})


async def _run_from(
    rotation: RotationContext, phase: Phase, events: list[RotationEvent]
) -> RotationStep:
    completed: list[Phase] = []
    service = rotation.name

    def step(
        phase: Phase | None,
        after: timedelta | None,
        *,
        waiting_for: str = "",
        failure: RotationEvent | None = None,
    ) -> RotationStep:
        return RotationStep(
            service,
            phase,
            phase is None,
            after,
            tuple(completed),
            tuple(events),
            waiting_for=waiting_for,
            failure=failure,
        )

    current: Phase | None = phase
    while current is not None:
        try:
            wait = await _run_phase(current, rotation)
        except RotationFailed as failed:
            event = await _report_failure(rotation, current, failed.reason, str(failed), events)
            return step(current, RETRY_FAILED, failure=event)
        except (AwsError, IdpError) as exc:
            if isinstance(exc, IdpUnavailable) or (isinstance(exc, AwsError) and exc.throttled):
                return step(current, RETRY_UNAVAILABLE, waiting_for=f"retrying: {exc}")
            reason = "AwsError" if isinstance(exc, AwsError) else "IdpError"
            event = await _report_failure(rotation, current, reason, str(exc), events)
            return step(current, RETRY_FAILED, failure=event)
        if wait is not None:
            return step(current, wait.after, waiting_for=wait.why)
        completed.append(current)
        current = await _record_done(rotation, current)
    events.append(RotationEvent("completed", service, "revoke"))
    return step(None, rotation.service.spec.secret.rotate_every)


async def _run_phase(phase: Phase, rotation: RotationContext) -> Wait | None:
    if phase == "create":
        if rotation.secret.version(AWSPENDING) != rotation.token:
            await rotation.strategy.create(rotation)
            await rotation.refresh()
    elif phase == "set":
        await rotation.strategy.install(rotation)
    elif phase == "test":
        await prove_pending(rotation)
    elif phase == "finish":
        return await finish(rotation)
    elif phase == "rollout":
        return await rollout(rotation)
    else:
        return await revoke(rotation)
    return None


async def _record_done(rotation: RotationContext, phase: Phase) -> Phase | None:
    """Write down that ``phase`` took effect; the next phase, or None once complete."""
    following = next_phase(phase)
    await rotation.untag([FAILED_TAG])
    if following is None:
        await rotation.untag(list(IN_PROGRESS_TAGS))
        return None
    tags: dict[str, str] = {PHASE_TAG: following}
    if phase == "finish":
        tags[ROTATED_AT_TAG] = format_time(rotation.now)
    await rotation.tag(tags)
    return following


async def _report_failure(
    rotation: RotationContext,
    phase: Phase,
    reason: str,
    message: str,
    events: list[RotationEvent],
) -> RotationEvent:
    """The failure as an event; announced (and tagged) only when it is new."""
    event = RotationEvent("failed", rotation.name, phase, reason, message)
    marker = failure_tag(phase, reason)
    if rotation.secret.tags.get(FAILED_TAG) != marker:
        await rotation.tag({FAILED_TAG: marker})
        events.append(event)
    return event


def _observed(secret: ObservedSecret) -> Observed:
    started = secret.tags.get(STARTED_TAG)
    return Observed(
        phase=parse_phase(secret.tags.get(PHASE_TAG)),
        token=rotation_token(secret.arn, started) if started and parse_time(started) else None,
        current=secret.version(AWSCURRENT),
        pending=secret.version(AWSPENDING),
    )


def _blocked(service: str, reason: str, message: str) -> RotationStep:
    failure = RotationEvent("failed", service, "create", reason, message)
    return RotationStep(service, None, True, None, failure=failure)
