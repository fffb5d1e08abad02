"""A client that sends its request slowly, or never finishes it, is disconnected within a
bound, and /healthz answers other clients meanwhile; oversized request heads are refused.

The server runs in this test's event loop with its timeouts shortened (the mechanism is
what is under test; the values are the module's business). Bounds are generous: machines
are noisy, and the point is "disconnected", not "fast".
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from controller.aws._clients import CallCounter
from controller.daemon import _http
from controller.daemon._http import StatusServer
from controller.daemon._metrics import Metrics

HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 0.5
SEND_TIMEOUT = 1.0
BIG_STATUS = {"padding": "x" * 8 * 1024 * 1024}  # more than the sockets can buffer
SLACK = 3.0  # on top of a timeout, before the test calls the connection held


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    monkeypatch.setattr(_http, "REQUEST_HEAD_TIMEOUT", HEAD_TIMEOUT)
    monkeypatch.setattr(_http, "REQUEST_BODY_TIMEOUT", BODY_TIMEOUT)
    monkeypatch.setattr(_http, "RESPONSE_SEND_TIMEOUT", SEND_TIMEOUT)
    status = StatusServer(Metrics(CallCounter(), lambda: 0), lambda: BIG_STATUS, lambda: True)
    url = await status.start("127.0.0.1:0")
    try:
        yield url
    finally:
        await status.stop()


async def connect(
    url: str, receive_buffer: int | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    sock = socket.socket()
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    return await asyncio.open_connection(sock=sock, limit=2**20)


async def closed_after(reader: asyncio.StreamReader, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closes the connection, and what it sent before."""
    started = time.monotonic()
    received = b""
    try:
        async with asyncio.timeout(limit):
            while chunk := await reader.read(65536):
                received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"connection still open after {limit}s") from None
    return time.monotonic() - started, received


async def healthz_answers(url: str, within: float = 0.5) -> None:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=within)) as session,
        session.get(url + "/healthz") as response,
    ):
        assert response.status == 200


async def trickle(writer: asyncio.StreamWriter, url: str, lines: list[bytes]) -> int:
    """Send ``lines`` one every 0.1 s while checking /healthz; stop when the server hangs
    up. Returns how many /healthz answers came meanwhile."""
    answered = 0
    for line in lines:
        try:
            writer.write(line)
            await writer.drain()
        except ConnectionError:
            break
        await healthz_answers(url)
        answered += 1
        await asyncio.sleep(0.1)
    return answered


async def test_a_request_head_sent_a_byte_at_a_time_is_cut_off_while_healthz_answers(
    server: str,
) -> None:
    reader, writer = await connect(server)
    started = time.monotonic()
    # Endless headers, each in time to reset any per-read idle timer.
    sending = asyncio.create_task(
        trickle(writer, server, [b"GET /healthz HTTP/1.1\r\n"] + [b"X-Slow: 1\r\n"] * 1000)
    )
    _, received = await closed_after(reader, HEAD_TIMEOUT + SLACK)
    answered = await sending
    writer.close()
    assert time.monotonic() - started >= HEAD_TIMEOUT * 0.9  # the bound, not an error
    assert b"200" not in received
    assert answered >= 3, "/healthz kept answering other clients"


async def test_a_connection_that_never_sends_a_request_is_closed(server: str) -> None:
    reader, writer = await connect(server)
    elapsed, received = await closed_after(reader, HEAD_TIMEOUT + SLACK)
    writer.close()
    assert received == b""
    assert elapsed >= HEAD_TIMEOUT * 0.9


async def test_an_idle_keep_alive_connection_is_closed_after_its_response(server: str) -> None:
    reader, writer = await connect(server)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    _, received = await closed_after(reader, HEAD_TIMEOUT + SLACK)
    writer.close()
    assert received.startswith(b"HTTP/1.1 200")


async def test_a_body_sent_slowly_is_dropped_once_answered_and_the_connection_closed(
    server: str,
) -> None:
    reader, writer = await connect(server)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
    sending = asyncio.create_task(trickle(writer, server, [b"x"] * 1000))
    _, received = await closed_after(reader, BODY_TIMEOUT + SLACK)
    await sending
    writer.close()
    assert received.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz?" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(40)) + b"\r\n",
    ],
    ids=["long-request-line", "long-header", "many-headers"],
)
async def test_an_oversized_request_head_is_refused_with_400(server: str, head: bytes) -> None:
    reader, writer = await connect(server)
    writer.write(head)
    _, received = await closed_after(reader, SLACK)
    writer.close()
    assert received.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), received[:200]
    await healthz_answers(server)


async def test_a_client_that_stops_reading_its_response_is_cut_off_while_healthz_answers(
    server: str,
) -> None:
    reader, writer = await connect(server, receive_buffer=4096)
    writer.write(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    for _ in range(int((SEND_TIMEOUT + 1.0) / 0.1)):  # not reading meanwhile
        # Longer than elsewhere: this test's event loop also serialises the big status.
        await healthz_answers(server, within=2.0)
        await asyncio.sleep(0.1)
    _, received = await closed_after(reader, SLACK)
    writer.close()
    assert received.startswith(b"HTTP/1.1 200")
    assert len(received) < len(BIG_STATUS["padding"]), "the whole response was sent"
