"""The parts every strict rule is made of: what it may answer and what it is given.

A rule looks at a call before it reaches moto (``Check``: reject it, or note
what it needs) and may edit moto's answer afterwards (``Rewrite``: show the
world as AWS would, for example a listing that lags behind). Both get the
current time windows, which the control API can change while a server runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from controller.sandbox._aws_wire import AwsCall


@dataclass(frozen=True)
class Rejection:
    """The AWS error a rule answers instead of moto."""

    code: str
    message: str
    status: int = 400


@dataclass(frozen=True)
class Windows:
    """How far behind AWS's eventually consistent views run, in seconds."""

    list_secrets_lag: float = 2.0
    iam_visibility: float = 2.0
    dynamodb_read_lag: float = 1.0


Check = Callable[[AwsCall, Windows], Rejection | None]
Rewrite = Callable[[AwsCall, Response, Windows], None]


class EarlierStates:
    """What each resource held before its successful writes of the last window, for
    rules that answer an eventually consistent read as AWS may: with the state from
    before the first write inside the window (None: it did not exist then).

    ``copy`` runs before the call reaches moto; ``answered`` keeps the copy once moto
    answered 200, so a refused write leaves no trace. A copy holds its call: a call that
    a later rule refused never reaches ``answered``, and were its copy kept by ``id``
    alone, the next call given the same ``id`` would take it for its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._copies: dict[int, tuple[AwsCall, Hashable, Any]] = {}
        self._writes: dict[Hashable, list[tuple[float, Any]]] = {}

    def copy(self, call: AwsCall, key: Hashable, before: Any) -> None:
        with self._lock:
            self._copies[id(call)] = (call, key, before)

    def answered(self, call: AwsCall, response: Response, window: float) -> None:
        with self._lock:
            remembered = self._copies.pop(id(call), None)
            if remembered is None or remembered[0] is not call or response.status_code != 200:
                return
            _, key, before = remembered
            now = time.monotonic()
            recent = [write for write in self._writes.get(key, []) if write[0] > now - window]
            self._writes[key] = [*recent, (now, before)]

    def since(self, horizon: float) -> dict[Hashable, Any]:
        """Each resource written after ``horizon`` (monotonic), with its state before."""
        with self._lock:
            return {
                key: next(before for at, before in writes if at > horizon)
                for key, writes in self._writes.items()
                if any(at > horizon for at, _ in writes)
            }
