"""The resync as a safety net on a read budget: batch reads, then deep reads where needed.

At each resync the daemon asks :meth:`SafetyNet.plan` which objects to reconcile now; the
rest of the deep verifications are released later by a pacer, in slices, so that their
reads stay under ``limits.readBudget`` of AWS's read quotas. A successful reconcile
records the batch signal seen at the resync that preceded it (:meth:`done`); a reconcile
that began before that read records nothing, since it may not have seen what the signal
shows.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import structlog

from controller.aws import CallCounter
from controller.daemon._metrics import Metrics
from controller.daemon._signals import read_signals
from controller.daemon._verify import (
    ADOPT,
    VerifyLedger,
    budget_used,
    schedule,
    verifications_per_second,
)
from controller.desired import DesiredState
from controller.engine import Engine, Outcome

# Paced verifications are released in slices this long, so the budget holds on average
# over a slice. A slice goes straight to the work queue, never through a cycle: a change
# event's cycle never waits behind it, and the slice costs no batch reads but a fresh
# DescribeServices for its Services (IAM and the secret listing are the resync's: a change
# since then moves a signal, and the next resync verifies that object first).
SLICE_SECONDS = 10.0
log = structlog.get_logger("ecs_oauth.safety_net")


class SafetyNet:
    def __init__(
        self,
        engine: Engine,
        metrics: Metrics,
        counter: CallCounter,
        *,
        budget: float,
        verify_interval: float,
        resync_interval: float,
        release: Callable[[set[str]], Awaitable[None]],
        adopt_own_writes: bool = False,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.counter = counter
        self.budget = budget
        self.verify_interval = verify_interval
        self.resync_interval = resync_interval
        self.release = release
        # With events on, the signal after our own write is taken as the next baseline
        # (verify.ADOPT); with events off, the object is read in depth once more.
        self.adopt_own_writes = adopt_own_writes
        self.ledger = VerifyLedger()
        self._signals: dict[str, str | None] = {}
        self._signals_read_at = 0.0  # monotonic
        self._pacer: asyncio.Task[None] | None = None
        self._last_calls: Counter[tuple[str, str]] = Counter()
        self._last_resync = time.monotonic()

    async def plan(self, state: DesiredState) -> set[str] | None:
        """The keys to reconcile now; None (everything) when the batch reads failed."""
        self._measure()
        started = time.monotonic()
        try:
            signals = await read_signals(self.engine, state)
        except Exception:  # the safety net must not fail open: verify everything
            log.exception("batch_reads_failed")
            self._signals = {}
            return None
        self._signals, self._signals_read_at = signals, started
        choice = self.ledger.choose(
            signals, time.time(), self.verify_interval, self.resync_interval
        )
        rate, burst = verifications_per_second(
            (key.split("/", 1)[0] for key in choice.paced), self.budget
        )
        timed = schedule(choice.first, choice.due, rate, burst, self.resync_interval)
        # The first slice goes with this cycle, so the cycle ends when its reads are done.
        now = {key for offset, key in timed if offset < SLICE_SECONDS} | set(choice.unknown)
        later = [(offset, key) for offset, key in timed if offset >= SLICE_SECONDS]
        self._pace(later)
        counts = {
            "unknown": len(choice.unknown),
            "changed": len(choice.changed),
            "unsignalled": len(choice.unsignalled),
            "due": len(choice.due),
            "skipped": choice.skipped,
        }
        for reason, count in counts.items():
            self.metrics.verifications.labels(reason).inc(count)
        log.info(
            "verification_planned",
            **counts,
            paced=len(later),
            verifications_per_second=None if rate == float("inf") else round(rate, 3),
        )
        return now

    def done(self, key: str, outcome: Outcome, started: float) -> None:
        """A reconcile ended: without problems, and begun after the batch read, it counts
        as the object's deep verification at that read's signal."""
        if outcome.problems or key not in self._signals or started < self._signals_read_at:
            return
        wrote = outcome.writes and bool(outcome.changes)
        signal = ADOPT if wrote and self.adopt_own_writes else self._signals[key]
        self.ledger.record(key, signal, time.time())

    def forget(self, key: str) -> None:
        self.ledger.forget(key)
        self._signals.pop(key, None)

    def reset(self) -> None:
        """Forget every verification: each object is verified again, unpaced."""
        self.ledger = VerifyLedger()

    def stop(self) -> None:
        if self._pacer is not None:
            self._pacer.cancel()

    def _pace(self, timed: list[tuple[float, str]]) -> None:
        """Replace the previous resync's pending releases with this one's."""
        self.stop()
        if timed:
            self._pacer = asyncio.create_task(self._release(timed), name="verification-pacer")

    async def _release(self, timed: list[tuple[float, str]]) -> None:
        begun = time.monotonic()
        slices: dict[int, set[str]] = {}
        for offset, key in timed:
            slices.setdefault(int(offset // SLICE_SECONDS), set()).add(key)
        for index in sorted(slices):
            wait = index * SLICE_SECONDS - (time.monotonic() - begun)
            if wait > 0:
                await asyncio.sleep(wait)
            await self.release(slices[index])

    def _measure(self) -> None:
        """The budget used since the last resync, per quota, as a gauge."""
        now = time.monotonic()
        calls = Counter(self.counter.counts)
        delta = calls - self._last_calls
        for quota, used in budget_used(delta, now - self._last_resync, self.budget).items():
            self.metrics.read_budget_used.labels(quota).set(used)
        self._last_calls, self._last_resync = calls, now
