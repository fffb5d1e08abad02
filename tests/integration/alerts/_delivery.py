"""Helpers for delivery tests against the local chat receiver.

Delivery runs on the test's own event loop, so waiting on the receiver (a blocking call)
happens in a thread; everything polls with generous deadlines instead of timing.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from controller.alerts import Alert, Drift, RetryPolicy, drift_alert
from tests.harness.chat import ChatReceiver, ReceivedMessage

DEADLINE_SECONDS = 20.0
# Quick retries keep tests short; the attempt timeout stays generous for a busy machine.
FAST = RetryPolicy(attempts=3, attempt_timeout=10.0, first_backoff=0.01, max_backoff=0.05)


@dataclass
class Tally:
    """What ``on_delivered`` / ``on_failed`` were told, in order."""

    delivered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def drift(number: int = 1, *, corrected: bool = True) -> Alert:
    """A distinct drift alert per ``number``."""
    paths = ("containerDefinitions[app].secrets", f"tags.n{number}")
    return drift_alert(
        [Drift("Service/orders-api", "ecs:task-definition", "orders-api", paths, corrected)]
    )


async def arrived(chat: ChatReceiver, count: int) -> list[ReceivedMessage]:
    return await asyncio.to_thread(chat.wait_for, count, DEADLINE_SECONDS)


async def eventually(condition: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_SECONDS
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.02)


def refusing_url() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/slack/T000/B000/gone"


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """A loopback URL that accepts connections and never answers: a hung chat service.

    The kernel completes the handshake into the listen backlog, so the request goes out
    and the client waits for an answer that never comes.
    """
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        yield f"http://127.0.0.1:{port}/slack/T000/B000/hung"
