"""The task client (its own distribution) and the controller agree on the variable names
the controller injects into every task."""

from __future__ import annotations

from ecs_oauth_client import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_SCOPE, ENV_TOKEN_ENDPOINT

from controller.plan import _desired as injected


def test_the_variable_names_are_the_ones_the_controller_injects() -> None:
    assert (ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN_ENDPOINT, ENV_SCOPE) == (
        injected.ENV_CLIENT_ID,
        injected.ENV_CLIENT_SECRET,
        injected.ENV_TOKEN_ENDPOINT,
        injected.ENV_SCOPE,
    )
