"""IAM roles the controller owns: task roles (per Role) and dedicated execution roles."""

from __future__ import annotations

from typing import Any

from controller.aws import ObservedRole
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import KNOWN_AFTER_APPLY, Action, diff_documents
from controller.plan._desired import canonical_policy, is_ours, trust_policy

RESOURCE = "iam:role"


def observed_document(role: ObservedRole, with_inline: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "trustPolicy": canonical_policy(role.trust_policy),
        "tags": role.tags,
        "managedPolicyArns": role.managed_policy_arns,
    }
    if with_inline:
        document["inlinePolicies"] = {
            name: canonical_policy(policy) for name, policy in role.inline_policies.items()
        }
    return document


async def converge_role(
    world: World,
    outcome: Outcome,
    name: str,
    desired: dict[str, Any],
    inline: dict[str, dict[str, Any]],
    *,
    adopt: bool,
    description: str,
) -> str:
    """Bring one role to ``desired``; returns its ARN (or a placeholder in a plan)."""
    role = (await world.iam.roles()).get(name)
    if role is not None and not is_ours(role.tags, world.settings.controller_id) and not adopt:
        outcome.problem(
            RESOURCE,
            name,
            "ResourceNotOwned",
            f"role {name} exists without this controller's tags; set adopt: true to take it over",
        )
        return role.arn
    observed = observed_document(role, "inlinePolicies" in desired) if role else None
    diff = diff_documents(desired, observed)
    if role is None:
        if outcome.change(RESOURCE, name, "create", diff):
            arn = await world.iam.create_role(
                name, trust_policy(world.account_id), desired["tags"], description
            )
            await _attach_and_inline(world, name, [], desired["managedPolicyArns"], inline)
            return arn
        return KNOWN_AFTER_APPLY
    if not diff:
        return role.arn
    action: Action = "update" if is_ours(role.tags, world.settings.controller_id) else "adopt"
    if outcome.change(RESOURCE, name, action, diff):
        paths = {change.path.split(".", 1)[0] for change in diff}
        if "trustPolicy" in paths:
            await world.iam.update_trust(name, trust_policy(world.account_id))
        if "tags" in paths:
            await world.iam.tag(name, desired["tags"])
        changed_inline = inline if "inlinePolicies" in paths else {}
        await _attach_and_inline(
            world, name, role.managed_policy_arns, desired["managedPolicyArns"], changed_inline
        )
    return role.arn


async def _attach_and_inline(
    world: World,
    name: str,
    current: list[str],
    wanted: list[str],
    inline: dict[str, dict[str, Any]],
) -> None:
    if sorted(current) != sorted(wanted):
        await world.iam.set_managed_policies(name, current, wanted)
    for policy_name, document in inline.items():
        await world.iam.put_inline_policy(name, policy_name, document)
