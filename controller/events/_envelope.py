"""One SQS message body as the API call it reports: an EventBridge envelope around a
CloudTrail record ("AWS API Call via CloudTrail"). Pure.

Only what routing and attribution need is kept; everything else in the record is ignored,
so a field CloudTrail adds later never breaks parsing. A body that is not such an envelope
raises :class:`MalformedEvent`, which the listener logs and deletes: retrying it could
never succeed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DETAIL_TYPE = "AWS API Call via CloudTrail"


class MalformedEvent(ValueError):
    """The message is not an EventBridge envelope of a CloudTrail API call."""


@dataclass(frozen=True)
class ApiCall:
    """A management API call someone made: which one, on what, by whom, from where."""

    source: str  # "ecs.amazonaws.com"
    name: str  # "RegisterTaskDefinition"
    request: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)
    actor: str | None = None  # userIdentity.arn (or the session issuer's)
    source_ip: str | None = None  # sourceIPAddress: an address, or "ecs.amazonaws.com"
    error_code: str | None = None  # set when the call failed, so it changed nothing

    def describe_actor(self) -> str | None:
        """``<arn> from <ip>`` for the drift alert; ``None`` when CloudTrail named nobody."""
        if self.actor is None:
            return None
        return f"{self.actor} from {self.source_ip}" if self.source_ip else self.actor


def parse_event(body: str) -> ApiCall:
    """The API call in an SQS message body; :class:`MalformedEvent` if there is none."""
    try:
        envelope = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise MalformedEvent(f"not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise MalformedEvent("not a JSON object")
    if envelope.get("detail-type") != DETAIL_TYPE:
        raise MalformedEvent(f"detail-type is not {DETAIL_TYPE!r}")
    detail = envelope.get("detail")
    if not isinstance(detail, dict):
        raise MalformedEvent("no detail object")
    source, name = detail.get("eventSource"), detail.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str):
        raise MalformedEvent("detail.eventSource or detail.eventName is missing")
    identity = _mapping(detail, "userIdentity")
    error = detail.get("errorCode")
    return ApiCall(
        source=source,
        name=name,
        request=_mapping(detail, "requestParameters"),
        response=_mapping(detail, "responseElements"),
        actor=_actor(identity),
        source_ip=_text(detail.get("sourceIPAddress")),
        error_code=str(error) if error else None,
    )


def _mapping(detail: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """CloudTrail writes ``null`` for calls without parameters; anything else is wrong."""
    value = detail.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(f"detail.{name} is not an object")
    return value


def _actor(identity: Mapping[str, Any]) -> str | None:
    """Who called: the identity's ARN; for a role session without one, the role's ARN;
    for an AWS service acting on its own, the service."""
    issuer = identity.get("sessionContext", {})
    issuer = issuer.get("sessionIssuer", {}) if isinstance(issuer, dict) else {}
    for candidate in (
        identity.get("arn"),
        issuer.get("arn") if isinstance(issuer, dict) else None,
        identity.get("invokedBy"),
    ):
        if text := _text(candidate):
            return text
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
