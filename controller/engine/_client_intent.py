"""Intent before effect for a Service's first OAuth client.

A client exists at the IdP before any record of it can: a controller killed between the
create and the write of its record would leave a client no secret names (Cognito then
calls the controller's own client ``ResourceNotOwned``; an RFC 7591 registration cannot
even be listed, so it would leak for good). So, as Secrets Manager's rotation protocol
stages AWSPENDING before it changes anything, the task-readable secret is written first
with a pending marker: the client's name and, where the IdP takes one (Cognito), the
secret the client will get. Then the client is created, its registration handles saved,
and the record completes the secret. A run that finds the marker resumes rather than
creating again: the client found by name (Cognito), or by the registration handles saved
right after it was made (RFC 7592), is taken over; a registration that cannot be taken
over is deleted and made again. Never a second client.

One window stays open where the IdP offers neither a list nor a caller-chosen id (plain
RFC 7591): a kill between the registration's answer and the save of its handles loses
that answer. The save is the very next call, a single PutSecretValue.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from controller.engine._registrations import Registrations
from controller.engine._secret_record import TASK_KEYS
from controller.idp import ClientRecord, IdentityProviderAdapter

PENDING = "pending_client"
# Cognito's ClientSecret: 24 to 64 characters of [\w+]; letters and digits only here.
_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 48


@dataclass(frozen=True)
class Intent:
    """A client about to be created; ``repr`` never shows the secret."""

    client_name: str
    client_secret: str

    def __repr__(self) -> str:
        return f"Intent(client_name={self.client_name!r}, client_secret=(sensitive))"

    @classmethod
    def new(cls, client_name: str) -> Intent:
        secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
        return cls(client_name, secret)

    def value(self, task_value: Mapping[str, Any]) -> dict[str, Any]:
        """The secret's pending value: what a task will need, minus the client id."""
        kept = {key: item for key, item in task_value.items() if key in TASK_KEYS}
        kept.pop("client_id", None)
        return {**kept, PENDING: self.client_name, "client_secret": self.client_secret}


def intent_of(value: Mapping[str, Any] | None, client_name: str) -> Intent | None:
    """The pending marker a value holds for this client, if any."""
    if not value or value.get(PENDING) != client_name:
        return None
    secret = value.get("client_secret")
    return Intent(client_name, secret) if isinstance(secret, str) else None


async def registered_before(
    idp: IdentityProviderAdapter, registrations: Registrations, *, writes: bool
) -> ClientRecord | None:
    """The client an interrupted creation registered and saved handles for, if the IdP
    still has it and shows its secret (RFC 7592 reads may; oidc-provider and Keycloak do).
    One that does not show it could never be recorded: it is deleted, and None returned,
    so the caller registers again."""
    for client_id in sorted(registrations.handles):
        candidate = registrations.attach(ClientRecord(client_id=client_id, client_secret=""))
        observed = await idp.read(candidate)
        if observed is not None and observed.client_secret:
            return replace(observed.record, client_secret=observed.client_secret)
        if not writes:
            continue
        if observed is not None:
            await idp.delete(observed.record)
        await registrations.forget(client_id)
    return None
