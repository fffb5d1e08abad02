"""Thin async adapters over AWS. Public API re-exported here; modules are private."""

from controller.aws._clients import AwsClients, CallCounter, RateLimits
from controller.aws._errors import THROTTLING_CODES, AwsError, AwsNotFound, translate

__all__ = [
    "THROTTLING_CODES",
    "AwsClients",
    "AwsError",
    "AwsNotFound",
    "CallCounter",
    "RateLimits",
    "translate",
]
