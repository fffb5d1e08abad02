"""A lease over one DynamoDB item that cannot give two writers, after the method of
amazon-dynamodb-lock-client: no clock is ever compared across hosts.

The item holds ``name``, ``holder`` and a record version number ``rvn``, a fresh uuid on
every write. The holder renews with a PutItem conditioned on its own holder and rvn. A
replica that does not hold it reads the item (strongly consistent): an absent item (never
taken, or released) is taken at once; otherwise it remembers the rvn and when it first saw
it on its *own* monotonic clock, and takes over only once that same rvn stood unchanged
for a full lease duration, with a PutItem conditioned on that rvn. Any renewal in between
changes the rvn and restarts the wait.

The holder counts validity from the *start* of the request that renewed it, on its own
monotonic clock, and pushes it into the :class:`Fence` writes pass. A standby's wait
starts after it saw the rvn, which is after that request started, so it cannot end before
the holder's validity. Each call has a hard timeout of a third of the duration (botocore's
retries included); a renewal that timed out or failed extends nothing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from controller.aws._clients import AwsClients
from controller.aws._errors import AwsError, call

_CONDITION_FAILED = "ConditionalCheckFailedException"
_KEPT_RVNS = 4  # our writes whose fate is unknown (timed out), besides the last confirmed


def lease_name(controller_id: str) -> str:
    """The item one controller's replicas and its writing CLI commands contend for."""
    return f"ecs-oauth/{controller_id}"


async def lease_holder(aws: AwsClients, table: str, name: str) -> str | None:
    """Who holds the lease item now, read without taking it (strongly consistent); None
    while nobody does. For warnings at start; the contest itself is :class:`Lease`'s."""
    response = await call(
        aws.client("dynamodb"),
        "GetItem",
        TableName=table,
        Key={"name": {"S": name}},
        ConsistentRead=True,
    )
    item = response.get("Item")
    return str(item["holder"]["S"]) if item else None


class LeaseTimeout(AwsError):
    """A lease call did not finish within its hard timeout; it may or may not have landed."""


@dataclass(frozen=True)
class Sighting:
    """An rvn of another holder, and when (local monotonic seconds) we first saw it."""

    holder: str
    rvn: str
    at: float


class Lease:
    """One process's side of the lease item ``name`` in ``table``."""

    def __init__(
        self,
        aws: AwsClients,
        table: str,
        name: str,
        holder: str,
        duration: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._aws = aws
        self.table = table
        self.name = name
        self.holder = holder
        self.duration = duration
        self.fence = aws.fence
        self.fence.enforce(margin=duration / 10)
        self._clock = clock
        self._mine: list[str] = []  # rvns we wrote since the last confirmed one, oldest first
        self.seen: Sighting | None = None  # the other holder's item, while we wait it out
        self.taken_from: str | None = None  # whose item the last takeover replaced

    @property
    def held(self) -> bool:
        """Whether we may write now (the fence is open)."""
        return self.fence.is_open()

    async def acquire(self) -> bool:
        """Renew when we hold the item, else take it if free or waited out. Whether we hold
        a valid lease afterwards; a failure to reach DynamoDB raises :class:`AwsError`."""
        if self._mine:
            return await self.renew()
        return await self.take()

    async def renew(self) -> bool:
        """One conditional renewal; false when another replica holds the item now."""
        if not self._mine:
            return False  # nothing of ours to renew: take it first
        try:
            await self._put(*self._ours())
        except AwsError as exc:
            if exc.code != _CONDITION_FAILED:
                raise
            self._lost()
            return False
        return True

    async def take(self, *, force: bool = False) -> bool:
        """Take the item if it is free, or once its rvn stood still for a full duration, or
        at once with ``force`` (``--force-unlock``). ``seen`` names the holder found."""
        item = await self._get()
        if item is None:
            self.seen = None
            return await self._take_if("attribute_not_exists(#name)", {})
        now = self._clock()
        holder = item.get("holder", {}).get("S", "unknown")
        rvn = item.get("rvn", {}).get("S", "")  # none: an item of the old expiresAt lease
        if self.seen is None or self.seen.rvn != rvn:
            self.seen = Sighting(holder, rvn, now)
        if not force and now - self.seen.at < self.duration:
            return False
        if not rvn:
            return await self._take_if("attribute_not_exists(rvn)", {})
        return await self._take_if("rvn = :seen", {":seen": {"S": rvn}})

    async def release(self) -> None:
        """Delete our item, so a standby takes over at once instead of waiting it out."""
        if not self._mine:
            return
        self.fence.close()  # no write of ours may follow the release
        condition, values = self._ours()
        try:
            await self._bounded(
                "DeleteItem",
                TableName=self.table,
                Key={"name": {"S": self.name}},
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except AwsError as exc:
            if exc.code != _CONDITION_FAILED:
                raise
        finally:
            self._mine = []

    async def _take_if(self, condition: str, values: dict[str, Any]) -> bool:
        names = {"#name": "name"} if "#name" in condition else None
        try:
            await self._put(condition, values, names)
        except AwsError as exc:
            if exc.code != _CONDITION_FAILED:
                raise
            self._lost()  # someone else got there first: wait again from what we see next
            return False
        self.taken_from = self.seen.holder if self.seen is not None else None
        self.seen = None
        return True

    async def _put(
        self, condition: str, values: dict[str, Any], names: dict[str, str] | None = None
    ) -> None:
        """A conditional PutItem with a fresh rvn; on success the fence opens until the
        request's start plus the duration. A timeout leaves the rvn as maybe ours."""
        rvn = uuid.uuid4().hex
        started = self._clock()
        self._mine.append(rvn)
        extra: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        await self._bounded(
            "PutItem",
            TableName=self.table,
            Item={
                "name": {"S": self.name},
                "holder": {"S": self.holder},
                "rvn": {"S": rvn},
            },
            ConditionExpression=condition,
            **({"ExpressionAttributeValues": values} if values else {}),
            **extra,
        )
        self._mine = [rvn]
        self.fence.extend(started + self.duration)

    async def _get(self) -> dict[str, Any] | None:
        response = await self._bounded(
            "GetItem", TableName=self.table, Key={"name": {"S": self.name}}, ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    async def _bounded(self, operation: str, **kwargs: Any) -> Any:
        """The call with a hard timeout of a third of the duration, retries included."""
        try:
            return await asyncio.wait_for(
                call(self._aws.client("dynamodb"), operation, **kwargs), self.duration / 3
            )
        except TimeoutError as exc:
            message = f"no answer within {self.duration / 3:g}s"
            raise LeaseTimeout(operation, "LeaseTimeout", message) from exc

    def _lost(self) -> None:
        self._mine = []
        self.fence.close()

    def _ours(self) -> tuple[str, dict[str, Any]]:
        """The condition "the item is still ours": our holder and an rvn we wrote (the last
        confirmed one, or one whose answer timed out but which may have landed)."""
        recent = self._mine[-_KEPT_RVNS - 1 :]
        names = [f":rvn{n}" for n in range(len(recent))]
        values = {":me": {"S": self.holder}} | {
            name: {"S": rvn} for name, rvn in zip(names, recent, strict=True)
        }
        return f"holder = :me AND rvn IN ({', '.join(names)})", values
