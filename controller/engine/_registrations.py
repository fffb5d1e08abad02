"""The controller-only secret ``ecs-oauth/<service>/registration``: RFC 7592 handles.

A registration access token manages a client at the IdP (read, change, delete it), so it
must never sit where a task can read it. It is kept here, keyed by client id (a blue/green
rotation holds two clients at once), with no resource policy, so only the controller's own
identity policy reaches it. It is written only when a handle changes: servers that rotate
the token on every use (Keycloak) change it often, and the task-readable secret, whose
versions tasks and rotations depend on, is then left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from controller.aws import ObservedSecret
from controller.desired import IdentityProvider
from controller.engine._world import World
from controller.idp import ClientRecord
from controller.plan._desired import registration_secret_name

DESCRIPTION = "RFC 7592 registration handles of ecs-oauth's OAuth clients; controller only"
TOKEN = "registration_access_token"
URI = "registration_client_uri"

READ_ROTATES = "readRotatesToken"

Handles = dict[str, dict[str, str]]  # client id -> {TOKEN, URI}


@dataclass
class Registrations:
    """One service's registration handles as read at the start of a reconcile."""

    world: World
    name: str
    tags: dict[str, str]
    secret: ObservedSecret | None = None
    handles: Handles = field(default_factory=dict)
    # Whether an RFC 7592 read hands out a new token at this IdP (Keycloak: every use),
    # as last seen by apply or the daemon; None until one has read. A plan reads only
    # where this is False: it could not save a new token, and the old one would be dead.
    read_rotates: bool | None = None

    @classmethod
    async def of(
        cls, world: World, provider: IdentityProvider, service: str, tags: dict[str, str]
    ) -> Registrations:
        """The service's handles; none to read where the IdP is Cognito (no RFC 7592)."""
        if provider.spec.oidc is None:
            return cls(world, registration_secret_name(service), tags)
        return await cls.load(world, service, tags)

    @classmethod
    async def load(cls, world: World, service: str, tags: dict[str, str]) -> Registrations:
        name = registration_secret_name(service)
        secret = await world.secrets.describe(name)
        handles: Handles = {}
        read_rotates = None
        if secret is not None and secret.deleted_date is None:
            value = await world.secrets.value(secret) or {}
            flag = value.get(READ_ROTATES)
            read_rotates = flag if isinstance(flag, bool) else None
            clients = value.get("clients")
            if isinstance(clients, dict):
                handles = {
                    client_id: {TOKEN: entry[TOKEN], URI: entry[URI]}
                    for client_id, entry in clients.items()
                    if isinstance(entry, dict)
                    and isinstance(entry.get(TOKEN), str)
                    and isinstance(entry.get(URI), str)
                }
        return cls(world, name, tags, secret, handles, read_rotates)

    def may_rotate_on_read(self, record: ClientRecord) -> bool:
        """Whether reading ``record``'s client could hand out a token that must be saved."""
        return record.registration_access_token is not None and self.read_rotates is not False

    def attach(self, record: ClientRecord) -> ClientRecord:
        """``record`` with the handles kept for its client, which win over any older copy
        (a task-secret version from before the split)."""
        entry = self.handles.get(record.client_id)
        if entry is None:
            return record
        return replace(
            record, registration_access_token=entry[TOKEN], registration_client_uri=entry[URI]
        )

    async def save(
        self, records: Iterable[ClientRecord], *, read_rotates: bool | None = None
    ) -> None:
        """Keep these records' handles (and what a read showed of the IdP's token
        rotation); writes a version only when something changed."""
        wanted = dict(self.handles)
        for record in records:
            if record.registration_access_token and record.registration_client_uri:
                wanted[record.client_id] = {
                    TOKEN: record.registration_access_token,
                    URI: record.registration_client_uri,
                }
        await self._write(wanted, self.read_rotates if read_rotates is None else read_rotates)

    async def forget(self, client_id: str) -> None:
        """Drop a deleted client's handles."""
        await self._write(
            {k: v for k, v in self.handles.items() if k != client_id}, self.read_rotates
        )

    async def _write(self, wanted: Handles, read_rotates: bool | None) -> None:
        if wanted == self.handles and read_rotates == self.read_rotates:
            return
        secrets = self.world.secrets
        value: dict[str, Any] = {"clients": wanted}
        if read_rotates is not None:
            value[READ_ROTATES] = read_rotates
        token = str(uuid.uuid4())
        if self.secret is None:
            arn = await secrets.create(self.name, value, self.tags, token, description=DESCRIPTION)
            self.secret = ObservedSecret(self.name, arn, dict(self.tags), {})
        else:
            if self.secret.deleted_date is not None:
                await secrets.restore(self.secret.arn)
                self.secret = replace(self.secret, deleted_date=None)
            await secrets.put(self.secret.arn, value, token)
        self.handles, self.read_rotates = wanted, read_rotates
