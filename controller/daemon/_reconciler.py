"""One reconcile of one key, as the daemon runs it: timeout, id, logs, status, alerts.

The engine says what an object needed and did; this module turns that into everything
people see: a status observation, one log event per change, drift and error, drift alerts,
metrics, and the key's next turn in the queue (verify soon, back off, or nothing).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import structlog

from controller.alerts import Drift, DriftLedger, Notifier
from controller.aws import AwsError
from controller.daemon._board import Observation, StatusBoard
from controller.daemon._metrics import Metrics
from controller.daemon._queue import WorkQueue
from controller.daemon._rotations import Rotations
from controller.desired import DesiredState, generation, inputs_generation
from controller.engine import Engine, Outcome, drift_among
from controller.idp import IdpError

PRUNE_KEY = "Controller/prune"
VERIFY_AFTER = 2.0  # seconds: re-read what was just written, so "resolved" follows quickly
REFRESH_AFTER = 5.0  # seconds: a retry older than this reads the world afresh
# Problems only a person can solve: retrying them would only repeat the same answer, so
# they are logged and shown, and looked at again at the next resync.
TERMINAL_REASONS = frozenset(
    {
        "ResourceNotOwned",
        "PruneLimitExceeded",
        "RoleNameConflict",
        "QuotaExceeded",
        "RolloutFailed",
        "DeploymentControllerUnsupported",
        "ExecutionRoleInAnotherAccount",
        "RegistrationAccessTokenLost",
        "ClientUnmanageable",
        "ClientSecretExpiring",
        "LeadershipLost",  # not ours to retry: the leader reconciles it, or we on re-election
    }
)

# Who changed an object, by the change event that named it: (key, reconcile start) -> actor.
ActorOf = Callable[[str, float], str | None]
# Told of every reconcile's outcome: (key, outcome, monotonic start).
OnDone = Callable[[str, Outcome, float], None]
log = structlog.get_logger("ecs_oauth.reconcile")


class KeyReconciler:
    def __init__(
        self,
        engine: Engine,
        queue: WorkQueue,
        board: StatusBoard,
        metrics: Metrics,
        notifier: Notifier,
        timeout: float,
        state: Callable[[], DesiredState | None],
        rotations: Rotations,
        actor_of: ActorOf | None = None,
        on_done: OnDone | None = None,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.board = board
        self.metrics = metrics
        self.notifier = notifier
        self.timeout = timeout
        self.state = state
        self.rotations = rotations
        self.actor_of = actor_of or (lambda key, started: None)
        self.on_done = on_done or (lambda key, outcome, started: None)
        self.ledger = DriftLedger()
        self._in_sync: dict[str, str] = {}  # key -> inputs generation it last converged at
        self._refreshed = time.monotonic()
        self.changes_seen = 0  # for the cycle summary

    def refreshed(self) -> None:
        self._refreshed = time.monotonic()

    def forget(self, key: str) -> None:
        """The object left the desired state."""
        self.queue.drop(key)
        self.rotations.forget(key)
        self.board.forget(key)
        self.ledger.forget(key)
        self._in_sync.pop(key, None)

    async def __call__(self, key: str) -> None:
        state = self.state()
        if state is None or (key != PRUNE_KEY and state.declared(key) is None):
            return
        with structlog.contextvars.bound_contextvars(reconcile_id=uuid.uuid4().hex[:12]):
            started = time.monotonic()
            if self.queue.failures(key):
                await self._refresh(state, key, started)
            outcome = await self._reconcile(state, key)
            result = _result(outcome)
            kind = key.split("/", 1)[0]
            self.metrics.reconciles.labels(kind, result).inc()
            self.metrics.reconcile_seconds.labels(kind, result).observe(time.monotonic() - started)
            self._report(state, key, outcome, started)
            self.on_done(key, outcome, started)
            self._schedule(key, outcome)
            if key.startswith("Service/") and outcome.writes and not outcome.problems:
                await self._rotate(state, key)

    async def _refresh(self, state: DesiredState, key: str, started: float) -> None:
        """A retry must see the world as it is now: its object's own reads afresh, the
        IdP listings at most every REFRESH_AFTER (a lost create is found by name in them),
        and for the prune pass, which lists everything, every batch read."""
        world = self.engine.world
        if key == PRUNE_KEY:
            world.begin_cycle()
            return
        if started - self._refreshed > REFRESH_AFTER:
            world.forget_idp_reads()
            self.refreshed()
        await self.engine.refresh(state, {key})

    async def _reconcile(self, state: DesiredState, key: str) -> Outcome:
        try:
            async with asyncio.timeout(self.timeout):
                if key == PRUNE_KEY:
                    return await self.engine.prune(state, writes=True)
                return await self.engine.reconcile(state, key, writes=True)
        except TimeoutError:
            outcome = Outcome(key, writes=True)
            message = f"reconcile did not finish within {self.timeout:g}s; will retry"
            outcome.problem("-", key, "ReconcileTimeout", message)
            return outcome
        except Exception as exc:  # a bug must cost one object one turn, not the daemon
            log.exception("reconcile_crashed", object=key)
            outcome = Outcome(key, writes=True)
            outcome.problem("-", key, "InternalError", f"{type(exc).__name__}: {exc}")
            return outcome

    def _report(self, state: DesiredState, key: str, outcome: Outcome, started: float) -> None:
        self.changes_seen += len(outcome.changes)
        for change in outcome.changes:
            log.info(
                "change",
                object=change.object,
                resource=change.resource,
                action=change.action,
                id=change.id,
                paths=[field.path for field in change.diff],
                applied=outcome.writes,
            )
        for problem in outcome.problems:
            log.error(
                "error",
                object=problem.object,
                resource=problem.resource,
                action=outcome.action,
                id=problem.id,
                reason=problem.reason,
                message=problem.message,
            )
        declared = state.declared(key)
        if declared is None:  # the prune pass: logged, not an object of its own
            return
        inputs = inputs_generation(state, key)
        # Drift by the object's durable record; this process's memory covers objects with
        # no anchor of their own (identity providers) and an anchor deleted by hand.
        drifted = outcome.drift or drift_among(
            outcome.changes, in_sync_before=self._in_sync.get(key) == inputs
        )
        actor = self.actor_of(key, started)  # taken at every reconcile, so never stale
        if not outcome.problems and (outcome.writes or not outcome.changes):
            self._in_sync[key] = inputs
        for change in drifted:
            self.metrics.drift_events.labels(key.split("/", 1)[0], change.resource).inc()
            log.warning(
                "drift",
                object=change.object,
                resource=change.resource,
                action="corrected" if outcome.writes else "left-alone",
                id=change.id,
                paths=[field.path for field in change.diff],
                actor=actor,
            )
        drifts = [
            replace(Drift.from_change(c, corrected=outcome.writes), actor=actor) for c in drifted
        ]
        for alert in self.ledger.observe(key, drifts):
            self.notifier.post(alert)
        self.board.observe(
            Observation(
                key=key,
                generation=generation(declared) if declared else "",
                changes=tuple(outcome.changes),
                problems=tuple(outcome.problems),
                applied=outcome.writes,
                drifted=drifted,
                resources=dict(outcome.resources),
                labels=dict(declared.metadata.labels),
            ),
            datetime.now(UTC),
        )

    async def _rotate(self, state: DesiredState, key: str) -> None:
        """Once the Service converged, its credential rotation moves on (when one is due or
        under way); the key comes back when the rotation next has something to do."""
        try:
            async with asyncio.timeout(self.timeout):
                again = await self.rotations.advance(state, key.split("/", 1)[1])
        except (TimeoutError, AwsError, IdpError) as exc:
            log.error(
                "error",
                object=key,
                resource="secretsmanager:secret",
                action="rotate",
                message=str(exc) or type(exc).__name__,
            )
            self.queue.retry(key)
            return
        status = self.board.objects.get(key)
        if status is not None:
            status.rotation = self.rotations.views[key].as_json()
        if again is not None:
            self.queue.add_after(key, max(again.total_seconds(), 1.0))

    def _schedule(self, key: str, outcome: Outcome) -> None:
        reasons = {problem.reason for problem in outcome.problems}
        if reasons and not reasons <= TERMINAL_REASONS:
            delay = self.queue.retry(key)
            log.info("retry_scheduled", object=key, delay_seconds=round(delay, 2))
            return
        self.queue.forget(key)
        if outcome.writes and outcome.changes:
            self.queue.add_after(key, VERIFY_AFTER)


def _result(outcome: Outcome) -> str:
    if outcome.problems:
        return "error"
    return "changed" if outcome.changes else "unchanged"
