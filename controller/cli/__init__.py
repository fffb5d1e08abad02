"""The ``ecs-oauth`` command line: one module per command, wired here.

Exit codes follow SPEC: 0 success, 1 error, 2 changes pending (``plan --detailed-exitcode``).
No traceback ever reaches the user; unexpected failures print one line and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from controller import __version__
from controller.cli import (
    _converge,
    _crds,
    _doctor,
    _help,
    _rotate,
    _run,
    _sandbox,
    _status,
    _token,
    _validate,
)

Command = Callable[[argparse.Namespace], int]

_COMMANDS = (_validate, _converge, _run, _status, _rotate, _sandbox, _token, _doctor, _crds)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecs-oauth",
        description="Give every ECS task a short-lived, scoped OAuth identity.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _COMMANDS:
        module.register(commands)
    _help.document(commands.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise: a line, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
