"""Thin async adapters over AWS. Public API re-exported here; modules are private."""

from controller.aws._clients import AwsClients, CallCounter, RateLimits
from controller.aws._ecs import EcsServices, TaskDefinitions
from controller.aws._errors import (
    QUOTA_CODES,
    THROTTLING_CODES,
    AwsError,
    AwsNotFound,
    AwsQuotaExceeded,
    AwsTransient,
    LeadershipLost,
    call,
    translate,
)
from controller.aws._fence import Fence, is_write
from controller.aws._iam import Iam, ObservedRole, RoleExists
from controller.aws._lease import Lease, LeaseTimeout, lease_holder, lease_name
from controller.aws._records import ConvergenceRecords
from controller.aws._retry_policy import retry_only_throttling
from controller.aws._secrets import CURRENT as AWSCURRENT
from controller.aws._secrets import PENDING as AWSPENDING
from controller.aws._secrets import PREVIOUS as AWSPREVIOUS
from controller.aws._secrets import ObservedSecret, Secrets

__all__ = [
    "AWSCURRENT",
    "AWSPENDING",
    "AWSPREVIOUS",
    "QUOTA_CODES",
    "THROTTLING_CODES",
    "AwsClients",
    "AwsError",
    "AwsNotFound",
    "AwsQuotaExceeded",
    "AwsTransient",
    "CallCounter",
    "ConvergenceRecords",
    "EcsServices",
    "Fence",
    "Iam",
    "LeadershipLost",
    "Lease",
    "LeaseTimeout",
    "ObservedRole",
    "ObservedSecret",
    "RateLimits",
    "RoleExists",
    "Secrets",
    "TaskDefinitions",
    "call",
    "is_write",
    "lease_holder",
    "lease_name",
    "retry_only_throttling",
    "translate",
]
