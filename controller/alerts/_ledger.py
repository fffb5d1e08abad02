"""Which incidents chat has already heard about, so each is announced once and resolved once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controller.alerts._incidents import drift_alert, incident_fingerprint, resolved_alert
from controller.alerts._model import Alert, Drift, fingerprint


@dataclass
class _Incident:
    fingerprint: str
    drifts: dict[str, Drift]  # by drift fingerprint, as first seen


class DriftLedger:
    """Open incidents per object; pure bookkeeping, no I/O.

    A reconcile reports every drift it sees, every cycle; the ledger turns that level
    signal into edges, per object: one "drift" message when drift first appears (all the
    resources and fields of that reconcile together), one "resolved" message once none is
    left. A drift new to an open incident (another field drifted while the first is left
    alone) is one more message under the same incident fingerprint. Kept in memory: after
    a restart a drift still present is announced again, which is better than never.
    """

    def __init__(self) -> None:
        self._open: dict[str, _Incident] = {}

    def observe(self, object: str, drifts: Sequence[Drift]) -> list[Alert]:
        """Record what one reconcile of ``object`` found; the (at most one) alert that is news."""
        now: dict[str, Drift] = {}
        for drift in drifts:
            if drift.object != object:
                raise ValueError(f"a drift of {drift.object} reported for {object}")
            now.setdefault(fingerprint(drift), drift)
        incident = self._open.get(object)
        if incident is None:
            if not now:
                return []
            opened = _Incident(incident_fingerprint(list(now.values())), now)
            self._open[object] = opened
            return [drift_alert(list(now.values()))]
        if not now:
            del self._open[object]
            return [resolved_alert(list(incident.drifts.values()), incident=incident.fingerprint)]
        new = [drift for key, drift in now.items() if key not in incident.drifts]
        # What is gone while other drift stays resolves with the incident, not on its own.
        incident.drifts.update((fingerprint(drift), drift) for drift in new)
        return [drift_alert(new, incident=incident.fingerprint)] if new else []

    def forget(self, object: str) -> None:
        """The object left the desired state: its drifts are nobody's concern any more."""
        self._open.pop(object, None)

    def active(self, object: str) -> tuple[Drift, ...]:
        """The drifts of ``object``'s open incident, as first seen."""
        incident = self._open.get(object)
        return tuple(incident.drifts.values()) if incident else ()
