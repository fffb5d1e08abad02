"""A Service's task-definition family: its latest revision, and a new one wiring the
task role, the execution role and the credentials where the latest is not wired so.

Only the owned fields change (SPEC); everything else of the latest revision is copied,
so a team's own edits survive every revision the controller registers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controller.desired._kinds import TaskDefinitionRef
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import KNOWN_AFTER_APPLY, diff_documents
from controller.plan._desired import (
    observed_task_definition,
    patched_task_definition,
    task_definition_document,
    task_role_name,
)

TASK_DEFINITION = "ecs:task-definition"
Revision = tuple[str, dict[str, Any]]  # ARN, DescribeTaskDefinition's answer


@dataclass(frozen=True)
class Wiring:
    """What the revision must carry for the Service's tasks to get their identity."""

    role: str  # the desired Role's name
    execution_role_arn: str
    secret_arn: str
    token_endpoint: str
    scopes: list[str]


async def latest_revision(
    world: World, outcome: Outcome, ref: TaskDefinitionRef
) -> Revision | None:
    """The family's latest ACTIVE revision, if it can be wired."""
    outcome.at(TASK_DEFINITION)
    latest_arn = await world.task_definitions.latest_arn(ref.family)
    if latest_arn is None:
        outcome.problem(
            TASK_DEFINITION,
            ref.family,
            "TaskDefinitionMissing",
            f"family {ref.family} has no ACTIVE revision yet; register one and it will be wired",
        )
        return None
    described = await world.task_definitions.describe(latest_arn)
    containers = described["taskDefinition"].get("containerDefinitions", [])
    if ref.container not in {c.get("name") for c in containers}:
        outcome.problem(
            TASK_DEFINITION,
            ref.family,
            "ContainerMissing",
            f"{latest_arn.rsplit('/', 1)[-1]} has no container named {ref.container}",
        )
        return None
    return latest_arn, described


async def wired_revision(
    world: World,
    outcome: Outcome,
    ref: TaskDefinitionRef,
    latest: Revision,
    wiring: Wiring,
    tags: dict[str, str],
) -> str | None:
    """The revision to run: the latest when it is wired as ``wiring`` says, else a new one
    (or ``(known after apply)`` in a plan)."""
    outcome.at(TASK_DEFINITION)
    latest_arn, described = latest
    definition = described["taskDefinition"]
    role = await world.iam.find(task_role_name(wiring.role))
    desired = task_definition_document(
        ref.container,
        role.arn if role else KNOWN_AFTER_APPLY,
        wiring.execution_role_arn,
        wiring.secret_arn,
        wiring.token_endpoint,
        wiring.scopes,
    )
    diff = diff_documents(desired, observed_task_definition(definition, ref.container))
    outcome.resources["taskDefinitionArn"] = latest_arn
    if not diff:
        return latest_arn
    if outcome.change(TASK_DEFINITION, ref.family, "update", diff):
        kept = [t for t in described["tags"] if t["key"] not in tags]
        arn = await world.task_definitions.register(
            patched_task_definition(definition, desired),
            [*kept, *({"key": k, "value": v} for k, v in tags.items())],
        )
        outcome.resources["taskDefinitionArn"] = arn
        return arn
    return KNOWN_AFTER_APPLY
