"""``ecs-oauth validate -f PATH``: every problem of a desired state, one line each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from controller.desired import DesiredStateError, load


def register(commands: Any) -> None:
    parser = commands.add_parser("validate", help="check a desired state; exit 1 if invalid")
    parser.add_argument("-f", "--file", dest="path", type=Path, required=True, metavar="PATH")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        state = load(args.path)
    except DesiredStateError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"{count} error{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    print(state.summary())
    return 0
