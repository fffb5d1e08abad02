"""A small IAM policy evaluator: enough of IAM's logic to judge the README's policy.

A request is an action, one resource ARN and a condition context. It is allowed when an
``Allow`` statement matches it (action glob, resource glob, every condition) and no
``Deny`` statement does, as IAM evaluates one identity policy. Only what the README uses
is understood: anything else (``NotAction``, an unknown condition operator) raises, so
the evaluator never says yes to a policy it cannot read.

Globs are IAM's: ``*`` any run of characters, ``?`` one; actions compare without regard
to case, resources and string conditions with it. A condition key missing from the
request's context does not match, as in IAM (no ``...IfExists`` operators here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Request:
    """One permission check: ``iam:CreateRole`` on a role ARN, with its condition keys."""

    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


class Unsupported(ValueError):
    """The policy uses something this evaluator does not implement."""


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).match(value) is not None


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda wanted, got: wanted == got,
    "StringLike": lambda wanted, got: glob_matches(wanted, got),
    "ArnEquals": lambda wanted, got: glob_matches(wanted, got),
    "ArnLike": lambda wanted, got: glob_matches(wanted, got),
}


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    """Every operator, every key in it (AND); any of a key's values (OR)."""
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, keys in conditions.items():
        if operator not in OPERATORS:
            raise Unsupported(f"condition operator {operator}")
        for key, wanted in keys.items():
            got = lowered.get(key.lower())
            if got is None:
                return False
            if not any(OPERATORS[operator](value, got) for value in _listed(wanted)):
                return False
    return True


def statement_matches(statement: dict[str, Any], request: Request) -> bool:
    unsupported = {"NotAction", "NotResource", "NotPrincipal", "Principal"} & set(statement)
    if unsupported:
        raise Unsupported(f"statement elements {sorted(unsupported)}")
    actions = _listed(statement["Action"])
    if not any(glob_matches(a, request.action, ignore_case=True) for a in actions):
        return False
    if not any(glob_matches(r, request.resource) for r in _listed(statement["Resource"])):
        return False
    return _conditions_hold(statement.get("Condition", {}), request.context)


def allows(policy: dict[str, Any], request: Request) -> bool:
    """Whether ``policy`` alone lets the request through: an Allow and no Deny."""
    matching = [s for s in _listed_statements(policy) if statement_matches(s, request)]
    effects = {s["Effect"] for s in matching}
    if effects - {"Allow", "Deny"}:
        raise Unsupported(f"effects {sorted(effects)}")
    return "Allow" in effects and "Deny" not in effects


def _listed_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)
