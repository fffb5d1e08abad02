"""What each managed resource should look like, as plain documents. Pure.

The engine diffs these against observed documents of the same shape; only the keys named
here are owned, so everything else on a live resource is left as it is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from controller.plan._diff import Sensitive
from controller.plan._model import KNOWN_AFTER_APPLY

MANAGED_BY = "ecs-oauth.dev/managed-by"
OWNER = "ecs-oauth.dev/owner"
SCOPES_TAG = "ecs-oauth.dev/scopes"
PROVIDER_TAG = "ecs-oauth.dev/provider"
ECS_TASKS = "ecs-tasks.amazonaws.com"
EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
SECRET_READ_POLICY = "ecs-oauth-read-secret"
IAM_TAG_VALUE_LIMIT = 256
# IAM role paths by kind. Role names are unique per account whatever the path, so a path
# says which kind a role is but does not keep two kinds' names apart.
TASK_ROLE_PATH = "/ecs-oauth/task/"
EXECUTION_ROLE_PATH = "/ecs-oauth/exec/"
ROLE_PATHS = {TASK_ROLE_PATH: "task role", EXECUTION_ROLE_PATH: "execution role"}
# IAM tag values: [\p{L}\p{Z}\p{N}_.:/=+\-@]*. '+' is kept for the escape itself.
_TAG_PUNCTUATION = frozenset("_.:/=-@")
_TAG_ESCAPE = "+"

ENV_CLIENT_ID = "OAUTH_CLIENT_ID"
ENV_CLIENT_SECRET = "OAUTH_CLIENT_SECRET"
ENV_TOKEN_ENDPOINT = "OAUTH_TOKEN_ENDPOINT"
ENV_SCOPE = "OAUTH_SCOPE"


def task_role_name(role: str) -> str:
    return f"ecs-oauth-{role}"


def execution_role_name(service: str) -> str:
    return f"ecs-oauth-{service}-exec"


SECRET_PREFIX = "ecs-oauth/"  # every Service's secrets, and only those, are named under it


def secret_name(service: str) -> str:
    return f"{SECRET_PREFIX}{service}"


REGISTRATION_SUFFIX = "/registration"


def registration_secret_name(service: str) -> str:
    """Controller-only: the RFC 7592 handles of the service's clients."""
    return f"{secret_name(service)}{REGISTRATION_SUFFIX}"


def client_name(service: str) -> str:
    return f"ecs-oauth-{service}"


def owner_tags(controller_id: str, owner: str) -> dict[str, str]:
    return {MANAGED_BY: controller_id, OWNER: owner}


def is_ours(tags: dict[str, str], controller_id: str) -> bool:
    return tags.get(MANAGED_BY) == controller_id


@dataclass(frozen=True)
class Claim:
    """What this controller may do with a resource it found: ``update`` it (ours),
    ``adopt`` it (no ``managed-by`` tag, and the object says ``adopt: true``), or
    ``refuse`` it, with the problem's reason and message."""

    action: Literal["update", "adopt", "refuse"]
    reason: str = ""
    message: str = ""


def claim(what: str, tags: dict[str, str], controller_id: str, adopt: bool) -> Claim:
    """Ownership of a found resource (``what``, e.g. ``secret ecs-oauth/x``), from its tags.

    A resource another controller manages (its ``managed-by`` tag names another id) is
    never taken over, whatever ``adopt`` says: two deployments would fight over it.
    """
    owner = tags.get(MANAGED_BY)
    if owner == controller_id:
        return Claim("update")
    if owner:
        return Claim(
            "refuse",
            "OwnedByOtherController",
            f"{what} is managed by controller {owner!r} (tag {MANAGED_BY}), not by "
            f"{controller_id!r}: it is left untouched, even with adopt: true",
        )
    if adopt:
        return Claim("adopt")
    return Claim(
        "refuse",
        "ResourceNotOwned",
        f"{what} exists without this controller's tags; set adopt: true to take it over",
    )


def _tag_safe(char: str) -> bool:
    if char in _TAG_PUNCTUATION:
        return True
    return unicodedata.category(char)[0] in "LZN"


def encode_tag_value(text: str) -> str:
    """``text`` in IAM's tag-value alphabet: every other character (and ``+`` itself)
    becomes ``+XX`` per UTF-8 byte, upper-case hex. Reversed by :func:`decode_tag_value`."""
    return "".join(
        char
        if _tag_safe(char)
        else "".join(f"{_TAG_ESCAPE}{byte:02X}" for byte in char.encode("utf-8"))
        for char in text
    )


def decode_tag_value(value: str) -> str:
    raw = bytearray()
    index = 0
    while index < len(value):
        if value[index] == _TAG_ESCAPE:
            raw.append(int(value[index + 1 : index + 3], 16))
            index += 3
        else:
            raw.extend(value[index].encode("utf-8"))
            index += 1
    return raw.decode("utf-8")


def scope_tags(provider: str, scopes: list[str]) -> dict[str, str]:
    """The role's scopes, readable in the IAM console; split where a tag value would overflow.

    Values are encoded to IAM's tag alphabet (scope tokens may hold ``!#$%&'()*,;<>?[]^`{|}~``);
    scopes are separated by spaces, which no scope token contains.
    """
    tags = {PROVIDER_TAG: encode_tag_value(provider)}
    chunk: list[str] = []
    chunks: list[str] = []
    for scope in (encode_tag_value(s) for s in scopes):
        if chunk and len(" ".join([*chunk, scope])) > IAM_TAG_VALUE_LIMIT:
            chunks.append(" ".join(chunk))
            chunk = []
        chunk.append(scope)
    chunks.append(" ".join(chunk))
    for index, value in enumerate(chunks):
        tags[SCOPES_TAG if index == 0 else f"{SCOPES_TAG}.{index + 1}"] = value
    return tags


def scopes_from_tags(tags: dict[str, str]) -> tuple[str, list[str]]:
    """``(provider, scopes)`` as :func:`scope_tags` wrote them."""
    values = [tags.get(SCOPES_TAG, "")]
    index = 2
    while f"{SCOPES_TAG}.{index}" in tags:
        values.append(tags[f"{SCOPES_TAG}.{index}"])
        index += 1
    scopes = [decode_tag_value(token) for value in values for token in value.split(" ") if token]
    return decode_tag_value(tags.get(PROVIDER_TAG, "")), scopes


def trust_policy(account_id: str, region: str) -> dict[str, Any]:
    """Only ECS tasks of this account and Region may assume the role (confused-deputy guard,
    as the ECS developer guide recommends for task roles)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ECS_TASKS},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{account_id}:*"},
                },
            }
        ],
    }


def secret_read_policy(secret_arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            }
        ],
    }


def secret_resource_policy(execution_role_arn: str) -> dict[str, Any]:
    """Read access for exactly one shared execution role, granted on the secret itself."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcsOauthExecutionRoleRead",
                "Effect": "Allow",
                "Principal": {"AWS": execution_role_arn},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ],
    }


def canonical_policy(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    """IAM rewrites policies (single values as strings or lists): compare a canonical form."""
    if policy is None:
        return None

    def canon(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: canon(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [canon(v) for v in value]
            if len(items) == 1:
                return items[0]
            return sorted(items, key=repr)
        return value

    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return {
        "Version": policy.get("Version"),
        "Statement": sorted((canon(s) for s in statements), key=repr),
    }


def role_document(
    account_id: str,
    tags: dict[str, str],
    managed_policy_arns: list[str],
    inline_policies: dict[str, dict[str, Any]] | None = None,
    *,
    region: str | None = None,
) -> dict[str, Any]:
    """A role's owned fields. The trust policy needs the Region; without one it is left
    out here and :func:`controller.engine._roles.converge_role` fills it in."""
    document: dict[str, Any] = {
        "tags": tags,
        "managedPolicyArns": sorted(managed_policy_arns),
    }
    if region is not None:
        document["trustPolicy"] = canonical_policy(trust_policy(account_id, region))
    if inline_policies is not None:
        document["inlinePolicies"] = {
            name: canonical_policy(policy) for name, policy in inline_policies.items()
        }
    return document


def secret_value(
    client_id: str | None,
    client_secret: str | None,
    token_endpoint: str,
    scopes: list[str],
    issuer: str,
) -> dict[str, Any]:
    """SPEC's secret JSON; the client secret is wrapped so no renderer can print it."""
    return {
        "client_id": client_id if client_id is not None else KNOWN_AFTER_APPLY,
        "client_secret": Sensitive(client_secret)
        if client_secret is not None
        else KNOWN_AFTER_APPLY,
        "token_endpoint": token_endpoint,
        "scope": " ".join(scopes),
        "issuer": issuer,
    }


def task_definition_document(
    container: str,
    task_role_arn: str,
    execution_role_arn: str,
    secret_arn: str,
    token_endpoint: str,
    scopes: list[str],
) -> dict[str, Any]:
    """The fields of a task definition the controller owns; the rest is the deployer's.

    ``executionRoleArn`` is always set: ECS refuses container ``secrets`` without one, and
    it must be the role the secret grants read to.
    """
    document: dict[str, Any] = {
        "taskRoleArn": task_role_arn,
        "executionRoleArn": execution_role_arn,
    }
    value_from = KNOWN_AFTER_APPLY if secret_arn == KNOWN_AFTER_APPLY else f"{secret_arn}:{{key}}::"
    document["containers"] = {
        container: {
            "secrets": {
                ENV_CLIENT_ID: value_from.format(key="client_id"),
                ENV_CLIENT_SECRET: value_from.format(key="client_secret"),
            },
            "environment": {
                ENV_TOKEN_ENDPOINT: token_endpoint,
                ENV_SCOPE: " ".join(scopes),
            },
        }
    }
    return document


def observed_task_definition(definition: dict[str, Any], container: str) -> dict[str, Any]:
    """A described revision in :func:`task_definition_document`'s shape."""
    document: dict[str, Any] = {
        "taskRoleArn": definition.get("taskRoleArn"),
        "executionRoleArn": definition.get("executionRoleArn"),
        "containers": {},
    }
    for entry in definition.get("containerDefinitions", []):
        if entry.get("name") == container:
            document["containers"][container] = {
                "secrets": {s["name"]: s["valueFrom"] for s in entry.get("secrets", [])},
                "environment": {e["name"]: e["value"] for e in entry.get("environment", [])},
            }
    return document


def patched_task_definition(definition: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """The latest revision with only the owned fields corrected: the next revision to register."""
    patched = dict(definition)
    patched["taskRoleArn"] = desired["taskRoleArn"]
    patched["executionRoleArn"] = desired["executionRoleArn"]
    containers = []
    for entry in definition.get("containerDefinitions", []):
        wanted = desired["containers"].get(entry.get("name"))
        if wanted is not None:
            entry = dict(entry)
            entry["secrets"] = _merge(entry.get("secrets", []), wanted["secrets"], "valueFrom")
            entry["environment"] = _merge(
                entry.get("environment", []), wanted["environment"], "value"
            )
        containers.append(entry)
    patched["containerDefinitions"] = containers
    return patched


def _merge(
    entries: list[dict[str, str]], wanted: dict[str, str], field: str
) -> list[dict[str, str]]:
    """Replace or add our named entries, keeping everyone else's in their order."""
    merged = [e for e in entries if e["name"] not in wanted]
    merged.extend({"name": name, field: value} for name, value in wanted.items())
    return merged
