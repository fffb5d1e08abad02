"""The ``ecs-oauth`` command line: one module per command, wired here.

Exit codes follow SPEC: 0 success, 1 error, 2 changes pending (``plan --detailed-exitcode``).
Every error exits 1, a usage error included, so 2 always means changes. No traceback ever
reaches the user; unexpected failures print one line and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from controller import __version__
from controller.cli import (
    _config,
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
    _wait,
)

Command = Callable[[argparse.Namespace], int]

_COMMANDS = (
    _validate,
    _converge,
    _run,
    _status,
    _wait,
    _rotate,
    _sandbox,
    _token,
    _doctor,
    _crds,
    _config,
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, which ``plan --detailed-exitcode`` uses for
    "changes pending"; here it is an error like any other: usage, one line, exit 1.
    Subcommand parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
