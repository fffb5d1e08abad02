"""Fixtures: a scripted token endpoint on loopback and a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from token_endpoint_peer import FakeClock, TokenEndpoint, serve_token_endpoint


@pytest.fixture
async def endpoint() -> AsyncIterator[TokenEndpoint]:
    async with serve_token_endpoint() as state:
        yield state


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
