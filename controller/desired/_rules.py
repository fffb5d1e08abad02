"""Rules that span objects: references, ownership of scope sets, provider consistency.

Each rule reports at the node at fault: a dangling reference at the reference, a
duplicate at its second occurrence, a repeated scope set at the later role.
"""

from __future__ import annotations

from collections.abc import Iterator

from controller.desired._diagnostics import CONSEQUENCE, Diagnostic
from controller.desired._kinds import IdentityProvider, Role, Scope
from controller.desired._loader import Placed
from controller.desired._state import DesiredState, wire_scope


def assemble(
    placed: list[Placed], invalid: frozenset[str] = frozenset()
) -> tuple[DesiredState, list[Diagnostic]]:
    """The state of every valid object, and what is wrong between them. ``invalid`` holds
    the ``Kind/name`` of documents already refused: a reference to one is a consequence
    of that error, not a second one."""
    state = DesiredState()
    diagnostics: list[Diagnostic] = []
    for item in placed:
        if item.key in state.sources:
            first = state.sources[item.key].document.value_at(("metadata", "name"))
            diagnostics.append(
                Diagnostic(
                    item.document.value_at(("metadata", "name")),
                    f"duplicate {item.key}; first defined at {first}",
                )
            )
            continue
        state.sources[item.key] = item
        obj = item.obj
        if isinstance(obj, IdentityProvider):
            state.providers[obj.metadata.name] = obj
        elif isinstance(obj, Scope):
            state.scopes[obj.metadata.name] = obj
        elif isinstance(obj, Role):
            state.roles[obj.metadata.name] = obj
        else:
            state.services[obj.metadata.name] = obj
    refused = invalid - state.sources.keys()
    diagnostics.extend(_scope_rules(state, refused))
    diagnostics.extend(_role_rules(state, refused))
    diagnostics.extend(_service_rules(state, refused))
    return state, diagnostics


def _error(state: DesiredState, key: str, path: tuple[str | int, ...], message: str) -> Diagnostic:
    return Diagnostic(state.sources[key].document.value_at(path), message)


def _undefined(
    state: DesiredState,
    key: str,
    path: tuple[str | int, ...],
    target: tuple[str, str],
    refused: frozenset[str],
) -> Diagnostic:
    """A reference to nothing valid: undefined, or defined by a document refused above."""
    where = state.sources[key].document.value_at(path)
    kind, name = target
    if f"{kind}/{name}" in refused:
        return Diagnostic(where, f"{kind} {name!r} is invalid (see above)", rank=CONSEQUENCE)
    return Diagnostic(where, f"{kind} {name!r} is not defined", reference=target)


def _scope_rules(state: DesiredState, refused: frozenset[str]) -> Iterator[Diagnostic]:
    for name, scope in state.scopes.items():
        key = f"Scope/{name}"
        provider = state.providers.get(scope.spec.provider)
        if provider is None:
            target = ("IdentityProvider", scope.spec.provider)
            yield _undefined(state, key, ("spec", "provider"), target, refused)
            continue
        server = scope.spec.resource_server
        if provider.spec.cognito is not None:
            if server is None:
                yield _error(
                    state,
                    key,
                    ("spec",),
                    f"Cognito provider {provider.metadata.name!r} needs spec.resourceServer: "
                    "the resource server that defines this scope",
                )
            elif not wire_scope(scope).startswith(f"{server}/"):
                yield _error(
                    state,
                    key,
                    ("spec", "value"),
                    f"Cognito scope value must start with its resourceServer {server + '/'!r}",
                )
            elif "/" in wire_scope(scope).removeprefix(f"{server}/"):
                # Cognito's ScopeName may not hold '/': the part after the server's is it.
                at: tuple[str | int, ...] = (
                    ("spec", "value") if scope.spec.value is not None else ("metadata", "name")
                )
                yield _error(
                    state,
                    key,
                    at,
                    f"Cognito scope name {wire_scope(scope).removeprefix(server + '/')!r} "
                    f"(the value after {server + '/'!r}) may not contain '/'",
                )
        elif server is not None:
            yield _error(
                state,
                key,
                ("spec", "resourceServer"),
                "resourceServer applies to Cognito providers only",
            )
    yield from _resource_server_limits(state)


COGNITO_SCOPES_PER_RESOURCE_SERVER = 100  # CreateResourceServer's Scopes: at most 100


def _resource_server_limits(state: DesiredState) -> Iterator[Diagnostic]:
    """A Cognito resource server holds at most 100 scopes; the first one past that is
    reported once, so a team learns it before CreateResourceServer refuses them all."""
    counted: dict[tuple[str, str], int] = {}
    for name, scope in state.scopes.items():
        provider = state.providers.get(scope.spec.provider)
        server = scope.spec.resource_server
        if provider is None or provider.spec.cognito is None or server is None:
            continue
        where = (provider.metadata.name, server)
        counted[where] = counted.get(where, 0) + 1
        if counted[where] == COGNITO_SCOPES_PER_RESOURCE_SERVER + 1:
            yield _error(
                state,
                f"Scope/{name}",
                ("spec", "resourceServer"),
                f"resource server {server!r} of Cognito provider {where[0]!r} would hold more "
                f"than {COGNITO_SCOPES_PER_RESOURCE_SERVER} scopes, Cognito's limit: declare "
                "this one and those after it on another resourceServer",
            )


def _role_rules(state: DesiredState, refused: frozenset[str]) -> Iterator[Diagnostic]:
    owner_of_set: dict[frozenset[tuple[str, str]], str] = {}
    for name, role in state.roles.items():
        key = f"Role/{name}"
        resolved = True
        seen: set[str] = set()
        for index, scope_name in enumerate(role.spec.scopes):
            if scope_name in seen:
                yield _error(
                    state, key, ("spec", "scopes", index), f"scope {scope_name!r} is listed twice"
                )
            seen.add(scope_name)
            if scope_name not in state.scopes:
                resolved = False
                at = ("spec", "scopes", index)
                yield _undefined(state, key, at, ("Scope", scope_name), refused)
        if not resolved:
            continue
        providers = sorted({state.scopes[s].spec.provider for s in role.spec.scopes})
        if len(providers) > 1:
            yield _error(
                state,
                key,
                ("spec", "scopes"),
                f"scopes span providers {', '.join(providers)}; a role's scopes must share one "
                "provider (one OAuth client per task role)",
            )
        # The set that counts is what the OAuth client is granted: (provider, wire scope).
        scope_set = frozenset((state.scopes[s].spec.provider, state.scope_value(s)) for s in seen)
        if scope_set in owner_of_set:
            yield _error(
                state,
                key,
                ("spec", "scopes"),
                f"Role {owner_of_set[scope_set]!r} already has this scope set; "
                "roles and scope sets map one to one",
            )
        else:
            owner_of_set[scope_set] = name


def _service_rules(state: DesiredState, refused: frozenset[str]) -> Iterator[Diagnostic]:
    family_owner: dict[str, str] = {}
    for name, service in state.services.items():
        key = f"Service/{name}"
        clash = f"{name}-exec"
        if clash in state.roles:
            # IAM role names are unique per account, whatever the path.
            yield _error(
                state,
                f"Role/{clash}",
                ("metadata", "name"),
                f"Role {clash!r} would be IAM role 'ecs-oauth-{clash}', the name of the "
                f"execution role made for Service {name!r}; rename the Role",
            )
        if service.spec.role not in state.roles:
            target = ("Role", service.spec.role)
            yield _undefined(state, key, ("spec", "role"), target, refused)
        family = service.spec.task_definition.family
        if family in family_owner:
            yield _error(
                state,
                key,
                ("spec", "taskDefinition", "family"),
                f"task definition family {family!r} is already managed by "
                f"Service {family_owner[family]!r}",
            )
        else:
            family_owner[family] = name
