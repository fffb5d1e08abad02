"""What a daemon's ``/status`` document says about the conditions people wait and gate on.

Pure: ``status --exit-code`` and ``wait`` feed it the document they fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controller.desired import KINDS

TYPES = ("Ready", "Synced", "Drifted")
FIRST_CYCLE = "the daemon's first cycle is under way"


@dataclass(frozen=True)
class Wanted:
    """One condition and the status it must have: ``Ready=True``, ``Drifted=False``."""

    type: str
    status: str

    def __str__(self) -> str:
        return f"{self.type}={self.status}"


@dataclass(frozen=True)
class Unmet:
    """An object (or the controller) not yet as wanted, and why, in the daemon's words."""

    object: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.object} ({self.reason}: {self.message})" if self.reason else self.object

    def as_json(self) -> dict[str, str]:
        return {"object": self.object, "reason": self.reason, "message": self.message}


def parse_wanted(text: str) -> Wanted:
    """``Ready``, ``condition=Ready`` or ``condition=Drifted=False`` (kubectl's forms)."""
    body = text[len("condition=") :] if text.lower().startswith("condition=") else text
    name, _, status = body.partition("=")
    types = {t.lower(): t for t in TYPES}
    statuses = {"true": "True", "false": "False"}
    if name.lower() not in types or (status and status.lower() not in statuses):
        raise ValueError(
            f"{text!r}: expected Ready, or condition=TYPE[=True|False] with TYPE one of "
            f"{', '.join(TYPES)} (say, --for=condition=Drifted=False)"
        )
    return Wanted(types[name.lower()], statuses[status.lower()] if status else "True")


def parse_object(text: str) -> str:
    """``Kind/name`` with the kind's own spelling (``service/orders-api`` is accepted)."""
    kind, slash, name = text.partition("/")
    kinds = {k.lower(): k for k in KINDS}
    if not slash or not name or kind.lower() not in kinds:
        raise ValueError(f"{text!r}: expected KIND/NAME with KIND one of {', '.join(KINDS)}")
    return f"{kinds[kind.lower()]}/{name}"


def unmet(status: dict[str, Any], wanted: Wanted, objects: list[str]) -> list[Unmet]:
    """Which of ``objects`` (every reported object when empty) do not have ``wanted`` yet.
    Nothing is met before the daemon's first full cycle, nor for an object it does not
    report (yet)."""
    if status["controller"].get("lastCycle") is None:
        return [Unmet("controller", "FirstCycle", FIRST_CYCLE)]
    reported = {f"{item['kind']}/{item['name']}": item for item in status["objects"]}
    missing = []
    for key in objects or sorted(reported):
        item = reported.get(key)
        if item is None:
            missing.append(Unmet(key, "NotReported", "the daemon reports no such object"))
            continue
        conditions = {c["type"]: c for c in item["conditions"]}
        condition = conditions.get(wanted.type)
        if condition is None:
            missing.append(Unmet(key, "NoCondition", f"no {wanted.type} condition yet"))
        elif condition["status"] != wanted.status:
            missing.append(Unmet(key, condition["reason"], condition["message"]))
    return missing


def unhealthy(status: dict[str, Any]) -> list[Unmet]:
    """Everything ``status --exit-code`` fails on: an invalid desired state, and any object
    not Ready or Drifted."""
    controller = status["controller"]
    if controller.get("lastCycle") is None:
        return [Unmet("controller", "FirstCycle", FIRST_CYCLE)]
    found = [
        Unmet("controller", c["reason"], c["message"])
        for c in controller.get("conditions", [])
        if c["type"] == "DesiredStateValid" and c["status"] != "True"
    ]
    found += unmet(status, Wanted("Ready", "True"), [])
    found += unmet(status, Wanted("Drifted", "False"), [])
    return found
