"""A Service's OAuth client and its credentials as plain documents, for diffing. Pure."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from controller.desired import format_duration
from controller.idp import ClientSpec, ObservedClient
from controller.plan import KNOWN_AFTER_APPLY, SENSITIVE, FieldChange


def client_document(spec: ClientSpec, observed: ObservedClient | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": spec.name,
        "scopes": list(spec.scopes),
        "grantTypes": ["client_credentials"],
    }
    if observed is not None and observed.token_lifetime is not None:
        # Only IdPs that report a lifetime (Cognito) can drift in it.
        document["tokenLifetime"] = lifetime(spec.token_lifetime)
    return document


def replaced_credentials(
    diff: tuple[FieldChange, ...], observed_value: dict[str, Any]
) -> tuple[FieldChange, ...]:
    """In a plan, the stored credentials a client about to be created will replace."""
    written = {change.path for change in diff}
    before = {"client_id": observed_value.get("client_id"), "client_secret": SENSITIVE}
    return tuple(
        FieldChange(f"value.{key}", value, KNOWN_AFTER_APPLY)
        for key, value in before.items()
        if f"value.{key}" not in written and observed_value.get(key) is not None
    )


def observed_client_document(observed: ObservedClient) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": observed.name,
        "scopes": sorted(observed.scopes),
        "grantTypes": sorted(observed.grant_types),
    }
    if observed.token_lifetime is not None:
        document["tokenLifetime"] = lifetime(observed.token_lifetime)
    return document


def lifetime(value: timedelta) -> str:
    """A token lifetime as IdPs hold it (Cognito: whole minutes, asked for rounded up)."""
    return format_duration(timedelta(minutes=math.ceil(value.total_seconds() / 60)))
