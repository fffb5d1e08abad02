"""The controller-only secret ``ecs-oauth/<service>/registration``: RFC 7592 handles.

A registration access token manages a client at the IdP (read, change, delete it), so it
must never sit where a task can read it. It is kept here, keyed by client id (a blue/green
rotation holds two clients at once), with no resource policy, so only the controller's own
identity policy reaches it. It is written only when a handle changes: servers that rotate
the token on every use (Keycloak) change it often, and the task-readable secret, whose
versions tasks and rotations depend on, is then left alone.

Such a server also makes every read a write here, and Secrets Manager advises at most one
PutSecretValue per secret per ten minutes and keeps about 100 versions. So an unchanged
client at such a server is read at most once per ``EngineSettings.rotating_token_read_interval``
(an hour by default): the registration secret remembers when each client was last read
and the digest of the spec it was read against, and a changed spec is read at once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from controller.aws import ObservedSecret
from controller.desired import IdentityProvider
from controller.engine._world import World
from controller.idp import ClientRecord, ClientSpec
from controller.plan._desired import registration_secret_name

DESCRIPTION = "RFC 7592 registration handles of ecs-oauth's OAuth clients; controller only"
TOKEN = "registration_access_token"
URI = "registration_client_uri"

READ_ROTATES = "readRotatesToken"
READS = "reads"
READ_AT = "at"
READ_SPEC = "spec"

Handles = dict[str, dict[str, str]]  # client id -> {TOKEN, URI}
Reads = dict[str, dict[str, str]]  # client id -> {READ_AT: ISO 8601, READ_SPEC: digest}


def spec_digest(spec: ClientSpec) -> str:
    """A short fingerprint of what the client should be: a change makes it read again."""
    text = json.dumps(asdict(spec), default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
    reads: Reads = field(default_factory=dict)

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
        reads: Reads = {}
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
            reads = _reads_of(value.get(READS))
        return cls(world, name, tags, secret, handles, read_rotates, reads)

    def may_rotate_on_read(self, record: ClientRecord) -> bool:
        """Whether reading ``record``'s client could hand out a token that must be saved."""
        return record.registration_access_token is not None and self.read_rotates is not False

    def read_lately(self, record: ClientRecord, spec: ClientSpec, interval: timedelta) -> bool:
        """Whether a read of ``record``'s client, against this same spec, is recent enough
        to skip one that would cost the IdP's token a rotation and this secret a version."""
        if self.read_rotates is not True:
            return False
        last = self.reads.get(record.client_id)
        if last is None or last.get(READ_SPEC) != spec_digest(spec):
            return False
        try:
            at = datetime.fromisoformat(last[READ_AT])
        except (KeyError, ValueError):
            return False
        return datetime.now(UTC) - at < interval

    def attach(self, record: ClientRecord) -> ClientRecord:
        """``record`` with the handles kept for its client, which win over any older copy
        (a task-secret version from before the split)."""
        entry = self.handles.get(record.client_id)
        if entry is None:
            return record
        return replace(
            record, registration_access_token=entry[TOKEN], registration_client_uri=entry[URI]
        )

    async def save(self, records: Iterable[ClientRecord]) -> None:
        """Keep these records' handles; writes a version only when something changed."""
        wanted = self.handles
        for record in records:
            wanted = _with(wanted, record)
        await self._write(wanted, self.read_rotates, self.reads)

    async def save_read(self, read: ClientRecord, spec: ClientSpec, *, rotated: bool) -> None:
        """Keep the handles a read left in force, whether it rotated the token (plans read
        only where it does not), and when it read against which spec."""
        reads = {k: v for k, v in self.reads.items() if k != read.client_id}
        if rotated:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            reads[read.client_id] = {READ_AT: now, READ_SPEC: spec_digest(spec)}
        await self._write(_with(self.handles, read), rotated, reads)

    async def forget(self, client_id: str) -> None:
        """Drop a deleted client's handles."""
        await self._write(
            {k: v for k, v in self.handles.items() if k != client_id},
            self.read_rotates,
            {k: v for k, v in self.reads.items() if k != client_id},
        )

    async def _write(self, wanted: Handles, read_rotates: bool | None, reads: Reads) -> None:
        if wanted == self.handles and read_rotates == self.read_rotates and reads == self.reads:
            return
        secrets = self.world.secrets
        value: dict[str, Any] = {"clients": wanted}
        if read_rotates is not None:
            value[READ_ROTATES] = read_rotates
        if reads:
            value[READS] = reads
        token = str(uuid.uuid4())
        if self.secret is None:
            arn = await secrets.create(self.name, value, self.tags, token, description=DESCRIPTION)
            self.secret = ObservedSecret(self.name, arn, dict(self.tags), {})
        else:
            if self.secret.deleted_date is not None:
                await secrets.restore(self.secret.arn)
                self.secret = replace(self.secret, deleted_date=None)
            await secrets.put(self.secret.arn, value, token)
        self.handles, self.read_rotates, self.reads = wanted, read_rotates, reads


def _with(handles: Handles, record: ClientRecord) -> Handles:
    if not (record.registration_access_token and record.registration_client_uri):
        return handles
    entry = {TOKEN: record.registration_access_token, URI: record.registration_client_uri}
    return {**handles, record.client_id: entry}


def _reads_of(value: object) -> Reads:
    if not isinstance(value, dict):
        return {}
    return {
        client_id: {READ_AT: entry[READ_AT], READ_SPEC: entry[READ_SPEC]}
        for client_id, entry in value.items()
        if isinstance(entry, dict)
        and isinstance(entry.get(READ_AT), str)
        and isinstance(entry.get(READ_SPEC), str)
    }
