"""Globs as IAM writes them: ``*`` is any run of characters, ``?`` one; nothing else is
special. fnmatch would also read ``[...]`` as a character class, a surprise in an ARN."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1024)
def _compiled(glob: str) -> re.Pattern[str]:
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob)
    return re.compile("".join(parts), re.DOTALL)


def matches(value: str, globs: Iterable[str]) -> bool:
    """Whether ``value`` is granted by any of ``globs`` (the whole value, case-sensitive)."""
    return any(_compiled(glob).fullmatch(value) for glob in globs)


def listed(globs: Iterable[str]) -> str:
    """The globs as an error message names what is allowed."""
    shown = ", ".join(globs)
    return shown or "nothing"
