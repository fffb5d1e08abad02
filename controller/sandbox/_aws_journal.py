"""Every AWS call the sandbox received, in order: what a test needs to judge the calls
themselves (which operations, on which resources, with which parameters), not only
their effect on the world.

A test runs the controller against the sandbox and then checks each journaled call, for
example against the IAM policy the README gives the controller. Each entry names the
caller's access key and when the call arrived and was answered (``started``, ``ended``:
wall-clock seconds on the sandbox's host), so a test can order the writes of several
callers, say two replicas that must never write at once. Values of members the
service model marks sensitive (a secret's value, a client secret) are never kept. The
journal holds the most recent ``LIMIT`` calls, so a long-running sandbox stays small.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from controller.sandbox._aws_wire import AwsCall

LIMIT = 10_000
REDACTED = "<sensitive>"


class Journal:
    """The calls seen since the last reset or clear, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: deque[dict[str, Any]] = deque(maxlen=LIMIT)

    def record(self, call: AwsCall, started: float | None = None) -> dict[str, Any]:
        """Journal a call as it arrives (``started``: when it reached the sandbox, before
        any delay a fault held it for); :meth:`answered` stamps its end."""
        shape = call.operation.input_shape
        params = _redacted(shape, call.params) if shape is not None else {}
        entry = {
            "service": call.service,
            "operation": call.name,
            "region": call.region,
            "accessKey": call.access_key,
            "started": time.time() if started is None else started,
            "ended": None,
            "params": params,
        }
        with self._lock:
            self._calls.append(entry)
        return entry

    def answered(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["ended"] = time.time()

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._calls]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


def _redacted(shape: Shape, value: Any) -> Any:
    """``value`` with every sensitive member's value replaced, following ``shape``."""
    if shape.metadata.get("sensitive"):
        return REDACTED
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            key: _redacted(shape.members[key], item) if key in shape.members else item
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_redacted(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _redacted(shape.value, item) for key, item in value.items()}
    return value
