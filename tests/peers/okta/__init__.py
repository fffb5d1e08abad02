"""A local Okta org whose management API is held to Okta's own OpenAPI document."""

from tests.peers.okta.server import OktaOrg, RunningOkta

__all__ = ["OktaOrg", "RunningOkta"]
