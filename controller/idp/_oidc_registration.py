"""The RFC 7591/7592 documents the adapter sends and reads, with no I/O.

What the controller owns in a registration is :func:`owned_metadata`; everything else a
server or an administrator put there (``contacts``, ``logo_uri``, custom fields) is kept
by an update, since an RFC 7592 PUT replaces the whole registration (section 2.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from controller.idp._types import CLIENT_CREDENTIALS, ClientRecord, ClientSpec, ObservedClient

# RFC 7591 section 2: the grant type a client gets when it names none.
DEFAULT_GRANT_TYPES = ("authorization_code",)
# Okta's application type for a client_credentials client; OpenID Connect registration
# knows only "web" and "native", so servers may refuse it (the adapter then goes without).
SERVICE = "service"
APPLICATION_TYPE = "application_type"
# RFC 7592 section 2.2: a PUT must not carry these; the secret is left out too, since the
# server keeps it when omitted and it need not travel again.
NOT_SENT_ON_UPDATE = frozenset(
    {
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
        "client_secret",
    }
)


def owned_metadata(spec: ClientSpec) -> dict[str, Any]:
    """The client metadata the controller owns and sets on every create and update."""
    return {
        "client_name": spec.name,
        "grant_types": [CLIENT_CREDENTIALS],
        "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": " ".join(spec.scopes),
    }


def registration(spec: ClientSpec, *, service: bool) -> dict[str, Any]:
    """An RFC 7591 registration request, with ``application_type: service`` when asked."""
    body = owned_metadata(spec)
    if service:
        body[APPLICATION_TYPE] = SERVICE
    return body


def update_request(
    current: Mapping[str, Any], client_id: str, spec: ClientSpec, *, service: bool
) -> dict[str, Any]:
    """An RFC 7592 PUT: the metadata as last read, minus what a PUT must not carry, with
    our fields set. ``application_type`` stays as read; where the server reported none,
    ``service`` is added when the server is known to accept it (``service``)."""
    body = {
        key: value
        for key, value in current.items()
        if key not in NOT_SENT_ON_UPDATE and value is not None
    }
    body.update(owned_metadata(spec))
    if service and APPLICATION_TYPE not in current:
        body[APPLICATION_TYPE] = SERVICE
    body["client_id"] = client_id
    return body


def kept_metadata(body: Mapping[str, Any]) -> dict[str, Any]:
    """A read's metadata as kept for the next update: no credentials, no RFC 7592 handles."""
    return {key: value for key, value in body.items() if key not in NOT_SENT_ON_UPDATE}


def refused_for_application_type(body: Mapping[str, Any]) -> bool:
    """Whether an ``invalid_client_metadata`` refusal says it is about application_type."""
    return APPLICATION_TYPE in str(body.get("error_description", ""))


def handles(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A registration access token and client URI the answer carries, if any."""
    token, uri = body.get("registration_access_token"), body.get("registration_client_uri")
    return (
        token if isinstance(token, str) and token else None,
        uri if isinstance(uri, str) and uri else None,
    )


def secret(body: Mapping[str, Any]) -> str | None:
    value = body.get("client_secret")
    return value if isinstance(value, str) and value else None


def secret_expiry(body: Mapping[str, Any]) -> datetime | None:
    """RFC 7591 section 3.2.1 ``client_secret_expires_at``: seconds since the epoch, 0 for
    never. None for never, and for a value that is missing or not a time."""
    value = body.get("client_secret_expires_at")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def observed(body: Mapping[str, Any], record: ClientRecord) -> ObservedClient:
    scope, grant_types = body.get("scope"), body.get("grant_types")
    name = body.get("client_name")
    client_id = body.get("client_id")
    return ObservedClient(
        client_id=client_id if isinstance(client_id, str) else record.client_id,
        name=name if isinstance(name, str) else "",
        scopes=tuple(sorted(set(scope.split()))) if isinstance(scope, str) else (),
        grant_types=tuple(
            sorted(grant_types) if isinstance(grant_types, list) else DEFAULT_GRANT_TYPES
        ),
        token_lifetime=None,
        record=record,
        client_secret=secret(body),
        secret_expires_at=secret_expiry(body),
    )
