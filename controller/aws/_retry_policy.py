"""Which failed calls the SDK may send again on its own, and which it must not.

botocore's retry handler retries a throttle, a 5xx and a dropped connection alike. For an
idempotent call that is right. For a create that is not idempotent (Cognito's
CreateUserPoolClient has no client token), a 5xx or a dropped connection may come after
the service already acted: sending it again makes a second client. Such a call is tried
once unless AWS said "slow down" (a throttled request was not acted on); a lost answer is
then resolved by the intent protocol on the next pass, which finds the client by name.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from controller.aws._errors import THROTTLING_CODES


def _retry_only_throttling(
    response: Any = None,
    caught_exception: Exception | None = None,
    operation: Any = None,
    **_: Any,
) -> None:
    """A ``needs-retry`` handler that runs before botocore's own (more specific event
    names go first) and ends the call, with its error, unless it was throttled."""
    if caught_exception is not None:
        raise caught_exception
    if response is None:
        return
    http, parsed = response
    if http.status_code < 300:
        return
    code = str(parsed.get("Error", {}).get("Code", ""))
    if code in THROTTLING_CODES:
        return  # botocore's handler decides: AWS did not act on a throttled request
    raise ClientError(parsed, operation.name)


def retry_only_throttling(client: Any, operations: tuple[str, ...]) -> None:
    """Make ``client`` try each of ``operations`` once unless throttled; idempotent. A
    client without botocore's event system (a test double) has no retries to restrict."""
    meta = getattr(client, "meta", None)
    if meta is None:
        return
    service_id = meta.service_model.service_id.hyphenize()
    for operation in operations:
        meta.events.register(
            f"needs-retry.{service_id}.{operation}",
            _retry_only_throttling,
            unique_id=f"ecs-oauth-retry-only-throttling-{operation}",
        )
