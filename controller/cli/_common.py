"""Options and steps that plan, apply, rotate and run share."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from controller.config import Settings, load_desired, load_settings
from controller.desired import DesiredState, DesiredStateError


def add_desired_state(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--file", dest="path", type=Path, required=True, metavar="PATH")


def add_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--values",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a values file (repeatable; later files win)",
    )
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one setting, e.g. prune.enabled=true (repeatable; wins over --values)",
    )


def add_documented_command(
    commands: Any, name: str, help: str, description: str | None, epilog: str
) -> argparse.ArgumentParser:
    """A command whose ``--help`` carries its description, exit codes and examples as
    written (``epilog`` keeps its line breaks)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def add_service_command(commands: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A command about one Service: ``SERVICE -f PATH [--values FILE]... [--set K=V]...``."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help)
    parser.add_argument("service", metavar="SERVICE", help="the Service object's name")
    add_desired_state(parser)
    add_settings(parser)
    return parser


def add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text")


def wants_json(args: argparse.Namespace) -> bool:
    return getattr(args, "output", "text") == "json"


def print_json(document: object) -> None:
    print(json.dumps(document, indent=2))


def fail(args: argparse.Namespace, *messages: str) -> int:
    """Report errors the way the command's output asks: ``error: ...`` lines on stderr, or
    with ``-o json`` one document on stdout whose ``problems`` a machine can read. Exit 1."""
    if wants_json(args):
        print_json({"problems": [{"message": message} for message in messages]})
    else:
        for message in messages:
            print(f"error: {message}", file=sys.stderr)
    return 1


def print_diagnostics(
    error: DesiredStateError, *, count: bool = False, as_json: bool = False
) -> None:
    if as_json:  # file, line, column and message apart, for editors and CI annotations
        print_json({"problems": [diagnostic.as_json() for diagnostic in error.diagnostics]})
        return
    for diagnostic in error.diagnostics:
        print(diagnostic, file=sys.stderr)
    if count:
        found = sum(diagnostic.severity == "error" for diagnostic in error.diagnostics)
        print(f"{found} error{'s' if found != 1 else ''}", file=sys.stderr)


def load_inputs(
    args: argparse.Namespace, *, count: bool = False
) -> tuple[DesiredState, Settings] | None:
    """Desired state and settings, or None after printing every problem with them (and
    their number, with ``count``). Settings come first: admitting the state needs them."""
    assignments = list(args.assignments)
    if getattr(args, "prune", False):
        assignments.append("prune.enabled=true")
    try:
        settings = load_settings(args.values, assignments)
        state = load_desired(args.path, settings)
    except DesiredStateError as exc:
        print_diagnostics(exc, count=count, as_json=wants_json(args))
        return None
    return state, settings
