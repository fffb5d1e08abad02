"""``ecs-oauth status``: what the running daemon reports, as a table or SPEC's JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from controller.cli._common import add_output
from controller.cli._select import SelectorError, add_selector_options, parse_selector

DEFAULT_URL = "http://127.0.0.1:8080"


TOKEN_VARIABLE = "ECS_OAUTH_HTTP_TOKEN"


def register(commands: Any) -> None:
    status = commands.add_parser("status", help="what the running daemon reports")
    add_output(status)
    status.add_argument("--url", default=DEFAULT_URL, help=f"the daemon (default {DEFAULT_URL})")
    add_selector_options(status)
    status.set_defaults(handler=run_status)


def fetch_status(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """GET ``URL/status``, with ``$ECS_OAUTH_HTTP_TOKEN`` as a bearer token when set; raises
    ``OSError`` with a readable message when unreachable or refused."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"{url}: not an http(s) URL")
    request = urllib.request.Request(f"{url.rstrip('/')}/status")  # noqa: S310 - scheme checked above
    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            document: dict[str, Any] = json.load(response)
            return document
    except urllib.error.HTTPError as exc:
        hint = f"; set {TOKEN_VARIABLE}" if exc.code == 401 else ""
        raise OSError(f"the daemon at {url} answered HTTP {exc.code}{hint}") from exc
    except urllib.error.URLError as exc:
        raise OSError(f"cannot reach the daemon at {url}: {exc.reason}") from exc


def run_status(args: argparse.Namespace) -> int:
    try:
        selector = parse_selector(args.targets, args.labels)
        status = fetch_status(args.url)
    except (OSError, SelectorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    status["objects"] = [
        item
        for item in status["objects"]
        if selector.matches(f"{item['kind']}/{item['name']}", item.get("labels") or {})
    ]
    print(json.dumps(status, indent=2) if args.output == "json" else render_table(status))
    return 0


def render_table(status: dict[str, Any], now: datetime | None = None) -> str:
    """A readable table: one row per object, the first condition that is not fine explains."""
    now = now or datetime.now(UTC)
    controller = status["controller"]
    lines = [_controller_line(controller, now)]
    for condition in controller.get("conditions", []):
        if condition["status"] != "True":
            lines.append(f"  {condition['reason']}: {condition['message']}")
    header = ("OBJECT", "READY", "SYNCED", "DRIFTED", "SINCE", "ROTATION", "REASON")
    rows: list[tuple[str, ...]] = [header]
    for item in status["objects"]:
        conditions = {c["type"]: c for c in item["conditions"]}
        ready = conditions.get("Ready")
        rotation = item.get("rotation") or {}
        rows.append(
            (
                f"{item['kind']}/{item['name']}",
                *(conditions[t]["status"] if t in conditions else "-" for t in _TYPES),
                _age(ready["lastTransitionTime"], now) if ready else "-",
                rotation.get("phase", "-"),
                _explanation(conditions, rotation),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


_TYPES = ("Ready", "Synced", "Drifted")


def _explanation(conditions: dict[str, dict[str, Any]], rotation: dict[str, Any]) -> str:
    for type_, fine in (("Ready", "True"), ("Synced", "True"), ("Drifted", "False")):
        condition = conditions.get(type_)
        if condition and condition["status"] != fine:
            return f"{condition['reason']}: {condition['message']}"
    if rotation.get("failure") or rotation.get("waitingFor"):
        return f"rotation: {rotation.get('failure') or rotation.get('waitingFor')}"
    ready = conditions.get("Ready")
    return ready["reason"] if ready else ""


def _controller_line(controller: dict[str, Any], now: datetime) -> str:
    cycle = controller.get("lastCycle")
    if not cycle:
        return f"controller {controller['id']}: first cycle under way"
    finished = cycle.get("finishedAt")
    age = f"{_age(finished, now)} ago" if finished else "under way"
    return (
        f"controller {controller['id']}: last cycle {age}, "
        f"{cycle['ready']}/{cycle['objects']} ready"
    )


def _age(timestamp: str, now: datetime) -> str:
    seconds = max(
        0, int((now - datetime.fromisoformat(timestamp.replace("Z", "+00:00"))).total_seconds())
    )
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
