"""pydantic's validation errors in the words of the file the user wrote: field names as
written, examples instead of class names, the offending value shown only when safe.

Shared by the desired-state kinds and the controller's settings: the same error reads the
same in both.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from controller.desired._redact import REDACTED, shown
from controller.desired._types import PATTERN_HINTS

Path = tuple[int | str, ...]
# A credential is written as a reference, never as its value: the example says how.
REFERENCE_EXAMPLE = "{fromEnv: NAME} or {fromSecretArn: arn:aws:secretsmanager:...}"
_REFERENCE_CLASS = "FromEnvOrSecret"
# Error types whose message names what was expected but not what was found.
_SAYS_NOT_WHAT = ("literal_error", "enum", "bool_parsing", "int_parsing", "float_parsing")


def models_by_name(roots: Iterable[type[BaseModel]]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``roots`` by its class name, as pydantic's errors name it."""
    found: dict[str, type[BaseModel]] = {}
    pending = list(roots)
    while pending:
        model = pending.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        for field in model.model_fields.values():
            pending.extend(model_args(field.annotation))
    return found


def model_args(annotation: Any) -> list[type[BaseModel]]:
    """The models inside a type annotation (``X | None``, ``list[X]``, ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in model_args(arg)]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest known word, or nothing; never the word
    itself, which would read as advice to change nothing."""
    close = difflib.get_close_matches(word, [k for k in known if k != word], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe(
    error: ErrorDetails,
    path: Path,
    models: dict[str, type[BaseModel]],
    hints: Mapping[str, str] = PATTERN_HINTS,
) -> str:
    """What is wrong with the value at ``path``, without the path itself. ``models`` name
    the fields a mapping expects; ``hints`` say in words what a pattern wants."""
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if error["type"] == "model_type":
        return _expected_mapping(str(ctx.get("class_name", "")), value, path, models)
    if error["type"] == "string_pattern_mismatch":
        if isinstance(value, str) and "*" in value:
            return f"{shown(value, path)} holds a wildcard; grant exact scopes (least privilege)"
        pattern = str(ctx.get("pattern", ""))
        hint = hints.get(pattern, f"must match {pattern}")
        return f"{shown(value, path)} {hint}"
    message = error["msg"].removeprefix("Value error, ")
    says_not_what = error["type"].endswith("_type") or error["type"] in _SAYS_NOT_WHAT
    if says_not_what and not isinstance(value, dict | list):
        message += f", got {shown(value, path)}"
    return message


def _expected_mapping(
    class_name: str, value: object, path: Path, models: dict[str, type[BaseModel]]
) -> str:
    if class_name == _REFERENCE_CLASS:
        # Whatever was written in its place is likely the credential itself: never shown.
        return f"expected a reference such as {REFERENCE_EXAMPLE}, never the value itself"
    model = models.get(class_name)
    fields = (
        " of " + ", ".join(field.alias or name for name, field in model.model_fields.items())
        if model is not None
        else ""
    )
    got = shown(value, path)
    return f"expected a mapping{fields}" + ("" if got == REDACTED else f"; got {got}")
