"""Which managed objects an API call touched. Pure: an :class:`ApiCall` and the
:class:`ManagedIndex` in, reconcile keys out.

Each call CloudTrail reports names its resource in ``requestParameters`` (a family, a role
name, a secret id that may be a name or an ARN, a client id, a service and its cluster);
``routes`` says where to look per event source and name. A call not listed is unknown:
the listener logs and drops it. A call on a resource nobody manages touches no key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from controller.events._envelope import ApiCall
from controller.events._index import Keys, ManagedIndex, lookup

ECS = "ecs.amazonaws.com"
IAM = "iam.amazonaws.com"
SECRETS_MANAGER = "secretsmanager.amazonaws.com"
COGNITO = "cognito-idp.amazonaws.com"
Route = Callable[[ApiCall, ManagedIndex], Keys]
# Secrets Manager appends a hyphen and six random characters to a secret's name in its ARN.
_SECRET_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def objects_touched(call: ApiCall, index: ManagedIndex) -> Keys | None:
    """The keys ``call`` touched (often none); ``None`` when the call is not one we know."""
    route = ROUTES.get((call.source, call.name))
    return None if route is None else route(call, index)


def _task_definitions(call: ApiCall, index: ManagedIndex) -> Keys:
    """Register, Deregister, DeleteTaskDefinitions: by family, given or inside an ARN."""
    request, response = call.request, call.response
    refs = [request.get("family"), request.get("taskDefinition")]
    refs += _strings(request.get("taskDefinitions"))
    refs.append(_get(response, "taskDefinition", "taskDefinitionArn"))
    return lookup(index.families, (_family(ref) for ref in refs if isinstance(ref, str)))


def _ecs_service(call: ApiCall, index: ManagedIndex) -> Keys:
    """CreateService, UpdateService, DeleteService: the service in its cluster."""
    service = call.request.get("service") or call.request.get("serviceName")
    cluster = call.request.get("cluster")
    if not isinstance(service, str):
        return frozenset()
    found = _service_in(service, cluster if isinstance(cluster, str) else None)
    return index.ecs_services.get(found, frozenset())


def _ecs_tags(call: ApiCall, index: ManagedIndex) -> Keys:
    """TagResource, UntagResource: a task definition's or a service's tags."""
    arn = call.request.get("resourceArn")
    if not isinstance(arn, str):
        return frozenset()
    if ":task-definition/" in arn:
        return lookup(index.families, [_family(arn)])
    if ":service/" in arn:
        return index.ecs_services.get(_service_in(arn, None), frozenset())
    return frozenset()


def _iam_role(call: ApiCall, index: ManagedIndex) -> Keys:
    return lookup(index.roles, _strings([call.request.get("roleName")]))


def _secret(call: ApiCall, index: ManagedIndex) -> Keys:
    """``secretId`` (a name or an ARN); CreateSecret gives ``name``."""
    refs = _strings([call.request.get("secretId"), call.request.get("name")])
    return lookup(index.secrets, (_secret_name(ref) for ref in refs))


def _cognito_client(call: ApiCall, index: ManagedIndex) -> Keys:
    return lookup(index.clients, _strings([call.request.get("clientId")]))


def _cognito_pool(call: ApiCall, index: ManagedIndex) -> Keys:
    """Resource servers hold a provider's scopes: the provider of that user pool."""
    return lookup(index.user_pools, _strings([call.request.get("userPoolId")]))


def _family(ref: str) -> str:
    """``orders-api`` from ``orders-api``, ``orders-api:7`` or a task-definition ARN."""
    return ref.rsplit("/", 1)[-1].split(":", 1)[0]


def _service_in(service: str, cluster: str | None) -> tuple[str, str]:
    """(cluster, service) from a name or an ARN; ECS's default cluster is ``default``.
    A long service ARN (``service/<cluster>/<name>``) names its cluster itself."""
    parts = service.split(":")[-1].split("/") if service.startswith("arn:") else [service]
    if len(parts) == 3:
        return parts[1], parts[2]
    name = parts[-1]
    return (cluster or "default").rsplit("/", 1)[-1], name


def _secret_name(ref: str) -> str:
    """A secret's name from its name or its ARN (``...:secret:<name>-AbCdEf``)."""
    if not ref.startswith("arn:"):
        return ref
    name = ref.split(":", 6)[-1]
    return _SECRET_ARN_SUFFIX.sub("", name)


def _strings(value: object) -> list[str]:
    items: Iterable[object] = value if isinstance(value, list) else ()
    return [item for item in items if isinstance(item, str) and item]


def _get(document: Mapping[str, Any], *path: str) -> object:
    value: object = document
    for step in path:
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def _each(source: str, names: str, route: Route) -> dict[tuple[str, str], Route]:
    return {(source, name): route for name in names.split()}


ROUTES: dict[tuple[str, str], Route] = {
    **_each(ECS, "RegisterTaskDefinition DeregisterTaskDefinition", _task_definitions),
    **_each(ECS, "DeleteTaskDefinitions", _task_definitions),
    **_each(ECS, "CreateService UpdateService DeleteService", _ecs_service),
    **_each(ECS, "TagResource UntagResource", _ecs_tags),
    **_each(
        IAM,
        "CreateRole DeleteRole UpdateRole UpdateRoleDescription UpdateAssumeRolePolicy "
        "PutRolePolicy DeleteRolePolicy AttachRolePolicy DetachRolePolicy TagRole UntagRole "
        "PutRolePermissionsBoundary DeleteRolePermissionsBoundary",
        _iam_role,
    ),
    **_each(
        SECRETS_MANAGER,
        "CreateSecret PutSecretValue UpdateSecret UpdateSecretVersionStage DeleteSecret "
        "RestoreSecret TagResource UntagResource PutResourcePolicy DeleteResourcePolicy "
        "RotateSecret CancelRotateSecret",
        _secret,
    ),
    **_each(
        COGNITO,
        "UpdateUserPoolClient DeleteUserPoolClient AddUserPoolClientSecret "
        "DeleteUserPoolClientSecret",
        _cognito_client,
    ),
    **_each(
        COGNITO, "CreateResourceServer UpdateResourceServer DeleteResourceServer", _cognito_pool
    ),
}


def event_names() -> dict[str, list[str]]:
    """The calls routed, by event source: what the EventBridge rule's pattern lists."""
    names: dict[str, list[str]] = {}
    for source, name in sorted(ROUTES):
        names.setdefault(source, []).append(name)
    return names
