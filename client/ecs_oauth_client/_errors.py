"""What can go wrong when a task asks for a token, as exceptions an application can catch.

Messages name the variable, the endpoint and the IdP's error code; never a credential.
"""

from __future__ import annotations


class TokenError(Exception):
    """Base of every error the task client raises."""


class MissingVariable(TokenError):
    """An ``OAUTH_*`` variable the controller injects is unset or empty."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} is not set: the task definition should inject it (run `ecs-oauth doctor`)"
        )
        self.name = name


class TokenRequestRejected(TokenError):
    """The token endpoint refused the request (a 4xx): retrying will not help."""

    def __init__(self, endpoint: str, status: int, error: str, description: str = "") -> None:
        detail = f": {description[:200]}" if description else ""
        super().__init__(self._headline(endpoint, status, error) + detail)
        self.status = status
        self.error = error

    @staticmethod
    def _headline(endpoint: str, status: int, error: str) -> str:
        return f"token request rejected by {endpoint}: HTTP {status} {error}"


class CredentialsRejected(TokenRequestRejected):
    """``invalid_client``: the client id or secret is wrong, revoked or rotated away."""

    @staticmethod
    def _headline(endpoint: str, status: int, error: str) -> str:
        return f"credentials rejected by {endpoint} (HTTP {status} {error})"


class TokenEndpointUnavailable(TokenError):
    """Every attempt met a transient failure (5xx, 429, connection error, timeout)."""

    def __init__(self, endpoint: str, attempts: int, last: str) -> None:
        super().__init__(
            f"token endpoint {endpoint} unavailable after {attempts} attempt(s): {last}"
        )
        self.attempts = attempts
