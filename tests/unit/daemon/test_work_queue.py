"""The work queue: keys not events, no key twice, no key in two workers, backoff per key."""

from __future__ import annotations

import asyncio

import pytest

from controller.daemon import Backoff, WorkQueue


async def test_a_key_added_twice_while_waiting_is_handed_out_once() -> None:
    queue = WorkQueue()
    queue.add("Service/a")
    queue.add("Service/a")
    queue.add("Service/b")
    assert [await queue.get(), await queue.get()] == ["Service/a", "Service/b"]
    assert len(queue) == 0


async def test_a_key_added_while_a_worker_holds_it_comes_back_after_done() -> None:
    queue = WorkQueue()
    queue.add("Service/a")
    assert await queue.get() == "Service/a"
    again = queue.add("Service/a")
    assert len(queue) == 0  # not handed to a second worker meanwhile
    queue.done("Service/a")
    assert not again.done()  # that request is served by the next run, not the finished one
    assert await queue.get() == "Service/a"
    queue.done("Service/a")
    await asyncio.wait_for(again, 1)


async def test_the_future_of_add_resolves_when_the_key_was_worked() -> None:
    queue = WorkQueue()
    waiter = queue.add("Role/r")
    key = await queue.get()
    assert key is not None
    assert not waiter.done()
    queue.done(key)
    await asyncio.wait_for(waiter, 1)


async def test_an_urgent_key_goes_ahead_of_a_backlog_in_arrival_order() -> None:
    queue = WorkQueue()
    for name in ("a", "b", "c"):
        queue.add(f"Service/{name}")
    queue.add("Service/x", urgent=True)
    queue.add("Service/y", urgent=True)
    handed = [await queue.get() for _ in range(5)]
    assert handed == ["Service/x", "Service/y", "Service/a", "Service/b", "Service/c"]


async def test_a_queued_key_made_urgent_moves_ahead_and_is_handed_out_once() -> None:
    queue = WorkQueue()
    queue.add("Service/a")
    queue.add("Service/b")
    queue.add("Service/b", urgent=True)
    queue.add("Service/b")  # not urgent: it keeps its place ahead
    assert [await queue.get(), await queue.get()] == ["Service/b", "Service/a"]
    assert len(queue) == 0
    queue.add("Service/c")
    assert await queue.get() == "Service/c"  # b's stale entry was skipped, not handed out


async def test_an_urgent_key_added_while_held_comes_back_urgent() -> None:
    queue = WorkQueue()
    queue.add("Service/a")
    assert await queue.get() == "Service/a"
    queue.add("Service/a", urgent=True)
    queue.add("Service/b")
    queue.done("Service/a")
    assert await queue.get() == "Service/a"


async def test_a_failed_key_returns_after_its_own_backoff_only() -> None:
    queue = WorkQueue(Backoff(base=0.01, cap=0.01))
    delay = queue.retry("Service/broken")
    assert 0.005 <= delay <= 0.01
    assert len(queue) == 0
    assert await asyncio.wait_for(queue.get(), 1) == "Service/broken"


async def test_an_earlier_timer_wins_over_a_later_one() -> None:
    queue = WorkQueue()
    queue.add_after("Service/a", 0.01)
    queue.add_after("Service/a", 60)
    assert await asyncio.wait_for(queue.get(), 1) == "Service/a"


async def test_dropping_a_key_cancels_its_retry_and_resets_its_backoff() -> None:
    queue = WorkQueue(Backoff(base=0.01, cap=0.01))
    queue.retry("Service/gone")
    queue.drop("Service/gone")
    assert queue.failures("Service/gone") == 0
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.get(), 0.05)


async def test_closing_hands_every_worker_none_and_releases_waiters() -> None:
    queue = WorkQueue()
    waiter = queue.add("Service/a")
    queue.close(workers=2)
    assert await queue.get() is None
    assert await queue.get() is None
    assert waiter.done()
    assert queue.add("Service/b").done()


def test_backoff_doubles_per_failure_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1, cap=8)
    for failures, step in ((1, 1), (2, 2), (3, 4), (4, 8), (9, 8)):
        delays = [backoff.delay(failures) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len(set(delays)) > 1  # jittered, so retries of many keys spread out
