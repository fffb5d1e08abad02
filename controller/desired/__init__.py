"""The desired state: load, validate, and query it. Pure data; no AWS or IdP calls.

Public API: :func:`load`, :class:`DesiredState`, :class:`DesiredStateError`,
:class:`Diagnostic`, and the kind models.
"""

from __future__ import annotations

from pathlib import Path

from controller.desired._diagnostics import DesiredStateError, Diagnostic, Location
from controller.desired._explain import (
    REFERENCE_EXAMPLE,
    describe,
    did_you_mean,
    models_by_name,
)
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
from controller.desired._pipeline import collect
from controller.desired._schema import generated_files as generated_schema_files
from controller.desired._siblings import folder_hint
from controller.desired._state import DesiredState, generation, inputs_generation, wire_scope
from controller.desired._types import (
    PATTERN_HINTS,
    ambiguous_authority,
    format_duration,
    is_loopback_host,
    parse_duration,
)

__all__ = [
    "API_VERSION",
    "KINDS",
    "PATTERN_HINTS",
    "REFERENCE_EXAMPLE",
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
    "describe",
    "did_you_mean",
    "format_duration",
    "generated_schema_files",
    "generation",
    "inputs_generation",
    "is_loopback_host",
    "load",
    "models_by_name",
    "parse_duration",
    "wire_scope",
]


def load(path: Path, settings_keys: frozenset[str] = frozenset()) -> DesiredState:
    """Read and validate a desired-state file or folder; raise with every problem at once.
    ``settings_keys``, the controller's top-level setting names, let a values file given
    here by mistake be named as one."""
    state, diagnostics = collect(path, settings_keys)
    if (hint := folder_hint(path, diagnostics)) is not None:
        diagnostics.append(hint)
    if diagnostics:
        raise DesiredStateError(diagnostics)
    return state
