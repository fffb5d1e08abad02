"""IdP HTTP calls: 429 and 5xx retried a bounded number of times, Retry-After honoured,
and a registration never sent twice once the server may have acted on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controller.idp._http_retry import (
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_SECONDS,
    Answer,
    retry_after_seconds,
    send_with_retries,
)
from controller.idp._types import IdpUnavailable


class Peer:
    """Answers from a script; an exception in it is raised as a lost answer."""

    def __init__(self, *script: Answer | Exception) -> None:
        self.script = list(script)
        self.sent = 0
        self.waits: list[float] = []

    async def send(self) -> Answer:
        self.sent += 1
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_5xx_is_retried_until_an_answer() -> None:
    peer = Peer(Answer(503, ""), Answer(500, ""), Answer(200, "{}"))
    answer = await send_with_retries(peer.send, replayable=True, sleep=peer.sleep)
    assert (answer.status, peer.sent) == (200, 3)


async def test_retries_are_bounded() -> None:
    peer = Peer(Answer(500, ""))
    answer = await send_with_retries(peer.send, replayable=True, sleep=peer.sleep)
    assert (answer.status, peer.sent) == (500, MAX_ATTEMPTS)


async def test_retry_after_is_waited_out() -> None:
    peer = Peer(Answer(429, "", 3.0), Answer(201, "{}"))
    await send_with_retries(peer.send, replayable=False, sleep=peer.sleep)
    assert peer.waits == [3.0]


async def test_a_retry_after_beyond_the_cap_is_left_to_the_next_pass() -> None:
    peer = Peer(Answer(429, "", MAX_RETRY_AFTER_SECONDS + 1))
    answer = await send_with_retries(peer.send, replayable=True, sleep=peer.sleep)
    assert (answer.status, peer.sent) == (429, 1)


async def test_a_registration_is_not_sent_again_after_a_5xx() -> None:
    peer = Peer(Answer(500, ""), Answer(201, "{}"))
    answer = await send_with_retries(peer.send, replayable=False, sleep=peer.sleep)
    assert (answer.status, peer.sent) == (500, 1)


async def test_a_registration_is_not_sent_again_after_a_dropped_connection() -> None:
    peer = Peer(IdpUnavailable("create: ServerDisconnectedError"), Answer(201, "{}"))
    with pytest.raises(IdpUnavailable):
        await send_with_retries(peer.send, replayable=False, sleep=peer.sleep)
    assert peer.sent == 1


async def test_a_registration_is_sent_again_after_a_429() -> None:
    peer = Peer(Answer(429, "", 0.0), Answer(201, "{}"))
    answer = await send_with_retries(peer.send, replayable=False, sleep=peer.sleep)
    assert (answer.status, peer.sent) == (201, 2)


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:05 GMT", now) == 5.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
