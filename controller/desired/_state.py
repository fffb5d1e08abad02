"""The validated desired state and the facts derived from it that every later layer needs."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from controller.desired._kinds import AnyObject, IdentityProvider, Role, Scope, Service
from controller.desired._loader import Placed


@dataclass(frozen=True)
class DesiredState:
    """Objects by name, per kind; plus where each came from, for error messages."""

    providers: dict[str, IdentityProvider] = field(default_factory=dict)
    scopes: dict[str, Scope] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    sources: dict[str, Placed] = field(default_factory=dict)

    def declared(self, key: str) -> AnyObject | None:
        """The object a ``Kind/name`` key names (work-queue keys, change objects), if any."""
        placed = self.sources.get(key)
        return placed.obj if placed is not None else None

    @property
    def object_count(self) -> int:
        return len(self.sources)

    def summary(self) -> str:
        """``9 objects valid: 2 IdentityProvider, 3 Scope, 2 Role, 2 Service``."""
        counts: Counter[str] = Counter(placed.obj.kind for placed in self.sources.values())
        kinds = ", ".join(f"{counts[kind]} {kind}" for kind in _KIND_ORDER if counts[kind])
        noun = "object" if self.object_count == 1 else "objects"
        return f"{self.object_count} {noun} valid: {kinds}" if kinds else "0 objects"

    def scope_value(self, name: str) -> str:
        """The scope string on the wire and in tokens."""
        return wire_scope(self.scopes[name])

    def role_scopes(self, role: str) -> list[str]:
        """The wire scopes of a role, sorted: the order never counts as drift."""
        return sorted(self.scope_value(name) for name in self.roles[role].spec.scopes)

    def role_provider(self, role: str) -> IdentityProvider:
        first_scope = self.scopes[self.roles[role].spec.scopes[0]]
        return self.providers[first_scope.spec.provider]

    def service_provider(self, service: str) -> IdentityProvider:
        return self.role_provider(self.services[service].spec.role)


_KIND_ORDER = ("IdentityProvider", "Scope", "Role", "Service")


def wire_scope(scope: Scope) -> str:
    if scope.spec.value is not None:
        return scope.spec.value
    if scope.spec.resource_server is not None:
        return f"{scope.spec.resource_server}/{scope.metadata.name}"
    return scope.metadata.name


def generation(obj: IdentityProvider | Scope | Role | Service) -> str:
    """A short, stable hash of an object's spec: status's observedGeneration."""
    return _digest(obj.spec.model_dump(mode="json", by_alias=True))


def inputs_generation(state: DesiredState, key: str) -> str:
    """A hash of everything an object's desired resources derive from: its own spec and
    those of the objects it references. A change the controller must make while this stays
    the same cannot come from an edit, so it is drift."""
    kind, name = key.split("/", 1)
    objects: list[IdentityProvider | Scope | Role | Service] = []
    if kind == "Service":
        objects.append(state.services[name])
        kind, name = "Role", state.services[name].spec.role
    if kind == "Role":
        role = state.roles[name]
        objects += [role, *(state.scopes[scope] for scope in role.spec.scopes)]
        objects.append(state.role_provider(name))
    elif kind == "IdentityProvider":  # and the scopes it serves, which it creates
        objects.append(state.providers[name])
        served = sorted(s for s, scope in state.scopes.items() if scope.spec.provider == name)
        objects += [state.scopes[scope] for scope in served]
    return _digest([[o.kind, o.metadata.name, _landing(o)] for o in objects])


def _landing(obj: IdentityProvider | Scope | Role | Service) -> str:
    """The part of an object's spec that shapes what lands in AWS: a Service's ``mode``
    says only whether the controller corrects, so switching it is no edit of the resources
    (and drift found in detect mode stays drift in enforce mode)."""
    return _digest(obj.spec.model_dump(mode="json", by_alias=True, exclude={"mode"}))


def _digest(document: object) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:12]
