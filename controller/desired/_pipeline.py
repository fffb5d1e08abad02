"""One pass from a path to a desired state and every problem with it; no raising."""

from __future__ import annotations

from pathlib import Path

from controller.desired._diagnostics import Diagnostic, Location
from controller.desired._loader import Placed, claimed_key, find_files, read_documents, to_object
from controller.desired._rules import assemble
from controller.desired._state import DesiredState


def collect(
    path: Path, settings_keys: frozenset[str] = frozenset()
) -> tuple[DesiredState, list[Diagnostic]]:
    files, diagnostics = find_files(path)
    documents, problems = read_documents(files)
    diagnostics += problems
    placed: list[Placed] = []
    refused: set[str] = set()
    for document in documents:
        item, problems = to_object(document, settings_keys)
        diagnostics += problems
        if item is not None:
            placed.append(item)
        elif (key := claimed_key(document)) is not None:
            refused.add(key)
    state, problems = assemble(placed, frozenset(refused))
    diagnostics += problems
    if not diagnostics and state.object_count == 0:
        message = "the desired state is empty; an empty state changes nothing"
        diagnostics.append(Diagnostic(Location(str(path)), message))
    return state, diagnostics
