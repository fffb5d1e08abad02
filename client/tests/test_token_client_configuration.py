"""The task client reads what the controller injects, and says which variable is missing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import ecs_oauth_client
import pytest
from ecs_oauth_client import (
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


def test_the_task_client_imports_only_the_standard_library_and_httpx() -> None:
    """Applications ship this package alone, inside their own images: anything beyond
    httpx would ride along into every one of them."""
    package = Path(ecs_oauth_client.__file__).parent
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)

    foreign = imported - set(sys.stdlib_module_names) - {"httpx", "ecs_oauth_client"}
    assert foreign == set()
