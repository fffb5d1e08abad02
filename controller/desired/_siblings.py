"""A file given alone whose references are defined beside it: say to pass the folder.

Desired state is usually a folder tree (platform providers in one file, a team's scopes,
roles and services in others); validating one file of it reports every reference to the
others as undefined. The nearest enclosing folder that defines them is named instead of
leaving the user to guess.
"""

from __future__ import annotations

import os
from pathlib import Path

from controller.desired._diagnostics import HINT, Diagnostic, Location
from controller.desired._pipeline import collect

LEVELS = 3  # how far up to look: a desired-state tree is shallow
MAX_FILES = 2_000  # a folder with more files than this is no desired-state tree


def folder_hint(path: Path, diagnostics: list[Diagnostic]) -> Diagnostic | None:
    """The hint for ``path`` (a file) whose ``diagnostics`` name undefined references, when
    its own folder defines some of them: the nearest enclosing folder (a few levels up at
    most) in which nothing is left undefined, else its own folder."""
    wanted = {d.reference for d in diagnostics if d.reference is not None}
    if not wanted or not path.is_file():
        return None
    candidates = _candidates(path)
    for level, folder in enumerate(candidates):
        state, problems = collect(folder)
        defined = {tuple(key.split("/", 1)) for key in state.sources}
        if level == 0 and not wanted & defined:
            return None  # nothing it names lives beside it: not a piece of a tree
        if wanted <= defined and not any(d.reference is not None for d in problems):
            return _hint(path, folder)
    return _hint(path, candidates[0]) if candidates else None


def _candidates(path: Path) -> list[Path]:
    folders = []
    for folder in list(path.absolute().parents)[:LEVELS]:
        if not _small(folder):
            break
        folders.append(folder)
        if (folder / ".git").exists():  # the repository's root: nothing above belongs to it
            break
    return folders


def _small(folder: Path) -> bool:
    seen = 0
    for _, _, files in os.walk(folder):
        seen += len(files)
        if seen > MAX_FILES:
            return False
    return True


def _hint(path: Path, folder: Path) -> Diagnostic:
    shown = str(folder) if path.is_absolute() else os.path.relpath(folder)
    message = (
        "the objects this file refers to are defined in other files; "
        f"pass their folder instead: -f {shown.rstrip('/')}/"
    )
    return Diagnostic(Location(str(path)), message, rank=HINT)
