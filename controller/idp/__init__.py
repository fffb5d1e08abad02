"""Identity-provider adapters behind one interface, so the engine never knows which IdP it has.

Public API re-exported here; modules are private.
"""

from controller.idp._cognito import ClientSecretInfo, CognitoAdapter
from controller.idp._cognito_scopes import CognitoResourceServers
from controller.idp._oidc import OidcAdapter
from controller.idp._okta import OktaAdapter, okta_issuer
from controller.idp._okta_sdk import ApiToken, OktaCredentials, OrgLimiter, ServiceApp
from controller.idp._token import IssuedToken, request_token
from controller.idp._types import (
    CLIENT_CREDENTIALS,
    ClientRecord,
    ClientSpec,
    Endpoints,
    IdentityProviderAdapter,
    IdpError,
    IdpManagementLost,
    IdpNotFound,
    IdpRejected,
    IdpUnavailable,
    IdpUnmanageable,
    InitialAccessToken,
    ObservedClient,
)

__all__ = [
    "CLIENT_CREDENTIALS",
    "ApiToken",
    "ClientRecord",
    "ClientSecretInfo",
    "ClientSpec",
    "CognitoAdapter",
    "CognitoResourceServers",
    "Endpoints",
    "IdentityProviderAdapter",
    "IdpError",
    "IdpManagementLost",
    "IdpNotFound",
    "IdpRejected",
    "IdpUnavailable",
    "IdpUnmanageable",
    "InitialAccessToken",
    "IssuedToken",
    "ObservedClient",
    "OidcAdapter",
    "OktaAdapter",
    "OktaCredentials",
    "OrgLimiter",
    "ServiceApp",
    "okta_issuer",
    "request_token",
]
