"""How many messages a chat target gets: at most N a minute, the rest folded into one.

A bad deploy can drift fifty services at once; fifty messages bury the channel and run
into Slack's own rate limit (about one a second per webhook). Each target's worker asks
``wait_before_next`` before it sends; what arrives while it must wait is held and later
sent as one ``summary`` naming the objects. Pure: times are plain floats from any clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.alerts._model import Alert, digest

WINDOW_SECONDS = 60.0
MAX_NAMED = 20  # objects a summary lists by name; the rest are counted


def wait_before_next(
    sent: Sequence[float], now: float, limit: int, window: float = WINDOW_SECONDS
) -> float:
    """Seconds until one more message fits: 0 while fewer than ``limit`` were sent in the
    ``window`` before ``now``; else until the oldest of the last ``limit`` leaves it."""
    recent = sorted(at for at in sent if now - at < window)
    if len(recent) < limit:
        return 0.0
    return recent[-limit] + window - now


def recent(sent: Sequence[float], now: float, window: float = WINDOW_SECONDS) -> list[float]:
    """The send times still inside the window (what a worker needs to keep)."""
    return [at for at in sent if now - at < window]


def fold(held: Sequence[Alert]) -> Alert:
    """What goes out for ``held`` once the window allows: one alert as it is, several as
    one ``summary``."""
    return held[0] if len(held) == 1 else summary(held)


def summary(held: Sequence[Alert]) -> Alert:
    """One message for the alerts held back by the rate limit: how many, and about what."""
    if not held:
        raise ValueError("a summary needs at least one held alert")
    objects = list(dict.fromkeys(alert.object for alert in held))
    named = ", ".join(objects[:MAX_NAMED])
    if len(objects) > MAX_NAMED:
        named += f" and {len(objects) - MAX_NAMED} more"
    count = len(held)
    incidents = "incident" if count == 1 else "incidents"
    return Alert(
        kind="summary",
        object=", ".join(objects),
        resource="",
        paths=(),
        title=f"And {count} more {incidents}",
        text=f"And {count} more {incidents}: {named} (held back by the rate limit).",
        status="held",
        fingerprint=digest("summary", *(alert.fingerprint for alert in held)),
        details=tuple(f"{alert.title}: {alert.text}" for alert in held[:MAX_NAMED]),
    )
