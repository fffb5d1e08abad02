"""A local Okta org whose management API is held to Okta's own OpenAPI document.

The org itself ships with the sandbox (``controller.sandbox.okta``); the document is
megabytes and stays here, so the tests' org is the sandbox's with the judge switched on.
"""

from controller.sandbox.okta import OktaOrg
from controller.sandbox.okta import RunningOkta as _UnjudgedOkta
from tests.peers.okta.openapi import management_api


class RunningOkta(_UnjudgedOkta):
    """The sandbox's org whose every management request and answer is checked against
    the document: one the real API would refuse is answered 400 and kept in
    ``org.violations``."""

    def __init__(self, server_id: str | None = None) -> None:
        super().__init__(server_id, judge=management_api())


__all__ = ["OktaOrg", "RunningOkta"]
