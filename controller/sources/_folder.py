"""The desired-state files as the daemon sees them: the last valid state, and a watch.

An invalid or unreadable edit never replaces a valid state: the daemon keeps reconciling
what it last understood, reports the errors with file and line, and picks the files up
again by itself once they are fixed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import awatch

from controller.config import Settings, load_desired
from controller.desired import DesiredState, DesiredStateError
from controller.sources._git_repo import Commit

_SUFFIXES = (".yaml", ".yml")


class DesiredSource:
    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self.state: DesiredState | None = None
        self.errors: list[str] = []
        self.name = str(path)
        self.revision: Commit | None = None  # files have no revision; a git source has

    def log_fields(self) -> dict[str, str]:
        return {}

    async def hook(self) -> None:
        """A folder has no webhook; files are watched."""

    def close(self) -> None:
        """Nothing to clean: the folder is the user's."""

    def reload(self) -> bool:
        """Read the files again; true when a valid state different from the last one
        was taken. On errors the last valid state stays and ``errors`` says why."""
        return self._take(self._read())

    async def reload_off_loop(self) -> bool:
        """``reload``, with the parse in a worker thread: a big or hostile file must not
        stall the event loop, which answers ``/healthz`` and drives reconciles."""
        return self._take(await asyncio.to_thread(self._read))

    def _read(self) -> DesiredState | list[str]:
        """The files' state, or their errors; touches nothing shared, so it may run in
        a thread while the loop keeps using the last valid state."""
        try:
            return load_desired(self.path, self.settings)
        except DesiredStateError as exc:
            return [str(d) for d in exc.diagnostics]
        except OSError as exc:  # the folder vanished between listing and reading, say
            return [f"{self.path}: error: cannot read: {exc.strerror or exc}"]

    def _take(self, outcome: DesiredState | list[str]) -> bool:
        if isinstance(outcome, list):
            self.errors = outcome
            return False
        self.errors = []
        if self.state is not None and same_state(self.state, outcome):
            return False
        self.state = outcome
        return True

    async def changes(self, stop: asyncio.Event) -> AsyncIterator[None]:
        """Yields soon after any desired-state file changes (editors that save by rename
        included, hence watching the folder)."""
        folder = self.path if self.path.is_dir() else self.path.parent
        async for batch in awatch(
            folder, stop_event=stop, debounce=150, step=50, recursive=self.path.is_dir()
        ):
            if any(self._relevant(Path(name)) for _, name in batch):
                yield

    def _relevant(self, changed: Path) -> bool:
        if self.path.is_dir():
            return changed.suffix in _SUFFIXES
        return changed.name == self.path.name


def same_state(a: DesiredState, b: DesiredState) -> bool:
    return (a.providers, a.scopes, a.roles, a.services) == (
        b.providers,
        b.scopes,
        b.roles,
        b.services,
    )
