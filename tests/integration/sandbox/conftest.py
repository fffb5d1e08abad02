"""The examples the sandbox runs by default, as the tests expect to see them."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import DesiredState, load

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def examples() -> DesiredState:
    return load(EXAMPLES)
