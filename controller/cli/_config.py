"""``ecs-oauth config [--values FILE]... [--set K=V]... [-o json]``: the settings in force
once every layer is applied, as a values file (or JSON). Credentials show as the
references written (``{fromEnv: NAME}``), never resolved."""

from __future__ import annotations

import argparse
from typing import Any

from controller.cli._common import (
    add_output,
    add_settings,
    print_diagnostics,
    print_json,
)
from controller.config import effective, load_settings, render
from controller.desired import DesiredStateError


def register(commands: Any) -> None:
    parser = commands.add_parser("config", help="print the effective settings, every layer applied")
    add_settings(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.values, args.assignments)
    except DesiredStateError as exc:
        print_diagnostics(exc, count=True, as_json=args.output == "json")
        return 1
    if args.output == "json":
        print_json(effective(settings))
        return 0
    layers = [str(path) for path in args.values]
    layers += [f"--set {assignment.split('=', 1)[0]}" for assignment in args.assignments]
    print(render(effective(settings), layers), end="")
    return 0
