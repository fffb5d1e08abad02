"""The git binary, driven through asyncio subprocesses: a bare mirror, fetched with forced
refspecs (a force-push to an older commit is followed), and each revision exported into a
fresh folder of its own.

Credentials never reach argv (``ps`` shows it) nor the URL: a token goes in an HTTP
header given through git's environment-only config (``GIT_CONFIG_*``), an SSH key in a
0600 file named by ``GIT_SSH_COMMAND``. git's stderr is passed on only after redaction.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shlex
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from controller.config import GitSource

GIT_TIMEOUT = 120.0  # one fetch; a hung server must not hold the source for good
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_SEPARATOR = "\x1f"
# What git says when the server refused the credential, or wanted one it was not given.
_REFUSED = (
    "could not read Username",
    "Authentication failed",
    "HTTP 401",
    "HTTP 403",
    "Permission denied (publickey",
)


class GitError(Exception):
    """A git command failed; the message is safe to show (no credential in it)."""


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    subject: str


def credential_env(source: GitSource, secret: str | None, key_file: Path | None) -> dict[str, str]:
    """The variables that carry a credential to git without argv or URL; pure."""
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}
    if source.auth.token is not None and secret is not None:
        basic = base64.b64encode(f"x-access-token:{secret}".encode()).decode()
        env |= {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        }
    if key_file is not None:
        known = key_file.with_name("known_hosts")
        env["GIT_SSH_COMMAND"] = (
            f"ssh -i {shlex.quote(str(key_file))} -o IdentitiesOnly=yes -o BatchMode=yes"
            f" -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile={shlex.quote(str(known))}"
        )
    return env


def ref_name(source: GitSource) -> str:
    """What ``rev-parse`` resolves for the configured ref."""
    ref = source.ref
    if ref.branch is not None:
        return f"refs/heads/{ref.branch}^{{commit}}"
    if ref.tag is not None:
        return f"refs/tags/{ref.tag}^{{commit}}"
    assert ref.commit is not None  # the model holds exactly one
    return f"{ref.commit}^{{commit}}"


def explained(said: str, source: GitSource) -> str:
    """git's words, plus which setting to look at when the server refused the credential
    ("could not read Username" alone does not say a token was sent and refused)."""
    if not any(marker in said for marker in _REFUSED):
        return said
    auth = source.auth
    if auth.token is None and auth.ssh_key is None:
        return f"{said} (the server wants a credential: set source.git.auth.token or sshKey)"
    where = "source.git.auth.token" if auth.token is not None else "source.git.auth.sshKey"
    return f"{said} (the server refused the credential: check {where})"


def redacted(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "(redacted)")
    return text


class GitRepo:
    """A bare mirror under ``home`` and the revisions exported beside it."""

    def __init__(self, source: GitSource, home: Path) -> None:
        self.source = source
        self.home = home
        self.mirror = home / "mirror.git"
        self._secrets: tuple[str, ...] = ()
        self._env: dict[str, str] = {}

    def use_credential(self, secret: str | None) -> None:
        """Set the credential for the next fetches (resolved by the caller each time, so a
        rotated one is picked up)."""
        key_file = None
        if secret is not None and self.source.auth.ssh_key is not None:
            key_file = self.home / "ssh" / "key"
            key_file.parent.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secret.strip() + "\n")
        self._secrets = (secret,) if secret else ()
        self._env = credential_env(self.source, secret, key_file)

    async def fetch(self) -> Commit:
        """Fetch every branch and tag, forced; the commit the ref names now."""
        if not await asyncio.to_thread((self.mirror / "HEAD").exists):
            await self._git("init", "--quiet", "--bare", str(self.mirror), git_dir=False)
            await self._git("remote", "add", "origin", self.source.url)
        await self._git("fetch", "--quiet", "--prune", "--no-tags", "origin", *_REFSPECS)
        try:
            sha = await self._git("rev-parse", "--verify", "--quiet", ref_name(self.source))
        except GitError:
            wanted = ref_name(self.source).removesuffix("^{commit}")
            raise GitError(f"{wanted} is not in {self.source.url}") from None
        sha = sha.strip()
        fields = await self._git("show", "-s", f"--format=%an{_SEPARATOR}%s", sha)
        author, _, subject = fields.strip().partition(_SEPARATOR)
        return Commit(sha, author, subject)

    async def verify(self, sha: str, allowed_signers: list[str]) -> None:
        """Raise unless ``sha`` carries an SSH signature by one of ``allowed_signers``."""
        signers = self.home / "allowed_signers"
        signers.write_text("".join(f"{line}\n" for line in allowed_signers))
        await self._git(
            "-c",
            "gpg.format=ssh",
            "-c",
            f"gpg.ssh.allowedSignersFile={signers}",
            "verify-commit",
            sha,
        )

    async def export(self, sha: str) -> Path:
        """The commit's files in a fresh folder ``revisions/<sha>``; links that leave the
        folder, devices and the like are refused by tarfile's ``data`` filter."""
        target = self.home / "revisions" / sha
        if not await asyncio.to_thread(target.exists):
            archive = await self._git_bytes("archive", "--format=tar", sha)
            await asyncio.to_thread(_extract, archive, target)
        return target

    def keep_only(self, *shas: str) -> None:
        """Drop exported revisions no longer needed (the last valid and the newest)."""
        folder = self.home / "revisions"
        for entry in folder.iterdir() if folder.exists() else ():
            if entry.name not in shas:
                shutil.rmtree(entry, ignore_errors=True)

    async def _git(self, *args: str, git_dir: bool = True) -> str:
        return (await self._git_bytes(*args, git_dir=git_dir)).decode(errors="replace")

    async def _git_bytes(self, *args: str, git_dir: bool = True) -> bytes:
        prefix = ["--git-dir", str(self.mirror)] if git_dir else []
        env: Mapping[str, str] = {**os.environ, **self._env}
        process = await asyncio.create_subprocess_exec(
            "git",
            *prefix,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env),
        )
        try:
            async with asyncio.timeout(GIT_TIMEOUT):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise GitError(f"git {args[0]} took over {GIT_TIMEOUT:.0f}s") from None
        if process.returncode != 0:
            said = redacted(err.decode(errors="replace").strip(), self._secrets)
            said = explained(said, self.source)
            raise GitError(f"git {_verb(args)} failed: {said or f'exit {process.returncode}'}")
        return out


def _verb(args: tuple[str, ...]) -> str:
    return next((a for a in args if not a.startswith("-") and "=" not in a), args[0])


def _extract(archive: bytes, target: Path) -> None:
    """Into a staging folder, then renamed: a reader sees the whole revision or none."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:12]}-", dir=target.parent.parent))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(staging, filter="data")
    target.parent.mkdir(exist_ok=True)
    staging.rename(target)
