"""The AWS adapter's own error tree: callers catch these, never botocore's classes.

Messages carry the operation and AWS's error code, never request parameters (which may
hold secret values).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError
from botocore.parsers import ResponseParserError

# One list, as c7n keeps it: the codes that mean "slow down", across the services we call.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)

# A service quota was reached (IAM roles per account, app clients per user pool...):
# retrying cannot help, a person must raise the quota or remove something.
QUOTA_CODES = frozenset(
    {
        "ServiceQuotaExceededException",
        "LimitExceededException",
        "LimitExceeded",
    }
)

NOT_FOUND_CODES = frozenset(
    {
        "NoSuchEntity",
        "ResourceNotFoundException",
        "NotFoundException",
    }
)


class AwsError(Exception):
    """An AWS call failed; ``code`` is AWS's error code when it gave one."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed: {code}: {message}")
        self.operation = operation
        self.code = code

    @property
    def throttled(self) -> bool:
        return self.code in THROTTLING_CODES

    @property
    def transient(self) -> bool:
        """Worth retrying as it is: throttled, or the answer was lost on the way."""
        return self.throttled

    @property
    def quota(self) -> bool:
        """A service quota stands in the way: report it to a person, do not retry."""
        return False


class AwsNotFound(AwsError):
    """The resource asked for does not exist (or no longer does)."""


class AwsQuotaExceeded(AwsError):
    """A service quota was reached; ``reason`` is what the engine reports."""

    reason = "QuotaExceeded"

    @property
    def quota(self) -> bool:
        return True


class AwsTransient(AwsError):
    """The call may or may not have happened and its answer was lost or garbled (an
    unparseable body, a dropped connection): retry it like throttling."""

    @property
    def transient(self) -> bool:
        return True

    @property
    def throttled(self) -> bool:
        # Callers that only know "throttled" as "retry later" must retry this too.
        return True


class LeadershipLost(AwsError):
    """A write was refused before it left: this process's lease is not known to be valid,
    so another replica may be writing. Nothing was sent; the leader will do it."""

    reason = "LeadershipLost"

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(operation, "LeadershipLost", message)


def translate(operation: str, exc: Exception) -> AwsError:
    """botocore's exception as ours, keeping only what is safe to print."""
    if isinstance(exc, AwsError):  # raised by our own hooks (the fence) inside botocore
        return exc
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", ""))[:300]
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        cls: type[AwsError] = AwsError
        if code in NOT_FOUND_CODES:
            cls = AwsNotFound
        elif code in QUOTA_CODES:
            cls = AwsQuotaExceeded
        elif status >= 500:
            # AWS failed on its side (InternalFailure, ServiceUnavailable) after botocore's
            # own retries: it may or may not have acted; the next pass reads and retries.
            cls = AwsTransient
        return cls(operation, code, message)
    if isinstance(exc, ResponseParserError):
        # Its text quotes the body it could not parse, which may hold a secret value.
        return AwsTransient(operation, type(exc).__name__, "unparseable response; retry")
    if isinstance(exc, (ConnectionError, HTTPClientError)):
        return AwsTransient(operation, type(exc).__name__, str(exc)[:300])
    if isinstance(exc, BotoCoreError):
        return AwsError(operation, type(exc).__name__, str(exc)[:300])
    return AwsError(operation, type(exc).__name__, "unexpected failure")


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


async def call(client: Any, operation: str, **kwargs: Any) -> Any:
    """``client.<operation>(**kwargs)`` by its AWS name, failing with our error tree only."""
    try:
        return await getattr(client, _snake(operation))(**kwargs)
    except Exception as exc:
        raise translate(operation, exc) from exc
