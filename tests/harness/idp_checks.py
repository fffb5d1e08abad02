"""Small helpers for the IdP adapter tests: an initial access token source, and the check
that no error ever shows a credential."""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from controller.idp import IdpError


def initial_access_token(value: str) -> Callable[[], Awaitable[str]]:
    """A source of the initial access token, as the adapter takes it."""

    async def source() -> str:
        return value

    return source


async def raised(call: Callable[[], Awaitable[Any]]) -> IdpError:
    with pytest.raises(IdpError) as failure:
        await call()
    return failure.value


def assert_no_secret(error: BaseException, secrets: list[str]) -> None:
    """Not in the message, the repr, the arguments, nor anywhere in the traceback."""
    shown = [str(error), repr(error), *map(str, error.args)]
    shown += traceback.format_exception(error)
    for text in shown:
        for secret in secrets:
            assert secret not in text, f"{type(error).__name__} shows a credential"
