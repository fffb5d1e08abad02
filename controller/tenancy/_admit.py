"""Admission: whether the platform's settings let each file's owner declare what it holds.

Pure: the desired state, the settings and the desired-state root come in; diagnostics at
FILE:LINE:COL go out, each naming the rule and what is allowed. The checks run before any
plan, apply or reconcile, so a refused object never reaches AWS or the identity provider.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from controller.desired import DesiredState, Diagnostic, Role, Scope, Service, wire_scope
from controller.desired._loader import Placed
from controller.tenancy._globs import listed, matches
from controller.tenancy._model import Team, Tenancy

PLATFORM = "platform"


@dataclass(frozen=True)
class Owner:
    """Who a file belongs to: a team (with its grant) or the platform."""

    name: str
    team: Team | None

    def __str__(self) -> str:
        return f"team {self.name}" if self.team is not None else "the platform"


def admit(
    state: DesiredState,
    root: Path,
    tenancy: Tenancy,
    allowed_managed_policy_arns: Sequence[str],
) -> list[Diagnostic]:
    """Every object the settings do not allow; empty when the whole state is admitted."""
    problems = list(_global_rules(state, allowed_managed_policy_arns))
    if tenancy.enforced:
        owners = {key: owner_of(placed, root, tenancy) for key, placed in state.sources.items()}
        problems += _tenancy_rules(state, owners, tenancy)
    return problems


def owner_of(placed: Placed, root: Path, tenancy: Tenancy) -> Owner | None:
    """The team or platform whose folder holds the object's file; None when no one's does."""
    folder = _relative(Path(placed.document.file), root)
    for name, team in tenancy.teams.items():
        if any(_under(folder, path) for path in team.paths):
            return Owner(name, team)
    if any(_under(folder, path) for path in tenancy.platform_paths):
        return Owner(PLATFORM, None)
    return None


def _relative(file: Path, root: Path) -> PurePosixPath:
    """The file's path below the desired-state root: the folder given to ``-f``, or the
    folder of the one file given. Files are listed from that root, so their paths start
    with it as written; no filesystem lookup is needed."""
    base = root.parent if file == root else root
    try:
        return PurePosixPath(file.relative_to(base).as_posix())
    except ValueError:  # outside the root: owned by no one
        return PurePosixPath("/", file.as_posix())


def _under(file: PurePosixPath, folder: str) -> bool:
    return folder == "." or file.is_relative_to(PurePosixPath(folder))


def _global_rules(state: DesiredState, allowed: Sequence[str]) -> Iterator[Diagnostic]:
    for name, role in state.roles.items():
        for index, arn in enumerate(role.spec.managed_policy_arns):
            if not matches(arn, allowed):
                yield _at(
                    state,
                    f"Role/{name}",
                    ("spec", "managedPolicyArns", index),
                    f"Role {name} may not attach {arn}: the platform's "
                    f"iam.allowedManagedPolicyArns allows {listed(allowed)}",
                )


def _tenancy_rules(
    state: DesiredState, owners: dict[str, Owner | None], tenancy: Tenancy
) -> Iterator[Diagnostic]:
    folders = [*(f"{p} (team {n})" for n, t in tenancy.teams.items() for p in t.paths)]
    folders += [f"{p} (platform)" for p in tenancy.platform_paths]
    for key, owner in owners.items():
        placed = state.sources[key]
        if owner is None:
            yield Diagnostic(
                placed.document.start,
                f"{key} is in a file no team owns; desired-state files belong under "
                f"{', '.join(folders)}",
            )
        elif owner.team is not None:
            yield from _team_rules(state, placed, owner, owner.team, owners)


def _team_rules(
    state: DesiredState,
    placed: Placed,
    owner: Owner,
    team: Team,
    owners: dict[str, Owner | None],
) -> Iterator[Diagnostic]:
    obj, key = placed.obj, placed.key
    who = f"{obj.kind} {obj.metadata.name} ({owner})"
    if isinstance(obj, Scope):
        value = wire_scope(obj)
        if not matches(value, team.scopes):
            yield _at(
                state,
                key,
                ("spec", "value") if obj.spec.value is not None else ("metadata", "name"),
                f"{who} may not define scope {value}; {owner.name} may define "
                f"{listed(team.scopes)}",
            )
    elif isinstance(obj, Role):
        yield from _role_rules(state, who, owner, team, obj)
    elif isinstance(obj, Service):
        yield from _service_rules(state, who, owner, team, obj, owners)
    else:
        yield _at(
            state,
            key,
            ("kind",),
            f"{who} may not be declared by a team; only the platform's folders may hold "
            "IdentityProviders",
        )


def _role_rules(
    state: DesiredState, who: str, owner: Owner, team: Team, role: Role
) -> Iterator[Diagnostic]:
    key = f"Role/{role.metadata.name}"
    for index, name in enumerate(role.spec.scopes):
        scope = state.scopes.get(name)
        value = wire_scope(scope) if scope is not None else name
        if not matches(value, team.scopes):
            yield _at(
                state,
                key,
                ("spec", "scopes", index),
                f"{who} may not grant scope {value}; {owner.name} may grant {listed(team.scopes)}",
            )
    for index, arn in enumerate(role.spec.managed_policy_arns):
        if not matches(arn, team.managed_policy_arns):
            yield _at(
                state,
                key,
                ("spec", "managedPolicyArns", index),
                f"{who} may not attach {arn}; {owner.name} may attach "
                f"{listed(team.managed_policy_arns)}",
            )


def _service_rules(
    state: DesiredState,
    who: str,
    owner: Owner,
    team: Team,
    service: Service,
    owners: dict[str, Owner | None],
) -> Iterator[Diagnostic]:
    key, spec = f"Service/{service.metadata.name}", service.spec
    role_owner = owners.get(f"Role/{spec.role}")
    if role_owner is not None and role_owner.name not in (owner.name, PLATFORM):
        yield _at(
            state,
            key,
            ("spec", "role"),
            f"{who} may not use Role {spec.role} of {role_owner}; {owner.name} may use its "
            "own Roles and the platform's",
        )
    if spec.service is not None:
        wired = f"{spec.cluster}/{spec.service}"
        if not matches(wired, team.ecs_services):
            yield _at(
                state,
                key,
                ("spec", "service"),
                f"{who} may not wire ECS service {wired}; {owner.name} may wire "
                f"{listed(team.ecs_services)}",
            )
    family = spec.task_definition.family
    if not matches(family, team.task_definition_families):
        yield _at(
            state,
            key,
            ("spec", "taskDefinition", "family"),
            f"{who} may not register task definition family {family}; {owner.name} may "
            f"register {listed(team.task_definition_families)}",
        )
    arn = spec.execution_role_arn
    if arn is not None and not matches(arn, team.execution_role_arns):
        yield _at(
            state,
            key,
            ("spec", "executionRoleArn"),
            f"{who} may not pass execution role {arn}; {owner.name} may pass "
            f"{listed(team.execution_role_arns)}",
        )


def _at(state: DesiredState, key: str, path: tuple[str | int, ...], message: str) -> Diagnostic:
    return Diagnostic(state.sources[key].document.value_at(path), message)
