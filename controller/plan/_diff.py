"""Field-level differences between a desired and an observed document. Pure.

Only the fields the desired document names are compared: the controller owns those and
nothing else (image, cpu and the rest belong to whoever deploys).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from controller.plan._model import KNOWN_AFTER_APPLY, SENSITIVE, FieldChange


class Sensitive(str):
    """A secret value that compares by what it holds but whose characters are
    ``(sensitive)``: ``json.dumps``, ``str``, f-strings, ``repr`` and structlog all see only
    that, since they read a string's characters, not its methods. ``reveal`` is the one way
    to the value, for the code that writes it where it belongs."""

    _value: str

    def __new__(cls, value: str) -> Sensitive:
        wrapped = super().__new__(cls, SENSITIVE)
        wrapped._value = value.reveal() if isinstance(value, Sensitive) else str(value)
        return wrapped

    def reveal(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sensitive):
            return self._value == other._value
        if isinstance(other, str):
            return self._value == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._value)


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
