"""Alerts as the bytes each chat target receives: pure, so tests pin the exact shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from controller.alerts._model import Alert

# Slack's limits: a header's text is at most 150 characters, a section's 3000.
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
FENCE = "```"
_ICONS = {
    "corrected": ":wrench:",
    "left-alone": ":warning:",
    "resolved": ":white_check_mark:",
    "completed": ":white_check_mark:",
    "failed": ":x:",
    "stuck": ":hourglass:",
    "invalid": ":x:",
    "recovered": ":white_check_mark:",
}


def slack_message(alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook body: ``text`` for notifications plus simple blocks."""
    icon = _ICONS.get(alert.status, ":information_source:")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(alert.title, SLACK_HEADER_CHARS)},
        _section(f"{icon} {_escape(alert.text)}"),
    ]
    if alert.paths:
        listed = "\n".join(f"• `{_escape(path)}`" for path in alert.paths)
        blocks.append(_section(f"*Changed paths* ({_escape(alert.resource)})\n{listed}"))
    if alert.details:
        room = SLACK_SECTION_CHARS - 2 * len(FENCE) - 2
        lines = _clip(_escape("\n".join(alert.details)), room)
        blocks.append(_section(f"{FENCE}\n{lines}\n{FENCE}"))
    context = f"{alert.kind} · {alert.status} · fingerprint {alert.fingerprint}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": f"{alert.title}: {alert.text}", "blocks": blocks}


def webhook_document(alert: Alert, at: datetime) -> dict[str, Any]:
    """The generic webhook's JSON document; ``at`` is when the alert was raised."""
    return {
        "kind": alert.kind,
        "status": alert.status,
        "object": alert.object,
        "resource": alert.resource,
        "paths": list(alert.paths),
        "title": alert.title,
        "text": alert.text,
        "details": list(alert.details),
        "fingerprint": alert.fingerprint,
        "time": at.isoformat(timespec="seconds"),
    }


def _escape(text: str) -> str:
    """Slack's mrkdwn reads ``<...>`` as links and mentions; these three must be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text, limit)}


def _section(markdown: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _clip(markdown, SLACK_SECTION_CHARS)},
    }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
