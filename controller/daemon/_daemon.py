"""The daemon's wiring: one World, one queue, N workers, a scheduler, a file watch, HTTP.

Every background task is named and guarded: a crash in one is logged and stops the daemon
with exit 1 rather than leaving it half-alive. SIGTERM/SIGINT close the queue, let the
workers finish the reconcile they hold (writes are never cut in half), then exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from controller.config import Settings, engine_settings
from controller.daemon._alerting import alert_notifier, alert_targets
from controller.daemon._board import Cycle, StatusBoard
from controller.daemon._http import StatusServer
from controller.daemon._leader import Leadership
from controller.daemon._loading import StateLoads
from controller.daemon._logging import unbind_process_fields
from controller.daemon._memory import (
    RELEASE_EVERY_SECONDS,
    can_release_freed_memory,
    release_freed_memory,
)
from controller.daemon._metrics import Metrics
from controller.daemon._queue import WorkQueue
from controller.daemon._reconciler import PRUNE_KEY, KeyReconciler
from controller.daemon._rotations import Rotations
from controller.daemon._safety_net import SafetyNet
from controller.desired import DesiredState, inputs_generation
from controller.engine import Engine, World, keys_in_order
from controller.events import ChangeEvents, LastActors, ManagedIndex, managed_index
from controller.sources import open_source

WATCH_RETRY_SECONDS = 2.0  # a lost watch (its folder removed) is tried again this often
log = structlog.get_logger("ecs_oauth.daemon")


class Daemon:
    def __init__(self, path: Path | None, settings: Settings) -> None:
        self.settings = settings
        self.world = World(engine_settings(settings))
        self.source = open_source(path, settings, self.world.resolve)
        self.queue = WorkQueue()
        self.board = StatusBoard(settings.controller_id, self.source.name)
        self.metrics = Metrics(self.world.aws.counter, lambda: len(self.queue))
        self.leadership = Leadership(
            self.world.aws,
            settings.leader_election.table,
            settings.controller_id,
            settings.leader_election.lease_duration.total_seconds(),
            on_elected=self._elected,
        )
        self.first_cycle_done = False
        self.exit_code = 0
        self._cycle_wanted = asyncio.Event()
        self._wanted_full = False
        self._wanted_keys: set[str] = set()
        self._changed_keys: set[str] = set()  # named by change events, not yet queued
        self._changes_named = asyncio.Event()
        self._stop = asyncio.Event()
        self.actors = LastActors()

    async def run(
        self, stop: asyncio.Event, on_listening: Callable[[str], None] | None = None
    ) -> int:
        self._stop = stop
        async with (
            self.world,  # open first: the targets resolve through it, the origin names it
            alert_notifier(
                self.settings,
                self.world,
                self.metrics,
                await alert_targets(self.settings, self.world),
            ) as alerts,
        ):
            self.notifier = alerts
            self.loads = StateLoads(self.source, self.board, self.metrics, alerts, self._take)
            engine = Engine(self.world)
            self.safety_net = SafetyNet(
                engine,
                self.metrics,
                self.world.aws.counter,
                budget=self.settings.limits.read_budget,
                verify_interval=self.settings.verify_interval.total_seconds(),
                resync_interval=self.settings.resync_interval.total_seconds(),
                release=self._verify_now,
                adopt_own_writes=self.settings.events.queue_url is not None,
            )
            self.reconcile = KeyReconciler(
                engine,
                self.queue,
                self.board,
                self.metrics,
                alerts,
                self.settings.reconcile_timeout.total_seconds(),
                lambda: self.source.state,
                Rotations(self.world, alerts),
                self.actors.take,
                self.safety_net.done,
            )
            token = self.settings.http.auth_token
            server = StatusServer(
                self.metrics,
                self._status,
                self._ready,
                await self.world.resolve(token, "http.authToken") if token else None,
                git_hook=await self.source.hook(),
            )
            url = await server.start(self.settings.http.listen)
            log.info("listening", url=url)
            if on_listening is not None:
                on_listening(url)
            scheduler = self._resync_schedule()
            await self.loads.load(initial=True)
            self._want()
            workers = [
                self._guarded(f"reconcile-worker-{n}", self._worker)
                for n in range(self.settings.concurrency)
            ]
            others = [
                self._guarded("cycles", self._cycles),
                self._guarded("desired-state-watch", self._watch),
                self._guarded("leader-election", self.leadership.campaign),
                *self._change_events(),
            ]
            await stop.wait()
            log.info("stopping", queued=len(self.queue))
            scheduler.shutdown(wait=False)
            self.safety_net.stop()
            self.queue.close(len(workers))
            await asyncio.gather(*workers, return_exceptions=True)  # in-flight writes finish
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await self.leadership.resign()
            await server.stop()
            self.source.close()
            unbind_process_fields("revision")
        log.info("stopped", exit_code=self.exit_code)
        return self.exit_code

    def _resync_schedule(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._resync,
            "interval",
            seconds=self.settings.resync_interval.total_seconds(),
            id="resync",
        )
        if can_release_freed_memory():  # in the scheduler's thread: the loop never waits
            scheduler.add_job(
                release_freed_memory,
                "interval",
                seconds=RELEASE_EVERY_SECONDS,
                id="release-freed-memory",
            )
        scheduler.start()
        return scheduler

    def _change_events(self) -> list[asyncio.Task[None]]:
        """With ``events.queueUrl``, CloudTrail events queue the objects they touched."""
        url = self.settings.events.queue_url
        if url is None:
            return []
        events = ChangeEvents(
            self.world.aws,
            url,
            index=self._managed_index,
            want=self._changed,
            leader=lambda: self.leadership.leader,
            actors=self.actors,
            on_decision=lambda outcome: self.metrics.change_events.labels(outcome).inc(),
        )
        return [
            self._guarded("change-events", events.run),
            self._guarded("changed-objects", self._reconcile_changed),
        ]

    def _changed(self, keys: set[str]) -> None:
        self._changed_keys |= keys
        self._changes_named.set()

    async def _reconcile_changed(self) -> None:
        """The objects change events named go to the work queue's urgent lane, their own
        reads refreshed, beside the cycles: an event never waits for a resync's batch
        reads or its reconciles (the drift-to-alert time is this path's)."""
        while True:
            await self._changes_named.wait()
            self._changes_named.clear()
            keys, self._changed_keys = self._changed_keys, set()
            log.info("changed_objects_queued", objects=sorted(keys))
            await self._queue_fresh(keys, urgent=True)

    def _managed_index(self) -> ManagedIndex | None:
        state = self.source.state
        if state is None:
            return None
        return managed_index(state, {k: o.resources for k, o in self.board.objects.items()})

    def _guarded(self, name: str, body: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        async def guard() -> None:
            try:
                await body()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("task_crashed", task=name)
                self.exit_code = 1
                self._stop.set()

        return asyncio.create_task(guard(), name=name)

    def _elected(self) -> None:
        # What this replica verified before it stood by may have changed since, unseen.
        if hasattr(self, "safety_net"):
            self.safety_net.reset()
        self._want()

    def _want(self, keys: set[str] | None = None) -> None:
        """Ask for a cycle over ``keys``, or over everything (resync, start, election)."""
        if keys is None:
            self._wanted_full = True
        else:
            self._wanted_keys |= keys
        self._cycle_wanted.set()

    async def _verify_now(self, keys: set[str]) -> None:
        """A paced slice of deep verifications: their own reads afresh, then straight
        into the work queue, never through a cycle."""
        await self._queue_fresh(keys, urgent=False)

    async def _queue_fresh(self, keys: set[str], *, urgent: bool) -> None:
        """Refresh what ``keys`` own of the batch reads, then queue those still declared."""
        state = self.source.state
        if state is None or not self.leadership.leader:
            return
        try:
            await self.reconcile.engine.refresh(state, keys)
        except Exception:  # the reads up front only save calls: each reconcile reads alone
            log.exception("refresh_failed", objects=len(keys))
        for key in sorted(k for k in keys if state.declared(k) is not None):
            self.queue.add(key, urgent=urgent)

    def _ready(self) -> bool:
        """Ready once the first full cycle ran; a standby once it knows it stands by."""
        leadership = self.leadership
        return self.first_cycle_done or (leadership.decided and not leadership.leader)

    def _status(self) -> dict[str, Any]:
        self.board.leader = self.leadership.leader
        return self.board.as_json()

    async def _worker(self) -> None:
        while (key := await self.queue.get()) is not None:
            try:
                if self.leadership.leader:  # a standby drops the key; the leader has it
                    await self.reconcile(key)
            finally:
                self.queue.done(key)

    async def _cycles(self) -> None:
        while True:
            await self._cycle_wanted.wait()
            self._cycle_wanted.clear()
            wanted = self._wanted_keys
            only = None if self._wanted_full else wanted
            self._wanted_full, self._wanted_keys = False, set()
            state = self.source.state
            if state is not None and self.leadership.leader:
                try:
                    await self._cycle(state, only, also=wanted)
                except Exception:  # a cycle that breaks is logged; the next one comes
                    log.exception("cycle_failed", full=only is None)

    async def _cycle(
        self,
        state: DesiredState,
        only: set[str] | None,
        also: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Every object (or those in ``only``) once, in dependency waves; retries meanwhile
        follow their own backoff. A resync takes ``also`` (keys an event or an edit asked
        for meanwhile) whatever the batch signals say."""
        cycle = Cycle(datetime.now(UTC))
        changes_before = self.reconcile.changes_seen
        waves = keys_in_order(state)
        if only is None:  # a resync: batch reads, then only what they call for (_safety_net)
            planned = await self.safety_net.plan(state)
            chosen = None if planned is None else planned | also
        else:
            chosen = only
            try:
                await self.reconcile.engine.refresh(state, only)
            except Exception:  # the reads up front only save calls: each reconcile reads alone
                log.exception("cycle_prefetch_failed", full=False)
        if self.settings.prune.enabled:
            waves.append([PRUNE_KEY])
            chosen = None if chosen is None else {*chosen, PRUNE_KEY} if only is None else chosen
        waves = [[key for key in wave if chosen is None or key in chosen] for wave in waves]
        log.info("cycle_started", objects=sum(map(len, waves)), full=only is None)
        self.reconcile.refreshed()
        for wave in waves:
            await asyncio.gather(*(self.queue.add(key) for key in wave))
        cycle.finished_at = datetime.now(UTC)
        cycle.changes = self.reconcile.changes_seen - changes_before
        if only is None:
            self._summarise(cycle)
        else:
            done = cycle.as_json()
            log.info(
                "cycle_finished",
                full=False,
                objects=len(only),
                changes=cycle.changes,
                durationSeconds=done["durationSeconds"],
            )

    def _summarise(self, cycle: Cycle) -> None:
        """A full cycle: the status page's last cycle, readiness, the good-cycle age."""
        objects = list(self.board.objects.values())
        ready = [o for o in objects if (c := o.condition("Ready")) and c.status == "True"]
        cycle.objects, cycle.ready = len(objects), len(ready)
        cycle.problems = len(objects) - len(ready)
        self.board.last_cycle = cycle
        if not cycle.problems:
            self.metrics.good_cycle()
        self.first_cycle_done = True
        log.info("cycle_finished", **cycle.as_json(), full=True)

    async def _resync(self) -> None:
        """Level-based, files included: a change the watch could not see (the folder
        deleted and made again, a network file system) is taken at the latest here."""
        await self.loads.load(initial=False)
        self._want()

    async def _watch(self) -> None:
        """Watch the files; when the watch ends or breaks (its folder went away), watch
        again once there is something to watch, until the daemon stops."""
        while not self._stop.is_set():
            try:
                async for _ in self.source.changes(self._stop):
                    await self.loads.load(initial=False)
            except OSError as exc:
                log.warning("desired_state_watch_lost", error=str(exc))
            if not self._stop.is_set():
                await self._wait_stop(WATCH_RETRY_SECONDS)

    async def _wait_stop(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _take(self, before: DesiredState | None, after: DesiredState) -> None:
        """A new valid state: forget removed objects, reconcile those whose inputs (their
        spec or one they reference) changed; the rest wait for the next resync."""
        if before is None:
            self._want()
            return
        old = {key for wave in keys_in_order(before) for key in wave}
        new = {key for wave in keys_in_order(after) for key in wave}
        removed = old - new
        for key in removed:
            self.reconcile.forget(key)
            self.safety_net.forget(key)
        moved = {
            key
            for key in new
            if key not in old or inputs_generation(before, key) != inputs_generation(after, key)
        }
        if removed and self.settings.prune.enabled:
            moved.add(PRUNE_KEY)
        log.info(
            "desired_state_changed",
            changed=sorted(moved),
            removed=sorted(removed),
            **self.source.log_fields(),
        )
        self._want(moved)
