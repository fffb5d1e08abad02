"""How each kind of IdP gets a second credential and loses the old one.

Cognito app clients hold up to two secrets, and a secret may be chosen by the caller: the
controller generates it, stores it as AWSPENDING first, then adds it to the same client.
An RFC 7591 server chooses every credential itself and cannot give a client two secrets,
so the rotation registers a second client (blue/green) and deletes the first at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import string
from secrets import choice
from typing import Protocol, cast

from controller.aws import AWSCURRENT, AWSPENDING, AwsError
from controller.desired import IdentityProvider
from controller.engine._rotation_plan import RETIRING, stale_secrets
from controller.engine._rotation_steps import RotationContext, RotationFailed, Strategy
from controller.engine._secret_record import record_from_value, value_with_record
from controller.idp import (
    ClientRecord,
    ClientSecretInfo,
    CognitoAdapter,
    IdentityProviderAdapter,
    IdpError,
)

# Cognito accepts 24-64 characters of [\w+]; 48 letters and digits hold about 285 bits.
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 48
MAX_COGNITO_SECRETS = 2


def new_secret_value() -> str:
    return "".join(choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


class TwoSecretClients(Protocol):
    """An IdP whose clients hold two secrets the controller chooses: Cognito, Okta."""

    async def add_secret(self, client_id: str, value: str) -> str: ...

    async def list_secrets(self, client_id: str) -> list[ClientSecretInfo]: ...

    async def delete_secret(self, client_id: str, secret_id: str) -> None: ...


def strategy_for(provider: IdentityProvider, idp: IdentityProviderAdapter) -> Strategy:
    if provider.spec.cognito is not None:
        assert isinstance(idp, CognitoAdapter)
        return CognitoDualSecrets(idp)
    if provider.spec.okta is not None:
        return CognitoDualSecrets(cast(TwoSecretClients, idp))  # maybe behind the journal
    return BlueGreenClients()


async def _put_pending(rotation: RotationContext, record: ClientRecord) -> None:
    """The AWSCURRENT value with the new credentials in it, as this rotation's version."""
    current = await rotation.value(AWSCURRENT)
    await rotation.world.secrets.put(
        rotation.secret.arn, value_with_record(current, record), rotation.token, [AWSPENDING]
    )


class CognitoDualSecrets:
    """The same app client, a second secret; tasks keep their client id. Okta apps hold
    two secrets the same way (``/credentials/secrets``)."""

    def __init__(self, cognito: TwoSecretClients) -> None:
        self.cognito = cognito

    async def create(self, rotation: RotationContext) -> None:
        current = await rotation.record(AWSCURRENT)
        await _put_pending(rotation, ClientRecord(current.client_id, new_secret_value()))

    async def install(self, rotation: RotationContext) -> None:
        """Add the pending secret unless the client already holds two: outside a rotation a
        client holds one (revoke deletes down to one), so a second one is this rotation's,
        added before a crash. ``test`` proves it either way."""
        pending = await rotation.record(AWSPENDING)
        listed = await self.cognito.list_secrets(pending.client_id)
        if len(listed) < MAX_COGNITO_SECRETS:
            await self.cognito.add_secret(pending.client_id, pending.client_secret)

    async def revoke(self, rotation: RotationContext) -> None:
        current = await rotation.record(AWSCURRENT)
        for secret_id in stale_secrets(await self.cognito.list_secrets(current.client_id)):
            await self.cognito.delete_secret(current.client_id, secret_id)


class BlueGreenClients:
    """A second client with the same name and scopes; tasks switch client id on rollout.

    Ordering against leaks: the new client is registered and its record (credentials and
    registration access token) put as AWSPENDING at once, so from then on a restart finds
    it there. If that put fails, the new client is deleted before the error goes on. Only
    a process killed between the IdP's answer and the put landing can leave a client no
    record names, and RFC 7591 offers no way to list clients to find it afterwards.
    """

    async def create(self, rotation: RotationContext) -> None:
        record = await rotation.idp.create(rotation.client_spec)
        try:
            await rotation.registrations.save([record])
            await _put_pending(rotation, record)
        except BaseException:
            await asyncio.shield(self._discard_unrecorded(rotation, record))
            raise

    async def install(self, rotation: RotationContext) -> None:
        """Nothing left to do: the IdP chose the credentials when ``create`` registered the
        client, which is how they could be stored as AWSPENDING at all."""

    async def revoke(self, rotation: RotationContext) -> None:
        """Delete the client of the retiring version (RFC 7592 DELETE with its registration
        access token); one already gone counts as deleted."""
        retiring_version = rotation.secret.version(RETIRING)
        if retiring_version is None:
            return  # revoked already, and the label dropped
        retiring = record_from_value(await rotation.value(RETIRING))
        current = await rotation.record(AWSCURRENT)
        if retiring is not None and retiring.client_id != current.client_id:
            await rotation.idp.delete(rotation.registrations.attach(retiring))
            await rotation.registrations.forget(retiring.client_id)

    async def _discard_unrecorded(self, rotation: RotationContext, record: ClientRecord) -> None:
        """Delete a client whose record did not land. Keep it when the put landed after all
        (only its answer was lost: AWSPENDING names the client) or when even that cannot be
        read: a leaked client is safer than a pending version naming a deleted one."""
        with contextlib.suppress(AwsError, IdpError, RotationFailed):
            secret = await rotation.refresh()
            if secret.version(AWSPENDING) == rotation.token:
                pending = await rotation.world.secrets.value(secret, AWSPENDING) or {}
                if pending.get("client_id") == record.client_id:
                    return
            await rotation.idp.delete(record)
            await rotation.registrations.forget(record.client_id)
