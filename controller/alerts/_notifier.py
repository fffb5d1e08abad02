"""Delivery that never holds up reconciling: a bounded queue and a worker per target.

``post`` only enqueues, stamping the alert with where it comes from (``Origin``). Each
target has its own queue and named task, so a Slack outage never delays the JSON webhook
(nor the other way round); a target that keeps failing costs a few bounded retries per
alert, then one log line and ``on_failed``. Each worker sends at most
``max_per_minute`` messages a minute and folds the overflow into one summary
(``_pacing``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType

import aiohttp
import structlog

from controller.alerts._model import Alert, Origin
from controller.alerts._pacing import fold, recent, wait_before_next
from controller.alerts._targets import DeliveryFailed, Target, refusing_redirects

log = structlog.get_logger()

Callback = Callable[[str], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per alert and target, each bounded by ``attempt_timeout`` seconds."""

    attempts: int = 3
    attempt_timeout: float = 5.0
    first_backoff: float = 0.5
    max_backoff: float = 5.0

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): doubling, or the
        receiver's ``Retry-After``, never more than ``max_backoff``."""
        delay = self.first_backoff * 2 ** (attempt - 1) if retry_after is None else retry_after
        return min(delay, self.max_backoff)


def _ignore(target_name: str) -> None:
    """The default callback: metrics are optional."""


@dataclass
class _Lane:
    target: Target
    queue: asyncio.Queue[tuple[Alert, datetime]]
    task: asyncio.Task[None] | None = field(default=None)
    sent: list[float] = field(default_factory=list)  # clock times of recent messages
    held: list[tuple[Alert, datetime]] = field(default_factory=list)  # over the rate limit


class Notifier:
    """``async with Notifier(targets) as notifier: notifier.post(alert)``.

    ``on_delivered(name)`` / ``on_failed(name)`` run once per alert and target (the daemon
    counts them). On exit, what is queued gets ``drain_timeout`` seconds to go out; what
    is left after that is dropped, logged and counted as failed. Call ``post`` from the
    event loop's thread. ``clock`` (seconds, monotonic) paces the rate limit; tests pass
    a fake one.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        on_delivered: Callback = _ignore,
        on_failed: Callback = _ignore,
        retry: RetryPolicy = RetryPolicy(),
        queue_size: int = 100,
        drain_timeout: float = 5.0,
        origin: Origin | None = None,
        max_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        names = [target.name for target in targets]
        if len(set(names)) != len(names):
            raise ValueError(f"alert target names must be unique, got {names}")
        self._lanes = [_Lane(target, asyncio.Queue(queue_size)) for target in targets]
        self._on_delivered = on_delivered
        self._on_failed = on_failed
        self._retry = retry
        self._drain_timeout = drain_timeout
        self._origin = origin or Origin()
        if max_per_minute < 1:
            raise ValueError(f"max_per_minute must be at least 1, got {max_per_minute}")
        self._max_per_minute = max_per_minute
        self._clock = clock
        self._http: aiohttp.ClientSession | None = None
        self._closed = False

    async def __aenter__(self) -> Notifier:
        self._http = http = aiohttp.ClientSession(trace_configs=[refusing_redirects()])
        for lane in self._lanes:
            work = self._work(lane, http)
            lane.task = asyncio.create_task(work, name=f"alerts:{lane.target.name}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closed = True
        try:
            async with asyncio.timeout(self._drain_timeout):
                await asyncio.gather(*(lane.queue.join() for lane in self._lanes))
                await asyncio.gather(*(self._flush(lane) for lane in self._lanes))
        except TimeoutError:
            log.warning("alert_drain_timeout", seconds=self._drain_timeout)
        finally:
            # Also when the daemon itself is cancelled: no task or connection outlives us.
            await self._stop()

    async def _stop(self) -> None:
        """Cancel the workers; whatever they did not send is dropped, logged and counted."""
        tasks = [lane.task for lane in self._lanes if lane.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for lane in self._lanes:
            while not lane.queue.empty():
                alert, _ = lane.queue.get_nowait()
                self._drop(lane.target, alert, "shutdown")
            for alert, _ in lane.held:
                self._drop(lane.target, alert, "shutdown")
            lane.held.clear()
        if self._http is not None:
            await self._http.close()

    def post(self, alert: Alert) -> None:
        """Queue ``alert`` for every target and return at once; never raises."""
        at = datetime.now(UTC)
        alert = replace(alert, origin=self._origin)
        for lane in self._lanes:
            if self._closed:
                self._drop(lane.target, alert, "closed")
                continue
            try:
                lane.queue.put_nowait((alert, at))
            except asyncio.QueueFull:
                self._drop(lane.target, alert, "queue full")

    async def _work(self, lane: _Lane, http: aiohttp.ClientSession) -> None:
        """One target's delivery loop; nothing but cancellation ends it.

        While messages are held, the next queued alert is awaited only until the window
        has room again; then the held ones go out as one summary.
        """
        while True:
            if lane.held and self._wait(lane) <= 0:
                await self._flush(lane, http)
                continue
            try:
                async with asyncio.timeout(self._wait(lane) if lane.held else None):
                    alert, at = await lane.queue.get()
            except TimeoutError:
                continue
            try:
                if lane.held or self._wait(lane) > 0:
                    lane.held.append((alert, at))
                    log.info("alert_held", target=lane.target.name, object=alert.object)
                else:
                    await self._send(http, lane, alert, at)
            finally:
                lane.queue.task_done()

    def _wait(self, lane: _Lane) -> float:
        now = self._clock()
        lane.sent[:] = recent(lane.sent, now)
        return wait_before_next(lane.sent, now, self._max_per_minute)

    async def _flush(self, lane: _Lane, http: aiohttp.ClientSession | None = None) -> None:
        """Send what is held as one message (at shutdown too: the limit is per minute, and
        one more message beats losing the news). A summary counts as one delivery."""
        if not lane.held or (http := http or self._http) is None:
            return
        held, lane.held = lane.held, []
        folded = replace(fold([alert for alert, _ in held]), origin=self._origin)
        await self._send(http, lane, folded, held[-1][1])

    async def _send(
        self, http: aiohttp.ClientSession, lane: _Lane, alert: Alert, at: datetime
    ) -> None:
        lane.sent.append(self._clock())
        try:
            await self._deliver(http, lane.target, alert, at)
        except asyncio.CancelledError:
            self._drop(lane.target, alert, "shutdown")
            raise
        except Exception as exc:
            # A bug here must not silence every later alert; the type is enough to
            # find it, and the message could quote the URL.
            log.error("alert_delivery_crashed", target=lane.target.name, error=_kind(exc))

    async def _deliver(
        self, http: aiohttp.ClientSession, target: Target, alert: Alert, at: datetime
    ) -> None:
        attempt = 0
        while True:
            attempt += 1
            failure = await self._attempt(http, target, alert, at)
            if failure is None:
                log.debug("alert_delivered", target=target.name, kind=alert.kind)
                self._notify(self._on_delivered, target.name)
                return
            if not failure.retryable or attempt >= self._retry.attempts:
                break
            await asyncio.sleep(self._retry.backoff(attempt, failure.retry_after))
        log.error(
            "alert_failed",
            target=target.name,
            host=target.host,
            kind=alert.kind,
            object=alert.object,
            resource=alert.resource,
            attempts=attempt,
            error=failure.reason,
        )
        self._notify(self._on_failed, target.name)

    async def _attempt(
        self, http: aiohttp.ClientSession, target: Target, alert: Alert, at: datetime
    ) -> DeliveryFailed | None:
        """One bounded POST; connection trouble and timeouts are worth retrying."""
        try:
            async with asyncio.timeout(self._retry.attempt_timeout):
                await target.send(http, alert, at)
        except DeliveryFailed as failure:
            return failure
        except TimeoutError:
            return DeliveryFailed("timeout", retryable=True)
        except (aiohttp.ClientError, OSError) as exc:
            return DeliveryFailed(_kind(exc), retryable=True)
        return None

    def _drop(self, target: Target, alert: Alert, reason: str) -> None:
        log.warning(
            "alert_dropped",
            target=target.name,
            kind=alert.kind,
            object=alert.object,
            resource=alert.resource,
            reason=reason,
        )
        self._notify(self._on_failed, target.name)

    def _notify(self, callback: Callback, target_name: str) -> None:
        """Metrics callbacks must not break delivery."""
        try:
            callback(target_name)
        except Exception as exc:
            log.error("alert_callback_failed", target=target_name, error=_kind(exc))


def _kind(exc: BaseException) -> str:
    return type(exc).__name__
