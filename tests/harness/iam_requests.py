"""The permission checks IAM makes for one AWS call, from the sandbox's journal.

Each journaled call (service, operation, params) becomes one or more
:class:`~tests.harness.iam_policy.Request`: its action on the resource ARN the service
authorizes it against (per the Service Authorization Reference), with the condition keys
the call carries, plus the checks AWS makes implicitly for it: ``iam:PassRole`` for the
roles a task definition names, ``TagResource`` permissions for tags set on create.

An operation the mapping does not know raises: a new call must say which resource it
touches before the policy test can pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.harness.iam_policy import Request

ECS_TASKS = "ecs-tasks.amazonaws.com"
# A secret's ARN ends in six random characters after its name.
SECRET_SUFFIX = "-AbCdEf"
# Actions AWS authorizes against "*" only (no resource-level permissions).
UNSCOPED = {
    ("iam", "GetAccountAuthorizationDetails"),
    ("secretsmanager", "ListSecrets"),
    ("ecs", "ListTaskDefinitions"),
    ("ecs", "DescribeTaskDefinition"),
    ("ecs", "RegisterTaskDefinition"),
}
# Calls no policy needs to allow.
UNCHECKED = {("sts", "GetCallerIdentity")}
ROLE_OPERATIONS = {
    "CreateRole",
    "DeleteRole",
    "GetRole",
    "TagRole",
    "UntagRole",
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "GetRolePolicy",
    "ListRolePolicies",
    "ListAttachedRolePolicies",
    "ListRoleTags",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
}


@dataclass(frozen=True)
class Account:
    """Where the calls were made, and each role's path (part of a role's ARN)."""

    account_id: str
    role_paths: dict[str, str]

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.role_paths.get(name, '/')}{name}"


def requests_of(call: dict[str, Any], account: Account) -> list[Request]:
    """Every permission check ``call`` needs; empty for calls that need none."""
    service, operation = call["service"], call["operation"]
    if (service, operation) in UNCHECKED:
        return []
    action = f"{service}:{operation}"
    if (service, operation) in UNSCOPED:
        own = [Request(action, "*")]
    elif service not in RESOURCES:
        raise KeyError(f"no resource mapping for {action}: teach tests/harness/iam_requests.py")
    else:
        own = RESOURCES[service](call, account, action)
    return own + _implicit(call, account)


def _iam(call: dict[str, Any], account: Account, action: str) -> list[Request]:
    params = call["params"]
    if call["operation"] not in ROLE_OPERATIONS:
        raise KeyError(f"no resource mapping for {action}")
    name = params["RoleName"]
    arn = account.role_arn(name)
    if call["operation"] == "CreateRole":
        arn = f"arn:aws:iam::{account.account_id}:role{params.get('Path', '/')}{name}"
    context = {}
    if params.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    if params.get("PolicyArn"):
        context["iam:PolicyARN"] = params["PolicyArn"]
    return [Request(action, arn, context)]


def _secrets(call: dict[str, Any], account: Account, action: str) -> list[Request]:
    params = call["params"]
    secret = params.get("SecretId") or params["Name"]
    if not secret.startswith("arn:"):
        secret = (
            f"arn:aws:secretsmanager:{call['region']}:{account.account_id}:secret:"
            f"{secret}{SECRET_SUFFIX}"
        )
    return [Request(action, secret)]


def _ecs(call: dict[str, Any], account: Account, action: str) -> list[Request]:
    params = call["params"]
    if "resourceArn" in params:
        return [Request(action, params["resourceArn"])]
    cluster = _last(params.get("cluster") or "default")
    services = params.get("services") or [params["service"]]
    prefix = f"arn:aws:ecs:{call['region']}:{account.account_id}:service/{cluster}/"
    return [Request(action, f"{prefix}{_last(service)}") for service in services]


def _cognito(call: dict[str, Any], account: Account, action: str) -> list[Request]:
    pool = call["params"]["UserPoolId"]
    arn = f"arn:aws:cognito-idp:{call['region']}:{account.account_id}:userpool/{pool}"
    return [Request(action, arn)]


def _dynamodb(call: dict[str, Any], account: Account, action: str) -> list[Request]:
    table = call["params"]["TableName"]
    return [
        Request(action, f"arn:aws:dynamodb:{call['region']}:{account.account_id}:table/{table}")
    ]


RESOURCES: dict[str, Callable[[dict[str, Any], Account, str], list[Request]]] = {
    "iam": _iam,
    "secretsmanager": _secrets,
    "ecs": _ecs,
    "cognito-idp": _cognito,
    "dynamodb": _dynamodb,
}


def _implicit(call: dict[str, Any], account: Account) -> list[Request]:
    """What AWS also checks: passing roles to ECS, and tags given on create."""
    service, operation, params = call["service"], call["operation"], call["params"]
    found: list[Request] = []
    if (service, operation) == ("ecs", "RegisterTaskDefinition"):
        for key in ("taskRoleArn", "executionRoleArn"):
            if params.get(key):
                context = {"iam:PassedToService": ECS_TASKS}
                found.append(Request("iam:PassRole", params[key], context))
        if params.get("tags"):
            family = params["family"]
            arn = f"arn:aws:ecs:{call['region']}:{account.account_id}:task-definition/{family}:*"
            found.append(Request("ecs:TagResource", arn))
    if (service, operation) == ("iam", "CreateRole") and params.get("Tags"):
        found += [Request("iam:TagRole", r.resource) for r in _iam(call, account, "iam:TagRole")]
    if (service, operation) == ("secretsmanager", "CreateSecret") and params.get("Tags"):
        found += _secrets(call, account, "secretsmanager:TagResource")
    return found


def _last(name_or_arn: str) -> str:
    """A cluster's or service's name, given its name or its ARN."""
    return name_or_arn.rsplit("/", 1)[-1]
