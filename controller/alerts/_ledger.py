"""Which drifts chat has already heard about, so each is announced once and resolved once."""

from __future__ import annotations

from collections.abc import Sequence

from controller.alerts._model import Alert, Drift, drift_alert, fingerprint, resolved_alert


class DriftLedger:
    """Active drifts per object, keyed by fingerprint; pure bookkeeping, no I/O.

    A reconcile reports every drift it sees, every cycle; the ledger turns that level
    signal into edges: a "drift" alert when a fingerprint first appears and a "resolved"
    alert when it is gone. Kept in memory: after a restart a drift still present is
    announced again, which is better than a drift never announced.
    """

    def __init__(self) -> None:
        self._active: dict[str, dict[str, Drift]] = {}

    def observe(self, object: str, drifts: Sequence[Drift]) -> list[Alert]:
        """Record what one reconcile of ``object`` found; the alerts that are news.

        New drifts come first, in the order given, then the resolved ones in the order
        they were first seen. A drift whose paths changed is a new fingerprint: the old
        one resolves and the new one is announced.
        """
        before = self._active.get(object, {})
        now: dict[str, Drift] = {}
        for drift in drifts:
            if drift.object != object:
                raise ValueError(f"a drift of {drift.object} reported for {object}")
            now.setdefault(fingerprint(drift), drift)
        alerts = [drift_alert(drift) for key, drift in now.items() if key not in before]
        alerts += [resolved_alert(drift) for key, drift in before.items() if key not in now]
        # Keep the first sighting: it is what chat was told, and "resolved" should match it.
        kept = {key: before.get(key, drift) for key, drift in now.items()}
        if kept:
            self._active[object] = kept
        else:
            self._active.pop(object, None)
        return alerts

    def forget(self, object: str) -> None:
        """The object left the desired state: its drifts are nobody's concern any more."""
        self._active.pop(object, None)

    def active(self, object: str) -> tuple[Drift, ...]:
        """The drifts of ``object`` still present, as first seen (for a Drifted condition)."""
        return tuple(self._active.get(object, {}).values())
