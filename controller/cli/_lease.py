"""The lease for commands that write (``apply``, ``rotate``): the daemon's own, so a CLI
run and a running daemon never write at the same time.

With ``leaderElection.table`` set, the command takes the lease as one more contender
(holder ``apply/<host>/<pid>``), renews it in the background while it works and releases
it at the end. A holder that is alive renews, which changes the item's rvn: the command
refuses at once, naming it. A holder that is gone stops changing it: the command takes
the lease once it stood still for a full duration, exactly as a standby replica would.

``--force-unlock`` takes the lease over at once, as Terraform's does, and then waits one
lease duration before writing: the previous holder's last renewal started before the
takeover, so by then its fence has closed and it can no longer write.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from controller.aws import AwsClients, Lease
    from controller.config import Settings


TAKE_ATTEMPTS = 3


class LeaseRefused(Exception):
    """Another writer holds the lease; the message says who and what to do."""


def add_force_unlock(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force-unlock",
        action="store_true",
        help="take the controller's lease over from its holder (a daemon or another run)",
    )


@contextlib.asynccontextmanager
async def writer_lease(
    aws: AwsClients, settings: Settings, command: str, *, force_unlock: bool
) -> AsyncIterator[None]:
    """Hold the controller's lease for the body, or raise :class:`LeaseRefused`."""
    table = settings.leader_election.table
    if table is None:
        yield
        return
    from controller.aws import AwsError, Lease, lease_name

    duration = settings.leader_election.lease_duration.total_seconds()
    holder = f"{command}/{socket.gethostname()}/{os.getpid()}"
    lease = Lease(aws, table, lease_name(settings.controller_id), holder, duration)
    try:
        await _take(lease, command, force_unlock=force_unlock)
    except AwsError as exc:  # no table, no permission, DynamoDB unreachable: nothing written
        raise LeaseRefused(
            f"{command} could not take the lease {lease.name} (table {table}): {exc}"
        ) from exc
    renewing = asyncio.create_task(_renew(lease), name="lease-renewal")
    try:
        if force_unlock and lease.taken_from is not None:
            await asyncio.sleep(duration)  # the previous holder's validity runs out
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            await lease.release()
        except AwsError as exc:  # the work is done; a standby waits the lease out instead
            print(f"warning: could not release the lease {lease.name}: {exc}", file=sys.stderr)


async def _take(lease: Lease, command: str, *, force_unlock: bool) -> None:
    """Take the lease: at once if free or forced, after a full still duration if its
    holder is gone; refuse as soon as the holder shows it is alive (a renewal)."""
    first: str | None = None
    told = False
    while not await _take_once(lease, force_unlock=force_unlock):
        seen = lease.seen
        if seen is not None and first is not None and seen.rvn != first:
            raise LeaseRefused(
                f"{command} refused: the lease {lease.name} (table {lease.table}) is "
                f"held by {seen.holder}, which is renewing it; stop it, or run {command} "
                f"with --force-unlock to take the lease over"
            )
        still = seen is not None and time.monotonic() - seen.at >= lease.duration * 2 / 3
        if seen is not None and still and not told:
            told = True  # a live holder renews every third: this one may be gone
            print(
                f"The lease {lease.name} is held by {seen.holder}, which has not renewed "
                f"it; taking it over once it stood still for {lease.duration:g}s.",
                file=sys.stderr,
                flush=True,
            )
        first = seen.rvn if seen is not None else None
        await asyncio.sleep(lease.duration / 3)
    if force_unlock and lease.taken_from is not None:
        print(
            f"warning: --force-unlock took the lease {lease.name} over from "
            f"{lease.taken_from}; waiting {lease.duration:g}s for its lease to run out "
            "before writing",
            file=sys.stderr,
            flush=True,
        )


async def _take_once(lease: Lease, *, force_unlock: bool) -> bool:
    """One attempt; a slow DynamoDB (a call past its hard timeout) is tried again, a few
    times, since nothing was decided yet."""
    from controller.aws import LeaseTimeout

    for attempt in range(TAKE_ATTEMPTS):
        try:
            return await lease.take(force=force_unlock)
        except LeaseTimeout:
            if attempt == TAKE_ATTEMPTS - 1:
                raise
    return False


async def _renew(lease: Lease) -> None:
    """Keep the lease while the command works; a failed renewal extends nothing, so writes
    stop (``LeadershipLost``) once its validity runs out."""
    from controller.aws import AwsError

    while True:
        await asyncio.sleep(lease.duration / 3)
        try:
            if not await lease.renew():
                print(f"error: lost the lease {lease.name}", file=sys.stderr, flush=True)
                return
        except AwsError as exc:
            print(f"warning: lease renewal failed: {exc}", file=sys.stderr, flush=True)
