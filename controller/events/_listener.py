"""The daemon's change-event listener: long-poll the queue, decide, queue keys, delete.

Events only say *which* objects to look at now; the reconcile itself stays level-based,
so a lost, duplicated or late event costs at most the wait for the next resync, and every
message is deleted once its keys are queued. AWS failures back off and retry here: the
listener is a background task of the daemon and must never take it down. A standby
replica does not receive, so the leader gets every message.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog

from controller.aws import AwsClients, AwsError
from controller.events._actors import LastActors
from controller.events._aws import EventQueue, Message, caller_arn
from controller.events._decide import Decision, decide
from controller.events._index import ManagedIndex

STANDBY_POLL_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
log = structlog.get_logger("ecs_oauth.events")
T = TypeVar("T")


def backoff(failures: int) -> float:
    """1 s doubling to a minute, with jitter (half to full of the step)."""
    step = min(BACKOFF_CAP_SECONDS, 2.0 ** max(failures - 1, 0))
    return step * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


class ChangeEvents:
    def __init__(
        self,
        aws: AwsClients,
        queue_url: str,
        *,
        index: Callable[[], ManagedIndex | None],
        want: Callable[[set[str]], None],
        leader: Callable[[], bool],
        actors: LastActors,
        on_decision: Callable[[str], None] = lambda outcome: None,
    ) -> None:
        self.queue = EventQueue(aws, queue_url)
        self.actors = actors
        self._aws = aws
        self._index = index
        self._want = want
        self._leader = leader
        self._on_decision = on_decision  # a metric by outcome
        self.own: str | None = None

    async def run(self) -> None:
        """Until cancelled: learn who we are, then receive, handle, delete."""
        self.own = await self._retrying("GetCallerIdentity", lambda: caller_arn(self._aws))
        log.info("events_listening", queue=self.queue.url, own_principal=self.own)
        while True:
            if not self._leader():
                await asyncio.sleep(STANDBY_POLL_SECONDS)
                continue
            messages = await self._retrying("ReceiveMessage", self.queue.receive)
            self.handle(messages)
            await self._delete(messages)

    def handle(self, messages: Sequence[Message]) -> set[str]:
        """Decide each message, remember who acted, ask for one cycle over all keys."""
        index = self._index() or ManagedIndex()
        now = time.monotonic()
        wanted: set[str] = set()
        for message in messages:
            try:
                decision = decide(message.body, index, self.own)
            except Exception as exc:  # a bug must cost one message, not a redelivery loop
                log.exception("event_undecidable", message_id=message.id)
                decision = Decision("malformed", error=f"{type(exc).__name__}: {exc}")
            _log(message, decision)
            self._on_decision(decision.outcome)
            if decision.outcome == "reconcile" and decision.call is not None:
                wanted |= decision.keys
                if actor := decision.call.describe_actor():
                    self.actors.record(decision.keys, actor, now)
        if wanted:
            self._want(wanted)
        return wanted

    async def _delete(self, messages: Sequence[Message]) -> None:
        """A message that fails to delete comes back after its visibility timeout and is
        handled again: harmless, a reconcile is idempotent."""
        try:
            failed = await self.queue.delete(messages)
        except AwsError as exc:
            log.error("events_delete_failed", error=str(exc), messages=len(messages))
            return
        for message_id, code in failed:
            log.warning("event_not_deleted", message_id=message_id, code=code)

    async def _retrying(self, operation: str, attempt: Callable[[], Awaitable[T]]) -> T:
        failures = 0
        while True:
            try:
                return await attempt()
            except AwsError as exc:
                failures += 1
                delay = backoff(failures)
                log.error(
                    "events_call_failed",
                    operation=operation,
                    error=str(exc),
                    retry_in_seconds=round(delay, 2),
                )
                await asyncio.sleep(delay)


def _log(message: Message, decision: Decision) -> None:
    call = decision.call
    if call is None:
        log.warning("event_malformed", message_id=message.id, error=decision.error)
        return
    fields = {
        "message_id": message.id,
        "event_source": call.source,
        "event_name": call.name,
        "actor": call.actor,
        "source_ip": call.source_ip,
    }
    if decision.outcome == "reconcile":
        log.info("event_received", objects=sorted(decision.keys), **fields)
    elif decision.outcome == "unmanaged":
        log.debug("event_ignored", reason=decision.outcome, **fields)
    else:
        log.info("event_ignored", reason=decision.outcome, **fields)
