"""Seeded random faults and held requests, for any WSGI peer of the sandbox.

A controller that only ever meets a healthy AWS or IdP has untested retry, back-off and
resume paths. Queued faults (``_moto_faults``) test one path at a time; this module makes
faults the normal case: every request a peer serves may, at a chosen rate, be throttled,
fail with a 5xx, lose its connection (before or after the peer acted on it, so the
caller cannot tell which) or be held for a while. The draw is seeded, so a failing run can
be replayed.

Control, on the peer's own port:

- ``POST /__faults/chaos`` ``{"seed": 7, "rate": 0.3, "kinds": ["throttle", "5xx",
  "reset", "timeout"], "operations": [...], "timeoutSeconds": 2}`` (all optional but
  ``seed``) starts faults; ``DELETE /__faults/chaos`` stops them; ``GET /__faults/chaos``
  returns ``{"active", "injected": {kind: {operation: n}}, "total"}``.
- ``POST /__faults/hold`` ``{"operations": [...], "nth": 2, "then": "answer"|"fail"}``
  holds the ``nth`` matching request until ``DELETE /__faults/hold`` releases it, so a
  test can SIGKILL its caller while that call is in flight; ``GET /__faults/hold`` says
  ``{"armed", "held", "operation"}``. Released, the request is answered by the peer
  (``answer``: the effect lands, the answer is lost with the killed caller) or failed
  before the peer sees it (``fail``).

Each peer says how an operation is named and how a fault looks in its protocol.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from werkzeug.wrappers import Request, Response

CHAOS_PATH = "/__faults/chaos"
HOLD_PATH = "/__faults/hold"
KINDS = ("throttle", "5xx", "reset", "timeout")
HOLD_LIMIT_SECONDS = 300.0

# A fault as the peer's protocol shows it: "throttle" or "5xx", and the request.
FaultResponder = Callable[[str, WSGIEnvironment, random.Random], Response]


@dataclass(frozen=True)
class ChaosSettings:
    seed: int
    rate: float
    kinds: tuple[str, ...]
    operations: frozenset[str] | None
    timeout_seconds: float

    @classmethod
    def parse(cls, document: Any) -> ChaosSettings:
        """Validate a POST body; ValueError says what is wrong."""
        if not isinstance(document, dict) or type(document.get("seed")) is not int:
            raise ValueError("expected a JSON object with an integer 'seed'")
        rate = document.get("rate", 0.3)
        kinds = document.get("kinds", list(KINDS))
        operations = document.get("operations")
        timeout = document.get("timeoutSeconds", 2.0)
        if type(rate) not in (int, float) or not 0 <= rate <= 1:
            raise ValueError("'rate' must be a number from 0 to 1")
        if not isinstance(kinds, list) or not kinds or not set(kinds) <= set(KINDS):
            raise ValueError(f"'kinds' must be a non-empty list of {', '.join(KINDS)}")
        if operations is not None and not (
            isinstance(operations, list) and all(isinstance(o, str) for o in operations)
        ):
            raise ValueError("'operations' must be a list of operation names")
        if type(timeout) not in (int, float) or not 0 <= timeout <= 60:
            raise ValueError("'timeoutSeconds' must be a number from 0 to 60")
        return cls(
            seed=document["seed"],
            rate=float(rate),
            kinds=tuple(kinds),
            operations=None if operations is None else frozenset(operations),
            timeout_seconds=float(timeout),
        )


@dataclass
class _Hold:
    operations: frozenset[str] | None
    remaining: int  # matching requests still to pass before the one held
    then: str
    operation: str | None = None  # the request held, once one is
    released: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def parse(cls, document: Any) -> _Hold:
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object")
        operations = document.get("operations")
        nth = document.get("nth", 1)
        then = document.get("then", "answer")
        if operations is not None and not (
            isinstance(operations, list) and all(isinstance(o, str) for o in operations)
        ):
            raise ValueError("'operations' must be a list of operation names")
        if type(nth) is not int or nth < 1:
            raise ValueError("'nth' must be a positive integer")
        if then not in ("answer", "fail"):
            raise ValueError("'then' must be 'answer' or 'fail'")
        return cls(None if operations is None else frozenset(operations), nth - 1, then)


class Chaos:
    """The faults and the hold of one peer; thread-safe, as the peers serve threaded."""

    def __init__(self, respond: FaultResponder) -> None:
        self._respond = respond
        self._lock = threading.Lock()
        self._settings: ChaosSettings | None = None
        self._random = random.Random(0)  # noqa: S311 (reproducible faults, not secrets)
        self._injected: Counter[tuple[str, str]] = Counter()
        self._hold: _Hold | None = None

    def reset(self) -> None:
        """Faults off, counts zero, a held request let go (as the peer's own reset)."""
        with self._lock:
            self._settings = None
            self._injected.clear()
            hold, self._hold = self._hold, None
        if hold is not None:
            hold.released.set()

    def serve(
        self,
        operation: str | None,
        app: WSGIApplication,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Answer one request, with whatever fault is due."""
        if operation is None:
            return app(environ, start_response)
        hold = self._take_hold(operation)
        if hold is not None:
            hold.released.wait(HOLD_LIMIT_SECONDS)
            if hold.then == "fail":
                return self._respond("5xx", environ, random.Random())(environ, start_response)  # noqa: S311
            return app(environ, start_response)
        kind, draw = self._draw(operation)
        if kind in ("throttle", "5xx"):
            return self._respond(kind, environ, draw)(environ, start_response)
        if kind == "reset-before":
            return _drop(environ, start_response)
        if kind == "reset-after":
            _consume(app(environ, _ignore))
            return _drop(environ, start_response)
        if kind == "timeout":
            time.sleep(draw.uniform(0.5, 1.0) * self._timeout_seconds())
        return app(environ, start_response)

    def _timeout_seconds(self) -> float:
        settings = self._settings
        return settings.timeout_seconds if settings is not None else 0.0

    def _take_hold(self, operation: str) -> _Hold | None:
        with self._lock:
            hold = self._hold
            if hold is None or hold.operation is not None:
                return None
            if hold.operations is not None and operation not in hold.operations:
                return None
            if hold.remaining > 0:
                hold.remaining -= 1
                return None
            hold.operation = operation
            return hold

    def _draw(self, operation: str) -> tuple[str | None, random.Random]:
        """The fault for this request, if any, and a generator for its details. One draw
        per request from the seeded generator, so a run's sequence of faults replays."""
        with self._lock:
            settings = self._settings
            if settings is None:
                return None, self._random
            if settings.operations is not None and operation not in settings.operations:
                return None, self._random
            if self._random.random() >= settings.rate:
                return None, self._random
            kind = self._random.choice(settings.kinds)
            if kind == "reset":
                kind = self._random.choice(("reset-before", "reset-after"))
            self._injected[(kind, operation)] += 1
            return kind, random.Random(self._random.random())  # noqa: S311

    def control(self, request: Request, path: str) -> Response:
        """The ``/__faults/chaos`` and ``/__faults/hold`` endpoints."""
        try:
            if path == CHAOS_PATH:
                return self._chaos_control(request)
            return self._hold_control(request)
        except ValueError as invalid:  # json.JSONDecodeError is a ValueError
            return _json({"error": str(invalid)}, 400)

    def _chaos_control(self, request: Request) -> Response:
        if request.method == "POST":
            settings = ChaosSettings.parse(json.loads(request.get_data()))
            with self._lock:
                self._settings = settings
                self._random = random.Random(settings.seed)  # noqa: S311
            return Response(status=204)
        if request.method == "DELETE":
            with self._lock:
                self._settings = None
        elif request.method != "GET":
            return Response(status=405)
        with self._lock:
            injected: dict[str, dict[str, int]] = {}
            for (kind, operation), count in sorted(self._injected.items()):
                injected.setdefault(kind, {})[operation] = count
            active = self._settings is not None
        total = sum(sum(ops.values()) for ops in injected.values())
        return _json({"active": active, "injected": injected, "total": total})

    def _hold_control(self, request: Request) -> Response:
        if request.method == "POST":
            armed = _Hold.parse(json.loads(request.get_data()))
            with self._lock:
                previous, self._hold = self._hold, armed
            if previous is not None:
                previous.released.set()
            return Response(status=204)
        with self._lock:
            hold = self._hold
            if request.method == "DELETE":
                self._hold = None
        if request.method == "DELETE":
            if hold is not None:
                hold.released.set()
        elif request.method != "GET":
            return Response(status=405)
        return _json(
            {
                "armed": hold is not None,
                "held": hold is not None and hold.operation is not None,
                "operation": hold.operation if hold is not None else None,
            }
        )


def _json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")


def _ignore(_status: str, _headers: list[tuple[str, str]], _exc_info: Any = None) -> Any:
    return lambda _data: None


def _consume(body: Iterable[bytes]) -> None:
    """Run the application to the end (its effect lands), discarding its answer."""
    try:
        for _ in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _drop(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Close the connection without an answer: the caller sees it reset mid-request."""
    connection = environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    start_response("500 Connection Dropped", [("Content-Length", "0")])
    return []
