"""The token client an application inside an ECS task imports.

    from ecs_oauth_client import TokenClient

    client = TokenClient.from_env()          # OAUTH_CLIENT_ID, _SECRET, _TOKEN_ENDPOINT, _SCOPE
    headers = {"Authorization": f"Bearer {await client.access_token()}"}
    # or, from synchronous code: client.access_token_sync()

A distribution of its own (``ecs-oauth-client``) that depends on httpx alone, never on
the controller: applications ship it in their images without the controller's AWS stack
or an OAuth library.
"""

from ecs_oauth_client._claims import granted_scopes, unverified_claims
from ecs_oauth_client._client import TokenClient
from ecs_oauth_client._config import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_SCOPE,
    ENV_TOKEN_ENDPOINT,
    ClientConfig,
)
from ecs_oauth_client._errors import (
    CredentialsRejected,
    MissingVariable,
    TokenEndpointUnavailable,
    TokenError,
    TokenRequestRejected,
)
from ecs_oauth_client._schedule import Policy, Token

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
