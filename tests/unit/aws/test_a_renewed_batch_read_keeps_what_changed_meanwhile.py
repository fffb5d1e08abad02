"""A resync renews the IAM batch read while reconciles go on: they answer from the batch
before instead of waiting seconds, and what they wrote or forgot meanwhile is not undone
by a batch that may have been read before it."""

from __future__ import annotations

import asyncio
from typing import Any

from controller.aws import Iam, ObservedRole

TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}


def role(name: str, owner: str) -> ObservedRole:
    return ObservedRole(name, f"arn:aws:iam::123456789012:role/{name}", TRUST, {"o": owner}, [])


class FakeClients:
    def client(self, _service: str) -> Any:
        return object()


class HeldIam(Iam):
    """The batch read answers with what it is given, once the test releases it."""

    def __init__(self) -> None:
        super().__init__(FakeClients())  # type: ignore[arg-type]
        self.batch: dict[str, ObservedRole] = {}
        self.release = asyncio.Event()
        self.reading = asyncio.Event()

    async def _read_roles(self) -> dict[str, ObservedRole]:
        self.reading.set()
        await self.release.wait()
        self.release.clear()
        return dict(self.batch)


async def started_renewal(iam: HeldIam) -> asyncio.Task[dict[str, ObservedRole]]:
    iam.reading.clear()
    renewal = asyncio.create_task(iam.renew())
    await iam.reading.wait()
    return renewal


async def test_find_answers_from_the_batch_before_while_a_renewal_reads() -> None:
    iam = HeldIam()
    iam.batch = {"a": role("a", "first")}
    iam.release.set()
    await iam.roles()
    iam.batch = {"a": role("a", "second")}
    renewal = await started_renewal(iam)

    found = await asyncio.wait_for(iam.find("a"), 1)

    assert found == role("a", "first")
    assert not renewal.done()
    iam.release.set()
    assert (await renewal)["a"] == role("a", "second")
    assert await iam.find("a") == role("a", "second")


async def test_a_role_forgotten_during_a_renewal_stays_forgotten() -> None:
    iam = HeldIam()
    iam.batch = {"a": role("a", "old"), "b": role("b", "old")}
    iam.release.set()
    await iam.roles()
    renewal = await started_renewal(iam)

    iam.forget(["a"])  # a change event named it; the batch below was read before the change
    iam.release.set()
    renewed = await renewal

    assert "a" not in renewed  # the next find reads it alone
    assert renewed["b"] == role("b", "old")


async def test_our_write_during_a_renewal_survives_the_swap() -> None:
    iam = HeldIam()
    iam.batch = {"a": role("a", "old")}
    iam.release.set()
    await iam.roles()
    renewal = await started_renewal(iam)

    iam._remember("a", tags={"o": "written"})  # as a write (TagRole, say) folds itself in
    iam.release.set()
    renewed = await renewal

    assert renewed["a"].tags == {"o": "written"}
