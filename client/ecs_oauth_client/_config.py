"""The four variables the controller injects into a task, read once.

The names match what the controller writes into task definitions; a unit test keeps the
two in step, since this package may not import the controller's own modules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecs_oauth_client._errors import MissingVariable

ENV_CLIENT_ID = "OAUTH_CLIENT_ID"
ENV_CLIENT_SECRET = "OAUTH_CLIENT_SECRET"
ENV_TOKEN_ENDPOINT = "OAUTH_TOKEN_ENDPOINT"
ENV_SCOPE = "OAUTH_SCOPE"


@dataclass(frozen=True)
class ClientConfig:
    """Where and as whom to ask for tokens. ``repr`` leaves the secret out."""

    client_id: str
    client_secret: str = field(repr=False)
    token_endpoint: str
    scope: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientConfig:
        """Read ``OAUTH_*`` from ``environ`` (default: the process environment).

        Raises :class:`MissingVariable` naming the first variable that is unset or blank,
        so a misconfigured task fails at start-up with the name to look for.
        """
        env = os.environ if environ is None else environ
        values = []
        for name in (ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN_ENDPOINT, ENV_SCOPE):
            value = env.get(name, "").strip()
            if not value:
                raise MissingVariable(name)
            values.append(value)
        client_id, client_secret, token_endpoint, scope = values
        return cls(client_id, client_secret, token_endpoint, " ".join(scope.split()))
