"""The sandbox's AWS (moto plus extensions) as a separate process for the test session.

A separate process does not share the GIL with the tests, and it is the same
entry point ``ecs-oauth sandbox`` users get. The process prints one JSON ready
line with its URL; its request log goes to a temporary file that is shown if
it dies before it is ready.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, NoReturn

import boto3

from controller.aws import is_write

if TYPE_CHECKING:
    from botocore.config import Config

READY_TIMEOUT_SECONDS = 30.0
REGION = "us-east-1"


@dataclass
class MotoPeer:
    """A running sandbox AWS server and the controls the tests need."""

    url: str
    process: subprocess.Popen[str]
    log: IO[str]

    def reset(self) -> None:
        """Forget every AWS resource, pending fault and call count; strict mode back to defaults."""
        self._request("POST", "/moto-api/reset")

    def inject_fault(
        self, operation: str, code: str, status: int = 400, count: int = 1, delay: float = 0
    ) -> None:
        """Fail the next ``count`` calls of ``operation`` with AWS error ``code``, each after
        holding it ``delay`` seconds (a caller killed meanwhile never sees it land)."""
        fault = {
            "operation": operation,
            "code": code,
            "status": status,
            "count": count,
            "delay": delay,
        }
        self._request("POST", "/__faults", fault)

    def slow_down(
        self, operation: str, seconds: float, count: int = 1, access_key: str | None = None
    ) -> None:
        """Hold the next ``count`` calls of ``operation`` for ``seconds``, then answer them;
        only those signed with ``access_key`` when given (one caller among several)."""
        fault: dict[str, Any] = {"operation": operation, "delay": seconds, "count": count}
        if access_key is not None:
            fault["accessKey"] = access_key
        self._request("POST", "/__faults", fault)

    def strict(self, **settings: Any) -> dict[str, Any]:
        """Change strict mode; keywords in snake case, answers the settings now in force.

        ``strict(shapes=False)``, ``strict(rules={"secrets-list-lag": False})``,
        ``strict(list_secrets_lag_seconds=0.5, iam_visibility_seconds=0)``.
        """
        document = {_camel(name): value for name, value in settings.items()}
        current: dict[str, Any] = json.loads(self._request("POST", "/__strict", document))
        return current

    def strict_defaults(self) -> None:
        """Strict mode as every server starts: everything on, the default lags."""
        self._request("DELETE", "/__strict")

    def clear_faults(self) -> None:
        self._request("DELETE", "/__faults")

    def calls(self) -> dict[str, int]:
        """Calls per AWS operation since the last reset, failed ones included."""
        counts: dict[str, int] = json.loads(self._request("GET", "/__faults/calls"))
        return counts

    def journal(self) -> list[dict[str, Any]]:
        """Every AWS call since the last reset or :meth:`clear_journal`, oldest first:
        ``{"service", "operation", "region", "accessKey", "started", "ended", "params"}``
        (times: wall-clock seconds), sensitive values redacted."""
        calls: list[dict[str, Any]] = json.loads(self._request("GET", "/__strict/calls"))
        return calls

    def clear_journal(self) -> None:
        self._request("DELETE", "/__strict/calls")

    def fail_next_deployment(self, cluster: str, service: str) -> None:
        """Make the next deployment of ``service`` fail and roll back, as ECS's deployment
        circuit breaker does: it reads FAILED from the next DescribeServices on."""
        self._request(
            "POST", "/__ecs/fail-next-deployment", {"cluster": cluster, "service": service}
        )

    def aws_environment(self) -> dict[str, str]:
        """Environment variables that point AWS SDKs at this server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def boto3_client(self, service: str, config: Config | None = None) -> Any:
        """A boto3 client for ``service`` bound to this server, whatever the environment."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            config=config,
        )

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM) and wait for it; kill it if it hangs."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def _request(self, method: str, path: str, body: object | None = None) -> str:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        # The URL is always this server's own http:// address.
        request = urllib.request.Request(  # noqa: S310
            self.url + path, data=data, method=method, headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return str(response.read().decode())


def writes_by(journal: list[dict[str, Any]], access_key: str) -> list[dict[str, Any]]:
    """The journaled calls of one caller that change something, lease calls aside: the
    writes a fenced controller may make only while it holds the lease."""
    return [
        call
        for call in journal
        if call["accessKey"] == access_key
        and call["service"] != "dynamodb"
        and is_write(call["operation"])
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _read_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Pass stdout on line by line, reading to the end so the pipe never fills up."""
    for line in stream:
        lines.put(line)


def start_moto_server() -> MotoPeer:
    """Start ``python -m controller.sandbox.motoserver`` and wait for its ready line."""
    log = tempfile.TemporaryFile(mode="w+", prefix="moto-server-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "controller.sandbox.motoserver", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            line = lines.get(timeout=0.1)
            break
        except queue.Empty:
            if process.poll() is not None or time.monotonic() > deadline:
                _fail(process, log, "no ready line")
    try:
        url = json.loads(line)["url"]
    except (ValueError, KeyError, TypeError):
        _fail(process, log, f"unexpected first line {line!r}")
    return MotoPeer(url=url, process=process, log=log)


def _fail(process: subprocess.Popen[str], log: IO[str], reason: str) -> NoReturn:
    """Stop a server that never became ready and raise with its stderr."""
    if process.poll() is None:
        process.kill()
    process.wait()
    log.seek(0)
    stderr = log.read()
    log.close()
    raise RuntimeError(
        f"moto server not ready within {READY_TIMEOUT_SECONDS:.0f} s: {reason} "
        f"(exit code {process.returncode}); stderr:\n{stderr}"
    )
