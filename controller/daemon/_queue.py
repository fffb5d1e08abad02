"""A work queue keyed by object, in the manner of client-go's rate-limited queue.

Keys, never event payloads: whatever happened, the worker reconciles the key from scratch.
A key waiting in the queue is not added twice; a key added while a worker holds it is
marked dirty and queued again when the worker is done, so no change is ever lost and no
key is reconciled by two workers at once. Failures back off per key, so one broken object
never delays the others. An urgent key (one a change event named) goes ahead of every
key that is not: a resync's backlog must not stand between a drift and its alert.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """Exponential per-key backoff with jitter (half to full of the exponential step)."""

    base: float = 1.0
    cap: float = 300.0

    def delay(self, failures: int) -> float:
        step = min(self.cap, self.base * 2.0 ** max(failures - 1, 0))
        return step * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


@dataclass
class WorkQueue:
    backoff: Backoff = field(default_factory=Backoff)
    # (0 urgent or 1, arrival, key); a key queued again as urgent has a second entry, and
    # whichever comes out first hands it out: the other is skipped as stale.
    _queue: asyncio.PriorityQueue[tuple[int, int, str | None]] = field(
        default_factory=asyncio.PriorityQueue
    )
    _arrivals: itertools.count[int] = field(default_factory=itertools.count)
    _queued: dict[str, bool] = field(default_factory=dict)  # key -> queued as urgent
    _processing: set[str] = field(default_factory=set)
    _dirty: dict[str, bool] = field(default_factory=dict)  # key -> urgent
    _failures: dict[str, int] = field(default_factory=dict)
    _timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    _waiting: dict[str, list[asyncio.Future[None]]] = field(default_factory=dict)
    _running: dict[str, list[asyncio.Future[None]]] = field(default_factory=dict)
    _closed: bool = False

    def __len__(self) -> int:
        """Keys waiting for a worker (not counting delayed retries)."""
        return len(self._queued)

    def add(self, key: str, *, urgent: bool = False) -> asyncio.Future[None]:
        """Queue ``key`` (ahead of the keys that are not ``urgent``); the future resolves
        once a run that started after this call ends."""
        waiter = asyncio.get_running_loop().create_future()
        if self._closed:
            waiter.set_result(None)
            return waiter
        self._waiting.setdefault(key, []).append(waiter)
        self._enqueue(key, urgent=urgent)
        return waiter

    def add_after(self, key: str, delay: float) -> None:
        """Queue ``key`` after ``delay`` seconds; an earlier pending timer wins."""
        timer = self._timers.get(key)
        loop = asyncio.get_running_loop()
        if timer is not None and timer.when() <= loop.time() + delay:
            return
        if timer is not None:
            timer.cancel()
        self._timers[key] = loop.call_later(delay, self._fire, key)

    def retry(self, key: str) -> float:
        """A failed key comes back after its own backoff; returns the delay chosen."""
        self._failures[key] = self._failures.get(key, 0) + 1
        delay = self.backoff.delay(self._failures[key])
        self.add_after(key, delay)
        return delay

    def forget(self, key: str) -> None:
        """The key succeeded: its next failure starts the backoff again from the base."""
        self._failures.pop(key, None)

    def failures(self, key: str) -> int:
        return self._failures.get(key, 0)

    def drop(self, key: str) -> None:
        """The object left the desired state: cancel its retries."""
        self.forget(key)
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    async def get(self) -> str | None:
        """The next key to work on; None once the queue is closed."""
        while True:
            _, _, key = await self._queue.get()
            if key is None or self._closed:
                return None
            if key in self._queued:  # else handed out already, by its urgent entry
                break
        del self._queued[key]
        self._processing.add(key)
        self._running[key] = self._waiting.pop(key, [])
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        for waiter in self._running.pop(key, []):
            if not waiter.done():
                waiter.set_result(None)
        if key in self._dirty:
            self._enqueue(key, urgent=self._dirty.pop(key))

    def close(self, workers: int) -> None:
        """Stop handing out keys; workers finish what they hold, then get None."""
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for waiters in (*self._waiting.values(), *self._running.values()):
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        for _ in range(workers):
            self._queue.put_nowait((0, next(self._arrivals), None))

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self._enqueue(key)

    def _enqueue(self, key: str, *, urgent: bool = False) -> None:
        if self._closed:
            return
        queued_urgent = self._queued.get(key)
        if queued_urgent is not None and (queued_urgent or not urgent):
            return  # queued already, at least as urgently
        if key in self._processing:
            self._dirty[key] = self._dirty.get(key, False) or urgent
            return
        self._queued[key] = urgent
        self._queue.put_nowait((0 if urgent else 1, next(self._arrivals), key))
