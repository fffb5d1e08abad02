"""Is the caller of an API call the controller itself? Pure.

The controller learns its identity once (``sts:GetCallerIdentity``). In a task that is an
assumed-role session, ``arn:aws:sts::<account>:assumed-role/<role>/<session>``, whose
session name changes with every task and credential refresh, while CloudTrail names the
same principal either by that session ARN or by the role (``arn:aws:iam::<account>:
role/<path>/<role>``). So a role is compared by partition, account and role name, any
session; every other principal (an IAM user, a root) by its exact ARN. Replicas of the
controller share its role, so their writes count as its own as well.
"""

from __future__ import annotations


def principal(arn: str) -> tuple[str, ...]:
    """What identifies the principal behind ``arn``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return (arn,)
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if service == "sts" and resource.startswith("assumed-role/"):
        role = resource.split("/")[1]
        return ("role", partition, account, role)
    if service == "iam" and resource.startswith("role/"):
        return ("role", partition, account, resource.rsplit("/", 1)[-1])
    return (arn,)


def is_own(actor: str | None, own: str | None) -> bool:
    """True when ``actor`` (an event's caller) is the controller's principal ``own``."""
    if actor is None or own is None:
        return False
    return principal(actor) == principal(own)
