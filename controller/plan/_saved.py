"""A saved plan (``plan -out FILE``) and what applying exactly that plan checks. Pure.

The file is the JSON plan document plus what the plan was computed from: the inputs to
read again (desired-state path, values files, ``--set``, the selection) and a fingerprint,
SHA-256 digests of the settings, of each desired object and of every read the engine made
per object. ``apply FILE`` computes the fingerprint again, with the same reads, before its
first write, and refuses on the first difference, naming it. Digests never hold a value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from controller.plan._context import Context
from controller.plan._json import FORMAT_VERSION, change_json, plan_document
from controller.plan._model import Change, Plan
from controller.plan._words import plural

PLAN_FILE_KIND = "ecs-oauth/plan"
# Resources whose id the other side assigns on creation: a plan names them by name.
_ASSIGNED_IDS = frozenset({"idp:client"})


class SavedPlanError(ValueError):
    """A file that is not a plan this version can apply; the message says why."""


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Inputs:
    """What the plan was computed from, to be read again by ``apply FILE``."""

    desired: str  # absolute
    values: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()
    prune: bool = False
    force: bool = False
    targets: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "desired": self.desired,
            "values": list(self.values),
            "set": list(self.assignments),
            "prune": self.prune,
            "force": self.force,
            "targets": list(self.targets),
            "labels": list(self.labels),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Inputs:
        return cls(
            str(document["desired"]),
            tuple(document["values"]),
            tuple(document["set"]),
            bool(document["prune"]),
            bool(document["force"]),
            tuple(document["targets"]),
            tuple(document["labels"]),
        )


@dataclass(frozen=True)
class Fingerprint:
    settings: str
    desired: dict[str, str] = field(default_factory=dict)  # object key -> digest
    reads: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> label -> digest

    def as_json(self) -> dict[str, Any]:
        return {"settings": self.settings, "desired": self.desired, "reads": self.reads}

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Fingerprint:
        return cls(str(document["settings"]), dict(document["desired"]), dict(document["reads"]))

    def inputs_changed(self, now: Fingerprint) -> str | None:
        """What of the settings or the desired state differs from ``now``, in a phrase."""
        if self.settings != now.settings:
            return "the settings changed (values files or --set)"
        for key in sorted(self.desired.keys() | now.desired.keys()):
            if key not in now.desired:
                return f"the desired state changed: {key} is no longer declared (or selected)"
            if key not in self.desired:
                return f"the desired state changed: {key} is new"
            if self.desired[key] != now.desired[key]:
                return f"the desired state changed: {key} was edited"
        return None

    def world_changed(self, now: Fingerprint) -> str | None:
        """The reads whose answers differ from ``now``'s, the first named, in a phrase."""
        moved = []
        for key in sorted(self.reads.keys() | now.reads.keys()):
            before, after = self.reads.get(key, {}), now.reads.get(key, {})
            # In the order the plan read them: the first is what the rest followed from.
            labels = [*before, *(label for label in after if label not in before)]
            moved += [
                f"{key}: {label}" for label in labels if before.get(label) != after.get(label)
            ]
        if not moved:
            return None
        more = f" (and {plural(len(moved) - 1, 'more read')})" if len(moved) > 1 else ""
        return f"the live state changed: {moved[0]}{more}"


@dataclass(frozen=True)
class SavedPlan:
    context: Context
    inputs: Inputs
    fingerprint: Fingerprint
    changes: tuple[dict[str, Any], ...]  # as the JSON plan holds them
    summary: dict[str, int]

    @property
    def applicable(self) -> tuple[dict[str, Any], ...]:
        return tuple(change for change in self.changes if change["applied"])


def saved_document(
    plan: Plan, context: Context, inputs: Inputs, fingerprint: Fingerprint
) -> dict[str, Any]:
    document = plan_document(plan, context)
    document["kind"] = PLAN_FILE_KIND
    document["inputs"] = inputs.as_json()
    document["fingerprint"] = fingerprint.as_json()
    return document


def in_memory(plan: Plan, context: Context, inputs: Inputs, fingerprint: Fingerprint) -> SavedPlan:
    """The plan just shown, as ``apply`` checks it after the prompt."""
    return load_saved(saved_document(plan, context, inputs, fingerprint), "the plan shown")


def load_saved(document: Any, where: str) -> SavedPlan:
    if not isinstance(document, dict) or document.get("kind") != PLAN_FILE_KIND:
        raise SavedPlanError(f"{where} is not a plan saved by ecs-oauth plan -out")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise SavedPlanError(
            f"{where} has plan format {version}, this ecs-oauth reads {FORMAT_VERSION}: "
            "run plan -out again"
        )
    try:
        return SavedPlan(
            Context.from_json(document["context"]),
            Inputs.from_json(document["inputs"]),
            Fingerprint.from_json(document["fingerprint"]),
            tuple(_normal(document["changes"])),
            dict(document["summary"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SavedPlanError(f"{where} is damaged ({type(exc).__name__}: {exc})") from exc


def _normal(value: Any) -> Any:
    """As the JSON file holds it: tuples are lists, dates are strings."""
    return json.loads(json.dumps(value, default=str))


def _same_after(planned: Mapping[str, Any], made: Mapping[str, Any]) -> bool:
    if planned["after_unknown"]:  # an id only the apply could know
        return True
    return bool(
        planned["after"] == made["after"]
        and planned["after_sensitive"] == made["after_sensitive"]
        and not made["after_unknown"]
    )


def allows(planned: Sequence[Mapping[str, Any]], change: Change) -> bool:
    """Whether ``change``, about to be made, is one the plan holds: same object, resource,
    action and id (a client's id is the IdP's to assign), and each field it writes is in
    the plan with the same value, or one the plan could only know after apply."""
    made = _normal(change_json(change))
    for entry in planned:
        if not entry["applied"]:
            continue
        same = ("object", "resource", "action")
        if any(entry[k] != made[k] for k in same):
            continue
        if entry["id"] != made["id"] and made["resource"] not in _ASSIGNED_IDS:
            continue
        fields = {f["path"]: f for f in entry["diff"]}
        if all(f["path"] in fields and _same_after(fields[f["path"]], f) for f in made["diff"]):
            return True
    return False


def plan_changed(saved: SavedPlan, now: Plan) -> str | None:
    """The first change that the plan computed now has and the saved one has not, or the
    other way round (a safety net behind the fingerprint: time alone can move a plan)."""
    recomputed = [_normal(change_json(change)) for change in now.changes]
    for change in recomputed:
        if change not in saved.changes:
            return f"{_name(change)} is now planned and was not"
    for change in saved.changes:
        if change not in recomputed:
            return f"{_name(change)} was planned and no longer is"
    return None


def _name(change: Mapping[str, Any]) -> str:
    return f"{change['object']}: {change['resource']} {change['id']} ({change['action']})"
