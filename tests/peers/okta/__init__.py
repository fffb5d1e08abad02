"""A local Okta org whose management API is held to Okta's own OpenAPI document."""

from tests.peers.okta._state import OktaOrg
from tests.peers.okta.server import RunningOkta

__all__ = ["OktaOrg", "RunningOkta"]
