"""Options and steps that plan, apply, rotate and run share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from controller.config import Settings, load_desired, load_settings
from controller.desired import DesiredState, DesiredStateError


def add_desired_state(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("-f", "--file", dest="path", type=Path, required=required, metavar="PATH")


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


def add_service_command(commands: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A command about one Service: ``SERVICE -f PATH [--values FILE]... [--set K=V]...``."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help)
    parser.add_argument("service", metavar="SERVICE", help="the Service object's name")
    add_desired_state(parser)
    add_settings(parser)
    return parser


def add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text")


def print_diagnostics(error: DesiredStateError, *, count: bool = False) -> None:
    for diagnostic in error.diagnostics:
        print(diagnostic, file=sys.stderr)
    if count:
        found = len(error.diagnostics)
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
        print_diagnostics(exc, count=count)
        return None
    return state, settings
