"""IAM roles the controller owns: task roles (per Role) and dedicated execution roles.

Every owned field is diffed both ways: an inline policy somebody added to an owned role is
drift too, removed on apply (a task role owns none, an execution role exactly one).

The permissions boundary (``tenancy.permissionsBoundaryArn``) is owned only while it is
set: a role whose boundary differs gets the configured one, but with the setting null a
boundary found on a role is left in place, never removed.
"""

from __future__ import annotations

from typing import Any

from controller.aws import ObservedRole, RoleExists
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import KNOWN_AFTER_APPLY, Action, FieldChange, diff_documents
from controller.plan._desired import (
    EXECUTION_ROLE_PATH,
    ROLE_PATHS,
    canonical_policy,
    claim,
    trust_policy,
)

RESOURCE = "iam:role"


def observed_document(
    role: ObservedRole, with_inline: bool, with_boundary: bool = False
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "trustPolicy": canonical_policy(role.trust_policy),
        "tags": role.tags,
        "managedPolicyArns": role.managed_policy_arns,
    }
    if with_boundary:
        document["permissionsBoundary"] = role.permissions_boundary_arn
    if with_inline:
        document["inlinePolicies"] = {
            name: canonical_policy(policy) for name, policy in role.inline_policies.items()
        }
    return document


def path_conflict(role: ObservedRole, path: str) -> str | None:
    """The kind of role found at ``role``'s path when that is another kind's path.

    IAM role names are unique per account whatever the path: ``ecs-oauth-<role>`` (task
    role) and ``ecs-oauth-<service>-exec`` (execution role) can name the same role. A
    role at any other path (``/``, or a team's own) is converged as found.
    """
    if role.path != path and role.path in ROLE_PATHS:
        return ROLE_PATHS[role.path]
    return None


def unwanted_inline(desired: dict[str, Any], role: ObservedRole) -> tuple[FieldChange, ...]:
    """Inline policies on the role that ``desired`` does not name, when it owns them all.

    A diff only compares what the desired document names; inline policies are owned as a
    whole set, so one added by hand is a change too (to nothing).
    """
    if "inlinePolicies" not in desired:
        return ()
    return tuple(
        FieldChange(f"inlinePolicies.{name}", canonical_policy(policy), None)
        for name, policy in sorted(role.inline_policies.items())
        if name not in desired["inlinePolicies"]
    )


async def converge_role(
    world: World,
    outcome: Outcome,
    name: str,
    desired: dict[str, Any],
    inline: dict[str, dict[str, Any]],
    *,
    adopt: bool,
    description: str,
    path: str = EXECUTION_ROLE_PATH,
) -> str:
    """Bring one role at ``path`` to ``desired``; returns its ARN (or a placeholder in a plan).

    ``desired`` is :func:`controller.plan._desired.role_document`'s; its trust policy is
    set here (it needs the account and Region). With an ``inlinePolicies`` key, the role
    owns exactly ``inline``: others found on it are deleted.
    """
    trust = trust_policy(world.account_id, world.aws.region)
    desired = {"trustPolicy": canonical_policy(trust), **desired}
    boundary = world.settings.permissions_boundary_arn
    if boundary:
        desired["permissionsBoundary"] = boundary
    role = await world.iam.find(name)
    if role is None:
        diff = diff_documents(desired, None)
        if not outcome.change(RESOURCE, name, "create", diff):
            return KNOWN_AFTER_APPLY
        try:
            arn = await world.iam.create_role(
                name, trust, desired["tags"], description, path, permissions_boundary=boundary
            )
        except RoleExists as exists:
            # Created moments ago, too recently for the batch read: converge it as found.
            outcome.changes.pop()
            role = exists.role
        else:
            await _attach_and_inline(world, name, [], desired["managedPolicyArns"], inline, {})
            return arn
    return await _converge_found(world, outcome, role, desired, inline, adopt=adopt, path=path)


async def _converge_found(
    world: World,
    outcome: Outcome,
    role: ObservedRole,
    desired: dict[str, Any],
    inline: dict[str, dict[str, Any]],
    *,
    adopt: bool,
    path: str,
) -> str:
    name = role.name
    other_kind = path_conflict(role, path)
    if other_kind is not None:
        outcome.problem(
            RESOURCE,
            name,
            "RoleNameConflict",
            f"role {name} already exists as an ecs-oauth {other_kind} (path {role.path}); "
            "IAM role names are unique per account: rename the Role or the Service",
        )
        return role.arn
    verdict = claim(f"role {name}", role.tags, world.settings.controller_id, adopt)
    if verdict.action == "refuse":
        outcome.problem(RESOURCE, name, verdict.reason, verdict.message)
        return role.arn
    ours = verdict.action == "update"
    observed = observed_document(
        role, "inlinePolicies" in desired, with_boundary="permissionsBoundary" in desired
    )
    diff = diff_documents(desired, observed)
    diff += unwanted_inline(desired, role)
    if not diff:
        return role.arn
    action: Action = "update" if ours else "adopt"
    if outcome.change(RESOURCE, name, action, diff):
        paths = {change.path.split(".", 1)[0] for change in diff}
        if "trustPolicy" in paths:
            await world.iam.update_trust(name, trust_policy(world.account_id, world.aws.region))
        if "tags" in paths:
            await world.iam.tag(name, desired["tags"])
        if "permissionsBoundary" in paths:
            await world.iam.put_boundary(name, desired["permissionsBoundary"])
        current_inline = role.inline_policies if "inlinePolicies" in paths else {}
        changed_inline = {
            policy_name: document
            for policy_name, document in inline.items()
            if "inlinePolicies" in paths
            and canonical_policy(current_inline.get(policy_name)) != canonical_policy(document)
        }
        extra = [policy_name for policy_name in current_inline if policy_name not in inline]
        await _attach_and_inline(
            world,
            name,
            role.managed_policy_arns,
            desired["managedPolicyArns"],
            changed_inline,
            {policy_name: current_inline[policy_name] for policy_name in extra},
        )
    return role.arn


async def _attach_and_inline(
    world: World,
    name: str,
    current: list[str],
    wanted: list[str],
    inline: dict[str, dict[str, Any]],
    unwanted: dict[str, dict[str, Any]],
) -> None:
    if sorted(current) != sorted(wanted):
        await world.iam.set_managed_policies(name, current, wanted)
    for policy_name, document in inline.items():
        await world.iam.put_inline_policy(name, policy_name, document)
    for policy_name in sorted(unwanted):
        await world.iam.delete_inline_policy(name, policy_name)
