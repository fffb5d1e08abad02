"""Deleting what the desired state no longer names: only with pruning on, only what carries
this controller's tags, and never more than a fraction of what it manages in one go."""

from __future__ import annotations

import re
from dataclasses import dataclass

from controller.aws import ObservedSecret
from controller.desired import DesiredState
from controller.engine._outcome import Outcome
from controller.engine._registrations import Registrations
from controller.engine._secret_record import record_from_value
from controller.engine._world import World
from controller.idp import CognitoAdapter, IdpError, OidcAdapter
from controller.plan import FieldChange
from controller.plan._desired import OWNER, REGISTRATION_SUFFIX, SECRET_PREFIX, is_ours

_COGNITO_ISSUER = re.compile(
    r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[\w-]+_\w+)$"
)


@dataclass(frozen=True)
class Stale:
    owner: str
    resource: str
    id: str


async def prune(world: World, state: DesiredState, writes: bool) -> Outcome:
    outcome = Outcome("Controller/prune", writes=writes, records=writes)
    settings = world.settings
    roles = {
        name: role
        for name, role in (await world.iam.roles()).items()
        if is_ours(role.tags, settings.controller_id)
    }
    secrets = {
        name: secret
        for name, secret in (await world.secrets.listing(SECRET_PREFIX)).items()
        if is_ours(secret.tags, settings.controller_id) and secret.deleted_date is None
    }
    owners = {r.tags.get(OWNER, "") for r in roles.values()} | {
        s.tags.get(OWNER, "") for s in secrets.values()
    }
    stale_owners = sorted(owner for owner in owners if owner and owner not in state.sources)
    if not stale_owners:
        return outcome
    fraction = len(stale_owners) / len(owners)
    if fraction > settings.prune_max_fraction and not settings.force:
        outcome.problem(
            "controller:prune",
            "prune",
            "PruneLimitExceeded",
            f"would delete the resources of {len(stale_owners)} of {len(owners)} managed objects "
            f"({fraction:.0%}), over prune.maxFraction {settings.prune_max_fraction:.0%}; "
            "nothing deleted (use --force if this is intended)",
        )
        return outcome
    # Sorted, a task-readable secret comes before its registration secret, whose handles
    # the client's deletion needs.
    for name, secret in sorted(secrets.items()):
        if secret.tags.get(OWNER) in stale_owners:
            owner = secret.tags[OWNER]
            registration = secrets.get(f"{name}{REGISTRATION_SUFFIX}")
            if not name.endswith(REGISTRATION_SUFFIX) and outcome.change(
                "idp:client", name, "delete", (), on_behalf_of=owner
            ):
                await _delete_client(world, secret, registration is not None)
            diff = (FieldChange("arn", secret.arn, None),)
            if outcome.change("secretsmanager:secret", name, "delete", diff, on_behalf_of=owner):
                await world.secrets.delete(secret.arn)
    for name, role in sorted(roles.items()):
        if role.tags.get(OWNER) in stale_owners:
            diff = (FieldChange("arn", role.arn, None),)
            if outcome.change("iam:role", name, "delete", diff, on_behalf_of=role.tags[OWNER]):
                await world.iam.delete_role(role)
    return outcome


async def _delete_client(world: World, secret: ObservedSecret, registered: bool) -> None:
    value = await world.secrets.value(secret) or {}
    record = record_from_value(value)
    issuer = str(value.get("issuer", ""))
    if record is None:
        return
    if registered:
        service = secret.name.removeprefix(SECRET_PREFIX)
        record = (await Registrations.load(world, service, {})).attach(record)
    cognito = _COGNITO_ISSUER.match(issuer)
    if cognito:
        await CognitoAdapter(cognito["pool"], "", world.aws).delete(record)
    elif record.registration_client_uri:

        async def no_initial_token() -> str:
            raise IdpError("deleting a registration needs no initial access token")

        await OidcAdapter(issuer, no_initial_token, world.http, world.aws.fence).delete(record)
