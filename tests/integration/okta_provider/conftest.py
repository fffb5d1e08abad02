"""One local Okta org per module; every test ends with the org having seen no request
or answer that Okta's OpenAPI document refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from controller.idp import ApiToken, OktaAdapter, OktaCredentials
from tests.peers.okta import RunningOkta


@pytest.fixture(scope="module")
def okta_server() -> Iterator[RunningOkta]:
    running = RunningOkta()
    yield running
    running.stop()


@pytest.fixture
def okta(okta_server: RunningOkta) -> Iterator[RunningOkta]:
    """The module's org, emptied; a test that made a request the document refuses fails."""
    okta_server.reset()
    yield okta_server
    assert okta_server.org.violations == []


@pytest.fixture
async def adapter(okta: RunningOkta) -> AsyncIterator[OktaAdapter]:
    async def token() -> OktaCredentials:
        return ApiToken(okta.org.api_token)

    async with aiohttp.ClientSession() as http:
        yield OktaAdapter(okta.org_url, okta.org.server_id, token, http)
