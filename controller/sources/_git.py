"""A git repository as the desired state, behind the same seam as the folder source.

Each fetch resolves the configured ref to a commit; a commit not seen before is checked
(signature, when ``verify`` is set), exported into a folder of its own and validated by
the same loader as ``run -f``. Only a valid commit replaces the state: an invalid one is
reported as ``SHA:FILE:LINE:COL: error: ...`` and kept out until a later commit fixes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from controller.config import GitSource, Settings, load_desired
from controller.desired import DesiredState, DesiredStateError
from controller.desired._kinds import FromEnvOrSecret
from controller.sources._folder import DesiredSource, same_state
from controller.sources._git_hook import GitHook, Handler
from controller.sources._git_repo import Commit, GitError, GitRepo

Resolve = Callable[[FromEnvOrSecret, str], Awaitable[str]]


def located(diagnostics: list[str], root: Path, sha: str) -> list[str]:
    """The loader's lines, their checkout folder replaced by ``SHA:`` as in ``git show
    SHA:FILE``: which commit and which file in the repository, never a temporary path."""
    prefix = f"{root}/"
    return [
        f"{sha}:{line.removeprefix(prefix)}" if line.startswith(prefix) else f"{sha}: {line}"
        for line in diagnostics
    ]


class GitDesiredSource:
    def __init__(self, git: GitSource, settings: Settings, resolve: Resolve) -> None:
        self.git = git
        self.settings = settings
        self.name = f"{git.url}#{_ref_label(git)}"
        self.state: DesiredState | None = None
        self.errors: list[str] = []
        self.revision: Commit | None = None  # the last valid commit, the one reconciled
        self.refused: str | None = None  # the newest commit that failed, until a fix
        self._resolve = resolve
        self._home = Path(tempfile.mkdtemp(prefix="ecs-oauth-git-"))
        self._repo = GitRepo(git, self._home)
        self._poked = asyncio.Event()

    def log_fields(self) -> dict[str, str]:
        if self.refused is not None:
            return {"revision": self.refused}
        return {"revision": self.revision.sha} if self.revision else {}

    async def reload_off_loop(self) -> bool:
        """Fetch, then take the ref's commit if it is new and valid; true when the state
        changed (a new revision with the same objects is taken, but is no change)."""
        try:
            await self._use_credential()
            commit = await self._repo.fetch()
        except GitError as exc:
            self.errors = [f"{self.name}: error: {exc}"]
            self.refused = None
            return False
        if self.revision is not None and commit.sha == self.revision.sha:
            self.errors, self.refused = [], None
            return False
        if commit.sha == self.refused:
            return False  # already reported
        outcome = await self._check(commit)
        if isinstance(outcome, list):
            self.errors, self.refused = outcome, commit.sha
            self._repo.keep_only(*(c.sha for c in (self.revision,) if c))
            return False
        self.errors, self.refused = [], None
        self.revision = commit
        self._repo.keep_only(commit.sha)
        unchanged = self.state is not None and same_state(self.state, outcome)
        self.state = outcome
        return not unchanged

    async def _use_credential(self) -> None:
        auth = self.git.auth
        reference = auth.token or auth.ssh_key
        what = "source.git.auth.token" if auth.token else "source.git.auth.sshKey"
        secret = await self._resolve(reference, what) if reference is not None else None
        self._repo.use_credential(secret)

    async def _check(self, commit: Commit) -> DesiredState | list[str]:
        if self.git.verify is not None:
            try:
                await self._repo.verify(commit.sha, self.git.verify.allowed_signers)
            except GitError as exc:
                return [f"{commit.sha}: error: not signed by an allowed signer ({exc})"]
        try:
            root = await self._repo.export(commit.sha)
        except (GitError, OSError) as exc:
            return [f"{commit.sha}: error: cannot check it out: {exc}"]
        folder = root / self.git.path
        if not folder.is_dir():
            return [f"{commit.sha}: error: {self.git.path}: no such folder in the commit"]
        try:
            return await asyncio.to_thread(load_desired, folder, self.settings)
        except DesiredStateError as exc:
            return located([str(d) for d in exc.diagnostics], root, commit.sha)
        except OSError as exc:
            return [f"{commit.sha}: error: cannot read: {exc.strerror or exc}"]

    def poke(self) -> None:
        """Fetch now rather than at the next interval (the webhook)."""
        self._poked.set()

    async def changes(self, stop: asyncio.Event) -> AsyncIterator[None]:
        """Yields at every interval, and at once when poked."""
        interval = self.git.interval.total_seconds()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), interval)
            self._poked.clear()
            if not stop.is_set():
                yield

    async def hook(self) -> Handler | None:
        """``POST /hooks/git``'s handler, when ``source.git.webhook`` names a secret."""
        if self.git.webhook is None:
            return None
        reference = self.git.webhook.secret

        async def read() -> str:
            return await self._resolve(reference, "source.git.webhook.secret")

        return GitHook(await read(), read, self.poke).handle

    def close(self) -> None:
        shutil.rmtree(self._home, ignore_errors=True)


def _ref_label(git: GitSource) -> str:
    ref = git.ref
    return ref.branch or ref.tag or ref.commit or ""


def open_source(
    path: Path | None, settings: Settings, resolve: Resolve
) -> DesiredSource | GitDesiredSource:
    """``source.git`` when set, else the folder or file given with ``-f``."""
    if settings.source.git is not None:
        return GitDesiredSource(settings.source.git, settings, resolve)
    assert path is not None  # the command refuses neither
    return DesiredSource(path, settings)
