"""Pure decisions of a credential rotation: which phase comes next, when one is due, how far
a rollout has got. No I/O: the state machine's state lives in AWS (the service secret's
version stages and tags, the IdP's clients) and is read by the shell, then judged here.

A rotation runs the phases of Secrets Manager's rotation protocol, then two of its own:
``create`` (the new credential stored as AWSPENDING), ``set`` (installed at the IdP),
``test`` (a token obtained with it), ``finish`` (AWSCURRENT moved to it, a compare-and-
swap), ``rollout`` (the ECS service's tasks replaced, so every task holds it) and
``revoke`` (the old credential deleted, once ``gracePeriod`` has passed since finish).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from controller.idp import ClientSecretInfo

Phase = Literal["create", "set", "test", "finish", "rollout", "revoke"]
PHASES: tuple[Phase, ...] = get_args(Phase)

# Secret tags: the rotation's progress, readable by anyone with DescribeSecret.
PHASE_TAG = "ecs-oauth.dev/rotation-phase"  # the phase to run (or re-run) next
STARTED_TAG = "ecs-oauth.dev/rotation-started"  # also names the rotation (see rotation_token)
DEPLOYMENT_TAG = "ecs-oauth.dev/rotation-deployment"  # the ECS deployment the rollout started
FAILED_TAG = "ecs-oauth.dev/rotation-failed"  # "<phase>:<Reason>" while a phase keeps failing
ROTATED_AT_TAG = "ecs-oauth.dev/rotated-at"  # when the current credential became AWSCURRENT
IN_PROGRESS_TAGS = (PHASE_TAG, STARTED_TAG, DEPLOYMENT_TAG, FAILED_TAG)

# A custom staging label on the version whose credential is being retired. AWSPREVIOUS
# would do until the next write of AWSCURRENT; a reconcile that saves a rotated
# registration access token (Keycloak rotates it on every read) moves AWSPREVIOUS on,
# and the old client's handles with it. A label of our own stays until revoke removes it.
RETIRING = "ecs-oauth-retiring"

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_TOKEN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ecs-oauth.dev/rotation")

RolloutProgress = Literal["waiting", "completed", "failed"]


def format_time(moment: datetime) -> str:
    """A tag value (Secrets Manager allows ``:``, ``.``, ``-`` and digits)."""
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def rotation_token(secret_arn: str, started: str) -> str:
    """The AWSPENDING version's ClientRequestToken, derived from the rotation's start.

    Every process that resumes a rotation computes the same token, so a second writer's
    PutSecretValue either is the same no-op or fails: one rotation, one pending version.
    """
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{secret_arn}|{started}"))


def next_phase(phase: Phase) -> Phase | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def parse_phase(value: str | None) -> Phase | None:
    return next((phase for phase in PHASES if phase == value), None)


@dataclass(frozen=True)
class Observed:
    """What the service secret says about a rotation, read in one DescribeSecret."""

    phase: Phase | None  # the phase tag
    token: str | None  # this rotation's pending version id (None when not started)
    current: str | None  # the version holding AWSCURRENT
    pending: str | None  # the version holding AWSPENDING


def resume_phase(seen: Observed) -> Phase | None:
    """The phase to run now; None when no rotation is under way.

    The phase tag is written after a phase's effect, so it may lag by one phase: every
    phase is safe to re-run, and the version stages tell where the tag is behind.
    """
    if seen.phase is None or seen.token is None:
        return None
    if seen.phase in ("rollout", "revoke"):
        return seen.phase
    if seen.current == seen.token:
        return "finish"  # AWSCURRENT already moved; finish tidies up and records it
    if seen.pending != seen.token:
        return "create"  # this rotation's pending version is not there (yet)
    if seen.phase == "create":
        return "set"
    return seen.phase


def rotation_due(last_rotated_at: datetime | None, rotate_every: timedelta, now: datetime) -> bool:
    """Whether a new rotation should start. None (no secret yet) is never due."""
    return last_rotated_at is not None and now >= last_rotated_at + rotate_every


def until_due(
    last_rotated_at: datetime | None, rotate_every: timedelta, now: datetime
) -> timedelta:
    """How long until :func:`rotation_due` turns true (zero when it is already)."""
    if last_rotated_at is None:
        return rotate_every
    return max(last_rotated_at + rotate_every - now, timedelta(0))


def grace_left(rotated_at: datetime | None, grace_period: timedelta, now: datetime) -> timedelta:
    """Time the old credential must still be honoured; zero once revoke may run.

    Without a recorded finish time the whole grace period is still ahead: a revoke too
    late costs nothing, one too early breaks tasks.
    """
    if rotated_at is None:
        return grace_period
    return max(rotated_at + grace_period - now, timedelta(0))


def rollout_progress(
    deployments: Sequence[Mapping[str, Any]], ours: str
) -> tuple[RolloutProgress, str]:
    """How the deployment the rotation started is doing, and why, from DescribeServices.

    Completed means no task started before finish is left: one deployment remains, it is
    PRIMARY and COMPLETED, and it is ours or one that replaced ours later. No deployment
    listed is never a completed rollout: ECS lists none for services it does not deploy
    itself (CODE_DEPLOY, EXTERNAL), where nothing here can tell which tasks still run.
    """
    mine = next((d for d in deployments if d.get("id") == ours), None)
    if mine is not None and mine.get("rolloutState") == "FAILED":
        return "failed", str(mine.get("rolloutStateReason") or f"deployment {ours} failed")
    if not deployments:
        return "waiting", f"ECS lists no deployment, so none shows deployment {ours} completed"
    if len(deployments) == 1 and (mine is None or mine is deployments[0]):
        only = deployments[0]
        state = only.get("rolloutState")
        settled = only.get("runningCount") == only.get("desiredCount")
        if only.get("status") == "PRIMARY" and (
            state == "COMPLETED" or (state is None and settled)
        ):
            return "completed", ""
    return "waiting", f"{len(deployments)} deployment(s) still running for deployment {ours}"


def stale_secrets(listed: Sequence[ClientSecretInfo]) -> list[str]:
    """Cognito secrets to delete at revoke: all but the newest.

    A rotation adds its secret after the one in use, and revoke runs only after finish
    made the new one AWSCURRENT, so the newest secret is the current one.
    """
    ordered = sorted(listed, key=lambda info: (info.created, info.secret_id))
    return [info.secret_id for info in ordered[:-1]]


def failure_tag(phase: Phase, reason: str) -> str:
    return f"{phase}:{reason}"
