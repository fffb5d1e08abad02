"""The examples the sandbox runs by default, as the tests expect to see them."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import DesiredState, load

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def examples() -> DesiredState:
    return load(EXAMPLES)


@pytest.fixture(scope="module")
def other_screens() -> list[str]:
    """What terminals other than the sandbox's showed, for the check that nothing printed
    holds a credential; a module that types into one overrides this."""
    return []
