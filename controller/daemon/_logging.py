"""structlog as the daemon logs: one JSON object per line on stdout, secrets redacted.

The code logs names, ids and field paths, never values; the redaction processor is the
second line of defence for anything that slips through (an exception text, a new field).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

REDACTED = "(redacted)"
_SECRET_KEY = re.compile(r"secret|password|token|authorization|credential", re.IGNORECASE)
_SAFE_KEYS = frozenset(
    {"event", "level", "timestamp", "object", "resource", "action", "id", "token_endpoint"}
)
# Values shaped like bearer tokens or JWTs, wherever they appear in text.
_SECRET_TEXT = re.compile(
    r"(?i)(bearer\s+)[\w.~+/=-]{8,}"
    r"|eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*"
    r"|(client_secret|registration_access_token|access_token)([\"'=:\s]+)[\w.~+/=-]{4,}"
)


def _scrub_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + REDACTED
        if match.group(2):
            return match.group(2) + match.group(3) + REDACTED
        return REDACTED

    return _SECRET_TEXT.sub(replace, text)


def _scrub(key: str, value: Any) -> Any:
    if key not in _SAFE_KEYS and _SECRET_KEY.search(key) and not key.endswith(("_count", "_at")):
        return REDACTED
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(key, v) for v in value]
    return value


def redact_secrets(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: secret-named keys and token-shaped text become ``(redacted)``."""
    return {key: _scrub(key, value) for key, value in event.items()}


def configure_logging(stream: TextIO = sys.stdout, level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_secrets,
            structlog.processors.JSONRenderer(sort_keys=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
