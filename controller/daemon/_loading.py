"""Taking the desired state from its source: one reload at a time, its errors on the status
page, metrics and alerts, and a new git revision bound to every later log line.

An invalid state never replaces the last valid one; the daemon hears only of valid new
states (``on_new``), so it reconciles what it last understood meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from controller.alerts import (
    Notifier,
    desired_state_changed,
    desired_state_invalid,
    desired_state_recovered,
)
from controller.daemon._board import StatusBoard
from controller.daemon._logging import bind_process_fields
from controller.daemon._metrics import Metrics
from controller.desired import DesiredState
from controller.sources import DesiredSource, GitDesiredSource

log = structlog.get_logger("ecs_oauth.daemon")
NewState = Callable[[DesiredState | None, DesiredState], None]


class StateLoads:
    def __init__(
        self,
        source: DesiredSource | GitDesiredSource,
        board: StatusBoard,
        metrics: Metrics,
        notifier: Notifier,
        on_new: NewState,
    ) -> None:
        self.source = source
        self.board = board
        self.metrics = metrics
        self.notifier = notifier
        self.on_new = on_new
        # The watch and the resync both reload; the parse runs in a thread, so without this
        # two reloads would overlap: both would see the state valid and alert twice, and
        # the slower (older) read could land after the newer one and replace it.
        self._loading = asyncio.Lock()

    async def load(self, *, initial: bool) -> None:
        """Take the source's state if valid; on errors keep the last valid one and say so.
        One reload at a time: the next one reads the files after this one is done."""
        async with self._loading:
            await self._load_now(initial=initial)

    async def _load_now(self, *, initial: bool) -> None:
        source = self.source
        before, revision = source.state, source.revision
        was_valid = not source.errors
        changed = await source.reload_off_loop()
        fields = source.log_fields()
        self.board.desired_state(source.errors, datetime.now(UTC))
        self.metrics.desired_state_valid.set(0 if source.errors else 1)
        if source.errors:
            self.metrics.desired_state_errors.inc()
            log.error(
                "desired_state_invalid", errors=source.errors, keeping_last_valid=True, **fields
            )
            if was_valid or initial:
                self.notifier.post(desired_state_invalid(source.name, source.errors))
            return
        if not was_valid and not initial:
            log.info("desired_state_recovered", **fields)
            self.notifier.post(desired_state_recovered(source.name))
        if (commit := source.revision) is not None and commit != revision:
            self._revision_taken(initial=initial)
        if changed and not initial and source.state is not None:
            self.on_new(before, source.state)

    def _revision_taken(self, *, initial: bool) -> None:
        """A new valid commit: on the status page, metrics, every later log line and, when
        it replaces one, an alert naming who changed the desired state."""
        commit = self.source.revision
        assert commit is not None
        self.board.revision = commit.sha
        self.metrics.revision_taken(commit.sha)
        bind_process_fields(revision=commit.sha)
        log.info(
            "desired_state_revision",
            author=commit.author,
            subject=commit.subject,
            **self.source.log_fields(),
        )
        if not initial:
            self.notifier.post(
                desired_state_changed(self.source.name, commit.sha, commit.author, commit.subject)
            )
