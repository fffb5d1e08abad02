"""Drift a person can cause by hand: the exact command, ready to paste.

The most telling drift is a deploy that swaps a task's role: a new task-definition
revision, identical to the current one except for ``taskRoleArn``. The sandbox writes
that revision as a request file and prints the ``aws`` command that registers it (and
the same arguments for ``python -m controller.sandbox.aws``, for machines without the aws
CLI). In enforce mode the daemon registers a corrected revision at its next resync and
rolls the ECS service to it; in detect mode it reports the drift and leaves it.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.desired import Service
from controller.sandbox._seed import ClientFactory
from controller.sandbox._taskview import current_task_definition

INTRUDER_ROLE = "sandbox-intruder"
SANDBOX_CREDENTIALS = "AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox"


@dataclass(frozen=True)
class DriftCommand:
    service: str
    mode: str
    arguments: tuple[str, ...]
    """Everything after ``aws``."""

    @property
    def aws(self) -> str:
        """The aws CLI needs credentials to sign with; the sandbox's AWS takes any."""
        return f"{SANDBOX_CREDENTIALS} {shlex.join(['aws', *self.arguments])}"

    @property
    def without_aws_cli(self) -> str:
        return shlex.join([sys.executable, "-m", "controller.sandbox.aws", *self.arguments])


def swapped_role_request(described: dict[str, Any], input_members: set[str]) -> dict[str, Any]:
    """A RegisterTaskDefinition request: the described revision with another task role.

    Only the fields RegisterTaskDefinition accepts are kept (read off the AWS model, so a
    new field passes through), as a deploy pipeline that copies a revision would do.
    """
    definition = described["taskDefinition"]
    request = {key: value for key, value in definition.items() if key in input_members}
    if described.get("tags"):
        request["tags"] = described["tags"]
    account = definition["taskDefinitionArn"].split(":")[4]
    request["taskRoleArn"] = f"arn:aws:iam::{account}:role/{INTRUDER_ROLE}"
    return request


def prepare_drift(
    client: ClientFactory, service: Service, mode: str, aws_url: str, region: str, folder: Path
) -> DriftCommand:
    """Write the request file for ``service`` into ``folder``; the command that sends it."""
    ecs = client("ecs")
    shape = ecs.meta.service_model.operation_model("RegisterTaskDefinition").input_shape
    request = swapped_role_request(current_task_definition(client, service), set(shape.members))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"swap-task-role-{service.metadata.name}.json"
    path.write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")
    arguments = (
        "--endpoint-url",
        aws_url,
        "--region",
        region,
        "ecs",
        "register-task-definition",
        "--cli-input-json",
        f"file://{path}",
    )
    return DriftCommand(service.metadata.name, mode, arguments)
