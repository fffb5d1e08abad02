"""What changed between two ``/status`` documents, as lines a person reads in a terminal.

The sandbox polls the daemon's status and prints only transitions: when an object first
shows up its Ready condition, afterwards every condition whose status or reason moves
(a drift detected and corrected, an object that stops being Ready, the desired state
turning invalid). Pure, so the rules are tested on plain documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Status = Mapping[str, Any]
_Key = tuple[str, str]  # ("Service/orders-api", "Ready"), or ("controller", "DesiredStateValid")


def _conditions(status: Status | None) -> dict[_Key, Mapping[str, Any]]:
    if status is None:
        return {}
    found: dict[_Key, Mapping[str, Any]] = {}
    controller = status.get("controller") or {}
    for condition in controller.get("conditions") or ():
        found[("controller", condition["type"])] = condition
    for obj in status.get("objects") or ():
        for condition in obj.get("conditions") or ():
            found[(f"{obj['kind']}/{obj['name']}", condition["type"])] = condition
    return found


def _worth_telling_first(key: _Key, condition: Mapping[str, Any]) -> bool:
    """On first sight: an object's readiness, a drift, and anything wrong with the controller."""
    owner, type_ = key
    if owner == "controller":
        return bool(condition["status"] == "False")
    return type_ == "Ready" or (type_ == "Drifted" and condition["status"] == "True")


def transitions(before: Status | None, after: Status) -> list[str]:
    """One line per condition that appeared (if worth telling) or changed status or reason."""
    seen = _conditions(before)
    lines = []
    for key, condition in sorted(_conditions(after).items()):
        previous = seen.get(key)
        if previous is None:
            if not _worth_telling_first(key, condition):
                continue
        elif (previous["status"], previous["reason"]) == (condition["status"], condition["reason"]):
            continue
        owner, type_ = key
        message = f": {condition['message']}" if condition.get("message") else ""
        lines.append(f"{owner}  {type_}={condition['status']} {condition['reason']}{message}")
    return lines


def _services(status: Status) -> Iterator[Mapping[str, Any]]:
    return (obj for obj in status.get("objects") or () if obj.get("kind") == "Service")


def ready_services(status: Status) -> set[str]:
    """Names of the Services whose Ready condition is True."""
    return {
        obj["name"]
        for obj in _services(status)
        if any(c["type"] == "Ready" and c["status"] == "True" for c in obj.get("conditions") or ())
    }


def all_ready(status: Status, services: set[str]) -> bool:
    """Every one of ``services`` is reported and Ready."""
    return services <= ready_services(status)


SHOWN_PATHS = 3


def daemon_event_line(event: Mapping[str, Any]) -> str | None:
    """A line for each change the daemon makes (and each rotation phase it completes), from
    its log event as redacted for the log; None for every other event. A change found in
    detect mode is not made: the drift lines and the alert tell of it, once."""
    kind, owner = event.get("event"), event.get("object", "?")
    if kind == "rotation_phase":
        return f"{owner}  rotation: {event.get('action')} done"
    if kind != "change" or not event.get("applied", True):
        return None
    line = f"{owner}  {event.get('action')} {event.get('resource')} {event.get('id')}"
    paths = [str(path) for path in event.get("paths") or ()]
    if paths and event.get("action") == "update":
        more = len(paths) - SHOWN_PATHS
        line += f" ({', '.join(paths[:SHOWN_PATHS])}{f' and {more} more' if more > 0 else ''})"
    return line
