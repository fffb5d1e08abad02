"""What to do with one queued message. Pure: the body, the index and our own principal in,
a :class:`Decision` out; the listener only carries it out and logs it.

Every message is deleted whatever the decision: a reconcile reads the world afresh, so a
message is worth nothing once its keys are queued, and one that cannot be understood
would fail the same way on every redelivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from controller.events._envelope import ApiCall, MalformedEvent, parse_event
from controller.events._index import Keys, ManagedIndex
from controller.events._principal import is_own
from controller.events._route import objects_touched

Outcome = Literal["reconcile", "unmanaged", "own-write", "failed-call", "unknown", "malformed"]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    keys: Keys = frozenset()
    call: ApiCall | None = None
    error: str | None = None  # why a message is malformed


def decide(body: str, index: ManagedIndex, own: str | None) -> Decision:
    """Reconcile the keys a call by someone else touched; everything else is dropped."""
    try:
        call = parse_event(body)
    except MalformedEvent as exc:
        return Decision("malformed", error=str(exc))
    if call.error_code is not None:  # a refused call changed nothing
        return Decision("failed-call", call=call)
    if is_own(call.actor, own):  # the controller's own write: it knows
        return Decision("own-write", call=call)
    keys = objects_touched(call, index)
    if keys is None:
        return Decision("unknown", call=call)
    return Decision("reconcile" if keys else "unmanaged", keys, call)
