"""Alerts as the bytes each chat target receives: pure, so tests pin the exact shapes.

Values reach these functions only through ``Drift.fields``, already made safe to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from controller.alerts._model import Alert, Drift, FieldDelta, Origin
from controller.alerts._values import clipped

# Slack's limits: a header's text is at most 150 characters, a section's 3000, a section
# field's 2000, ten fields a section, fifty blocks a message.
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
SLACK_FIELD_CHARS = 2000
SLACK_FALLBACK_CHARS = 3000
MAX_RESOURCES = 10  # resource sections per message; the rest are counted
FENCE = "```"
ARROW = "→"
NONE = "(none)"
_ACTIONS = {"left-alone": "left alone (detect mode)"}
_ICONS = {
    "corrected": ":wrench:",
    "left-alone": ":warning:",
    "resolved": ":white_check_mark:",
    "completed": ":white_check_mark:",
    "failed": ":x:",
    "stuck": ":hourglass:",
    "invalid": ":x:",
    "recovered": ":white_check_mark:",
    "held": ":hourglass_flowing_sand:",
}


def slack_message(alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook body: Block Kit (header, section fields, one section per
    drifted resource, context) and a plain ``text`` fallback for notifications."""
    icon = _ICONS.get(alert.status, ":information_source:")
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clipped(alert.title, SLACK_HEADER_CHARS)},
        },
        _section(f"{icon} {_escape(alert.text)}"),
    ]
    facts = _facts(alert)
    if facts:
        blocks.append({"type": "section", "fields": [_field(n, v) for n, v in facts[:10]]})
    blocks.extend(_section(_resource_markdown(drift)) for drift in alert.drifts[:MAX_RESOURCES])
    if len(alert.drifts) > MAX_RESOURCES:
        blocks.append(_section(f"… and {len(alert.drifts) - MAX_RESOURCES} more resources"))
    if alert.details:
        room = SLACK_SECTION_CHARS - 2 * len(FENCE) - 2
        lines = clipped(_escape("\n".join(alert.details)), room)
        blocks.append(_section(f"{FENCE}\n{lines}\n{FENCE}"))
    blocks.append({"type": "context", "elements": [_mrkdwn(_context(alert))]})
    return {"text": _escape(clipped(fallback_text(alert), SLACK_FALLBACK_CHARS)), "blocks": blocks}


def fallback_text(alert: Alert) -> str:
    """The whole message in plain text: what notifications and old clients show."""
    lines = [alert.title, alert.text]
    for drift in alert.drifts[:MAX_RESOURCES]:
        lines.extend(f"{drift.resource} {drift.id} {_delta(f)}" for f in drift.fields)
    where = _where(alert.origin)
    if where:
        lines.append(where)
    if alert.origin.status_url:
        lines.append(f"Status: {alert.origin.status_url}")
    return "\n".join(lines)


def webhook_document(alert: Alert, at: datetime) -> dict[str, Any]:
    """The generic webhook's JSON document; ``at`` is when the alert was raised."""
    origin = alert.origin
    return {
        "kind": alert.kind,
        "status": alert.status,
        "action": alert.status,
        "object": alert.object,
        "environment": origin.environment,
        "controllerId": origin.controller_id,
        "account": origin.account,
        "region": origin.region,
        "resource": alert.resource,
        "paths": list(alert.paths),
        "resources": [_resource_document(drift) for drift in alert.drifts],
        "actor": alert.actor,
        "title": alert.title,
        "text": alert.text,
        "details": list(alert.details),
        "statusUrl": origin.status_url,
        "fingerprint": alert.fingerprint,
        "time": at.isoformat(timespec="seconds"),
    }


def _resource_document(drift: Drift) -> dict[str, Any]:
    return {
        "resource": drift.resource,
        "id": drift.id,
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in drift.fields],
    }


def _facts(alert: Alert) -> list[tuple[str, str]]:
    """The section fields: what, what was done, and where it happened (those known)."""
    origin = alert.origin
    facts = [
        ("Object", alert.object),
        ("Action", _ACTIONS.get(alert.status, alert.status)),
        ("Changed by", alert.actor or ""),
        ("Environment", origin.environment or ""),
        ("Controller", origin.controller_id),
        ("Account / Region", " / ".join(p for p in (origin.account, origin.region) if p)),
    ]
    return [(name, value) for name, value in facts if value]


def _resource_markdown(drift: Drift) -> str:
    head = f"*{_escape(drift.resource)}* `{_code(drift.id)}`"
    if not drift.fields:
        return f"{head}\n• the whole resource"
    lines = [
        f"• `{_code(f.path)}`: {_shown(f.before)} {ARROW} {_shown(f.after)}" for f in drift.fields
    ]
    return "\n".join([head, *lines])


def _shown(value: str | None) -> str:
    return f"`{_code(value)}`" if value is not None else f"_{NONE}_"


def _delta(field: FieldDelta) -> str:
    before = NONE if field.before is None else field.before
    after = NONE if field.after is None else field.after
    return f"{field.path}: {before} {ARROW} {after}"


def _where(origin: Origin) -> str:
    parts = [
        origin.environment or "",
        f"controller {origin.controller_id}" if origin.controller_id else "",
        f"account {origin.account}" if origin.account else "",
        origin.region,
    ]
    return " · ".join(part for part in parts if part)


def _context(alert: Alert) -> str:
    parts = [_escape(_where(alert.origin)), f"{alert.kind} · fingerprint {alert.fingerprint}"]
    url = alert.origin.status_url
    if url:
        parts.append(f"<{_link(url)}|status page>")
    return " · ".join(part for part in parts if part)


def _escape(text: str) -> str:
    """Slack's mrkdwn reads ``<...>`` as links and mentions; these three must be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """Inside backticks: escaped, and no backtick of its own to end the span early."""
    return _escape(text).replace("`", "'")


def _link(url: str) -> str:
    """A URL inside ``<url|label>``: ``|`` and ``>`` would end it early."""
    return _escape(url).replace("|", "%7C")


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _field(name: str, value: str) -> dict[str, Any]:
    return _mrkdwn(clipped(f"*{name}*\n{_escape(value)}", SLACK_FIELD_CHARS))


def _section(markdown: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(clipped(markdown, SLACK_SECTION_CHARS))}
