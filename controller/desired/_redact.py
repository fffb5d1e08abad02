"""How an error message may show a value the user wrote.

Error lines land in terminals, CI logs, the daemon's logs, status and chat alerts; a
secret pasted into the YAML by mistake must not travel with them. A value that looks like
a credential, or sits under a key named like one, is never quoted; any other value is
quoted, capped to a short prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MAX_SHOWN = 40
REDACTED = "<value hidden: it looks like a credential>"

_SECRET_KEY = re.compile(r"secret|token|passw|pwd|credential|api[-_]?key|private", re.IGNORECASE)
# A run of token-alphabet characters long enough to be a key, a password or a JWT part.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_\-.~]{20,}")
_USERINFO = re.compile(r"://[^/@\s]+@")


def secret_key(key: object) -> bool:
    """A mapping key named like something that holds a secret."""
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


def looks_secret(value: str) -> bool:
    """Long random-looking runs (letters and digits mixed) or credentials in a URL."""
    if _USERINFO.search(value):
        return True
    for run in _TOKEN_RUN.findall(value):
        classes = sum(
            (
                any(c.islower() for c in run),
                any(c.isupper() for c in run),
                any(c.isdigit() for c in run),
            )
        )
        if classes >= 2 and not run.startswith(("arn:", "http")):
            return True
    return False


def shown(value: Any, path: Iterable[object] = ()) -> str:
    """``value`` as an error message may quote it: hidden, or repr'd and capped. ``path``
    is where it sits: anything below a key like ``initialAccessToken`` is hidden."""
    text = value if isinstance(value, str) else repr(value)
    if any(secret_key(key) for key in path) or looks_secret(text):
        return REDACTED
    if len(text) > MAX_SHOWN:
        return (
            repr(text[:MAX_SHOWN]) + "..." if isinstance(value, str) else text[:MAX_SHOWN] + "..."
        )
    return repr(value)
