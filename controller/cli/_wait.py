"""``ecs-oauth wait --for=Ready [--timeout 5m] [--url URL] [OBJECT]...``: block until the
running daemon reports the condition on every named object (every object when none is
named), or give up at the timeout naming what is not there yet and why.

It asks the daemon's ``/status`` as ``status`` does, once a second; a daemon not yet
answering (just started) is waited for like any unmet condition.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from controller.cli._common import add_output, print_json
from controller.cli._conditions import Unmet, Wanted, parse_object, parse_wanted, unmet
from controller.cli._status import add_url, fetch_status
from controller.desired import format_duration, parse_duration

POLL_SECONDS = 1.0
SHOWN = 3  # unmet objects named in the timeout line; the rest are counted


def register(commands: Any) -> None:
    summary = "wait until the daemon reports a condition (Ready by default)"
    parser = commands.add_parser("wait", help=summary)
    parser.add_argument(
        "objects",
        nargs="*",
        type=_argument(parse_object),
        metavar="OBJECT",
        help="KIND/NAME, such as Service/orders-api (default: every object)",
    )
    parser.add_argument(
        "--for",
        dest="wanted",
        type=_argument(parse_wanted),
        default=Wanted("Ready", "True"),
        metavar="CONDITION",
        help="Ready, or condition=TYPE[=True|False] (default: Ready)",
    )
    parser.add_argument(
        "--timeout",
        type=_argument(_duration),
        default=timedelta(minutes=5),
        help="give up after this long, like 30s, 5m or 1h (default: 5m)",
    )
    add_url(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A parser whose ValueError argparse reports in its own words, as a usage error."""

    def checked(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return checked


def _duration(text: str) -> timedelta:
    value = parse_duration(text)
    assert isinstance(value, timedelta)  # parse_duration returns one or raises
    return value


def run(args: argparse.Namespace) -> int:
    wanted: Wanted = args.wanted
    deadline = time.monotonic() + args.timeout.total_seconds()
    while True:
        missing = _poll(args.url, wanted, args.objects)
        if not missing:
            _report(args, wanted, [])
            return 0
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _report(args, wanted, missing)
            return 1
        time.sleep(min(POLL_SECONDS, remaining))


def _poll(url: str, wanted: Wanted, objects: list[str]) -> list[Unmet]:
    try:
        return unmet(fetch_status(url), wanted, objects)
    except OSError as exc:
        return [Unmet("daemon", "Unreachable", str(exc))]


def _report(args: argparse.Namespace, wanted: Wanted, missing: list[Unmet]) -> None:
    if args.output == "json":
        print_json(
            {
                "condition": str(wanted),
                "met": not missing,
                "objects": args.objects,
                "problems": [item.as_json() for item in missing],
            }
        )
    elif missing:
        print(timeout_line(wanted, args.timeout, missing), file=sys.stderr)
    else:
        what = ", ".join(args.objects) or "every object"
        print(f"{what}: {wanted}")


def timeout_line(wanted: Wanted, timeout: timedelta, missing: list[Unmet]) -> str:
    """One line: what is not there yet and the daemon's reason for each of the first few."""
    named = "; ".join(map(str, missing[:SHOWN]))
    more = f"; and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    return (
        f"error: timed out after {format_duration(timeout)} waiting for {wanted}; "
        f"not met: {named}{more}"
    )
