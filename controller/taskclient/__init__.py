"""The token client an application inside an ECS task imports.

    from controller.taskclient import TokenClient

    client = TokenClient.from_env()          # OAUTH_CLIENT_ID, _SECRET, _TOKEN_ENDPOINT, _SCOPE
    headers = {"Authorization": f"Bearer {await client.access_token()}"}
    # or, from synchronous code: client.access_token_sync()

It depends on authlib and httpx only, never on the rest of the controller (an
import-linter contract keeps it so): applications ship it without the controller's
AWS stack.
"""

from controller.taskclient._claims import granted_scopes, unverified_claims
from controller.taskclient._client import TokenClient
from controller.taskclient._config import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_SCOPE,
    ENV_TOKEN_ENDPOINT,
    ClientConfig,
)
from controller.taskclient._errors import (
    CredentialsRejected,
    MissingVariable,
    TokenEndpointUnavailable,
    TokenError,
    TokenRequestRejected,
)
from controller.taskclient._schedule import Policy, Token

__all__ = [
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_SCOPE",
    "ENV_TOKEN_ENDPOINT",
    "ClientConfig",
    "CredentialsRejected",
    "MissingVariable",
    "Policy",
    "Token",
    "TokenClient",
    "TokenEndpointUnavailable",
    "TokenError",
    "TokenRequestRejected",
    "granted_scopes",
    "unverified_claims",
]
