"""Who may write: the holder of the DynamoDB lease, or the only replica when none is set.

Standbys keep serving health and status (``leader: false``) and take over when the lease
expires or its holder releases it at shutdown. A reconcile already under way when the
lease is lost finishes; every write is level-based and idempotent, so the short overlap
costs at most a repeated write, never a wrong one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections.abc import Callable

import structlog

from controller.aws import AwsClients, AwsError, Lease

log = structlog.get_logger("ecs_oauth.leader")


class Leadership:
    def __init__(
        self,
        aws: AwsClients,
        table: str | None,
        controller_id: str,
        duration: float,
        on_elected: Callable[[], None],
    ) -> None:
        self.leader = table is None
        self.decided = table is None
        self.duration = duration
        self._on_elected = on_elected
        self._renewed = 0.0
        holder = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self._lease = Lease(aws, table, f"ecs-oauth/{controller_id}", holder) if table else None

    async def campaign(self) -> None:
        """Take or renew the lease every third of its duration, for as long as we run."""
        if self._lease is None:
            return
        while True:
            await self._attempt(self._lease)
            await asyncio.sleep(self.duration / 3)

    async def _attempt(self, lease: Lease) -> None:
        try:
            held = await lease.acquire(self.duration)
        except AwsError as exc:
            # Unsure whether we still hold it: step down before it could have expired.
            held = self.leader and time.monotonic() - self._renewed < self.duration * 2 / 3
            log.error("lease_error", table=lease.table, message=str(exc), still_leader=held)
        if held:
            self._renewed = time.monotonic()
        if held and not self.leader:
            log.info("leader_elected", lease=lease.name, holder=lease.holder)
            self.leader = True
            self._on_elected()
        elif not held and self.leader:
            log.warning("leadership_lost", lease=lease.name)
            self.leader = False
        elif not held and not self.decided:
            log.info("standing_by", lease=lease.name)
        self.decided = True

    async def resign(self) -> None:
        if self._lease is not None and self.leader:
            self.leader = False
            try:
                await self._lease.release()
            except AwsError as exc:
                log.error("lease_release_failed", table=self._lease.table, message=str(exc))
