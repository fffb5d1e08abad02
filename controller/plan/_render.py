"""Plans for people: Terraform-like text. Pure.

What apply will do comes first; findings it will not act on (detect mode, orphans while
pruning is off) and problems follow in sections of their own, so a reader never takes
them for changes, and "No changes" is said only of a plan with nothing at all in it.
"""

from __future__ import annotations

import json
from typing import Any

from controller.plan._model import Change, Plan, Problem, Withheld
from controller.plan._words import planned, plural

SYMBOL = {"create": "+", "update": "~", "delete": "-", "adopt": ">"}
# A structured value longer than this is printed as indented JSON, one member a line.
INLINE_LIMIT = 60

NO_CHANGES = "No changes. The live resources match the desired state."
_SECTIONS: tuple[tuple[Withheld, str], ...] = (
    ("", "ecs-oauth will perform the following actions:"),
    ("detect", "Found in detect mode, left as they are (apply changes none of these):"),
    ("prune", "Orphaned (their objects are no longer declared); would be deleted with --prune:"),
)


def _value(value: Any, indent: int) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return json.dumps(value) if not value.startswith("(") else value
    compact = json.dumps(value, sort_keys=True, default=str)
    if len(compact) <= INLINE_LIMIT:
        return compact
    pretty = json.dumps(value, sort_keys=True, default=str, indent=2)
    return pretty.replace("\n", "\n" + " " * indent)


def _change_lines(change: Change) -> list[str]:
    symbol = SYMBOL[change.action]
    note = " (drift)" if change.drift else ""
    lines = [
        f"  # {change.object}: {change.resource} {json.dumps(change.id)} {planned(change)}{note}"
    ]
    for field in change.diff:
        if change.action == "create" or field.before is None:
            lines.append(f"    {symbol} {field.path} = {_value(field.after, 6)}")
        elif change.action == "delete":
            lines.append(f"    {symbol} {field.path} = {_value(field.before, 6)}")
        else:
            before, after = _value(field.before, 6), _value(field.after, 6)
            joiner = "\n      -> " if "\n" in before + after else " -> "
            lines.append(f"    {symbol} {field.path}: {before}{joiner}{after}")
    return lines


def problem_line(problem: Problem) -> str:
    return (
        f"  ! {problem.object}: {problem.resource} {json.dumps(problem.id)}: "
        f"{problem.reason}: {problem.message}"
    )


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    line = (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['adopt']} to adopt"
    )
    extra = [
        f"{counts['detect']} found in detect mode" if counts["detect"] else "",
        f"{counts['orphaned']} orphaned" if counts["orphaned"] else "",
        plural(counts["problems"], "problem") if counts["problems"] else "",
    ]
    return line + "".join(f"; {part}" for part in extra if part) + "."


def render_text(plan: Plan) -> str:
    lines: list[str] = []
    if not plan.changes and not plan.problems:
        lines += [NO_CHANGES, ""]
    elif not plan.applicable and not plan.problems:
        lines += ["No changes to apply.", ""]
    for reason, title in _SECTIONS:
        changes = plan.withheld(reason) if reason else plan.applicable
        if not changes:
            continue
        lines += [title, ""]
        for change in changes:
            lines += [*_change_lines(change), ""]
    if plan.problems:
        lines += ["Problems (each keeps its object from converging):", ""]
        lines += [problem_line(problem) for problem in plan.problems]
        lines.append("")
    lines.append(summary_line(plan))
    return "\n".join(lines)
