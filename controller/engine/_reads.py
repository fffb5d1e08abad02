"""What a plan was computed from: a digest of every read, per object.

A saved plan is applied only while the world still reads the same. The adapters' answers
are what the engine decides on, so each read through an adapter method listed here is
digested, under the object being reconciled (a context variable the engine sets) and a
label a person can act on (``ecs:task-definition latest orders-api``). Answers are reduced
first to what decisions use: ECS's task counts and events, which move on their own, would
otherwise make every saved plan stale. The digests never hold a value, only SHA-256.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from controller.aws import AwsError
from controller.engine._ecs_service import verdict_inputs
from controller.engine._world import World
from controller.idp import IdpError
from controller.plan._desired import is_ours
from controller.plan._saved import digest as saved_digest

Reads = dict[str, dict[str, str]]  # object key -> read label -> digest
Projection = Callable[[Any], Any]

CYCLE = "(cycle)"
reading_for: ContextVar[str] = ContextVar("reading_for", default=CYCLE)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return value


def digest(value: Any) -> str:
    return saved_digest(_plain(value))


def _subject(args: tuple[Any, ...]) -> str:
    """What a read was about, from its arguments: names and ids, never values."""
    parts = []
    for arg in args:
        if isinstance(arg, str):
            parts.append(arg)
        elif (name := getattr(arg, "name", None)) is not None:
            parts.append(str(name))
        elif (client_id := getattr(arg, "client_id", None)) is not None:
            parts.append(str(client_id))
    return "/".join(parts)


class ReadJournal:
    """Digests of the reads one engine pass made, by object and label."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, set[str]]] = {}

    def record(self, label: str, answer: Any) -> None:
        self._seen.setdefault(reading_for.get(), {}).setdefault(label, set()).add(digest(answer))

    def reads(self) -> Reads:
        """One digest per label, labels in the order first read: a label read twice in a
        pass counts with every answer."""
        return {
            key: {label: digest(sorted(answers)) for label, answers in labels.items()}
            for key, labels in sorted(self._seen.items())
        }


class Recorded:
    """An adapter whose listed read methods are journaled; everything else passes through.

    ``reads`` maps a method name to ``(label, projection)``. A read that fails is
    journaled too (its error type and code, not its message, which names request ids):
    a cluster that went missing since the plan is a change of the world as well.
    """

    def __init__(
        self,
        target: Any,
        reads: Mapping[str, tuple[str, Projection]],
        journal: ReadJournal,
        where: str = "",
    ) -> None:
        self._target = target
        self._reads = reads
        self._journal = journal
        self._where = where

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._target, name)
        if name not in self._reads:
            return method
        label, projection = self._reads[name]

        async def recorded(*args: Any, **kwargs: Any) -> Any:
            subject = " ".join(part for part in (label, _subject(args), self._where) if part)
            try:
                answer = await method(*args, **kwargs)
            except (AwsError, IdpError) as exc:
                self._journal.record(subject, {"error": type(exc).__name__, "code": _code(exc)})
                raise
            self._journal.record(subject, projection(answer))
            return answer

        return recorded


def _code(exc: AwsError | IdpError) -> str | None:
    if isinstance(exc, AwsError):
        return exc.code
    return exc.error


def whole(answer: Any) -> Any:
    return answer


def _ours(controller_id: str) -> Projection:
    """Of every role in the account, only those this controller manages decide anything."""

    def projection(roles: Mapping[str, Any]) -> Any:
        return {name: role for name, role in roles.items() if is_ours(role.tags, controller_id)}

    return projection


def record_reads(world: World, journal: ReadJournal) -> None:
    """Journal every read the engine makes through ``world`` from now on."""
    tables: dict[str, dict[str, tuple[str, Projection]]] = {
        "iam": {
            "find": ("iam:role", whole),
            "role": ("iam:role", whole),
            "roles": ("iam:roles", _ours(world.settings.controller_id)),
        },
        "secrets": {
            "describe": ("secretsmanager:secret", whole),
            "value": ("secretsmanager:secret value", whole),
            "listing": ("secretsmanager:secrets", whole),
            "resource_policy": ("secretsmanager:resource-policy", whole),
        },
        "task_definitions": {
            "latest_arn": ("ecs:task-definition latest", whole),
            "describe": ("ecs:task-definition", whole),
            "tags": ("ecs:task-definition tags", whole),
        },
        "services": {
            "get": ("ecs:service", verdict_inputs),
            "refresh": ("ecs:service", verdict_inputs),
        },
        "idp": {
            "read": ("idp:client", whole),
            "endpoints": ("idp:discovery", whole),
            "find_by_name": ("idp:client named", whole),
            "missing_scopes": ("okta:scopes missing", whole),
        },
        "resource_servers": {"list": ("cognito:resource-servers", whole)},
    }

    def recorder(kind: str, adapter: Any, where: str) -> Any:
        return Recorded(adapter, tables[kind], journal, where)

    world.recorder = recorder
    world.iam = recorder("iam", world.iam, "")
    world.secrets = recorder("secrets", world.secrets, "")
    world.task_definitions = recorder("task_definitions", world.task_definitions, "")
    world.services = recorder("services", world.services, "")
