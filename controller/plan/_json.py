"""Plans for machines: one JSON document, versioned. Pure.

Values are never sentinel strings here: a value only known once apply ran is ``null``
with ``after_unknown: true``, a secret is ``null`` with ``*_sensitive: true``, so a reader
never mistakes the text ``"(sensitive)"`` for a value.
"""

from __future__ import annotations

import json
from typing import Any

from controller.plan._context import Context
from controller.plan._diff import Sensitive
from controller.plan._model import KNOWN_AFTER_APPLY, SENSITIVE, Change, FieldChange, Plan

# Bumped on any change a reader of the document would notice; additions of keys included.
FORMAT_VERSION = "1.0"


def _split(value: Any) -> tuple[Any, bool, bool]:
    """``(value with markers nulled, unknown anywhere, sensitive anywhere)``."""
    if value == KNOWN_AFTER_APPLY:
        return None, True, False
    if isinstance(value, Sensitive) or value == SENSITIVE:
        return None, False, True
    if isinstance(value, dict):
        parts = {key: _split(item) for key, item in value.items()}
        return (
            {key: part[0] for key, part in parts.items()},
            any(part[1] for part in parts.values()),
            any(part[2] for part in parts.values()),
        )
    if isinstance(value, list | tuple):
        items = [_split(item) for item in value]
        return [i[0] for i in items], any(i[1] for i in items), any(i[2] for i in items)
    return value, False, False


def field_json(field: FieldChange) -> dict[str, Any]:
    before, _, before_sensitive = _split(field.before)
    after, after_unknown, after_sensitive = _split(field.after)
    return {
        "path": field.path,
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "after_sensitive": after_sensitive,
        "before_sensitive": before_sensitive,
    }


def change_json(change: Change) -> dict[str, Any]:
    return {
        "object": change.object,
        "resource": change.resource,
        "id": change.id,
        "action": change.action,
        "drift": change.drift,
        "applied": change.applied,
        "reason": change.withheld or None,
        "diff": [field_json(field) for field in change.diff],
    }


def plan_document(plan: Plan, context: Context | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"format_version": FORMAT_VERSION}
    if context is not None:
        document["context"] = context.as_json()
    document["changes"] = [change_json(change) for change in plan.changes]
    document["summary"] = plan.summary()
    document["problems"] = [problem.as_json() for problem in plan.problems]
    return document


def render_json(plan: Plan, context: Context | None = None) -> str:
    return json.dumps(plan_document(plan, context), indent=2, default=str)
