"""The service's secrets double as the record of its OAuth client.

The task-readable secret holds only what a task needs (SPEC): ``client_id``,
``client_secret``, ``token_endpoint``, ``scope`` and ``issuer``. RFC 7592 registration
handles live in a controller-only secret beside it (``_registrations``): any task definition
that uses a shared execution role could otherwise reference another service's registration
access token. Versions written before that split kept the handles in the task secret; they
are still read from there, and dropped by the next write.
"""

from __future__ import annotations

from typing import Any

from controller.idp import ClientRecord

REGISTRATION_TOKEN = "registration_access_token"
REGISTRATION_URI = "registration_client_uri"
TASK_KEYS = frozenset({"client_id", "client_secret", "token_endpoint", "scope", "issuer"})


def record_from_value(value: dict[str, Any]) -> ClientRecord | None:
    client_id = value.get("client_id")
    client_secret = value.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        return None
    return ClientRecord(
        client_id=client_id,
        client_secret=client_secret,
        registration_access_token=value.get(REGISTRATION_TOKEN),
        registration_client_uri=value.get(REGISTRATION_URI),
    )


def value_with_record(value: dict[str, Any], record: ClientRecord) -> dict[str, Any]:
    """The task-readable value naming ``record``'s credentials, and nothing a task must not
    hold."""
    updated = {key: item for key, item in value.items() if key in TASK_KEYS}
    updated["client_id"] = record.client_id
    updated["client_secret"] = record.client_secret
    return updated


def foreign_keys(value: dict[str, Any]) -> list[str]:
    """Keys of a task-readable value that a task must not see (left by older versions)."""
    return sorted(key for key in value if key not in TASK_KEYS)
