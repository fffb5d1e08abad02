"""Plans for people (Terraform-like text) and for machines (SPEC's JSON shape)."""

from __future__ import annotations

import json
from typing import Any

from controller.plan._model import Change, Plan

_SYMBOL = {"create": "+", "update": "~", "delete": "-", "adopt": ">"}
_VERB = {
    "create": "created",
    "update": "updated in place",
    "delete": "destroyed",
    "adopt": "adopted",
}


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return json.dumps(value) if not value.startswith("(") else value
    return json.dumps(value, sort_keys=True, default=str)


def _change_lines(change: Change) -> list[str]:
    symbol = _SYMBOL[change.action]
    notes = ["drift" if change.drift else "", change.note]
    note = "".join(f" ({text})" for text in notes if text)
    lines = [
        f"  # {change.object}: {change.resource} {json.dumps(change.id)} "
        f"will be {_VERB[change.action]}{note}"
    ]
    for field in change.diff:
        if change.action == "create" or field.before is None:
            lines.append(f"    {symbol} {field.path} = {_value(field.after)}")
        elif change.action == "delete":
            lines.append(f"    {symbol} {field.path} = {_value(field.before)}")
        else:
            lines.append(
                f"    {symbol} {field.path}: {_value(field.before)} -> {_value(field.after)}"
            )
    return lines


def render_text(plan: Plan) -> str:
    lines: list[str] = []
    if plan.changes:
        lines.append("ecs-oauth will perform the following actions:")
        lines.append("")
        for change in plan.changes:
            lines.extend(_change_lines(change))
            lines.append("")
    else:
        lines.append("No changes. The live resources match the desired state.")
        lines.append("")
    for problem in plan.problems:
        lines.append(
            f"  ! {problem.object}: {problem.resource} {json.dumps(problem.id)}: "
            f"{problem.reason}: {problem.message}"
        )
    if plan.problems:
        lines.append("")
    counts = plan.summary()
    lines.append(
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['adopt']} to adopt."
    )
    return "\n".join(lines)


def render_json(plan: Plan) -> str:
    return json.dumps(plan.as_json(), indent=2, sort_keys=False, default=str)
