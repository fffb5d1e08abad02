"""Reconcile one Service: its OAuth client, secrets, secret access, task definition, service.

Steps run in dependency order and each reads the live resource afresh (level-based). In a
plan, ids that only exist after an earlier write are shown as ``(known after apply)``.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from controller.aws import ObservedSecret
from controller.desired import DesiredState
from controller.engine._client_documents import (
    client_document,
    observed_client_document,
    replaced_credentials,
)
from controller.engine._client_intent import Intent, intent_of, registered_before
from controller.engine._converged import CONVERGED_TAG
from controller.engine._ecs_service import roll_ecs_service
from controller.engine._outcome import Outcome
from controller.engine._registrations import Registrations
from controller.engine._rotation_plan import PHASE_TAG, ROTATED_AT_TAG
from controller.engine._secret_access import AccessBlocked, SecretAccess
from controller.engine._secret_record import foreign_keys, record_from_value, value_with_record
from controller.engine._task_definition import Wiring, latest_revision, wired_revision
from controller.engine._world import World
from controller.idp import (
    ClientRecord,
    ClientSpec,
    IdentityProviderAdapter,
    IdpError,
    IdpManagementLost,
    IdpUnmanageable,
    ObservedClient,
)
from controller.plan import KNOWN_AFTER_APPLY, SENSITIVE, Action, FieldChange, diff_documents
from controller.plan._desired import (
    claim,
    client_name,
    is_ours,
    owner_tags,
    secret_name,
    secret_value,
)

CLIENT = "idp:client"
SECRET = "secretsmanager:secret"
# How long before a client secret expires (beyond the grace period) a person hears of it.
EXPIRY_LEAD = timedelta(days=7)


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
        self.provider = state.service_provider(name)
        self.idp: IdentityProviderAdapter = world.idp(self.provider)
        self.registrations = Registrations(world, "", self.tags)  # read in _steps
        self.secret: ObservedSecret | None = None  # the task-readable secret, read in _steps
        self.intent: Intent | None = None  # a client creation under way (_client_intent)
        self.secret_created = False  # by this pass, to hold an intent
        self.credentials_replaced = False
        # A client this plan would create (or recreate): its id and secret are known only
        # after apply, yet they will replace those the secret holds.
        self.client_planned = False

    async def run(self) -> None:
        with contextlib.suppress(_Blocked, AccessBlocked):  # already reported as a problem
            await self._steps()

    async def _steps(self) -> None:
        self.secret = await self._owned_secret()
        if self.secret is not None and self.secret.deleted_date and not self.outcome.writes:
            return  # nothing past the restore can be read until the restore happens
        self.registrations = await Registrations.of(self.world, self.provider, self.name, self.tags)
        record = await self._record()
        record = await self._client(record)
        secret_arn = await self._secret(record)
        ref = self.service.spec.task_definition
        latest = await latest_revision(self.world, self.outcome, ref)
        access = SecretAccess(
            self.world, self.outcome, self.name, self.tags, self.service.spec.adopt
        )
        execution_role_arn = await access.grant(
            secret_arn,
            self.service.spec.execution_role_arn,
            latest[1]["taskDefinition"] if latest else None,
        )
        if latest is None or execution_role_arn is None:
            return
        endpoints = await self.idp.endpoints()
        wiring = Wiring(
            self.service.spec.role,
            execution_role_arn,
            secret_arn,
            endpoints.token_endpoint,
            self.scopes,
        )
        revision = await wired_revision(self.world, self.outcome, ref, latest, wiring, self.tags)
        await roll_ecs_service(
            self.world, self.outcome, self.service.spec, revision, self.credentials_replaced
        )

    # -- secret and client ------------------------------------------------------------

    async def _owned_secret(self) -> ObservedSecret | None:
        """The task-readable secret, described afresh: ListSecrets may lag by minutes and
        would turn an update into a second create."""
        self.outcome.at(SECRET)
        name = secret_name(self.name)
        secret = await self.world.secrets.describe(name)
        if secret is None:
            return None
        verdict = claim(
            f"secret {name}",
            secret.tags,
            self.world.settings.controller_id,
            self.service.spec.adopt,
        )
        if verdict.action == "refuse":
            self.outcome.problem(SECRET, name, verdict.reason, verdict.message)
            raise _Blocked
        self.outcome.resources["secretArn"] = secret.arn
        self.outcome.converged_at = secret.tags.get(CONVERGED_TAG)
        if secret.deleted_date is not None:
            diff = (FieldChange("deletedDate", str(secret.deleted_date), None),)
            if self.outcome.change(SECRET, name, "update", diff):
                await self.world.secrets.restore(secret.arn)
        return secret

    async def _record(self) -> ClientRecord | None:
        if self.secret is None:
            return None
        value = await self.world.secrets.value(self.secret)
        record = record_from_value(value) if value else None
        if record is None:
            self.intent = intent_of(value, self.client_spec.name)
        return self.registrations.attach(record) if record else None

    async def _client(self, record: ClientRecord | None) -> ClientRecord | None:
        self.outcome.at(CLIENT)
        try:
            return await self._converge_client(record)
        except IdpManagementLost as exc:
            await self._keep_newest(exc)
            client_id = record.client_id if record else "-"
            self.outcome.problem(
                CLIENT,
                client_id,
                "RegistrationAccessTokenLost",
                f"{exc}. The client may still exist and tasks keep using it, so no new one "
                "is registered: ask an IdP administrator to delete the client or issue a new "
                "registration access token",
            )
            raise _Blocked from None
        except IdpUnmanageable as exc:
            leftover = "" if exc.deleted else f"; delete client {exc.client_id} at the IdP by hand"
            self.outcome.problem(CLIENT, exc.client_id, "ClientUnmanageable", f"{exc}{leftover}")
            raise _Blocked from None
        except IdpError as exc:
            await self._keep_newest(exc)
            raise

    async def _keep_newest(self, exc: IdpError) -> None:
        """A call that rotated the registration access token before failing: the old token
        is dead, so the new one is saved whatever happens next."""
        if exc.newest_record is not None and self.outcome.records:
            await self.registrations.save([exc.newest_record])

    async def _converge_client(self, record: ClientRecord | None) -> ClientRecord | None:
        if record is not None and self._leaves_unread(record):
            self.outcome.resources["clientId"] = record.client_id
            return record
        observed = await self.idp.read(record) if record else None
        if observed is not None and record is not None:
            record = await self._keep_handles(record, observed)
        if observed is None:
            return await self._create_client(record)
        assert record is not None
        record = self._with_issued_secret(record, observed)
        self._warn_of_expiry(observed)
        diff = diff_documents(self._client_document(observed), observed_client_document(observed))
        if diff and self.outcome.change(CLIENT, observed.client_id, "update", diff):
            # RFC 7592 servers may rotate the registration access token on update
            # (oidc-provider, Keycloak): the old one is dead, so save the new one now.
            record = await self.idp.update(record, self.client_spec)
        self.outcome.resources["clientId"] = observed.client_id
        if self.outcome.writes:
            await self.registrations.save([record])  # also moves handles out of old versions
        return record

    def _leaves_unread(self, record: ClientRecord) -> bool:
        """Where a read rotates the registration access token: a plan writes nothing, so it
        could not keep the new token and the old one would be dead for the daemon; and a
        writer reads an unchanged client only once per interval, since each read costs
        the registration secret a version."""
        if not self.registrations.may_rotate_on_read(record):
            return False
        if not self.outcome.records:
            return True
        interval = self.world.settings.rotating_token_read_interval
        return self.registrations.read_lately(record, self.client_spec, interval)

    async def _keep_handles(self, record: ClientRecord, observed: ObservedClient) -> ClientRecord:
        """The handles a read left in force. An IdP that rotated the registration access
        token on the read (Keycloak does) killed the old one: the new one is saved now, or
        the client is lost for good. Whether it rotated is remembered for plans."""
        rotated = observed.record != record
        if record.registration_access_token is None:
            return record
        if self.outcome.records:
            await self.registrations.save_read(observed.record, self.client_spec, rotated=rotated)
        elif rotated:
            self.outcome.problem(
                CLIENT,
                record.client_id,
                "RegistrationTokenRotated",
                "the IdP handed out a new registration access token on a read, which a plan "
                "may not save; run apply or let the daemon reconcile before the next plan",
            )
        return observed.record

    def _warn_of_expiry(self, observed: ObservedClient) -> None:
        """RFC 7591 lets a server expire a client secret (``client_secret_expires_at``): say
        so while a rotation can still replace it without downtime."""
        expires = observed.secret_expires_at
        if expires is None:
            return
        lead = self.service.spec.secret.grace_period + EXPIRY_LEAD
        if expires - datetime.now(UTC) < lead:
            self.outcome.problem(
                CLIENT,
                observed.client_id,
                "ClientSecretExpiring",
                f"the IdP expires the client secret at {expires.isoformat()}; run "
                f"ecs-oauth rotate {self.name} before then",
            )

    def _with_issued_secret(self, record: ClientRecord, observed: ObservedClient) -> ClientRecord:
        """The record with the client secret the IdP reports, where it reports one and no
        rotation ever ran: a stored secret rewritten by hand then shows as drift instead of
        401s at every task start. After a rotation the IdP may keep reporting the first
        secret (Cognito echoes only the one it generated), so the record is trusted."""
        issued = observed.client_secret
        tags = self.secret.tags if self.secret is not None else {}
        if not issued or issued == record.client_secret or PHASE_TAG in tags:
            return record
        if ROTATED_AT_TAG in tags:
            return record
        return replace(record, client_secret=issued)

    async def _create_client(self, lost: ClientRecord | None) -> ClientRecord | None:
        orphan = await self.idp.find_by_name(self.client_spec.name)
        if orphan is not None and (lost is None or orphan.client_id != lost.client_id):
            if self.intent is not None:  # ours: an interrupted creation made it
                return await self._take_over(orphan, "create")
            if not self.service.spec.adopt:
                self.outcome.problem(
                    CLIENT,
                    orphan.client_id,
                    "ResourceNotOwned",
                    f"a client named {self.client_spec.name} exists but no secret of this "
                    "controller records it; set adopt: true to take it over",
                )
                raise _Blocked
            return await self._take_over(orphan, "adopt")
        if self.intent is not None and self.outcome.records:
            found = await registered_before(
                self.idp, self.registrations, writes=self.outcome.writes
            )
            if found is not None:
                return await self._take_over(found, "create")
        diff = diff_documents(self._client_document(), None)
        self.client_planned = not self.outcome.writes
        if self.outcome.change(CLIENT, self.client_spec.name, "create", diff):
            intent = self.intent or await self._declare(Intent.new(self.client_spec.name))
            record = await self.idp.create(self.client_spec, intent.client_secret)
            self.outcome.resources["clientId"] = record.client_id
            await self.registrations.save([record])
            if record.registration_access_token is not None:
                # One read now says whether reads rotate the token here, so that plans
                # know from the start whether they may read this client.
                observed = await self.idp.read(record)
                if observed is not None:
                    record = await self._keep_handles(record, observed)
            return record
        return None

    async def _take_over(self, found: ClientRecord, action: Action) -> ClientRecord:
        """A client this controller records nowhere yet: converge it to the spec and keep
        its handles, so it is ours from here on."""
        diff = diff_documents(self._client_document(), None)
        if self.outcome.change(CLIENT, found.client_id, action, diff):
            taken = await self.idp.update(found, self.client_spec)
            await self.registrations.save([taken])
            return taken
        return found

    async def _declare(self, intent: Intent) -> Intent:
        """Record the client about to be created before creating it."""
        name, token = secret_name(self.name), str(uuid.uuid4())
        if self.secret is None:
            arn = await self.world.secrets.create(name, intent.value({}), self.tags, token)
            self.secret = ObservedSecret(name, arn, dict(self.tags), {})
            self.secret_created = True
        else:
            await self.world.secrets.put(self.secret.arn, intent.value({}), token)
        self.intent = intent
        return intent

    def _client_document(self, observed: ObservedClient | None = None) -> dict[str, Any]:
        return client_document(self.client_spec, observed)

    async def _secret(self, record: ClientRecord | None) -> str:
        self.outcome.at(SECRET)
        secret = self.secret
        endpoints = await self.idp.endpoints()
        desired_value = secret_value(
            record.client_id if record else None,
            record.client_secret if record else None,
            endpoints.token_endpoint,
            self.scopes,
            endpoints.issuer,
        )
        name = secret_name(self.name)
        if secret is None or self.secret_created:
            # Created this pass to hold the intent: still a create as far as anyone can tell.
            diff = diff_documents({"value": desired_value, "tags": self.tags}, None)
            if self.outcome.change(SECRET, name, "create", diff) and record is not None:
                value, token = value_with_record(desired_value, record), str(uuid.uuid4())
                if secret is None:
                    arn = await self.world.secrets.create(name, value, self.tags, token)
                else:
                    arn = secret.arn
                    await self.world.secrets.put(arn, value, token)
                self.outcome.resources["secretArn"] = arn
                return arn
            return KNOWN_AFTER_APPLY
        observed_value = await self.world.secrets.value(secret) or {}
        diff = diff_documents(
            {"value": desired_value, "tags": self.tags},
            {"value": observed_value, "tags": secret.tags},
        ) + tuple(
            FieldChange(f"value.{key}", SENSITIVE, None) for key in foreign_keys(observed_value)
        )
        if record is None and self.client_planned:
            diff += replaced_credentials(diff, observed_value)
        if not diff:
            return secret.arn
        ours = is_ours(secret.tags, self.world.settings.controller_id)
        action: Action = "update" if ours else "adopt"
        # Tasks read the secret only when they start: new credentials need new tasks.
        self.credentials_replaced = any(
            change.path in ("value.client_id", "value.client_secret") for change in diff
        )
        if self.outcome.change(SECRET, name, action, diff) and record is not None:
            if any(change.path.startswith("value.") for change in diff):
                value = value_with_record(desired_value, record)
                await self.world.secrets.put(secret.arn, value, str(uuid.uuid4()))
            if any(change.path.startswith("tags.") for change in diff):
                await self.world.secrets.tag(secret.arn, self.tags)
        return secret.arn
