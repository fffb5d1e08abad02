"""Files to typed objects: find the files, parse them, validate each document's schema.

Every problem becomes a Diagnostic at the node at fault; nothing here raises for bad input.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from controller.desired._diagnostics import Diagnostic, Location
from controller.desired._kinds import API_VERSION, KINDS, AnyObject
from controller.desired._redact import shown
from controller.desired._types import PATTERN_HINTS
from controller.desired._yaml import MAX_FILE_BYTES, Document, parse_documents, too_large

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Placed:
    """A validated object and the document it came from, so later rules can point into it."""

    obj: AnyObject
    document: Document

    @property
    def key(self) -> str:
        return f"{self.obj.kind}/{self.obj.metadata.name}"


def find_files(path: Path) -> tuple[list[Path], list[Diagnostic]]:
    """A file, or every YAML file below a folder in a stable (sorted) order."""
    if path.is_file():
        return [path], []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        if not files:
            return [], [Diagnostic(Location(str(path)), "no *.yaml or *.yml files in this folder")]
        return files, []
    return [], [Diagnostic(Location(str(path)), "no such file or folder")]


def read_documents(files: list[Path]) -> tuple[list[Document], list[Diagnostic]]:
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    for file in files:
        try:
            raw = _read_capped(file)
        except OSError as exc:
            diagnostics.append(Diagnostic(Location(str(file)), f"cannot read: {exc.strerror}"))
            continue
        if raw is None:
            diagnostics.append(too_large(str(file)))
            continue
        found, problems = parse_documents(str(file), raw)
        documents.extend(found)
        diagnostics.extend(problems)
    return documents, diagnostics


def _read_capped(file: Path) -> bytes | None:
    """The file's bytes, or None when it is over the limit: its size is checked before
    reading, and at most one byte past the limit is read (a file growing while read)."""
    if file.stat().st_size > MAX_FILE_BYTES:
        return None
    with file.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    return None if len(raw) > MAX_FILE_BYTES else raw


def to_object(document: Document) -> tuple[Placed | None, list[Diagnostic]]:
    """Validate one document against its kind's model."""
    data = document.data
    if not isinstance(data, dict):
        found = type(data).__name__
        message = (
            f"a desired-state document must be a mapping with apiVersion and kind, not a {found}"
        )
        return None, [Diagnostic(document.start, message)]
    if data.get("apiVersion") != API_VERSION:
        where = document.value_at(("apiVersion",)) if "apiVersion" in data else document.start
        got = repr(data["apiVersion"]) if "apiVersion" in data else "none"
        return None, [Diagnostic(where, f"unknown apiVersion {got}; expected {API_VERSION!r}")]
    kind = data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        where = document.value_at(("kind",)) if "kind" in data else document.start
        expected = ", ".join(KINDS)
        return None, [Diagnostic(where, f"unknown kind {kind!r}; expected one of {expected}")]
    try:
        return Placed(model.model_validate(data), document), []
    except ValidationError as exc:
        return None, [_diagnostic(document, error) for error in exc.errors()]


def _diagnostic(document: Document, error: ErrorDetails) -> Diagnostic:
    path = _written_path(document, error["loc"])
    # repr() keeps a key holding a newline or control character on the error's one line.
    dotted = ".".join(str(p) if str(p).isprintable() else repr(p) for p in path)
    kind = error["type"]
    if kind == "extra_forbidden":
        field = str(path[-1])
        message = f"unknown field {field!r}{_suggestion(field)}"
        return Diagnostic(document.key_at(path), message)
    if kind == "missing":
        return Diagnostic(document.value_at(path), f"missing required field {dotted!r}")
    return Diagnostic(document.value_at(path), f"{dotted}: {_describe(error, path)}")


def _describe(error: ErrorDetails, path: tuple[int | str, ...]) -> str:
    value = error.get("input")
    if error["type"] == "string_pattern_mismatch":
        if isinstance(value, str) and "*" in value:
            return f"{shown(value, path)} holds a wildcard; grant exact scopes (least privilege)"
        pattern = (error.get("ctx") or {}).get("pattern", "")
        hint = PATTERN_HINTS.get(str(pattern), f"must match {pattern}")
        return f"{shown(value, path)} {hint}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"].endswith("_type") and not isinstance(value, dict | list):
        message += f", got {shown(value, path)}"
    return message


def _written_path(document: Document, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """pydantic names a field it filled from its default by the Python name; users write the
    alias (``gracePeriod``, not ``grace_period``)."""
    path: tuple[int | str, ...] = ()
    for part in loc:
        if isinstance(part, str) and (*path, part) not in document.values:
            part = _ALIASES.get(part, part)
        path = (*path, part)
    return path


def _field_aliases() -> dict[str, str]:
    """Python field name -> the name written in YAML, for every field of every kind."""
    aliases: dict[str, str] = {}
    pending: list[type[BaseModel]] = list(KINDS.values())
    while pending:
        model = pending.pop()
        for name, field in model.model_fields.items():
            aliases[name] = field.alias or name
            for arg in _model_args(field.annotation):
                pending.append(arg)
    return aliases


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _model_args(arg)]


_ALIASES = _field_aliases()
_FIELDS = set(_ALIASES.values())


def _suggestion(field: str) -> str:
    if field in _FIELDS:  # right name, wrong place (tokenLifetime on a Scope, say)
        return "; that field belongs elsewhere (see the kind's schema in crds/)"
    close = difflib.get_close_matches(field, _FIELDS, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
