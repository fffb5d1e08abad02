"""The lease's state machine against a fake DynamoDB and fake monotonic clocks.

Each replica has its own clock, deliberately far apart: the lease must never compare
one host's time with another's. The fake table evaluates exactly the three conditions
the lease uses, as DynamoDB would.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from controller.aws import AwsClients, Fence, LeadershipLost, Lease, LeaseTimeout

DURATION = 0.6  # seconds on the fake clocks; also sets each call's hard timeout: 0.2 s real


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeDynamoDb:
    """One table of lease items; ``hang`` holds the next PutItem forever, after it landed
    (``land=True``) or before."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.hang: bool | None = None  # None: answer; True/False: hang, landed or not
        self.during_put: list[Any] = []  # callbacks run while a PutItem is on the wire

    async def get_item(self, *, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.items.get(Key["name"]["S"])
        return {"Item": dict(item)} if item is not None else {}

    async def put_item(self, *, Item: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for callback in self.during_put:
            callback()
        hang, self.hang = self.hang, None
        if hang is False:
            await asyncio.Event().wait()
        self._check(Item["name"]["S"], kwargs)
        self.items[Item["name"]["S"]] = dict(Item)
        if hang is True:
            await asyncio.Event().wait()
        return {}

    async def delete_item(self, *, Key: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self._check(Key["name"]["S"], kwargs)
        self.items.pop(Key["name"]["S"], None)
        return {}

    def _check(self, name: str, kwargs: dict[str, Any]) -> None:
        item = self.items.get(name)
        values = {k: v["S"] for k, v in kwargs.get("ExpressionAttributeValues", {}).items()}
        condition = kwargs["ConditionExpression"]
        if condition == "attribute_not_exists(#name)":
            ok = item is None
        elif condition == "rvn = :seen":
            ok = item is not None and item["rvn"]["S"] == values[":seen"]
        else:
            match = re.fullmatch(r"holder = :me AND rvn IN \((.*)\)", condition)
            assert match, condition
            rvns = {values[name.strip()] for name in match.group(1).split(",")}
            ok = item is not None and item["holder"]["S"] == values[":me"]
            ok = ok and item is not None and item["rvn"]["S"] in rvns
        if not ok:
            error: Any = {"Error": {"Code": "ConditionalCheckFailedException", "Message": ""}}
            raise ClientError(error, "PutItem")


class FakeClients:
    def __init__(self, table: FakeDynamoDb, clock: Clock) -> None:
        self.table = table
        self.fence = Fence(clock)

    def client(self, service: str) -> FakeDynamoDb:
        assert service == "dynamodb"
        return self.table


def replica(table: FakeDynamoDb, holder: str, clock: Clock) -> Lease:
    aws = cast(AwsClients, FakeClients(table, clock))
    return Lease(aws, "leases", "ecs-oauth/test", holder, DURATION, clock=clock)


@pytest.fixture
def table() -> FakeDynamoDb:
    return FakeDynamoDb()


class TestTakingOver:
    async def test_a_free_lease_is_taken_at_once(self, table: FakeDynamoDb) -> None:
        lease = replica(table, "a", Clock(100.0))

        assert await lease.take()
        assert lease.held
        assert table.items["ecs-oauth/test"]["holder"]["S"] == "a"

    async def test_a_standby_takes_over_only_after_a_full_unchanged_lease(
        self, table: FakeDynamoDb
    ) -> None:
        a, b_clock = replica(table, "a", Clock(100.0)), Clock(-5_000.0)
        b = replica(table, "b", b_clock)
        assert await a.take()

        assert not await b.take()
        b_clock.advance(DURATION - 0.1)
        assert not await b.take()
        assert table.items["ecs-oauth/test"]["holder"]["S"] == "a"
        b_clock.advance(0.1)
        assert await b.take()
        assert b.taken_from == "a"
        assert table.items["ecs-oauth/test"]["holder"]["S"] == "b"

    async def test_every_renewal_restarts_the_standbys_wait(self, table: FakeDynamoDb) -> None:
        a, b_clock = replica(table, "a", Clock(100.0)), Clock(7.0)
        b = replica(table, "b", b_clock)
        assert await a.take()
        assert not await b.take()
        for _ in range(3):
            b_clock.advance(DURATION * 2 / 3)
            assert await a.renew()
            assert not await b.take()
        assert a.held
        assert table.items["ecs-oauth/test"]["holder"]["S"] == "a"

    async def test_the_old_holder_learns_it_lost_and_its_fence_closes(
        self, table: FakeDynamoDb
    ) -> None:
        a, b_clock = replica(table, "a", Clock(100.0)), Clock(0.0)
        b = replica(table, "b", b_clock)
        assert await a.take()
        assert not await b.take()
        b_clock.advance(DURATION)
        assert await b.take()

        assert not await a.renew()
        assert not a.held
        with pytest.raises(LeadershipLost):
            a.fence.check("RegisterTaskDefinition")

    async def test_a_released_lease_is_taken_at_once(self, table: FakeDynamoDb) -> None:
        a, b = replica(table, "a", Clock(100.0)), replica(table, "b", Clock(0.0))
        assert await a.take()
        assert not await b.take()

        await a.release()

        assert not a.held
        assert await b.take()

    async def test_force_takes_over_at_once_naming_the_holder(self, table: FakeDynamoDb) -> None:
        a, b = replica(table, "a", Clock(100.0)), replica(table, "b", Clock(0.0))
        assert await a.take()

        assert await b.take(force=True)

        assert b.taken_from == "a"
        assert not await a.renew()


class TestValidity:
    async def test_validity_is_counted_from_the_requests_start(self, table: FakeDynamoDb) -> None:
        clock = Clock(1_000.0)
        lease = replica(table, "a", clock)
        table.during_put.append(lambda: clock.advance(0.2))  # a slow answer

        assert await lease.take()

        assert lease.fence.valid_until == 1_000.0 + DURATION
        assert lease.fence.remaining() == pytest.approx(DURATION - 0.2 - DURATION / 10)

    async def test_a_renewal_that_times_out_does_not_extend_validity(
        self, table: FakeDynamoDb
    ) -> None:
        clock = Clock(0.0)
        lease = replica(table, "a", clock)
        assert await lease.take()
        valid_until = lease.fence.valid_until
        clock.advance(DURATION / 3)
        table.hang = True  # it lands, but the answer never comes

        with pytest.raises(LeaseTimeout):
            await lease.renew()

        assert lease.fence.valid_until == valid_until
        clock.advance(DURATION * 2 / 3)
        assert not lease.held  # the validity ran out: no more writes

    async def test_a_renewal_that_landed_unseen_is_still_ours(self, table: FakeDynamoDb) -> None:
        clock = Clock(0.0)
        lease = replica(table, "a", clock)
        assert await lease.take()
        table.hang = True
        with pytest.raises(LeaseTimeout):
            await lease.renew()

        clock.advance(DURATION)
        assert await lease.renew()  # the rvn it may have written is accepted too
        assert lease.held

    async def test_a_renewal_that_never_landed_keeps_the_old_rvn(self, table: FakeDynamoDb) -> None:
        lease = replica(table, "a", Clock(0.0))
        assert await lease.take()
        table.hang = False
        with pytest.raises(LeaseTimeout):
            await lease.renew()

        assert await lease.renew()


class TestTheFence:
    def test_without_a_lease_the_fence_is_always_open(self) -> None:
        fence = Fence(Clock(0.0))

        fence.check("CreateRole")
        assert fence.is_open()

    def test_the_fence_closes_a_safety_margin_before_the_lease_ends(self) -> None:
        clock = Clock(0.0)
        fence = Fence(clock)
        fence.enforce(margin=1.0)
        fence.extend(10.0)

        clock.advance(8.9)
        fence.check("CreateRole")
        clock.advance(0.2)
        with pytest.raises(LeadershipLost) as lost:
            fence.check("CreateRole")
        assert lost.value.code == "LeadershipLost"
