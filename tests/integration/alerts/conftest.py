"""Fixtures for delivery tests; the helpers live in ``_delivery``."""

from __future__ import annotations

import pytest

from tests.integration.alerts._delivery import Tally


@pytest.fixture
def tally() -> Tally:
    return Tally()
