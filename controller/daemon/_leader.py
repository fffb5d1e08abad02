"""Who may write: the holder of the DynamoDB lease, or the only replica when none is set.

Standbys keep serving health and status (``leader: false``) and take over when the lease
was waited out or its holder released it at shutdown. Leadership here is the fence's
view (``controller.aws.Fence``): it ends the moment the lease's validity, counted from
the start of the last renewal that succeeded, runs out, whatever a renewal in flight
may still bring. A write attempted after that is refused before it leaves
(``LeadershipLost``), so a reconcile under way when the lease is lost stops writing too.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable

import structlog

from controller.aws import AwsClients, AwsError, Lease, lease_name

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
        self.decided = table is None
        self.duration = duration
        self._on_elected = on_elected
        self._was_leader = table is None
        holder = f"run/{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self._lease = (
            Lease(aws, table, lease_name(controller_id), holder, duration) if table else None
        )

    @property
    def leader(self) -> bool:
        """Whether this replica may write now: no lease to share, or a valid one held."""
        return self._lease is None or self._lease.held

    async def campaign(self) -> None:
        """Renew (or wait out and take) the lease every third of its duration for as long
        as we run; meanwhile say so the moment our validity ends, a renewal in flight or
        not."""
        if self._lease is None:
            return
        await asyncio.gather(self._renewals(self._lease), self._watch(self._lease))

    async def _renewals(self, lease: Lease) -> None:
        while True:
            await self._attempt(lease)
            await asyncio.sleep(self.duration / 3)

    async def _watch(self, lease: Lease) -> None:
        while True:
            pause = lease.fence.remaining() if self.leader else self.duration / 3
            await asyncio.sleep(max(min(pause, self.duration / 3), 0.05))
            if self.decided:
                self._observe(lease)

    async def _attempt(self, lease: Lease) -> None:
        try:
            await lease.acquire()
        except AwsError as exc:
            # Unsure whether it landed: the validity we had still stands, nothing extends it.
            log.error("lease_error", table=lease.table, message=str(exc), still_leader=self.leader)
        self._observe(lease)

    def _observe(self, lease: Lease) -> None:
        held = self.leader
        if held and not self._was_leader:
            log.info(
                "leader_elected", lease=lease.name, holder=lease.holder, took_over=lease.taken_from
            )
            self._was_leader = True
            self._on_elected()
        elif not held and self._was_leader:
            log.warning("leadership_lost", lease=lease.name, holder=lease.holder)
            self._was_leader = False
        elif not held and not self.decided:
            seen = lease.seen.holder if lease.seen is not None else None
            log.info("standing_by", lease=lease.name, holder=seen)
        self.decided = True

    async def resign(self) -> None:
        """Release the lease at shutdown so a standby takes over at once."""
        if self._lease is None:
            return
        self._was_leader = False
        try:
            await self._lease.release()
        except AwsError as exc:
            log.error("lease_release_failed", table=self._lease.table, message=str(exc))
