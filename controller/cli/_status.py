"""``ecs-oauth status``: what the running daemon reports, as a table or SPEC's JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from controller.cli._common import add_output, fail
from controller.cli._conditions import unhealthy
from controller.cli._handoff import URL_VARIABLE
from controller.cli._select import SelectorError, add_selector_options, parse_selector
from controller.cli._style import PLAIN, Style, style_for

DEFAULT_URL = "http://127.0.0.1:8080"
START_HINT = (
    "is it running? start it with `ecs-oauth run -f PATH` (or try everything locally with "
    f"`ecs-oauth sandbox`), or point at it with --url URL or ${URL_VARIABLE}"
)


TOKEN_VARIABLE = "ECS_OAUTH_HTTP_TOKEN"


def register(commands: Any) -> None:
    status = commands.add_parser("status", help="what the running daemon reports")
    add_output(status)
    add_url(status)
    status.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 unless every object is Ready and not Drifted and the desired state is valid",
    )
    add_selector_options(status)
    status.set_defaults(handler=run_status)


def add_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get(URL_VARIABLE) or DEFAULT_URL,
        help=f"the daemon (default ${URL_VARIABLE}, else {DEFAULT_URL})",
    )


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
        raise DaemonUnreachable(f"cannot reach the daemon at {url}: {exc.reason}") from exc


class DaemonUnreachable(OSError):
    """Nothing answered at the URL (as opposed to a daemon that answered with an error)."""


def run_status(args: argparse.Namespace) -> int:
    try:
        selector = parse_selector(args.targets, args.labels)
        status = fetch_status(args.url)
    except DaemonUnreachable as exc:
        return fail(args, f"{exc}; {START_HINT}")
    except (OSError, SelectorError) as exc:
        return fail(args, str(exc))
    status["objects"] = [
        item
        for item in status["objects"]
        if selector.matches(f"{item['kind']}/{item['name']}", item.get("labels") or {})
    ]
    if args.output == "json":
        print(json.dumps(status, indent=2))
    else:
        print(render_table(status, style=style_for(sys.stdout)))
    if not args.exit_code or not (problems := unhealthy(status)):
        return 0
    if args.output == "text":
        print(f"error: not all well: {'; '.join(map(str, problems))}", file=sys.stderr)
    return 1


def render_table(
    status: dict[str, Any], now: datetime | None = None, *, style: Style = PLAIN
) -> str:
    """A readable table: one row per object, the first condition that is not fine explains.
    SINCE is the age of the object's latest transition, whichever condition made it."""
    now = now or datetime.now(UTC)
    controller = status["controller"]
    lines = [_controller_line(controller, now)]
    for condition in controller.get("conditions", []):
        if condition["status"] != "True":
            lines.append(style.bad(f"  {condition['reason']}: {condition['message']}"))
    header = ("OBJECT", "READY", "SYNCED", "DRIFTED", "SINCE", "ROTATION", "REASON")
    rows: list[tuple[str, ...]] = [header]
    for item in status["objects"]:
        conditions = {c["type"]: c for c in item["conditions"]}
        rotation = item.get("rotation") or {}
        latest = _latest_transition(conditions.values())
        rows.append(
            (
                f"{item['kind']}/{item['name']}",
                *(conditions[t]["status"] if t in conditions else "-" for t in _TYPES),
                _age(latest, now) if latest else "-",
                rotation.get("phase", "-"),
                _explanation(conditions, rotation),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        if index:  # the header stays plain
            cells = _painted(cells, row, style)
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


_TYPES = ("Ready", "Synced", "Drifted")
_FINE = {"Ready": "True", "Synced": "True", "Drifted": "False"}


def _painted(cells: list[str], row: tuple[str, ...], style: Style) -> list[str]:
    """Each condition cell green when fine, red (yellow for drift) when not; padded first."""
    painted = list(cells)
    for offset, type_ in enumerate(_TYPES, start=1):
        value = row[offset]
        if value == "-":
            continue
        if value == _FINE[type_]:
            painted[offset] = style.good(cells[offset])
        else:
            painted[offset] = (style.warn if type_ == "Drifted" else style.bad)(cells[offset])
    return painted


def _latest_transition(conditions: Iterable[dict[str, Any]]) -> str | None:
    times = [c["lastTransitionTime"] for c in conditions if c.get("lastTransitionTime")]
    return max(times, key=_parse) if times else None


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


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _age(timestamp: str, now: datetime) -> str:
    seconds = max(0, int((now - _parse(timestamp)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
