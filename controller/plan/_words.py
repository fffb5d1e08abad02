"""How a change is said, in the plan (future or conditional), while it is made, and after.

One place, so the plan, the progress lines and the summary use the same words: a task
definition is never "updated in place" (revisions are immutable; a new one is registered).
"""

from __future__ import annotations

from controller.plan._model import Action, Change, Plan

_PLANNED: dict[Action, str] = {
    "create": "be created",
    "update": "be updated in place",
    "delete": "be deleted",
    "adopt": "be adopted",
}
_UNDER_WAY: dict[Action, str] = {
    "create": "creating",
    "update": "updating",
    "delete": "deleting",
    "adopt": "adopting",
}
# Resources whose update is not an in-place change: (planned, under way).
_SPECIAL: dict[tuple[str, Action], tuple[str, str]] = {
    ("ecs:task-definition", "update"): ("get a new revision", "registering revision"),
    ("ecs:service", "update"): ("start a new deployment", "starting deployment"),
}
PAST: dict[Action, str] = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "adopt": "adopted",
}


def planned(change: Change) -> str:
    """``will get a new revision``; ``would ...`` for a change apply will not make."""
    special = _SPECIAL.get((change.resource, change.action))
    verb = special[0] if special else _PLANNED[change.action]
    return f"{'will' if change.applied else 'would'} {verb}"


def under_way(change: Change) -> str:
    """``registering revision``: what a progress line says while the change is made."""
    special = _SPECIAL.get((change.resource, change.action))
    return special[1] if special else _UNDER_WAY[change.action]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def apply_summary(done: Plan) -> str:
    """``Apply complete: 3 created, 5 updated, 0 deleted; 1 problem`` from what was done."""
    counts = done.summary()
    parts = [f"{counts[action]} {PAST[action]}" for action in ("create", "update", "delete")]
    if counts["adopt"]:
        parts.append(f"{counts['adopt']} adopted")
    line = f"Apply complete: {', '.join(parts)}"
    if done.problems:
        line += f"; {plural(len(done.problems), 'problem')}"
    return line


def progress_line(change: Change, seconds: float | None = None, failure: str | None = None) -> str:
    """``ecs:task-definition orders-api: registering revision… done in 1.2s``: without
    ``seconds`` the line that says a write started."""
    line = f"{change.resource} {change.id}: {under_way(change)}…"
    if seconds is None:
        return line
    if failure is not None:
        return f"{line} failed after {seconds:.1f}s ({failure})"
    return f"{line} done in {seconds:.1f}s"
