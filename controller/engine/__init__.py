"""The reconcile engine: wires the pure core to the adapters.

``reconcile(key)`` is level-based: it reads the desired object and the live resources
afresh and never trusts a cached event. Every object converges on its own; one failing
object becomes a problem on that object and the others carry on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass

from controller.aws import QUOTA_CODES, AwsError
from controller.desired import DesiredState, Service
from controller.engine._converged import CONVERGED_TAG, drift_among, mark_drift, record_convergence
from controller.engine._objects import reconcile_provider, reconcile_role
from controller.engine._outcome import NotInPlan, Outcome, Progress
from controller.engine._prune import prune
from controller.engine._reads import ReadJournal, Reads, reading_for, record_reads
from controller.engine._rotation import (
    RotationEvent,
    RotationState,
    RotationStep,
    advance_rotation,
    rotation_state,
)
from controller.engine._rotation_plan import PHASES, Phase, rotation_due
from controller.engine._service import ServiceReconciler
from controller.engine._world import EngineSettings, World
from controller.idp import IdpError
from controller.plan import Change, Plan
from controller.plan._desired import execution_role_name, task_role_name

__all__ = [
    "CONVERGED_TAG",
    "PHASES",
    "Engine",
    "EngineSettings",
    "Outcome",
    "Phase",
    "Progress",
    "ReadJournal",
    "Reads",
    "RotationEvent",
    "RotationState",
    "RotationStep",
    "RunOptions",
    "World",
    "advance_rotation",
    "aws_reason",
    "drift_among",
    "keys_in_order",
    "problem_reason",
    "record_reads",
    "rotation_due",
    "rotation_state",
]

Reconcile = Callable[[World, DesiredState, str, Outcome], Awaitable[None]]

# AWS error codes that name a cause an operator can act on, as the problem's reason.
# Anything else is reported as "AwsError" with AWS's code in the message.
AWS_REASONS = {
    "ClusterNotFoundException": "ClusterNotFound",
    "AccessDeniedException": "AccessDenied",
    "AccessDenied": "AccessDenied",
    "UnauthorizedOperation": "AccessDenied",
    "LeadershipLost": "LeadershipLost",  # our fence refused a write: another replica leads
    **dict.fromkeys(QUOTA_CODES, "QuotaExceeded"),
}


def aws_reason(code: str) -> str:
    """The problem reason for an AWS error code: CamelCase, as every reason is."""
    return AWS_REASONS.get(code, "AwsError")


def problem_reason(exc: AwsError | IdpError) -> str:
    """AWS's own codes where they say more; a Cognito quota reaches us as an IdP refusal."""
    if isinstance(exc, AwsError):
        return aws_reason(exc.code)
    return "QuotaExceeded" if exc.error in QUOTA_CODES else "IdpError"


async def _reconcile_service(
    world: World, state: DesiredState, name: str, outcome: Outcome
) -> None:
    await ServiceReconciler(world, state, name, outcome).run()


_BY_KIND: dict[str, Reconcile] = {
    "IdentityProvider": reconcile_provider,
    "Role": reconcile_role,
    "Service": _reconcile_service,
}


def _ecs_services(services: Iterable[Service]) -> list[tuple[str, str]]:
    """(cluster, service) of the Services that wire an ECS service."""
    return [(s.spec.cluster, s.spec.service) for s in services if s.spec.service]


def keys_in_order(state: DesiredState) -> list[list[str]]:
    """Waves that must run one after the other; keys within a wave run concurrently."""
    return [
        [f"IdentityProvider/{name}" for name in sorted(state.providers)],
        [f"Role/{name}" for name in sorted(state.roles)],
        [f"Service/{name}" for name in sorted(state.services)],
    ]


@dataclass(frozen=True)
class RunOptions:
    """How one CLI pass runs, beyond plan or apply.

    ``only``: the declared objects to reconcile (a ``--target``/``-l`` selection, its
    dependencies included), None for all. ``orphans``: also list, withheld, the resources
    of undeclared objects while pruning is off; ``orphans_of`` narrows orphans (listed or
    pruned) to those objects. ``allowed`` and ``progress``: see :class:`Outcome`.
    """

    only: frozenset[str] | None = None
    orphans: bool = False
    orphans_of: frozenset[str] | None = None
    allowed: Callable[[Change], bool] | None = None
    progress: Progress | None = None


class Engine:
    def __init__(self, world: World) -> None:
        self.world = world

    async def reconcile(
        self, state: DesiredState, key: str, *, writes: bool, options: RunOptions | None = None
    ) -> Outcome:
        kind, name = key.split("/", 1)
        options = options or RunOptions()
        mode = self.world.settings.mode
        if kind == "Service":
            mode = state.services[name].spec.mode or mode
        detect = mode == "detect"
        outcome = Outcome(
            key,
            writes=writes and not detect,
            withheld="detect" if detect else "",
            records=writes,
            allowed=options.allowed,
            progress=options.progress,
        )
        reading = reading_for.set(key)
        try:
            await _BY_KIND[kind](self.world, state, name, outcome)
            outcome.finish()
            await record_convergence(self.world, state, outcome)
        except (AwsError, IdpError) as exc:
            reason = problem_reason(exc)
            message = f"{outcome.resource} {outcome.action} failed: {exc}"
            outcome.problem(outcome.resource, name, reason, message)
        except NotInPlan as refused:
            change = refused.change
            outcome.problem(change.resource, change.id, "NotInPlan", str(refused))
        finally:
            reading_for.reset(reading)
        mark_drift(self.world, state, outcome)
        return outcome

    async def begin_cycle(self, state: DesiredState, only: Collection[str] | None = None) -> None:
        """Forget every batch read, then read the ECS services of the Services about to be
        reconciled (all, or those keyed in ``only``) in batches of ten up front.

        Never fails for one object's reads: a cluster that is missing or forbidden, or a
        service ECS cannot describe, is kept for the Services that ask for it and becomes a
        problem on those alone when they are reconciled."""
        self.world.begin_cycle()
        await self._prefetch(
            s for n, s in state.services.items() if only is None or f"Service/{n}" in only
        )

    async def renew(self, state: DesiredState) -> None:
        """The daemon's resync begins: the ECS services read afresh, in batches of ten.
        Unlike :meth:`begin_cycle` it keeps the secret listing and the IAM roles, which
        the caller renews next (``Secrets.renew``, ``Iam.renew``): a change event's
        reconcile meanwhile answers from the ones before rather than wait seconds."""
        self.world.services.invalidate()
        self.world.forget_idp_reads()
        await self._prefetch(state.services.values())

    async def refresh(self, state: DesiredState, keys: Collection[str]) -> None:
        """Forget the cached reads of what ``keys`` own (their ECS services, and the IAM
        roles they own) and read their ECS services afresh, so their reconciles see the
        world as it is now while every other object keeps the batch reads."""
        services = [s for n, s in state.services.items() if f"Service/{n}" in keys]
        roles = {task_role_name(n) for n in state.roles if f"Role/{n}" in keys}
        self.world.iam.forget(roles | {execution_role_name(s.metadata.name) for s in services})
        self.world.services.forget(_ecs_services(services))
        await self._prefetch(services)

    async def _prefetch(self, services: Iterable[Service]) -> None:
        await self.world.services.prefetch(_ecs_services(services))

    async def prune(
        self, state: DesiredState, *, writes: bool, options: RunOptions | None = None
    ) -> Outcome:
        options = options or RunOptions()
        outcome = Outcome(
            "Controller/prune",
            writes=writes,
            records=writes,
            allowed=options.allowed,
            progress=options.progress,
        )
        reading = reading_for.set(outcome.key)
        try:
            await prune(self.world, state, writes, owners=options.orphans_of, outcome=outcome)
            outcome.finish()
        except NotInPlan as refused:
            change = refused.change
            outcome.problem(change.resource, change.id, "NotInPlan", str(refused))
        finally:
            reading_for.reset(reading)
        return outcome

    async def run(
        self, state: DesiredState, *, writes: bool, options: RunOptions | None = None
    ) -> tuple[Plan, list[Outcome]]:
        """One full pass: plan (``writes=False``) or apply."""
        options = options or RunOptions()
        only = options.only
        await self.begin_cycle(state, only)
        limit = asyncio.Semaphore(self.world.settings.concurrency)

        async def bounded(key: str) -> Outcome:
            async with limit:
                return await self.reconcile(state, key, writes=writes, options=options)

        outcomes: list[Outcome] = []
        for wave in keys_in_order(state):
            chosen = [key for key in wave if only is None or key in only]
            outcomes.extend(await asyncio.gather(*(bounded(key) for key in chosen)))
        wanted = options.orphans_of is None or options.orphans_of
        if wanted and (self.world.settings.prune or options.orphans):
            outcomes.append(await self.prune(state, writes=writes, options=options))
        plan = Plan()
        for outcome in outcomes:
            plan.changes.extend(outcome.changes)
            plan.problems.extend(outcome.problems)
        return plan, outcomes
