"""The ``ecs-oauth`` command line: one module per command, wired here.

Exit codes follow SPEC: 0 success, 1 error, 2 changes pending (``plan --detailed-exitcode``).
Every error exits 1, a usage error included, so 2 always means changes. No traceback ever
reaches the user; unexpected failures print one line and exit 1.
"""

from __future__ import annotations

import argparse
import itertools
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
from controller.cli._common import print_json

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


class _UsageError(Exception):
    """A command line argparse refused, with the usage of the (sub)command that refused it."""

    def __init__(self, prog: str, usage: str, message: str) -> None:
        super().__init__(message)
        self.prog, self.usage, self.message = prog, usage, message


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, which ``plan --detailed-exitcode`` uses for
    "changes pending"; here it is an error like any other, exit 1, reported by :func:`main`
    in the output the command line asked for. Subcommand parsers are made of the same
    class."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self.prog, self.format_usage(), message)


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
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(words)
    except _UsageError as refused:
        return _usage_error(refused, as_json=_asks_for_json(words))
    handler: Command = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise: a line, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _asks_for_json(words: list[str]) -> bool:
    """Whether a command line argparse could not read still asked for ``-o json``: its
    consumer is a machine, which gets the refusal as a document too."""
    joined = ("-ojson", "--output=json")
    return any(word in joined for word in words) or any(
        pair in (("-o", "json"), ("--output", "json")) for pair in itertools.pairwise(words)
    )


def _usage_error(refused: _UsageError, *, as_json: bool) -> int:
    sys.stderr.write(refused.usage)
    print(f"{refused.prog}: error: {refused.message}", file=sys.stderr)
    if as_json:
        print_json({"problems": [{"message": f"{refused.prog}: {refused.message}"}]})
    return 1
