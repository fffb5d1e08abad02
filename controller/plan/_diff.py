"""Field-level differences between a desired and an observed document. Pure.

Only the fields the desired document names are compared: the controller owns those and
nothing else (image, cpu and the rest belong to whoever deploys).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from controller.plan._model import KNOWN_AFTER_APPLY, SENSITIVE, FieldChange


class Sensitive(str):
    """A secret value: compared like a string, always rendered as ``(sensitive)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(SENSITIVE)

    def __str__(self) -> str:
        return SENSITIVE


def redact(value: Any) -> Any:
    if isinstance(value, Sensitive):
        return SENSITIVE
    if isinstance(value, Mapping):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def diff_documents(
    desired: Mapping[str, Any], observed: Mapping[str, Any] | None, prefix: str = ""
) -> tuple[FieldChange, ...]:
    """Changes that turn ``observed`` into ``desired``, one per leaf that differs.

    A desired value of ``KNOWN_AFTER_APPLY`` is a placeholder for an id that exists only
    once an earlier step runs; it counts as a change only when nothing is there yet.
    """
    return tuple(_walk(desired, observed or {}, prefix))


def _walk(
    desired: Mapping[str, Any], observed: Mapping[str, Any], prefix: str
) -> Iterator[FieldChange]:
    for key, want in desired.items():
        path = f"{prefix}.{key}" if prefix else key
        have = observed.get(key)
        if isinstance(want, Mapping) and not isinstance(want, Sensitive):
            yield from _walk(want, have if isinstance(have, Mapping) else {}, path)
        elif want == KNOWN_AFTER_APPLY:
            if have is None:
                yield FieldChange(path, None, KNOWN_AFTER_APPLY)
        elif _normal(want) != _normal(have):
            if isinstance(want, Sensitive):
                yield FieldChange(path, None if have is None else SENSITIVE, SENSITIVE)
            else:
                yield FieldChange(path, redact(have), redact(want))


def _normal(value: Any) -> Any:
    """Lists compare as ordered; tuples and lists are the same thing on the wire."""
    if isinstance(value, tuple):
        return list(value)
    return value
