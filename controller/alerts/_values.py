"""Field values as chat may show them: harmless ones clipped, anything else "(sensitive)".

Ops want before/after values (a ``taskRoleArn`` that moved says at once what happened),
but chat is read by many and kept forever, so a value is shown only when nothing about it
hints at a secret: not a ``Sensitive`` wrapper or the plan's markers, not under a key
named like a credential, not text shaped like a token. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from controller.desired._redact import looks_secret, secret_key
from controller.plan import KNOWN_AFTER_APPLY, SENSITIVE, Sensitive

HIDDEN = SENSITIVE  # "(sensitive)"
MAX_VALUE_CHARS = 120  # a message shows several values; one long policy must not bury them
_PATH_PARTS = re.compile(r"[.\[\]]+")


def shown_value(path: str, value: Any) -> str | None:
    """``value`` at ``path`` as chat may show it; ``None`` when there is no value."""
    if value is None:
        return None
    if _hidden(path, value):
        return HIDDEN
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if looks_secret(text):
        return HIDDEN
    return clipped(text, MAX_VALUE_CHARS)


def clipped(text: str, limit: int) -> str:
    """At most ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hidden(path: str, value: Any) -> bool:
    if any(secret_key(part) for part in _PATH_PARTS.split(path) if part):
        return True
    return _carries_secret(value)


def _carries_secret(value: Any) -> bool:
    """A Sensitive, a plan marker, or a secret-named key anywhere inside ``value``."""
    if isinstance(value, Sensitive) or value in (SENSITIVE, KNOWN_AFTER_APPLY):
        return True
    if isinstance(value, Mapping):
        return any(secret_key(k) or _carries_secret(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_carries_secret(item) for item in value)
    return False
