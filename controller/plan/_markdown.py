"""Plans for pull requests: one GitHub-flavoured markdown comment. Pure.

A reviewer reads it in a browser between other comments, so the counts come first, in a
table, and each object's changes fold into ``<details>`` once they are longer than a
glance. Detect-mode findings and orphans keep sections of their own, as in the text plan,
so nobody approves them as changes. Secret values never appear: a field the JSON plan
marks sensitive is shown as ``(sensitive)`` on both sides, whatever it holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from controller.plan._context import Context
from controller.plan._json import field_json
from controller.plan._model import SENSITIVE, Change, FieldChange, Plan, Withheld
from controller.plan._render import SYMBOL
from controller.plan._words import planned

# Changes to one object up to this many fields are shown open; more fold into <details>.
OPEN_FIELDS = 5
# A cell longer than this is cut: a comment is not the place for whole policy documents.
CELL_LIMIT = 120
TITLE = "### ecs-oauth plan"
_SECTIONS: tuple[tuple[Withheld, str], ...] = (
    ("", "#### Changes apply will make"),
    ("detect", "#### Found in detect mode (apply changes none of these)"),
    ("prune", "#### Orphaned (no longer declared; deleted only with `--prune`)"),
)
# The text plan's symbols, code-quoted so markdown does not read "+" or "-" as a list.
_ICON = {action: f"`{symbol}`" for action, symbol in SYMBOL.items()}


def _cell(value: Any, sensitive: bool) -> str:
    """One table cell: code-quoted, pipes escaped, never a secret."""
    if sensitive:
        return f"_{SENSITIVE}_"
    if value is None:
        return "_(none)_"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if text.startswith("(") and text.endswith(")"):
        return f"_{text}_"  # "(known after apply)" is a note, not a value
    if len(text) > CELL_LIMIT:
        text = text[: CELL_LIMIT - 1] + "…"
    text = text.replace("|", "\\|").replace("`", "'").replace("\n", " ")
    return f"`{text}`"


def _field_row(field: FieldChange) -> str:
    marked = field_json(field)
    before = _cell(field.before, marked["before_sensitive"])
    after = _cell(field.after, marked["after_sensitive"])
    return f"| `{field.path}` | {before} | {after} |"


def _heading(change: Change) -> str:
    drift = " — **drift** (changed outside ecs-oauth)" if change.drift else ""
    return (
        f"{_ICON[change.action]} **{change.object}**: `{change.resource}` `{change.id}` "
        f"{planned(change)}{drift}"
    )


def _change_block(change: Change) -> list[str]:
    if not change.diff:
        return [f"- {_heading(change)}", ""]
    table = ["| Field | Before | After |", "| --- | --- | --- |"]
    table += [_field_row(field) for field in change.diff]
    if len(change.diff) <= OPEN_FIELDS:
        return [f"- {_heading(change)}", "", *table, ""]
    count = len(change.diff)
    return [
        "<details>",
        f"<summary>{_heading(change)} ({count} fields)</summary>",
        "",
        *table,
        "",
        "</details>",
        "",
    ]


def _summary_table(plan: Plan) -> list[str]:
    counts = plan.summary()
    drift = sum(1 for change in plan.applicable if change.drift)
    names = ("create", "update", "delete", "adopt")
    header = [*(f"To {name}" for name in names), "Drift", "Detect mode", "Orphaned", "Problems"]
    values = [counts[name] for name in names]
    values += [drift, counts["detect"], counts["orphaned"], counts["problems"]]
    return [
        "| " + " | ".join(header) + " |",
        "|" + " ---: |" * len(header),
        "| " + " | ".join(str(value) for value in values) + " |",
        "",
    ]


def _problem_lines(plan: Plan, places: Mapping[str, str]) -> list[str]:
    lines = ["#### Problems (each keeps its object from converging)", ""]
    for problem in plan.problems:
        place = places.get(problem.object)
        where = f"`{place}`: " if place else ""
        lines.append(
            f"- ❗ {where}**{problem.object}**: `{problem.resource}` `{problem.id}`: "
            f"{problem.reason}: {problem.message}"
        )
    return [*lines, ""]


def render_markdown(
    plan: Plan, context: Context | None = None, places: Mapping[str, str] | None = None
) -> str:
    """The comment. ``places`` maps an object's ``Kind/name`` to the ``FILE:LINE`` it is
    declared at, so a problem points at the line to fix."""
    lines = [TITLE, ""]
    if context is not None:
        lines += [
            f"Account `{context.account}`, region `{context.region}`, controller "
            f"`{context.controller_id}`, desired state `{context.desired}`",
            "",
        ]
    lines += _summary_table(plan)
    if not plan.changes and not plan.problems:
        lines += ["**No changes.** The live resources match the desired state.", ""]
    for reason, title in _SECTIONS:
        changes = plan.withheld(reason) if reason else plan.applicable
        if changes:
            lines += [title, ""]
            for change in changes:
                lines += _change_block(change)
    if plan.problems:
        lines += _problem_lines(plan, places or {})
    return "\n".join(lines).rstrip("\n") + "\n"
