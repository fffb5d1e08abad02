"""A local Okta org: the part of the management API the Okta adapter uses, and one custom
authorization server whose token endpoint enforces its access policies.

The sandbox runs one per Okta IdentityProvider; the tests run the same org with a judge
that holds every management request and answer to Okta's published OpenAPI document.
"""

from controller.sandbox.okta._state import OktaOrg
from controller.sandbox.okta.server import Judge, RunningOkta

__all__ = ["Judge", "OktaOrg", "RunningOkta"]
