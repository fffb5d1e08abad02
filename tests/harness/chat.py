"""A local chat receiver standing in for Slack and generic webhooks.

The controller posts alerts to a Slack incoming webhook or to a plain JSON
webhook. Tests need to see exactly what was sent and to make the receiver fail
or stall, which neither Slack nor a public echo service allows; this receiver
answers like those services do and records every POST.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLACK_PATH = "/slack/T000/B000/XXXX"
WEBHOOK_PATH = "/hook"
SHUTDOWN_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class ReceivedMessage:
    """One POST as it arrived, and the status it was answered with.

    ``body`` is the parsed JSON, or ``None`` when the body was not JSON; ``raw``
    keeps the bytes for that case. Header names are lower-cased.
    """

    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    status: int


@dataclass
class ChatReceiver:
    """Records POSTs on 127.0.0.1; answers ``ok``/200 under ``/slack/`` and 204 elsewhere.

    Every POST is recorded the moment it arrives, before any injected delay or
    failure, so retries show up as separate messages; ``status`` says how each
    one was answered.
    """

    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    messages: list[ReceivedMessage] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _failures_left: int = field(default=0, repr=False)
    _failure_status: int = field(default=500, repr=False)
    _delay_seconds: float = field(default=0.0, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def start(cls) -> ChatReceiver:
        """Listen on a free port and serve from a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        # A short poll keeps stop(), run after every test, from costing half a second.
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="chat-receiver",
            daemon=True,
        )
        receiver = cls(_server=server, _thread=thread)
        server.receiver = receiver
        thread.start()
        return receiver

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def slack_url(self) -> str:
        """A URL shaped like a Slack incoming webhook."""
        return self.url + SLACK_PATH

    @property
    def webhook_url(self) -> str:
        """A generic JSON webhook URL."""
        return self.url + WEBHOOK_PATH

    def fail_next(self, n: int, status: int = 500) -> None:
        """Answer the next ``n`` POSTs with ``status`` (to exercise retries)."""
        with self._changed:
            self._failures_left = n
            self._failure_status = status

    def delay(self, seconds: float) -> None:
        """Hold every following answer for ``seconds`` (to exercise timeouts); 0 ends it."""
        with self._changed:
            self._delay_seconds = seconds

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least ``count`` POSTs arrived; a copy of all of them.

        Raises ``TimeoutError`` listing what did arrive, which is usually the
        clue to why the rest did not.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout} s, got "
                        f"{len(self.messages)}: {self.messages!r}"
                    )
                self._changed.wait(remaining)
            return list(self.messages)

    def clear(self) -> None:
        """Forget the recorded messages; injected failures and delay stay as set."""
        with self._changed:
            self.messages.clear()

    def stop(self) -> None:
        """Stop serving; answers still held by ``delay`` are released at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _record(self, message_path: str, headers: dict[str, str], raw: bytes) -> tuple[int, float]:
        """Record a POST; the status to answer with and how long to hold the answer."""
        with self._changed:
            if self._failures_left > 0:
                self._failures_left -= 1
                status = self._failure_status
            else:
                status = 200 if message_path.startswith("/slack/") else 204
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            self.messages.append(ReceivedMessage(message_path, headers, body, raw, status))
            self._changed.notify_all()
            return status, self._delay_seconds


class _Server(ThreadingHTTPServer):
    """Knows its receiver; handler threads must not keep the test run alive."""

    daemon_threads = True
    receiver: ChatReceiver


class _Handler(BaseHTTPRequestHandler):
    """Routes every POST to the receiver that owns the server."""

    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, delay = receiver._record(self.path, headers, raw)
        if delay > 0:
            receiver._stopping.wait(delay)
        # The sender may have given up waiting (that is what a delay tests): nobody to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(status)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        if status == 204:
            self.end_headers()
            return
        payload = b"ok" if status == 200 else b"error"
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log on stderr: it drowns test output."""
