"""Drift that survives restarts: each object records, on a resource of its own, the inputs
generation it last converged at.

Argo CD calls an application OutOfSync by comparing live state with git, whatever its own
process remembers; we do the same for drift. A change the controller must make while the
object's inputs are those it last converged at cannot come from an edit of the desired
state, so it is drift: found alike by a restarted daemon, a new replica or ``plan`` by
hand. The record is a tag on the object's anchor (a Service's task-readable secret, a
Role's IAM role), written only when the generation moves, so a steady state costs nothing.
An IdentityProvider owns nothing taggable (its user pool is the platform's): its record is
an item in the lease table, when there is one.
"""

from __future__ import annotations

from dataclasses import replace

from controller.desired import DesiredState, inputs_generation
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import Change
from controller.plan._desired import task_role_name

CONVERGED_TAG = "ecs-oauth.dev/generation"
# A roll of the ECS service follows another correction; it is no drift of its own.
_FOLLOWS = "ecs:service"


def drift_among(changes: list[Change], *, in_sync_before: bool) -> tuple[Change, ...]:
    """The changes that repair drift: all of them, once the object was in sync at the same
    inputs; minus the ECS service roll that merely follows another correction."""
    if not in_sync_before:
        return ()
    causes = [c for c in changes if c.resource != _FOLLOWS]
    return tuple(causes) if causes else tuple(changes)


def mark_drift(world: World, state: DesiredState, outcome: Outcome) -> None:
    """Flag ``outcome``'s changes that are drift by the object's durable record."""
    if outcome.key not in _recorded(world, state):
        return
    in_sync = outcome.converged_at == inputs_generation(state, outcome.key)
    found = {id(change) for change in drift_among(outcome.changes, in_sync_before=in_sync)}
    outcome.changes = [replace(c, drift=True) if id(c) in found else c for c in outcome.changes]


async def record_convergence(world: World, state: DesiredState, outcome: Outcome) -> None:
    """Tag the object's anchor with the generation it now matches, if that moved.

    Only a writer records (never ``plan``), and only an object with nothing left to do:
    changes made, or none found (detect mode included, where the record is the
    controller's bookkeeping, not a correction)."""
    if not outcome.records or outcome.problems or (outcome.changes and not outcome.writes):
        return
    if outcome.key not in _recorded(world, state):
        return
    generation = inputs_generation(state, outcome.key)
    if outcome.converged_at == generation:
        return
    kind, name = outcome.key.split("/", 1)
    if kind == "Role":
        await world.iam.tag(task_role_name(name), {CONVERGED_TAG: generation})
    elif kind == "IdentityProvider" and world.records is not None:
        await world.records.put(outcome.key, generation)
    elif arn := outcome.resources.get("secretArn"):
        await world.secrets.tag(arn, {CONVERGED_TAG: generation})


async def recorded_generation(world: World, key: str) -> str | None:
    """An IdentityProvider's record, from the lease table; None without one."""
    return await world.records.get(key) if world.records is not None else None


def _recorded(world: World, state: DesiredState) -> set[str]:
    """The objects whose record is kept: Services and Roles on resources of their own,
    Cognito identity providers only where a lease table holds it (else the daemon's
    memory)."""
    keys = {f"Service/{name}" for name in state.services} | {f"Role/{name}" for name in state.roles}
    if world.records is not None:  # an OIDC provider has nothing written, so no record
        cognito = [name for name, p in state.providers.items() if p.spec.cognito is not None]
        keys |= {f"IdentityProvider/{name}" for name in cognito}
    return keys
