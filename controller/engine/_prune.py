"""Deleting what the desired state no longer names: only with pruning on, only what carries
this controller's tags, and never more than a fraction of what it manages in one go
(beyond an absolute floor, so that one removal in a small tree needs no ``--force``).

With pruning off the same orphans are listed, withheld, so a plan shows what ``--prune``
would delete."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from controller.aws import ObservedSecret
from controller.desired import DesiredState, IdentityProvider
from controller.engine._outcome import Outcome
from controller.engine._registrations import Registrations
from controller.engine._secret_record import record_from_value
from controller.engine._world import World
from controller.idp import CognitoAdapter, IdpError, OidcAdapter, okta_issuer
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


def prune_refusal(
    stale: int, managed: int, max_fraction: float, min_count: int, *, force: bool
) -> str | None:
    """Why deleting the resources of ``stale`` of ``managed`` objects is refused, or None.

    Up to ``min_count`` objects may always go; past that, at most ``max_fraction`` of what
    is managed. A desired state read from the wrong folder, or half checked out, would
    otherwise delete most of what the controller manages in one cycle."""
    if force or stale <= min_count or stale / managed <= max_fraction:
        return None
    return (
        f"would delete the resources of {stale} of {managed} managed objects "
        f"({stale / managed:.0%}), over prune.maxFraction {max_fraction:.0%} and "
        f"prune.minCount {min_count}; nothing deleted (use --force if this is intended)"
    )


async def prune(
    world: World,
    state: DesiredState,
    writes: bool,
    *,
    owners: Collection[str] | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """Delete (or, with pruning off, list) the resources of objects no longer declared;
    with ``owners``, of those objects only (``--target``)."""
    settings = world.settings
    outcome = outcome or Outcome("Controller/prune", writes=writes, records=writes)
    if not settings.prune:
        outcome.writes, outcome.withheld = False, "prune"
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
    managed = {r.tags.get(OWNER, "") for r in roles.values()} | {
        s.tags.get(OWNER, "") for s in secrets.values()
    }
    stale_owners = sorted(
        owner
        for owner in managed
        if owner and owner not in state.sources and (owners is None or owner in owners)
    )
    if not stale_owners:
        return outcome
    refusal = prune_refusal(
        len(stale_owners),
        len(managed),
        settings.prune_max_fraction,
        settings.prune_min_count,
        force=settings.force,
    )
    if refusal is not None and settings.prune:
        outcome.problem("controller:prune", "prune", "PruneLimitExceeded", refusal)
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
                await _delete_client(world, state, secret, registration is not None)
            diff = (FieldChange("arn", secret.arn, None),)
            if outcome.change("secretsmanager:secret", name, "delete", diff, on_behalf_of=owner):
                await world.secrets.delete(secret.arn)
    for name, role in sorted(roles.items()):
        if role.tags.get(OWNER) in stale_owners:
            diff = (FieldChange("arn", role.arn, None),)
            if outcome.change("iam:role", name, "delete", diff, on_behalf_of=role.tags[OWNER]):
                await world.iam.delete_role(role)
    return outcome


async def _delete_client(
    world: World, state: DesiredState, secret: ObservedSecret, registered: bool
) -> None:
    value = await world.secrets.value(secret) or {}
    record = record_from_value(value)
    issuer = str(value.get("issuer", ""))
    if record is None:
        return
    if registered:
        service = secret.name.removeprefix(SECRET_PREFIX)
        record = (await Registrations.load(world, service, {})).attach(record)
    okta = _okta_provider(state, issuer)
    cognito = _COGNITO_ISSUER.match(issuer)
    if okta is not None:
        await world.idp(okta).delete(record)
    elif cognito:
        await CognitoAdapter(cognito["pool"], "", world.aws).delete(record)
    elif record.registration_client_uri:

        async def no_initial_token() -> str:
            raise IdpError("deleting a registration needs no initial access token")

        await OidcAdapter(issuer, no_initial_token, world.http, world.aws.fence).delete(record)


def _okta_provider(state: DesiredState, issuer: str) -> IdentityProvider | None:
    """The Okta provider whose custom authorization server issues the client's tokens:
    Okta's management API needs the provider's credentials, which the secret lacks."""
    for provider in state.providers.values():
        okta = provider.spec.okta
        if okta is None:
            continue
        if issuer == okta_issuer(okta.org_url, okta.authorization_server_id):
            return provider
    return None
