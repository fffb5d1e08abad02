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

from controller.desired import DesiredState, DesiredStateError, load

_SUFFIXES = (".yaml", ".yml")


class DesiredSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: DesiredState | None = None
        self.errors: list[str] = []

    def reload(self) -> bool:
        """Read the files again; true when a valid state different from the last one
        was taken. On errors the last valid state stays and ``errors`` says why."""
        try:
            state = load(self.path)
        except DesiredStateError as exc:
            self.errors = [str(d) for d in exc.diagnostics]
            return False
        except OSError as exc:  # the folder vanished between listing and reading, say
            self.errors = [f"{self.path}: error: cannot read: {exc.strerror or exc}"]
            return False
        self.errors = []
        if self.state is not None and _same(self.state, state):
            return False
        self.state = state
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


def _same(a: DesiredState, b: DesiredState) -> bool:
    return (a.providers, a.scopes, a.roles, a.services) == (
        b.providers,
        b.scopes,
        b.roles,
        b.services,
    )
