"""Fault injection in front of moto, which cannot throttle or fail on demand.

The controller's retry, back-off and rate-limit paths only run when AWS says
no, so tests (and sandbox users) need to make chosen operations fail. This
WSGI middleware answers the next N requests for an operation with an AWS
error in the format of the request's protocol, so botocore parses and retries
it exactly as it would an error from AWS:

- ``POST /__faults`` with ``{"operation": "RegisterTaskDefinition",
  "code": "ThrottlingException", "status": 400, "count": 3}`` (``status``,
  ``count`` and ``message`` optional) queues a fault; several faults for one
  operation are served in the order they were posted;
- ``{"operation": ..., "delay": 3}`` (no ``code``) instead holds the next N requests for
  that many seconds and then lets moto answer them: a slow AWS, for timeouts;
- ``"accessKey": "AKID"`` (optional, either kind) limits a fault to the requests signed
  with that access key, so one of several callers (a replica) can be singled out;
- ``DELETE /__faults`` drops every pending fault;
- ``GET /__faults/calls`` returns ``{operation: calls}`` seen since the last
  ``POST /moto-api/reset``, which also drops pending faults;
- ``/__faults/chaos`` and ``/__faults/hold``: seeded random faults on any operation and
  a request held while its caller is killed (``_chaos``).

An operation is named by the ``X-Amz-Target`` header after its last ``.``
(JSON protocol: ECS, Secrets Manager, Cognito, DynamoDB) or by the ``Action``
query or form parameter (query protocol: IAM, STS). Calls that were failed on
purpose are counted too.
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from controller.sandbox._chaos import CHAOS_PATH, HOLD_PATH, Chaos

FAULTS_PATH = "/__faults"
CALLS_PATH = "/__faults/calls"
RESET_PATH = "/moto-api/reset"
DEFAULT_MESSAGE = "Fault injected by the sandbox"
ARRIVED = "ecs_oauth.arrived"  # environ key: wall-clock time the request came in
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@dataclass
class Fault:
    """A queued error for one operation, used up after ``remaining`` requests."""

    code: str | None  # None: a slow request, answered by moto after ``delay``
    status: int
    message: str
    remaining: int
    delay: float = 0.0
    access_key: str | None = None  # None: any caller's requests

    def applies(self, access_key: str | None) -> bool:
        return self.access_key is None or self.access_key == access_key


def access_key_of(environ: WSGIEnvironment) -> str | None:
    """The access key a request was signed with (SigV4 ``Credential=``), if any."""
    found = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return found.group(1) if found else None


def operation_name(environ: WSGIEnvironment) -> str | None:
    """The AWS operation a request calls, or None for other requests.

    A form-encoded body is read to find ``Action`` and then put back, so moto
    still sees the whole request.
    """
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    action = parse_qs(str(environ.get("QUERY_STRING", ""))).get("Action")
    if action:
        return action[0]
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return None
    action = parse_qs(read_body(environ).decode("utf-8", errors="replace")).get("Action")
    return action[0] if action else None


def read_body(environ: WSGIEnvironment) -> bytes:
    """The request body, put back so that the application behind still reads all of it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length <= 0:
        return b""
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def error_response(fault: Fault, code: str, environ: WSGIEnvironment) -> Response:
    """The error as AWS would send it for the protocol of this request."""
    request_id = str(uuid.uuid4())
    if environ.get("HTTP_X_AMZ_TARGET"):
        content_type = environ.get("CONTENT_TYPE", "")
        if not content_type.startswith("application/x-amz-json"):
            content_type = "application/x-amz-json-1.1"
        return Response(
            json.dumps({"__type": code, "message": fault.message}),
            status=fault.status,
            content_type=content_type,
            headers={"x-amzn-ErrorType": code, "x-amzn-RequestId": request_id},
        )
    kind = "Sender" if fault.status < 500 else "Receiver"
    body = (
        "<ErrorResponse><Error>"
        f"<Type>{kind}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(fault.message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(body, status=fault.status, content_type="text/xml")


def chaos_response(kind: str, environ: WSGIEnvironment, draw: random.Random) -> Response:
    """A random fault as AWS sends it: the protocol's throttling code, or a 500/503."""
    if kind == "throttle":
        code = "ThrottlingException" if environ.get("HTTP_X_AMZ_TARGET") else "Throttling"
        return error_response(Fault(code, 400, "Rate exceeded", 1), code, environ)
    code, status = draw.choice((("InternalFailure", 500), ("ServiceUnavailable", 503)))
    return error_response(Fault(code, status, DEFAULT_MESSAGE, 1), code, environ)


def parse_fault(document: Any) -> tuple[str, Fault]:
    """Validate a POST /__faults body; raises ValueError saying what is wrong."""
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object")
    operation = document.get("operation")
    code = document.get("code")
    status = document.get("status", 400)
    count = document.get("count", 1)
    message = document.get("message", DEFAULT_MESSAGE)
    delay = document.get("delay", 0)
    access_key = document.get("accessKey")
    if not isinstance(operation, str) or not operation:
        raise ValueError("'operation' must be a non-empty string")
    if access_key is not None and (not isinstance(access_key, str) or not access_key):
        raise ValueError("'accessKey' must be a non-empty string")
    if type(delay) not in (int, float) or not 0 <= delay <= 300:
        raise ValueError("'delay' must be a number of seconds from 0 to 300")
    if code is None and delay > 0:
        return operation, Fault(None, 200, "", _count(count), float(delay), access_key)
    if not isinstance(code, str) or not code:
        raise ValueError("'code' must be a non-empty string (or give a 'delay')")
    if type(status) is not int or not 400 <= status <= 599:
        raise ValueError("'status' must be an integer from 400 to 599")
    if not isinstance(message, str):
        raise ValueError("'message' must be a string")
    return operation, Fault(code, status, message, _count(count), float(delay), access_key)


def _count(count: Any) -> int:
    if type(count) is not int or count < 1:
        raise ValueError("'count' must be a positive integer")
    return count


class FaultInjector:
    """WSGI middleware that fails chosen AWS operations and counts every call."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {}
        self._calls: Counter[str] = Counter()
        self.chaos = Chaos(chaos_response)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in (FAULTS_PATH, CALLS_PATH):
            return self._control(Request(environ), path)(environ, start_response)
        if path in (CHAOS_PATH, HOLD_PATH):
            return self.chaos.control(Request(environ), path)(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self._lock:
                self._faults.clear()
                self._calls.clear()
            self.chaos.reset()
        environ[ARRIVED] = time.time()
        operation = operation_name(environ)
        fault = self._take_fault(operation, access_key_of(environ)) if operation else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # this request's thread only; others go on
        if fault is not None and fault.code is not None:
            return error_response(fault, fault.code, environ)(environ, start_response)
        return self.chaos.serve(operation, self._app, environ, start_response)

    def _take_fault(self, operation: str, access_key: str | None) -> Fault | None:
        """Count the call and use up one request of the oldest pending fault for it."""
        with self._lock:
            self._calls[operation] += 1
            pending = self._faults.get(operation, deque())
            fault = next((f for f in pending if f.applies(access_key)), None)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining == 0:
                pending.remove(fault)
            return fault

    def _control(self, request: Request, path: str) -> Response:
        if path == CALLS_PATH and request.method == "GET":
            with self._lock:
                calls = dict(self._calls)
            return Response(json.dumps(calls), content_type="application/json")
        if path == FAULTS_PATH and request.method == "DELETE":
            with self._lock:
                self._faults.clear()
            return Response(status=204)
        if path == FAULTS_PATH and request.method == "POST":
            try:
                operation, fault = parse_fault(json.loads(request.get_data()))
            except ValueError as invalid:  # json.JSONDecodeError is a ValueError
                body = json.dumps({"error": str(invalid)})
                return Response(body, status=400, content_type="application/json")
            with self._lock:
                self._faults.setdefault(operation, deque()).append(fault)
            return Response(status=204)
        return Response(status=405)
