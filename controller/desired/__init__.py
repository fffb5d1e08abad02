"""The desired state: load, validate, and query it. Pure data; no AWS or IdP calls.

Public API: :func:`load`, :class:`DesiredState`, :class:`DesiredStateError`,
:class:`Diagnostic`, and the kind models.
"""

from __future__ import annotations

from pathlib import Path

from controller.desired._diagnostics import DesiredStateError, Diagnostic, Location
from controller.desired._kinds import (
    API_VERSION,
    KINDS,
    AnyObject,
    IdentityProvider,
    Mode,
    Role,
    Scope,
    Service,
)
from controller.desired._loader import Placed, find_files, read_documents, to_object
from controller.desired._rules import assemble
from controller.desired._schema import generated_files as generated_schema_files
from controller.desired._state import DesiredState, generation, inputs_generation, wire_scope
from controller.desired._types import (
    ambiguous_authority,
    format_duration,
    is_loopback_host,
    parse_duration,
)

__all__ = [
    "API_VERSION",
    "KINDS",
    "AnyObject",
    "DesiredState",
    "DesiredStateError",
    "Diagnostic",
    "IdentityProvider",
    "Location",
    "Mode",
    "Role",
    "Scope",
    "Service",
    "ambiguous_authority",
    "format_duration",
    "generated_schema_files",
    "generation",
    "inputs_generation",
    "is_loopback_host",
    "load",
    "parse_duration",
    "wire_scope",
]


def load(path: Path) -> DesiredState:
    """Read and validate a desired-state file or folder; raise with every problem at once."""
    files, diagnostics = find_files(path)
    documents, problems = read_documents(files)
    diagnostics += problems
    placed: list[Placed] = []
    for document in documents:
        item, problems = to_object(document)
        diagnostics += problems
        if item is not None:
            placed.append(item)
    state, problems = assemble(placed)
    diagnostics += problems
    if not diagnostics and state.object_count == 0:
        message = "the desired state is empty; an empty state changes nothing"
        diagnostics.append(Diagnostic(Location(str(path)), message))
    if diagnostics:
        raise DesiredStateError(diagnostics)
    return state
