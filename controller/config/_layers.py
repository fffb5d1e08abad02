"""Helm's layering: values.yaml, then each ``--values FILE`` in order, then ``--set a.b=c``.

Each value remembers the file and line it came from, so a bad setting is reported where
it was written, like a desired-state error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from controller.config._messages import explain
from controller.config._settings import Settings
from controller.desired import DesiredStateError, Diagnostic, Location
from controller.desired._yaml import parse_documents

Origins = dict[tuple[str | int, ...], Location]


def _merge(
    base: dict[str, Any],
    layer: dict[str, Any],
    origins: Origins,
    where: Origins,
    path: tuple[str | int, ...] = (),
) -> None:
    for key, value in layer.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            # A problem of the section as a whole points at the last layer that wrote it.
            origins[here] = where.get(here, origins.get(here, Location("values")))
            _merge(base[key], value, origins, where, here)
        else:
            base[key] = value
            for origin_path, location in where.items():
                if origin_path[: len(here)] == here:
                    origins[origin_path] = location


def _read(path: Path) -> tuple[dict[str, Any], Origins]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DesiredStateError(
            [Diagnostic(Location(str(path)), f"cannot read: {exc.strerror}")]
        ) from None
    documents, problems = parse_documents(str(path), raw)
    if problems:
        raise DesiredStateError(problems)
    if not documents:
        return {}, {}
    document = documents[0]
    if not isinstance(document.data, dict):
        raise DesiredStateError([Diagnostic(document.start, "a values file must be a mapping")])
    return document.data, {**document.values, **document.keys}  # keys: where a name was written


def _set_layer(assignment: str, index: int) -> tuple[dict[str, Any], Origins]:
    where = Location("--set", 1, index + 1)
    if "=" not in assignment:
        raise DesiredStateError([Diagnostic(where, f"{assignment!r}: expected key.path=value")])
    dotted, text = assignment.split("=", 1)
    keys = dotted.split(".")
    try:
        value: Any = yaml.safe_load(text) if text else ""
    except yaml.YAMLError:  # as Helm does: what does not read as YAML is a string
        value = text
    layer: dict[str, Any] = {}
    cursor = layer
    for key in keys[:-1]:
        cursor = cursor.setdefault(key, {})
    cursor[keys[-1]] = value
    return layer, {tuple(keys[:i]): where for i in range(1, len(keys) + 1)}


def load_settings(values: list[Path], assignments: list[str]) -> Settings:
    merged: dict[str, Any] = {}
    origins: Origins = {}
    for path in values:
        data, where = _read(path)
        _merge(merged, data, origins, where)
    for index, assignment in enumerate(assignments):
        data, where = _set_layer(assignment, index)
        _merge(merged, data, origins, where)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise DesiredStateError(
            [
                Diagnostic(
                    _nearest(origins, tuple(error["loc"])) or Location("values"), explain(error)
                )
                for error in exc.errors()
            ]
        ) from None


def _nearest(origins: Origins, path: tuple[str | int, ...]) -> Location | None:
    for end in range(len(path), 0, -1):
        if path[:end] in origins:
            return origins[path[:end]]
    return None
