"""The desired state as the platform admits it: valid on its own, and within what the
settings grant (tenancy, allowlists). Every command and the daemon load it through here,
so no entry point can skip the guards."""

from __future__ import annotations

from pathlib import Path

from controller.config._settings import Settings
from controller.desired import DesiredState, DesiredStateError, load
from controller.tenancy import admit

# A document of these keys is a values file given in the desired state's place.
SETTINGS_KEYS = frozenset(field.alias or name for name, field in Settings.model_fields.items())


def load_desired(path: Path, settings: Settings) -> DesiredState:
    """Read, validate and admit; raise with every problem found."""
    state = load(path, SETTINGS_KEYS)
    problems = admit(state, path, settings.tenancy, settings.iam.allowed_managed_policy_arns)
    if problems:
        raise DesiredStateError(problems)
    return state
