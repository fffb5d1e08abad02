"""Amazon Cognito user pool app clients as the services' OAuth clients.

UpdateUserPoolClient resets every attribute the request leaves out, so an update
always reads the client first and sends back its whole configuration, changed only
where the spec says. Which attributes those are comes from the SDK's own model of
the request, so an attribute AWS adds later is carried over too, not silently reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import botocore
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from controller.aws import AwsClients, AwsNotFound, retry_only_throttling, translate
from controller.idp._types import (
    CLIENT_CREDENTIALS,
    ClientRecord,
    ClientSpec,
    Endpoints,
    IdpError,
    IdpNotFound,
    IdpRejected,
    IdpUnavailable,
    ObservedClient,
)

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# What Cognito applies when a client leaves these out.
DEFAULT_VALIDITY_UNIT = "hours"
DEFAULT_ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
LIST_CLIENTS_PAGE = 60
# A machine client needs no user sign-in flow, but ExplicitAuthFlows left out enables
# ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH. Cognito insists on ALLOW_REFRESH_TOKEN_AUTH in
# any list of ALLOW_ flows (its console cannot turn it off; see aws-cdk issue 7625), and
# it is inert here: client_credentials never issues a refresh token.
MACHINE_AUTH_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH",)


# The first botocore whose Cognito model has each operation the controller may call,
# where that is later than the oldest botocore the package allows.
OPERATION_SINCE = {
    "AddUserPoolClientSecret": "1.42.59",
    "ListUserPoolClientSecrets": "1.42.59",
    "DeleteUserPoolClientSecret": "1.42.59",
}


async def call_cognito(
    aws: AwsClients, user_pool_id: str, operation: str, **params: Any
) -> dict[str, Any]:
    """One Cognito call on a user pool, within the pool's rate limit, errors as IdP errors.

    An operation the installed SDK does not know is refused with the botocore it needs,
    rather than an AttributeError that would end the worker calling it.
    """
    try:
        method = getattr(aws.client("cognito-idp"), xform_name(operation))
    except AttributeError:
        raise missing_operation(operation) from None
    async with aws.cognito_limiter(user_pool_id):
        try:
            response: dict[str, Any] = await method(UserPoolId=user_pool_id, **params)
        except (ClientError, BotoCoreError, ResponseParserError) as exc:
            raise idp_error(operation, exc) from None
    return response


def missing_operation(operation: str) -> IdpRejected:
    needed = OPERATION_SINCE.get(operation)
    wanted = f"botocore {needed} or later" if needed else "a newer botocore"
    return IdpRejected(
        f"{operation} is unknown to the installed botocore {botocore.__version__}: "
        f"upgrade to {wanted} (with a matching aiobotocore)",
        error="UnknownOperation",
    )


def idp_error(operation: str, exc: ClientError | BotoCoreError | ResponseParserError) -> IdpError:
    """Not found, worth retrying (throttled, 5xx, transport) or refused."""
    error = translate(operation, exc)
    status: int | None = None
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(error, AwsNotFound):
        return IdpNotFound(str(error), status=status, error=error.code)
    if error.transient or status is None or status >= 500:
        return IdpUnavailable(str(error), status=status, error=error.code)
    return IdpRejected(str(error), status=status, error=error.code)


def access_token_validity_minutes(lifetime: timedelta) -> int:
    """Whole minutes, rounded up so a token never lives shorter than asked."""
    return math.ceil(lifetime.total_seconds() / 60)


def token_lifetime(config: Mapping[str, Any]) -> timedelta:
    """Access-token lifetime as Cognito applies it: AccessTokenValidity in its unit."""
    validity = config.get("AccessTokenValidity")
    if validity is None:
        return DEFAULT_ACCESS_TOKEN_LIFETIME
    unit = (config.get("TokenValidityUnits") or {}).get("AccessToken", DEFAULT_VALIDITY_UNIT)
    return timedelta(seconds=int(validity) * _UNIT_SECONDS[unit])


def oauth_settings(spec: ClientSpec) -> dict[str, Any]:
    """The attributes the controller owns on an app client."""
    return {
        "ClientName": spec.name,
        "ExplicitAuthFlows": list(MACHINE_AUTH_FLOWS),
        "PreventUserExistenceErrors": "ENABLED",
        "AllowedOAuthFlows": [CLIENT_CREDENTIALS],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthScopes": list(spec.scopes),
        "AccessTokenValidity": access_token_validity_minutes(spec.token_lifetime),
    }


def create_request(spec: ClientSpec, client_secret: str | None = None) -> dict[str, Any]:
    """A confidential client; with the secret the caller chose when it gives one (AWS takes
    either ``GenerateSecret`` or ``ClientSecret``, never both)."""
    secret = {"ClientSecret": client_secret} if client_secret else {"GenerateSecret": True}
    return {
        **secret,
        **oauth_settings(spec),
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }


def update_request(
    current: Mapping[str, Any], spec: ClientSpec, accepted: Iterable[str]
) -> dict[str, Any]:
    """The client's full configuration as read, restricted to the fields the update
    request ``accepted``, with the owned attributes set as the spec says.

    The pool id is left out: every call names its pool already.
    """
    request = {name: current[name] for name in accepted if name in current and name != "UserPoolId"}
    request.update(oauth_settings(spec))
    units = dict(current.get("TokenValidityUnits") or {})
    request["TokenValidityUnits"] = {**units, "AccessToken": "minutes"}
    return request


def observed_client(config: Mapping[str, Any], record: ClientRecord) -> ObservedClient:
    """DescribeUserPoolClient's answer in the spec's terms. OAuth flows only count
    while the client is enabled for them (AllowedOAuthFlowsUserPoolClient); user sign-in
    flows other than the machine minimum count as grants too, so a client that allows
    them is drift, corrected like any other."""
    enabled = bool(config.get("AllowedOAuthFlowsUserPoolClient"))
    grants = set(config.get("AllowedOAuthFlows") or ()) if enabled else set()
    grants |= set(config.get("ExplicitAuthFlows") or ()) - set(MACHINE_AUTH_FLOWS)
    return ObservedClient(
        client_id=str(config["ClientId"]),
        name=str(config.get("ClientName", "")),
        scopes=tuple(sorted(set(config.get("AllowedOAuthScopes") or ()))),
        grant_types=tuple(sorted(grants)),
        token_lifetime=token_lifetime(config),
        record=record,
        client_secret=str(config["ClientSecret"]) if config.get("ClientSecret") else None,
    )


@dataclass(frozen=True)
class ClientSecretInfo:
    """One active secret of an app client, as ListUserPoolClientSecrets shows it: no value."""

    secret_id: str
    created: datetime


def _region_of(user_pool_id: str) -> str:
    region, separator, _ = user_pool_id.partition("_")
    if not separator or not region:
        raise ValueError(f"not a Cognito user pool id: {user_pool_id!r}")
    return region


class CognitoAdapter:
    """App clients of one user pool; the pool's domain serves the token endpoint."""

    def __init__(self, user_pool_id: str, token_endpoint: str, aws: AwsClients) -> None:
        self._pool = user_pool_id
        self._issuer = (
            f"https://cognito-idp.{_region_of(user_pool_id)}.amazonaws.com/{user_pool_id}"
        )
        self._token_endpoint = token_endpoint
        self._aws = aws
        # No client token: a create whose answer was lost must not be sent again, or
        # Cognito makes a second client; the intent protocol finds the first by name.
        retry_only_throttling(aws.client("cognito-idp"), ("CreateUserPoolClient",))
        # Client ids by name, listed once per cycle: creating N clients must not page
        # through the pool N times (at 5 requests/s per pool, that is minutes).
        self._by_name: dict[str, list[str]] | None = None
        self._listing = asyncio.Lock()

    def invalidate(self) -> None:
        self._by_name = None

    async def endpoints(self) -> Endpoints:
        return Endpoints(issuer=self._issuer, token_endpoint=self._token_endpoint)

    async def read(self, record: ClientRecord) -> ObservedClient | None:
        try:
            config = await self._describe(record.client_id)
        except IdpNotFound:
            return None
        return observed_client(config, record)

    async def find_by_name(self, name: str) -> ClientRecord | None:
        """The one client of that name; two or more cannot be told apart, so none is adopted."""
        async with self._listing:
            if self._by_name is None:
                self._by_name = {}
                for client in await self._list_clients():
                    self._by_name.setdefault(client["ClientName"], []).append(client["ClientId"])
            matches = list(self._by_name.get(name, []))
        if not matches:
            return None
        if len(matches) > 1:
            raise IdpRejected(f"{len(matches)} app clients are named {name!r}; adopt none")
        config = await self._describe(matches[0])
        secret = config.get("ClientSecret")
        if not secret:
            raise IdpRejected(f"app client {config['ClientId']} has no secret; cannot adopt it")
        return ClientRecord(client_id=str(config["ClientId"]), client_secret=str(secret))

    async def create(self, spec: ClientSpec, client_secret: str | None = None) -> ClientRecord:
        request = create_request(spec, client_secret)
        response = await self._call("CreateUserPoolClient", **request)
        client = response["UserPoolClient"]
        if self._by_name is not None:
            self._by_name.setdefault(spec.name, []).append(client["ClientId"])
        issued = client.get("ClientSecret") or client_secret
        return ClientRecord(client_id=client["ClientId"], client_secret=str(issued))

    async def update(self, record: ClientRecord, spec: ClientSpec) -> ClientRecord:
        current = await self._describe(record.client_id)
        model = self._aws.client("cognito-idp").meta.service_model
        accepted = model.operation_model("UpdateUserPoolClient").input_shape.members
        await self._call("UpdateUserPoolClient", **update_request(current, spec, accepted))
        return record

    async def delete(self, record: ClientRecord) -> None:
        with contextlib.suppress(IdpNotFound):
            await self._call("DeleteUserPoolClient", ClientId=record.client_id)
        self.invalidate()

    # -- dual secrets: a second secret lets a rotation overlap the old and the new --------

    async def add_secret(self, client_id: str, value: str) -> str:
        """Install a secret the controller chose (so it could be stored first); its id."""
        response = await self._call(
            "AddUserPoolClientSecret", ClientId=client_id, ClientSecret=value
        )
        secret_id: str = response["ClientSecretDescriptor"]["ClientSecretId"]
        return secret_id

    async def list_secrets(self, client_id: str) -> list[ClientSecretInfo]:
        """The client's active secrets (at most two), oldest first."""
        found: list[ClientSecretInfo] = []
        page: dict[str, Any] = {"ClientId": client_id}
        while True:
            response = await self._call("ListUserPoolClientSecrets", **page)
            found.extend(
                ClientSecretInfo(entry["ClientSecretId"], entry["ClientSecretCreateDate"])
                for entry in response.get("ClientSecrets", [])
            )
            if not response.get("NextToken"):
                return sorted(found, key=lambda info: (info.created, info.secret_id))
            page["NextToken"] = response["NextToken"]

    async def delete_secret(self, client_id: str, secret_id: str) -> None:
        """Retire one secret; one already gone counts as retired."""
        with contextlib.suppress(IdpNotFound):
            await self._call(
                "DeleteUserPoolClientSecret", ClientId=client_id, ClientSecretId=secret_id
            )

    async def _describe(self, client_id: str) -> dict[str, Any]:
        response = await self._call("DescribeUserPoolClient", ClientId=client_id)
        client: dict[str, Any] = response["UserPoolClient"]
        return client

    async def _list_clients(self) -> list[dict[str, Any]]:
        clients: list[dict[str, Any]] = []
        page: dict[str, Any] = {"MaxResults": LIST_CLIENTS_PAGE}
        while True:
            response = await self._call("ListUserPoolClients", **page)
            clients.extend(response.get("UserPoolClients", []))
            if not response.get("NextToken"):
                return clients
            page["NextToken"] = response["NextToken"]

    async def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return await call_cognito(self._aws, self._pool, operation, **params)
