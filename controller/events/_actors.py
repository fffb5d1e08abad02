"""Who last changed each object, by event, until its next reconcile says what changed.

The reconcile reads the world afresh and never an event's payload; the event only tells
who to name when that reconcile finds drift. An actor recorded before a reconcile started
is consumed by it (drift found or not), so it cannot be blamed for a later, unrelated
drift; one recorded while the reconcile ran stays for the rerun the event queued. Entries
older than ``ttl`` are forgotten: a change that turned out to be no drift must not follow
the object around. Pure apart from the clock the caller passes in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ACTOR_TTL_SECONDS = 900.0


@dataclass(frozen=True)
class Sighting:
    actor: str  # "<arn> from <ip>"
    at: float  # time.monotonic() when the event arrived


@dataclass
class LastActors:
    ttl: float = ACTOR_TTL_SECONDS
    _last: dict[str, Sighting] = field(default_factory=dict)

    def record(self, keys: Iterable[str], actor: str, at: float) -> None:
        for key in keys:
            self._last[key] = Sighting(actor, at)

    def take(self, key: str, started: float) -> str | None:
        """The actor to name for a reconcile of ``key`` that started at ``started``."""
        seen = self._last.get(key)
        if seen is None:
            return None
        if seen.at <= started:
            del self._last[key]
        return seen.actor if started - seen.at <= self.ttl else None

    def forget(self, key: str) -> None:
        self._last.pop(key, None)
