"""When to refresh a token and how long to wait between attempts. Pure functions.

Every time here is on the task's own monotonic clock, measured from the moment the token
request was sent: ``expires_in`` is a duration, so the IdP's and the task's wall clocks
never have to agree, and starting the count before the request (not at the answer)
errs on the early side by the round trip.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from ecs_oauth_client._claims import unverified_claims

DEFAULT_LIFETIME_SECONDS = 60.0
"""Assumed when the IdP says nothing of the lifetime: short, so a stale token is
replaced soon."""


@dataclass(frozen=True)
class Policy:
    """Tuning knobs; the defaults suit a task that asks for a token every few minutes."""

    refresh_window: tuple[float, float] = (0.8, 0.9)
    """Refresh at a random point in this fraction of the lifetime, so a fleet of tasks
    started together does not hit the IdP together."""
    attempts: int = 4
    """Tries per refresh (the first one included) when failures are transient."""
    base_delay: float = 0.2
    max_delay: float = 5.0
    timeout: float = 10.0
    """Seconds per token request (connect, write, read)."""


@dataclass(frozen=True)
class Token:
    """An access token and when to replace it. ``repr`` leaves the token itself out."""

    access_token: str = field(repr=False)
    token_type: str
    scopes: tuple[str, ...]
    lifetime: float
    """Seconds the token lives, from the IdP's ``expires_in``."""
    obtained_at: float
    """The task's monotonic clock when the request was sent."""
    refresh_at: float
    received_date: datetime
    """The task's wall clock when the answer arrived."""
    server_date: datetime | None = None
    """The IdP's ``Date`` response header, when it sent one."""

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.lifetime

    def expired(self, now: float) -> bool:
        """Too close to the end to hand out: a request carrying it could arrive too late."""
        return now >= self.expires_at - min(10.0, self.lifetime * 0.05)

    def due(self, now: float) -> bool:
        return now >= self.refresh_at

    def expires_in(self, now: float) -> float:
        return max(0.0, self.expires_at - now)

    @property
    def clock_skew(self) -> timedelta | None:
        """The IdP's clock minus the task's (HTTP dates count whole seconds)."""
        if self.server_date is None:
            return None
        return self.server_date - self.received_date


def lifetime_of(response: dict[str, Any]) -> float:
    """``expires_in``; failing that, a JWT's ``exp - iat`` (both on the IdP's clock)."""
    expires_in = response.get("expires_in")
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return max(float(expires_in), 0.0)
    if isinstance(expires_in, str) and expires_in.strip().isdigit():
        return float(expires_in)
    claims = unverified_claims(str(response.get("access_token", ""))) or {}
    exp, iat = claims.get("exp"), claims.get("iat")
    if isinstance(exp, int | float) and isinstance(iat, int | float) and exp > iat:
        return float(exp - iat)
    return DEFAULT_LIFETIME_SECONDS


def refresh_point(obtained_at: float, lifetime: float, policy: Policy, rng: random.Random) -> float:
    low, high = policy.refresh_window
    return obtained_at + lifetime * rng.uniform(low, high)


def later_refresh(token: Token, now: float) -> Token:
    """After a failed refresh of a still-usable token: try again after a quarter of what is
    left (at least a second), so callers keep being served without hammering the IdP."""
    return replace(token, refresh_at=now + max(1.0, token.expires_in(now) / 4))


def backoff(policy: Policy, retry: int, rng: random.Random, retry_after: float | None) -> float:
    """Full-jitter exponential backoff before retry number ``retry`` (from 0), capped;
    a server's ``Retry-After`` is honoured up to the same cap."""
    delay = rng.uniform(0, min(policy.max_delay, policy.base_delay * 2**retry))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.max_delay))
    return delay


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    date = http_date(value)
    return None if date is None else max(0.0, (date - now).total_seconds())


def http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
