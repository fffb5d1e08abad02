"""What reconciling one object found and did, collected as it goes."""

from __future__ import annotations

from dataclasses import dataclass, field

from controller.plan import Action, Change, FieldChange, Problem

DETECT_NOTE = "detect mode: not applied"


@dataclass
class Outcome:
    """Changes (planned or made), problems, and the ids of what the object owns.

    ``writes`` says whether changes are carried out: false for ``plan`` and for objects in
    detect mode, whose changes are reported with a note instead. ``records`` says whether
    the controller's own records (registration handles an IdP rotated) may be kept current:
    true in detect mode, where losing a handle would lose the client; false for ``plan``,
    which writes nothing at all.
    """

    key: str
    writes: bool
    detect: bool = False
    records: bool = True
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    resources: dict[str, str] = field(default_factory=dict)
    ready: bool = True
    resource: str = "-"  # what was under way, for error messages
    action: str = "read"
    # The inputs generation the object's anchor says it last converged at (_converged).
    converged_at: str | None = None

    @property
    def drift(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.drift)

    def change(
        self,
        resource: str,
        id_: str,
        action: Action,
        diff: tuple[FieldChange, ...] = (),
        *,
        on_behalf_of: str | None = None,
    ) -> bool:
        """Record a change; true when the caller should now make it."""
        note = DETECT_NOTE if self.detect else ""
        self.resource, self.action = resource, action
        self.changes.append(Change(on_behalf_of or self.key, resource, id_, action, diff, note))
        return self.writes

    def at(self, resource: str) -> None:
        """Mark the start of a step: errors from here on name this resource."""
        self.resource, self.action = resource, "read"

    def problem(self, resource: str, id_: str, reason: str, message: str) -> None:
        self.ready = False
        self.problems.append(Problem(self.key, resource, id_, reason, message))
