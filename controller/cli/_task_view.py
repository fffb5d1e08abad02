"""What a task of one Service starts from, read the way ECS reads it: the service's secret
at AWSCURRENT and the ``OAUTH_*`` environment it becomes. Shared by ``token`` and
``doctor``; imported only by their handlers, since it pulls in the AWS stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ecs_oauth_client import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_SCOPE, ENV_TOKEN_ENDPOINT

from controller.aws import AwsClients, AwsError, Secrets, call
from controller.desired import DesiredState, Service
from controller.plan._desired import secret_name

TASK_KEYS = {
    "client_id": ENV_CLIENT_ID,
    "client_secret": ENV_CLIENT_SECRET,
    "token_endpoint": ENV_TOKEN_ENDPOINT,
    "scope": ENV_SCOPE,
}
"""Secret keys a task needs, and the variable each becomes."""
APPLY = "run ecs-oauth apply"
PERMISSIONS = "check this machine's AWS credentials and permissions"


class NotReady(Exception):
    """Something a task needs is missing: ``problem`` says what, ``fix`` what to do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}: {fix}")
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class ServiceSecret:
    """The AWSCURRENT version of ``ecs-oauth/<service>``. ``repr`` leaves the value out."""

    name: str
    arn: str
    version_id: str
    created: datetime | None
    value: dict[str, Any] = field(repr=False)

    def task_environment(self) -> dict[str, str]:
        """The variables a task gets: the credentials via ``secrets``, the rest via
        ``environment`` (the controller writes both from the same values)."""
        missing = [key for key in TASK_KEYS if not _text(self.value.get(key))]
        if missing:
            raise NotReady(f"secret {self.name} lacks {', '.join(missing)}", APPLY)
        return {variable: str(self.value[key]) for key, variable in TASK_KEYS.items()}


def find_service(state: DesiredState, name: str, path: Path) -> Service:
    service = state.services.get(name)
    if service is None:
        known = ", ".join(sorted(state.services)) or "none"
        raise NotReady(f"no Service named {name} in {path}", f"Services there: {known}")
    return service


def open_aws(region: str | None) -> AwsClients:
    return AwsClients(region=region, max_connections=4)


async def read_secret(aws: AwsClients, service: str) -> ServiceSecret:
    """The secret at AWSCURRENT, asked for by stage as ECS does."""
    name = secret_name(service)
    try:
        described = await Secrets(aws).describe(name)
    except AwsError as exc:
        raise NotReady(f"secret {name} cannot be described ({exc.code})", PERMISSIONS) from exc
    if described is None:
        raise NotReady(f"secret {name} does not exist", f"{APPLY} first")
    if described.deleted_date is not None:
        raise NotReady(
            f"secret {name} is scheduled for deletion", f"{APPLY} first (it restores the secret)"
        )
    try:
        # Read here rather than through Secrets.value: the version's CreatedDate matters to
        # the doctor, and a value that is not JSON must become a finding, not a crash.
        response = await call(
            aws.client("secretsmanager"),
            "GetSecretValue",
            SecretId=described.arn,
            VersionStage="AWSCURRENT",
        )
    except AwsError as exc:
        raise NotReady(
            f"secret {name} is not readable at AWSCURRENT ({exc.code})",
            f"{PERMISSIONS}, or {APPLY} if it has no current version",
        ) from exc
    try:
        value = json.loads(response.get("SecretString") or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise NotReady(f"secret {name} does not hold a JSON object", APPLY)
    return ServiceSecret(
        name=name,
        arn=described.arn,
        version_id=response["VersionId"],
        created=response.get("CreatedDate"),
        value=value,
    )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
