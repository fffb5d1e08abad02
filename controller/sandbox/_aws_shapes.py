"""AWS's server-side input validation, which neither botocore nor moto performs.

botocore checks a request's types on the client and moto trusts what it is
sent, but AWS also enforces every ``required``, ``pattern``, ``min``, ``max``
and ``enum`` constraint of its service models, and answers a violation with a
message such as::

    1 validation error detected: Value 'x!' at 'tags.1.member.value' failed to
    satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}...]*

A controller that passes the sandbox must therefore respect these constraints
too, or it would fail for the first time against AWS. Patterns are Java
regular expressions that must match the whole value; the ``regex`` package
understands their ``\\p{..}`` classes. Values of sensitive members are never
repeated in a message, as AWS does not repeat them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex
from botocore.model import ListShape, MapShape, Shape, StructureShape

NOT_NULL = "Member must not be null"
# Java writes a character outside the Basic Multilingual Plane as a surrogate
# pair of \u escapes, which Python's engines reject in a character range.
_SURROGATE_PAIR = re.compile(r"\\u(D[89AB][0-9A-F]{2})\\u(D[C-F][0-9A-F]{2})", re.IGNORECASE)
_NUMBERS = ("integer", "long", "float", "double")


@dataclass(frozen=True)
class Violation:
    """One constraint one value failed, as AWS words it."""

    path: str
    value: Any
    constraint: str
    sensitive: bool = False

    def sentence(self) -> str:
        if self.sensitive:
            shown = ""
        elif self.value is None:
            shown = " null"
        else:
            shown = f" '{_java_text(self.value)}'"
        return f"Value{shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


def message(violations: list[Violation]) -> str:
    """The message AWS sends for a request that failed validation."""
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    details = "; ".join(violation.sentence() for violation in violations)
    return f"{count} validation {noun} detected: {details}"


def validate(shape: StructureShape, params: dict[str, Any]) -> list[Violation]:
    """Every constraint of an operation's input shape that ``params`` break."""
    return _structure(shape, params, "")


@cache
def java_pattern(pattern: str) -> regex.Pattern[str]:
    """A botocore (Java) pattern compiled for full matches."""

    def joined(pair: re.Match[str]) -> str:
        high, low = int(pair.group(1), 16), int(pair.group(2), 16)
        return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"

    return regex.compile(_SURROGATE_PAIR.sub(joined, pattern))


def _check(shape: Shape, value: Any, path: str) -> list[Violation]:
    if isinstance(shape, StructureShape):
        return _structure(shape, value, path) if isinstance(value, dict) else []
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return []
        found = _length(shape, value, path)
        for index, item in enumerate(value, start=1):
            found += _check(shape.member, item, f"{path}.{index}.member")
        return found
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return []
        found = _length(shape, value, path)
        for key, item in value.items():
            found += _check(shape.key, key, path) + _check(shape.value, item, f"{path}.{key}")
        return found
    if shape.type_name == "string" and isinstance(value, str):
        return _string(shape, value, path)
    if shape.type_name in _NUMBERS and isinstance(value, int | float):
        return _range(shape, value, path)
    return []


def _structure(shape: StructureShape, params: dict[str, Any], path: str) -> list[Violation]:
    found: list[Violation] = []
    for name, member in shape.members.items():
        member_path = f"{path}.{_camel(name)}" if path else _camel(name)
        value = params.get(name)
        if value is None:
            if name in shape.required_members:
                found.append(Violation(member_path, None, NOT_NULL))
            continue
        found += _check(member, value, member_path)
    return found


def _string(shape: Shape, value: str, path: str) -> list[Violation]:
    found = _length(shape, value, path)
    sensitive = bool(shape.metadata.get("sensitive"))
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        constraint = f"Member must satisfy enum value set: [{', '.join(enum)}]"
        found.append(Violation(path, value, constraint, sensitive))
    pattern = shape.metadata.get("pattern")
    if pattern and java_pattern(pattern).fullmatch(value) is None:
        constraint = f"Member must satisfy regular expression pattern: {pattern}"
        found.append(Violation(path, value, constraint, sensitive))
    return found


def _length(shape: Shape, value: str | list[Any] | dict[str, Any], path: str) -> list[Violation]:
    """``min``/``max`` of a string (characters) or of a list or map (entries)."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    sensitive = bool(shape.metadata.get("sensitive"))
    if low is not None and len(value) < low:
        constraint = f"Member must have length greater than or equal to {low}"
        return [Violation(path, value, constraint, sensitive)]
    if high is not None and len(value) > high:
        constraint = f"Member must have length less than or equal to {high}"
        return [Violation(path, value, constraint, sensitive)]
    return []


def _range(shape: Shape, value: float, path: str) -> list[Violation]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        return [Violation(path, value, f"Member must have value greater than or equal to {low}")]
    if high is not None and value > high:
        return [Violation(path, value, f"Member must have value less than or equal to {high}")]
    return []


def _camel(name: str) -> str:
    """AWS names members in messages the Java way: ``RoleName`` is ``roleName``."""
    return name[:1].lower() + name[1:]


def _java_text(value: Any) -> str:
    """A value as Java's toString shows it in AWS messages: ``[a, b]``, ``{k=v}``."""
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
