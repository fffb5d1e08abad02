"""The chaos controls of a sandbox peer (moto or the authorization server), over HTTP.

See ``controller/sandbox/_chaos.py`` for what each call does at the peer.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The writes a cold apply makes (bench/converge.py counts them), for a kill to land inside.
AWS_WRITES = (
    "CreateSecret",
    "PutSecretValue",
    "PutResourcePolicy",
    "CreateUserPoolClient",
    "CreateResourceServer",
    "CreateRole",
    "PutRolePolicy",
    "AttachRolePolicy",
    "RegisterTaskDefinition",
    "TagResource",
    "UpdateService",
)
# Writes each Service's creation makes once: holding one of them cuts a creation short.
CREATION_WRITES = ("CreateSecret", "PutSecretValue", "CreateUserPoolClient")
AWS_WRITES_PER_SERVICE = 12  # about, in a cold apply


@dataclass(frozen=True)
class ChaosControl:
    """One peer's ``/__faults/chaos`` and ``/__faults/hold``."""

    url: str

    def start(
        self,
        seed: int,
        rate: float,
        kinds: Iterable[str] = ("throttle", "5xx", "reset", "timeout"),
        operations: Iterable[str] | None = None,
        timeout_seconds: float = 2.0,
    ) -> None:
        document: dict[str, Any] = {
            "seed": seed,
            "rate": rate,
            "kinds": list(kinds),
            "timeoutSeconds": timeout_seconds,
        }
        if operations is not None:
            document["operations"] = list(operations)
        self._request("POST", "/__faults/chaos", document)

    def stop(self) -> dict[str, Any]:
        """Faults off; what was injected so far."""
        return self._json("DELETE", "/__faults/chaos")

    def injected(self) -> dict[str, Any]:
        """``{"active", "injected": {kind: {operation: n}}, "total"}``."""
        return self._json("GET", "/__faults/chaos")

    def hold(self, operations: Iterable[str] | None, nth: int = 1, then: str = "answer") -> None:
        document: dict[str, Any] = {"nth": nth, "then": then}
        if operations is not None:
            document["operations"] = list(operations)
        self._request("POST", "/__faults/hold", document)

    def held(self) -> str | None:
        """The operation held right now, if any."""
        state = self._json("GET", "/__faults/hold")
        return state["operation"] if state["held"] else None

    def release(self) -> None:
        self._request("DELETE", "/__faults/hold")

    def _json(self, method: str, path: str) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self._request(method, path))
        return document

    def _request(self, method: str, path: str, body: object | None = None) -> str:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        request = urllib.request.Request(  # noqa: S310 (the peer's own loopback URL)
            self.url + path, data=data, method=method, headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return str(response.read().decode())
