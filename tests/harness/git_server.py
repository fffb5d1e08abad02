"""A real git server on 127.0.0.1 for the daemon to fetch from, and a clone to push with.

``git daemon`` serves the bare repository read-only over git://, or ``git http-backend``
over http:// behind a token (``git_http``); the test pushes to it through the file
system, as a team's pushes land on their server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.harness.git_http import TokenGitHttp

AUTHOR = ("Alice Example", "alice@example.com")


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", f"user.name={AUTHOR[0]}", "-c", f"user.email={AUTHOR[1]}", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class GitServer:
    root: Path
    url: str
    work: Path
    _stop: Callable[[], None]

    @classmethod
    def start(cls, root: Path, desired: Path) -> GitServer:
        """A repository whose first commit holds ``desired`` as ``desired/``, served by
        ``git daemon``."""
        work = _repository(root, desired)
        port = free_port()
        process = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                f"--port={port}",
                f"--base-path={root}",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def stop() -> None:
            process.terminate()
            process.wait(timeout=10)

        server = cls(root, f"git://127.0.0.1:{port}/served.git", work, stop)
        server.commit("the desired state")
        server._wait_serving()
        return server

    @classmethod
    def start_http(cls, root: Path, desired: Path, token: str) -> tuple[GitServer, TokenGitHttp]:
        """The same repository over http://, answered only for ``token``."""
        work = _repository(root, desired)
        http = TokenGitHttp(root, token)
        server = cls(root, f"{http.base_url}/served.git", work, http.stop)
        server.commit("the desired state")
        return server, http

    def _wait_serving(self) -> None:
        deadline = time.monotonic() + 20
        while subprocess.run(["git", "ls-remote", self.url], capture_output=True).returncode:
            assert time.monotonic() < deadline, "git daemon did not serve in 20s"
            time.sleep(0.1)

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.work / "desired" / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new))

    def commit(self, subject: str, *signing: str) -> str:
        """Commit everything and push; the new SHA. ``signing``: git options that sign."""
        git(self.work, "add", "-A")
        git(self.work, *signing, "commit", "-q", "--allow-empty", "-m", subject)
        git(self.work, "push", "-q", "--force", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")

    def force_push(self, sha: str) -> None:
        git(self.work, "reset", "-q", "--hard", sha)
        git(self.work, "push", "-q", "--force", "origin", "main")

    def stop(self) -> None:
        self._stop()


def _repository(root: Path, desired: Path) -> Path:
    """A bare ``served.git`` under ``root`` and a clone holding ``desired`` to push from."""
    served = root / "served.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(served)], check=True)
    work = root / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    shutil.copytree(desired, work / "desired")
    git(work, "remote", "add", "origin", str(served))
    return work
