"""The task client reads what the controller injects, and says which variable is missing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import controller.taskclient
from controller.plan import _desired as injected
from controller.taskclient import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_SCOPE,
    ENV_TOKEN_ENDPOINT,
    ClientConfig,
    MissingVariable,
    TokenClient,
)

TASK_ENV = {
    "OAUTH_CLIENT_ID": "abc",
    "OAUTH_CLIENT_SECRET": "shh",
    "OAUTH_TOKEN_ENDPOINT": "https://idp.example.com/oauth2/token",
    "OAUTH_SCOPE": "orders/read  orders/write",
}


def test_the_variable_names_are_the_ones_the_controller_injects() -> None:
    assert (ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TOKEN_ENDPOINT, ENV_SCOPE) == (
        injected.ENV_CLIENT_ID,
        injected.ENV_CLIENT_SECRET,
        injected.ENV_TOKEN_ENDPOINT,
        injected.ENV_SCOPE,
    )


def test_the_configuration_comes_from_the_task_environment() -> None:
    config = ClientConfig.from_env(TASK_ENV)

    assert config == ClientConfig(
        "abc", "shh", "https://idp.example.com/oauth2/token", "orders/read orders/write"
    )


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TASK_ENV.items():
        monkeypatch.setenv(name, value)

    client = TokenClient.from_env()

    assert client.config.client_id == "abc"


@pytest.mark.parametrize("name", sorted(TASK_ENV))
def test_a_missing_variable_is_named(name: str) -> None:
    environ = {key: value for key, value in TASK_ENV.items() if key != name}

    with pytest.raises(MissingVariable, match=f"^{name} is not set") as raised:
        TokenClient.from_env(environ)

    assert raised.value.name == name


def test_a_blank_variable_counts_as_missing() -> None:
    with pytest.raises(MissingVariable, match="OAUTH_SCOPE"):
        ClientConfig.from_env({**TASK_ENV, "OAUTH_SCOPE": "  "})


def test_the_task_client_imports_nothing_else_from_the_controller() -> None:
    """Applications ship this package alone; import-linter checks the packages that exist
    today, this also catches packages added later."""
    package = Path(controller.taskclient.__file__).parent
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    foreign = {
        name
        for name in imported
        if name.split(".")[0] in {"controller", "aiobotocore", "botocore", "boto3", "moto"}
        and not name.startswith("controller.taskclient")
    }
    assert foreign == set()
