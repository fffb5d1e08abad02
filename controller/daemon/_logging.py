"""structlog as the daemon logs: one JSON object per line on stdout, secrets redacted;
or, for a person at a terminal, structlog's console lines, redacted the same way.

The code logs names, ids and field paths, never values; the redaction processor is the
second line of defence for anything that slips through (an exception text, a new field).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, TextIO

import structlog

REDACTED = "(redacted)"
_SECRET_KEY = re.compile(r"secret|password|token|authorization|credential", re.IGNORECASE)
_SAFE_KEYS = frozenset(
    {"event", "level", "timestamp", "object", "resource", "action", "id", "token_endpoint"}
)
# Values from a fixed vocabulary: ``secretsmanager:secret`` would read as a key and a value.
_VOCABULARY_KEYS = frozenset({"level", "resource", "action"})
# Credentials wherever they appear in text: after an HTTP auth scheme, shaped like a JWT,
# after a secret-named key (``client_secret=``, ``"ClientSecret": "``, ``?token=``), or as
# the secret path of a Slack incoming-webhook URL.
_SECRET_TEXT = re.compile(
    r"(?i)(?P<scheme>\b(?:bearer|basic)\s+)[\w.~+/=-]{4,}"
    r"|eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*"
    r"|(?P<key>\b[\w-]*(?:secret|token|password|api_?key)[\w-]*)(?P<sep>[\"']?\s*[=:]\s*[\"']?)"
    r"[^\s\"'&,;)}\]]{4,}"
    r"|(?P<hook>hooks\.slack\.com/services/)[\w/-]+"
)
_NOT_SECRET_SUFFIXES = ("endpoint", "uri", "url", "type", "count", "_at", "lifetime")
_PLAIN = (str, int, float, bool, type(None))


def _scrub_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("scheme"):
            return match.group("scheme") + REDACTED
        if match.group("key"):
            if match.group("key").lower().endswith(_NOT_SECRET_SUFFIXES):
                return match.group(0)  # token_endpoint=..., token_type: ...
            return match.group("key") + match.group("sep") + REDACTED
        if match.group("hook"):
            return match.group("hook") + REDACTED
        return REDACTED

    return _SECRET_TEXT.sub(replace, text)


def _scrub(key: str, value: Any) -> Any:
    if key not in _SAFE_KEYS and _SECRET_KEY.search(key) and not key.endswith(("_count", "_at")):
        return REDACTED
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(key, v) for v in value]
    if not isinstance(value, _PLAIN):
        # An exception, a URL object, bytes: rendered as text later, so scrubbed as text now.
        return _scrub_text(str(value))
    return value


def redact_secrets(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: secret-named keys and token-shaped text become ``(redacted)``."""
    return {
        key: value
        if key in _VOCABULARY_KEYS and isinstance(value, str) and value.isprintable()
        else _scrub(key, value)
        for key, value in event.items()
    }


class _LibraryLines(logging.StreamHandler):  # type: ignore[type-arg]
    """Lines of libraries that log through the standard library (aiohttp, asyncio,
    botocore, apscheduler): the same JSON, through the same redaction, tracebacks included."""


# Fields every line of the process carries from when they are set: the git revision being
# reconciled. Not structlog's contextvars: asyncio copies those into each task as it
# starts, so a revision taken later would never reach the workers already running.
_PROCESS_FIELDS: dict[str, str] = {}


def bind_process_fields(**fields: str) -> None:
    """Every later log line carries ``fields``, unless it names them itself."""
    _PROCESS_FIELDS.update(fields)


def unbind_process_fields(*names: str) -> None:
    for name in names:
        _PROCESS_FIELDS.pop(name, None)


def _process_fields(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in _PROCESS_FIELDS.items():
        event.setdefault(key, value)
    return event


Renderer = Callable[[Any, str, MutableMapping[str, Any]], Any]
Tap = Callable[[Mapping[str, Any]], None]


def _renderer(console: bool, colour: bool) -> Renderer:
    if console:
        return structlog.dev.ConsoleRenderer(colors=colour, sort_keys=False)
    return structlog.processors.JSONRenderer(sort_keys=False)


def _tapped(tap: Tap) -> Renderer:
    """A processor that shows ``tap`` every event as it will be written, redacted."""

    def processor(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
        tap(dict(event))
        return event

    return processor


def _library_logging(stream: TextIO, render: Renderer) -> None:
    handler = _LibraryLines(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                _process_fields,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_secrets,
                render,
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LibraryLines)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.WARNING))


def configure_logging(
    stream: TextIO = sys.stdout,
    level: int = logging.INFO,
    *,
    console: bool = False,
    colour: bool = False,
    tap: Tap | None = None,
) -> None:
    """JSON lines on ``stream``, or console lines (``console``, coloured with ``colour``).
    ``tap`` sees every event of the controller's own loggers after redaction (the sandbox
    prints the changes the daemon makes)."""
    render = _renderer(console, colour)
    _library_logging(stream, render)
    tapping = [_tapped(tap)] if tap is not None else []
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _process_fields,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_secrets,
            *tapping,
            render,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
