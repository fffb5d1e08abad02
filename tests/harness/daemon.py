"""``ecs-oauth run`` as a subprocess: its JSON log lines, its HTTP endpoints, its exit.

The daemon binds port 0 and logs ``{"event": "listening", "url": ...}``; the harness reads
stdout on a thread, so the test can wait for log events while the daemon keeps running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"
Predicate = Callable[[dict[str, Any]], bool]


@dataclass
class RunningDaemon:
    process: subprocess.Popen[str]
    url: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    stderr: str = ""
    _eof: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @classmethod
    def start(
        cls, folder: Path | None, env: dict[str, str], *settings: str, values: Path | None = None
    ) -> RunningDaemon:
        """``folder`` None: the settings name the desired state (``source.git``)."""
        assignments = [
            arg for setting in ("http.listen=127.0.0.1:0", *settings) for arg in ("--set", setting)
        ]
        files = ["--values", str(values)] if values is not None else []
        process = subprocess.Popen(
            [str(ECS_OAUTH), "run", *(["-f", str(folder)] if folder else []), *files, *assignments],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        daemon = cls(process)
        threading.Thread(target=daemon._read, daemon=True).start()
        listening = daemon.wait_for(lambda e: e.get("event") == "listening", timeout=30)
        daemon.url = listening["url"]
        return daemon

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.raw.append(line)
                try:
                    self.events.append(json.loads(line))
                except json.JSONDecodeError:
                    self.events.append({"event": "unparsed", "line": line})
                self._changed.notify_all()
        with self._changed:
            self._eof = True
            self._changed.notify_all()

    def wait_for(
        self, predicate: Predicate, timeout: float = 30.0, after: int = 0
    ) -> dict[str, Any]:
        """The first log event from index ``after`` on that matches."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events[after:]:
                    if predicate(event):
                        return event
                if self._eof:
                    self._changed.release()
                    try:
                        self.stop()
                    finally:
                        self._changed.acquire()
                    raise AssertionError(
                        f"daemon exited {self.process.returncode}: {self.output()}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching log event in {timeout}s:\n{self.output()}")
                self._changed.wait(min(remaining, 0.2))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def status(self) -> dict[str, Any]:
        code, body = self.get("/status")
        assert code == 200, body
        document: dict[str, Any] = json.loads(body)
        return document

    def conditions(self, key: str) -> dict[str, dict[str, Any]]:
        kind, name = key.split("/", 1)
        for item in self.status()["objects"]:
            if (item["kind"], item["name"]) == (kind, name):
                return {c["type"]: c for c in item["conditions"]}
        return {}

    def wait_until(self, check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited {self.process.returncode}: {self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout}s: {what}\n{self.output()}")
            time.sleep(0.2)

    def wait_ready(self, timeout: float = 90.0) -> None:
        self.wait_until(lambda: self.get("/readyz")[0] == 200, timeout, "/readyz turns 200")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()
        return code

    def output(self) -> str:
        tail = "".join(self.raw[-60:])
        return f"--- stdout (last 60 lines)\n{tail}--- stderr\n{self.stderr}"


def daemon_environment(base: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **base, "PYTHONUNBUFFERED": "1"}


class Prober(threading.Thread):
    """Asks /healthz and /readyz in a loop until stopped; records every answer.

    ``timeout`` is how long one probe may wait: a parse that held the daemon's event loop
    would show as a failure.
    """

    def __init__(self, daemon: RunningDaemon, timeout: float, pause: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.url = daemon.url
        self.timeout = timeout
        self.pause = pause
        self.answers: list[tuple[str, int]] = []
        self.failures: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for path in ("/healthz", "/readyz"):
                try:
                    with urllib.request.urlopen(  # noqa: S310
                        self.url + path, timeout=self.timeout
                    ) as response:
                        self.answers.append((path, response.status))
                except Exception as exc:  # a timeout is what this looks for
                    self.failures.append(f"{path}: {exc!r}")
            self.done.wait(self.pause)
