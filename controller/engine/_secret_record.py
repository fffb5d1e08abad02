"""The service's secret doubles as the record of its OAuth client.

Tasks read only ``client_id`` and ``client_secret`` (through ECS ``valueFrom`` JSON keys,
fetched by the execution role); the registration handles kept beside them never reach a
container's environment.
"""

from __future__ import annotations

from typing import Any

from controller.idp import ClientRecord

REGISTRATION_TOKEN = "registration_access_token"
REGISTRATION_URI = "registration_client_uri"


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
    updated = dict(value)
    updated["client_id"] = record.client_id
    updated["client_secret"] = record.client_secret
    for key, item in (
        (REGISTRATION_TOKEN, record.registration_access_token),
        (REGISTRATION_URI, record.registration_client_uri),
    ):
        if item is not None:
            updated[key] = item
        else:
            updated.pop(key, None)
    return updated
