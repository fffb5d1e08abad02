"""Who may read a Service's secret: the execution role its task definition names.

The role is, in order: the Service's ``executionRoleArn``; else the one the latest
revision already names (the team's own role keeps pulling their images, logs and other
secrets); else a dedicated ``ecs-oauth-<service>-exec`` role the controller creates. A role
the controller did not create is never modified: the secret's resource policy grants it
read instead. Whatever the choice, it is the revision's ``executionRoleArn``, since ECS
refuses container ``secrets`` without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controller.engine._outcome import Outcome
from controller.engine._roles import converge_role
from controller.engine._world import World
from controller.plan import KNOWN_AFTER_APPLY, Action, FieldChange
from controller.plan._desired import (
    EXECUTION_POLICY_ARN,
    SECRET_READ_POLICY,
    canonical_policy,
    execution_role_name,
    role_document,
    secret_name,
    secret_read_policy,
    secret_resource_policy,
)

POLICY = "secretsmanager:resource-policy"


class AccessBlocked(Exception):
    """The execution role cannot be used; the problem is already on the outcome."""


@dataclass(frozen=True)
class SecretAccess:
    """One Service's secret and the revision whose execution role must read it."""

    world: World
    outcome: Outcome
    service: str
    tags: dict[str, str]
    adopt: bool

    async def grant(
        self, secret_arn: str, declared: str | None, revision: dict[str, Any] | None
    ) -> str | None:
        """The execution role the revision must name, with read access to the secret;
        None while the family has no revision to read a role from."""
        self.outcome.at(POLICY)
        chosen = declared or (revision or {}).get("executionRoleArn")
        if chosen and _role_name(chosen) == execution_role_name(self.service):
            chosen = None  # our dedicated role, named by an earlier revision: still ours
        if chosen is None and declared is None and revision is None:
            return None
        if chosen:
            await self._usable(chosen)
        await self._resource_policy(secret_arn, chosen)
        if chosen:
            return chosen
        return await self._dedicated_role(secret_arn)

    async def _usable(self, arn: str) -> None:
        """A role of another account cannot read this account's secret through ECS; a role
        that does not exist makes AWS answer a vague MalformedPolicyDocument. Say which."""
        account = arn.split(":")[4] if arn.count(":") >= 5 else ""
        if account != self.world.account_id:
            self._blocked(
                arn,
                "ExecutionRoleInAnotherAccount",
                f"execution role {arn} belongs to account {account or '?'}, the secret to "
                f"{self.world.account_id}; use a role of the same account",
            )
        found = await self.world.iam.find(_role_name(arn))
        if found is not None and found.arn == arn:
            return
        self._blocked(
            arn,
            "ExecutionRoleMissing",
            f"execution role {arn} does not exist; create the role or fix executionRoleArn",
        )

    def _blocked(self, arn: str, reason: str, message: str) -> None:
        self.outcome.problem(POLICY, arn, reason, message)
        raise AccessBlocked

    async def _resource_policy(self, secret_arn: str, role_arn: str | None) -> None:
        """Read for exactly ``role_arn`` on the secret itself; none for the dedicated role,
        whose own inline policy grants it."""
        secrets = self.world.secrets
        desired = canonical_policy(secret_resource_policy(role_arn)) if role_arn else None
        observed = None
        if secret_arn != KNOWN_AFTER_APPLY:
            observed = canonical_policy(await secrets.resource_policy(secret_arn))
        if desired == observed:
            return
        action: Action = "create" if observed is None else "update"
        if desired is None:
            action = "delete"
        diff = (FieldChange("resourcePolicy", observed, desired),)
        if self.outcome.change(POLICY, secret_name(self.service), action, diff):
            if role_arn:
                await secrets.put_resource_policy(secret_arn, secret_resource_policy(role_arn))
            else:
                await secrets.delete_resource_policy(secret_arn)

    async def _dedicated_role(self, secret_arn: str) -> str:
        self.outcome.at("iam:role")
        inline = {SECRET_READ_POLICY: secret_read_policy(secret_arn)}
        desired = role_document(self.world.account_id, self.tags, [EXECUTION_POLICY_ARN], inline)
        arn = await converge_role(
            self.world,
            self.outcome,
            execution_role_name(self.service),
            desired,
            inline,
            adopt=self.adopt,
            description=f"ECS execution role for ecs-oauth Service/{self.service}",
        )
        self.outcome.resources["executionRoleArn"] = arn
        return arn


def _role_name(arn: str) -> str:
    """The role's name: an ARN's last path segment (``role/path/to/name``)."""
    return arn.rsplit("/", 1)[-1]
