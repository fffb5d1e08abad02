"""Reconcile one Service: its OAuth client, secret, secret access, task definition, service.

Steps run in dependency order and each reads the live resource afresh (level-based). In a
plan, ids that only exist after an earlier write are shown as ``(known after apply)``.
"""

from __future__ import annotations

import contextlib
import math
import uuid
from datetime import timedelta
from typing import Any

from controller.aws import ObservedSecret
from controller.desired import DesiredState, format_duration
from controller.engine._ecs_service import roll_ecs_service
from controller.engine._outcome import Outcome
from controller.engine._roles import converge_role
from controller.engine._secret_record import record_from_value, value_with_record
from controller.engine._world import World
from controller.idp import ClientRecord, ClientSpec, IdentityProviderAdapter, ObservedClient
from controller.plan import KNOWN_AFTER_APPLY, Action, FieldChange, diff_documents
from controller.plan._desired import (
    EXECUTION_POLICY_ARN,
    SECRET_READ_POLICY,
    canonical_policy,
    client_name,
    execution_role_name,
    is_ours,
    observed_task_definition,
    owner_tags,
    patched_task_definition,
    role_document,
    secret_name,
    secret_read_policy,
    secret_resource_policy,
    secret_value,
    task_definition_document,
    task_role_name,
)

CLIENT = "idp:client"
SECRET = "secretsmanager:secret"
POLICY = "secretsmanager:resource-policy"
TASK_DEFINITION = "ecs:task-definition"


def client_spec(state: DesiredState, service: str) -> ClientSpec:
    """The OAuth client a service should have; a rotation's second client is the same."""
    role = state.roles[state.services[service].spec.role]
    return ClientSpec(
        client_name(service), tuple(state.role_scopes(role.metadata.name)), role.spec.token_lifetime
    )


class _Blocked(Exception):
    """A step found a conflict it reported; the later steps depend on it and stop."""


class ServiceReconciler:
    """One pass over one Service; build a new one per reconcile."""

    def __init__(self, world: World, state: DesiredState, name: str, outcome: Outcome) -> None:
        self.world = world
        self.state = state
        self.name = name
        self.service = state.services[name]
        self.outcome = outcome
        self.tags = owner_tags(world.settings.controller_id, f"Service/{name}")
        self.scopes = state.role_scopes(self.service.spec.role)
        self.client_spec = client_spec(state, name)
        self.idp: IdentityProviderAdapter = world.idp(state.service_provider(name))
        self.credentials_replaced = False

    async def run(self) -> None:
        with contextlib.suppress(_Blocked):  # already reported as a problem on the object
            await self._steps()

    async def _steps(self) -> None:
        secret = await self._owned_secret()
        if secret is not None and secret.deleted_date and not self.outcome.writes:
            return  # nothing past the restore can be read until the restore happens
        record = await self._record(secret)
        record = await self._client(secret, record)
        secret_arn = await self._secret(secret, record)
        execution_role_arn = await self._secret_access(secret, secret_arn)
        revision = await self._task_definition(secret_arn, execution_role_arn)
        await roll_ecs_service(
            self.world, self.outcome, self.service.spec, revision, self.credentials_replaced
        )

    # -- secret and client ------------------------------------------------------------

    async def _owned_secret(self) -> ObservedSecret | None:
        self.outcome.at(SECRET)
        name = secret_name(self.name)
        secret = (await self.world.secrets.listing("ecs-oauth/")).get(name)
        if secret is None:
            return None
        ours = is_ours(secret.tags, self.world.settings.controller_id)
        if not ours and not self.service.spec.adopt:
            self.outcome.problem(
                SECRET,
                name,
                "ResourceNotOwned",
                f"secret {name} exists without this controller's tags; "
                "set adopt: true to take it over",
            )
            raise _Blocked
        self.outcome.resources["secretArn"] = secret.arn
        if secret.deleted_date is not None:
            diff = (FieldChange("deletedDate", str(secret.deleted_date), None),)
            if self.outcome.change(SECRET, name, "update", diff):
                await self.world.secrets.restore(secret.arn)
        return secret

    async def _record(self, secret: ObservedSecret | None) -> ClientRecord | None:
        if secret is None:
            return None
        value = await self.world.secrets.value(secret)
        return record_from_value(value) if value else None

    async def _client(
        self, secret: ObservedSecret | None, record: ClientRecord | None
    ) -> ClientRecord | None:
        self.outcome.at(CLIENT)
        observed = await self.idp.read(record) if record else None
        if observed is not None and record is not None and observed.record != record:
            # The IdP rotated the registration access token on a read (Keycloak does):
            # save it now, even in a plan, or lose the client for good.
            await self._save_record(secret, observed.record)
            record = observed.record
        if observed is None:
            return await self._create_client(record)
        diff = diff_documents(self._client_document(observed), _observed_client_document(observed))
        if diff and self.outcome.change(CLIENT, observed.client_id, "update", diff):
            updated = await self.idp.update(observed.record, self.client_spec)
            if updated != observed.record:
                # RFC 7592 servers may rotate the registration access token on update
                # (oidc-provider, Keycloak): the old one is dead, so save the new one now.
                await self._save_record(secret, updated)
            return updated
        self.outcome.resources["clientId"] = observed.client_id
        return observed.record

    async def _create_client(self, lost: ClientRecord | None) -> ClientRecord | None:
        orphan = await self.idp.find_by_name(self.client_spec.name)
        if orphan is not None and (lost is None or orphan.client_id != lost.client_id):
            if not self.service.spec.adopt:
                self.outcome.problem(
                    CLIENT,
                    orphan.client_id,
                    "ResourceNotOwned",
                    f"a client named {self.client_spec.name} exists but no secret of this "
                    "controller records it; set adopt: true to take it over",
                )
                raise _Blocked
            diff = diff_documents(self._client_document(), None)
            if self.outcome.change(CLIENT, orphan.client_id, "adopt", diff):
                return await self.idp.update(orphan, self.client_spec)
            return orphan
        diff = diff_documents(self._client_document(), None)
        if self.outcome.change(CLIENT, self.client_spec.name, "create", diff):
            record = await self.idp.create(self.client_spec)
            self.outcome.resources["clientId"] = record.client_id
            return record
        return None

    def _client_document(self, observed: ObservedClient | None = None) -> dict[str, Any]:
        document: dict[str, Any] = {
            "name": self.client_spec.name,
            "scopes": list(self.client_spec.scopes),
            "grantTypes": ["client_credentials"],
        }
        if observed is not None and observed.token_lifetime is not None:
            # Only IdPs that report a lifetime (Cognito) can drift in it.
            document["tokenLifetime"] = _lifetime(self.client_spec.token_lifetime)
        return document

    async def _save_record(self, secret: ObservedSecret | None, record: ClientRecord) -> None:
        if secret is None:
            return
        value = await self.world.secrets.value(secret) or {}
        await self.world.secrets.put(
            secret.arn, value_with_record(value, record), str(uuid.uuid4())
        )

    async def _secret(self, secret: ObservedSecret | None, record: ClientRecord | None) -> str:
        self.outcome.at(SECRET)
        endpoints = await self.idp.endpoints()
        desired_value = secret_value(
            record.client_id if record else None,
            record.client_secret if record else None,
            endpoints.token_endpoint,
            self.scopes,
            endpoints.issuer,
        )
        name = secret_name(self.name)
        if secret is None:
            diff = diff_documents({"value": desired_value, "tags": self.tags}, None)
            if self.outcome.change(SECRET, name, "create", diff) and record is not None:
                value = value_with_record(desired_value, record)
                arn = await self.world.secrets.create(name, value, self.tags, str(uuid.uuid4()))
                self.outcome.resources["secretArn"] = arn
                return arn
            return KNOWN_AFTER_APPLY
        observed_value = await self.world.secrets.value(secret)
        diff = diff_documents(
            {"value": desired_value, "tags": self.tags},
            {"value": observed_value, "tags": secret.tags},
        )
        if not diff:
            return secret.arn
        ours = is_ours(secret.tags, self.world.settings.controller_id)
        action: Action = "update" if ours else "adopt"
        if self.outcome.change(SECRET, name, action, diff) and record is not None:
            if any(change.path.startswith("value.") for change in diff):
                # Tasks read the secret only when they start: new credentials need new tasks.
                self.credentials_replaced = any(
                    change.path in ("value.client_id", "value.client_secret") for change in diff
                )
                value = value_with_record(desired_value, record)
                await self.world.secrets.put(secret.arn, value, str(uuid.uuid4()))
            if any(change.path.startswith("tags.") for change in diff):
                await self.world.secrets.tag(secret.arn, self.tags)
        return secret.arn

    # -- access to the secret ------------------------------------------------------------

    async def _secret_access(self, secret: ObservedSecret | None, secret_arn: str) -> str | None:
        """Returns the execution role to set on the task definition, when we own it."""
        self.outcome.at(POLICY)
        shared = self.service.spec.execution_role_arn
        if shared:
            await self._shared_role_exists(shared)
        desired_policy = canonical_policy(secret_resource_policy(shared)) if shared else None
        observed_policy = None
        if secret is not None:
            observed_policy = canonical_policy(await self.world.secrets.resource_policy(secret.arn))
        if desired_policy != observed_policy:
            diff = (FieldChange("resourcePolicy", observed_policy, desired_policy),)
            action: Action = "update" if observed_policy is not None else "create"
            if desired_policy is None:
                action = "delete"
            if self.outcome.change(POLICY, secret_name(self.name), action, diff):
                if shared:
                    await self.world.secrets.put_resource_policy(
                        secret_arn, secret_resource_policy(shared)
                    )
                else:
                    await self.world.secrets.delete_resource_policy(secret_arn)
        if shared:
            return None
        return await self._execution_role(secret_arn)

    async def _shared_role_exists(self, arn: str) -> None:
        """A resource policy naming a role that does not exist is rejected by AWS with a
        vague MalformedPolicyDocument; say what is wrong instead (same account only)."""
        if arn.split(":")[4:5] != [self.world.account_id]:
            return
        if any(role.arn == arn for role in (await self.world.iam.roles()).values()):
            return
        self.outcome.problem(
            POLICY,
            arn,
            "ExecutionRoleMissing",
            f"executionRoleArn {arn} does not exist; create the role or fix executionRoleArn",
        )
        raise _Blocked

    async def _execution_role(self, secret_arn: str) -> str:
        self.outcome.at("iam:role")
        name = execution_role_name(self.name)
        inline = {SECRET_READ_POLICY: secret_read_policy(secret_arn)}
        desired = role_document(self.world.account_id, self.tags, [EXECUTION_POLICY_ARN], inline)
        arn = await converge_role(
            self.world,
            self.outcome,
            name,
            desired,
            inline,
            adopt=self.service.spec.adopt,
            description=f"ECS execution role for ecs-oauth Service/{self.name}",
        )
        self.outcome.resources["executionRoleArn"] = arn
        return arn

    # -- ECS ----------------------------------------------------------------------------

    async def _task_definition(self, secret_arn: str, execution_role_arn: str | None) -> str | None:
        self.outcome.at(TASK_DEFINITION)
        family = self.service.spec.task_definition.family
        container = self.service.spec.task_definition.container
        latest_arn = await self.world.task_definitions.latest_arn(family)
        if latest_arn is None:
            self.outcome.problem(
                TASK_DEFINITION,
                family,
                "TaskDefinitionMissing",
                f"family {family} has no ACTIVE revision yet; register one and it will be wired",
            )
            return None
        described = await self.world.task_definitions.describe(latest_arn)
        definition = described["taskDefinition"]
        if container not in {c.get("name") for c in definition.get("containerDefinitions", [])}:
            self.outcome.problem(
                TASK_DEFINITION,
                family,
                "ContainerMissing",
                f"{latest_arn.rsplit('/', 1)[-1]} has no container named {container}",
            )
            return None
        role_name = task_role_name(self.service.spec.role)
        role = (await self.world.iam.roles()).get(role_name)
        endpoints = await self.idp.endpoints()
        desired = task_definition_document(
            container,
            role.arn if role else KNOWN_AFTER_APPLY,
            execution_role_arn,
            secret_arn,
            endpoints.token_endpoint,
            self.scopes,
        )
        diff = diff_documents(desired, observed_task_definition(definition, container))
        self.outcome.resources["taskDefinitionArn"] = latest_arn
        if not diff:
            return latest_arn
        if self.outcome.change(TASK_DEFINITION, family, "update", diff):
            tags = [
                *[t for t in described["tags"] if t["key"] not in self.tags],
                *[{"key": k, "value": v} for k, v in self.tags.items()],
            ]
            arn = await self.world.task_definitions.register(
                patched_task_definition(definition, desired), tags
            )
            self.outcome.resources["taskDefinitionArn"] = arn
            return arn
        return KNOWN_AFTER_APPLY


def _observed_client_document(observed: ObservedClient) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": observed.name,
        "scopes": sorted(observed.scopes),
        "grantTypes": sorted(observed.grant_types),
    }
    if observed.token_lifetime is not None:
        document["tokenLifetime"] = _lifetime(observed.token_lifetime)
    return document


def _lifetime(value: timedelta) -> str:
    """A token lifetime as IdPs hold it (Cognito: whole minutes, asked for rounded up)."""
    return format_duration(timedelta(minutes=math.ceil(value.total_seconds() / 60)))
