"""panva's oidc-provider, run as a child process, as the real IdP peer.

The controller registers and manages OAuth clients through RFC 7591/7592 and
fetches client-credentials tokens. A conforming implementation written by
someone else is the only honest opponent for that code: a fake written next to
the controller would share its misreadings of the RFCs.

The server lives in ``tests/peers/oidc-provider`` (``server.mjs``). It prints one
JSON "ready" line with its issuer and a seeded initial access token, and offers
test hooks under ``/__test/`` that this module wraps.

Profiles (``OIDC_PROFILE``) make the same server as strict as a real IdP the
controller must survive, one process per profile:

- ``default``: oidc-provider itself. The registration access token rotates on
  every PUT; ``application_type`` is ``web`` or ``native`` only, so a
  ``service`` registration is refused with ``invalid_client_metadata``.
- ``keycloak``: the registration access token rotates on every use, GET
  included, and the one used dies at once, as Keycloak does.
- ``okta``: a registration (POST or PUT) that has, or defaults to, the
  ``client_credentials`` grant must carry ``application_type: "service"``,
  else 400 ``invalid_client_metadata``, as Okta's DCR does. Only that rule is
  imitated: real Okta hands out no RFC 7592 registration access token (its apps
  are managed through its admin API), which the OIDC adapter refuses at create
  time.

Every profile accepts the custom client metadata field ``x_cost_center`` (what
an administrator may add and a read-modify-write must keep).

:class:`OidcProviderPool` starts one server per profile on first use; the test
suite holds one pool per session (see ``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

PEER_DIR = Path(__file__).resolve().parent.parent / "peers" / "oidc-provider"
READY_TIMEOUT_SECONDS = 60.0  # Node starts slowly on a loaded 2-core machine
STOP_TIMEOUT_SECONDS = 5.0
HOOK_TIMEOUT_SECONDS = 10.0
# Enough of the server's stderr to explain a failed start, not a whole log.
STDERR_TAIL_LINES = 200
PROFILES = ("default", "keycloak", "okta")


@dataclass
class OidcProviderPeer:
    """A running oidc-provider: where it is, how to register, and test hooks.

    ``issuer`` is exactly the string the server reports; discovery answers with
    that one, so derive every endpoint from discovery, never by string surgery.
    """

    issuer: str
    initial_access_token: str
    profile: str
    _process: subprocess.Popen[str] = field(repr=False)
    _stderr: _StderrTail = field(repr=False)

    def reset(self) -> None:
        """Forget every client and token; the initial access token stays valid."""
        self._call("POST", "/__test/reset")

    def patch_client(self, client_id: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``metadata`` into the stored client behind the controller's back.

        Imitates an IdP administrator editing the client (removing a scope, say),
        without rotating the registration access token. A ``None`` value removes
        the field. Returns the stored metadata after the change; raises
        ``KeyError`` for an unknown client and ``ValueError`` for metadata the
        provider would refuse to load.
        """
        stored: dict[str, Any] = self._call(
            "POST", f"/__test/clients/{quote(client_id, safe='')}", metadata
        )
        return stored

    def clients(self) -> list[dict[str, Any]]:
        """Every registered client's stored metadata: RFC 7591 cannot list, this hook can."""
        stored: list[dict[str, Any]] = self._call("GET", "/__test/clients")
        return stored

    def client(self, client_id: str) -> dict[str, Any]:
        """The client's metadata as stored, including its secret.

        Unlike an RFC 7592 GET this needs no registration access token, so a test
        can look without rotating or consuming anything. ``KeyError`` if unknown.
        """
        stored: dict[str, Any] = self._call("GET", f"/__test/clients/{quote(client_id, safe='')}")
        return stored

    def stop(self) -> None:
        """Stop the server; safe to call twice."""
        _stop(self._process)

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        parts = urlsplit(self.issuer)
        payload = None if body is None else json.dumps(body).encode()
        headers = {} if payload is None else {"content-type": "application/json"}
        connection = HTTPConnection(parts.netloc, timeout=HOOK_TIMEOUT_SECONDS)
        try:
            connection.request(method, parts.path.rstrip("/") + path, payload, headers)
            response = connection.getresponse()
            raw = response.read()
        except OSError as error:
            if self._process.poll() is None:
                raise
            raise RuntimeError(
                f"oidc-provider peer has exited (code {self._process.returncode}); stderr:\n"
                + self._stderr.text()
            ) from error
        finally:
            connection.close()
        answer = json.loads(raw) if raw else None
        if response.status == 404:
            raise KeyError(f"{method} {path}: {answer}")
        if response.status == 400:
            raise ValueError(f"{method} {path}: {answer}")
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} answered {response.status}: {answer}")
        return answer


class OidcProviderPool:
    """One oidc-provider per profile, each started on first use and kept until :meth:`stop`."""

    def __init__(self) -> None:
        self._peers: dict[str, OidcProviderPeer] = {}

    def get(self, profile: str = "default") -> OidcProviderPeer:
        if profile not in PROFILES:
            raise ValueError(f"unknown oidc-provider profile {profile!r}; known: {PROFILES}")
        if profile not in self._peers:
            self._peers[profile] = start_oidc_provider(profile=profile)
        return self._peers[profile]

    def stop(self) -> None:
        for peer in self._peers.values():
            peer.stop()
        self._peers.clear()


def start_oidc_provider(
    scopes: Iterable[str] | None = None, *, profile: str = "default"
) -> OidcProviderPeer:
    """Start ``node server.mjs`` in ``profile`` (see the module docstring) and wait for its
    ready line.

    ``scopes`` replaces the server's default scope list (a broad set of
    ``domain.action`` and ``domain:action`` names). A client may only register
    scopes from that list.
    """
    if not (PEER_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(
            "the oidc-provider peer is not installed: run `npm ci` in tests/peers/oidc-provider"
        )
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the oidc-provider peer needs Node.js: `node` is not on PATH")

    env = dict(os.environ)
    # Always a free port: a PORT inherited from the environment would make
    # parallel test runs collide.
    env["PORT"] = "0"
    # The server exits when our end of its stdin closes, so a test run that
    # dies without calling stop() leaves no orphaned server behind.
    env["EXIT_ON_STDIN_EOF"] = "1"
    if scopes is not None:
        env["OIDC_SCOPES"] = " ".join(scopes)
    env["OIDC_PROFILE"] = profile

    process = subprocess.Popen(
        [node, "server.mjs"],
        cwd=PEER_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None
    assert process.stderr is not None
    ready: queue.Queue[dict[str, Any] | None] = queue.Queue()
    threading.Thread(
        target=_watch_stdout, args=(process.stdout, ready), name="oidc-provider-stdout", daemon=True
    ).start()
    stderr_tail = _StderrTail.follow(process.stderr)

    try:
        announcement = ready.get(timeout=READY_TIMEOUT_SECONDS)
    except queue.Empty:
        announcement = None
        reason = f"not ready after {READY_TIMEOUT_SECONDS:.0f} s"
    else:
        reason = "exited before it was ready"

    if announcement is None:
        _stop(process)
        raise RuntimeError(
            f"oidc-provider peer {reason} (exit code {process.returncode}); stderr:\n"
            + stderr_tail.text()
        )
    return OidcProviderPeer(
        issuer=announcement["issuer"],
        initial_access_token=announcement["initialAccessToken"],
        profile=announcement["profile"],
        _process=process,
        _stderr=stderr_tail,
    )


def _watch_stdout(stream: IO[str], ready: queue.Queue[dict[str, Any] | None]) -> None:
    """Hand over the ready line, then keep reading so the pipe never fills up.

    oidc-provider prints its NOTICE lines on stdout as well, so anything that
    is not the ready object is skipped. ``None`` means stdout closed: the
    server is gone.
    """
    with stream:
        for line in stream:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("ready") is True:
                ready.put(message)
    ready.put(None)


@dataclass
class _StderrTail:
    """The last lines of the server's stderr, to explain a failure.

    A thread keeps reading, since a pipe nobody reads eventually blocks the
    server on its next write.
    """

    lines: deque[str]
    reader: threading.Thread

    @classmethod
    def follow(cls, stream: IO[str]) -> _StderrTail:
        lines: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        reader = threading.Thread(
            target=cls._drain, args=(stream, lines), name="oidc-provider-stderr", daemon=True
        )
        reader.start()
        return cls(lines, reader)

    def text(self) -> str:
        """The kept lines; call once the server is gone, so its last words are in."""
        self.reader.join(timeout=STOP_TIMEOUT_SECONDS)
        return "".join(self.lines)

    @staticmethod
    def _drain(stream: IO[str], lines: deque[str]) -> None:
        with stream:
            for line in stream:
                lines.append(line)


def _stop(process: subprocess.Popen[str]) -> None:
    """Terminate, then kill if it lingers; the reader threads close stdout and stderr."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdin is not None:
        process.stdin.close()
