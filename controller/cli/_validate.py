"""``ecs-oauth validate -f PATH [--values FILE]... [--set K=V]... [-o json]``: every
problem of a desired state, one line each, including what the platform's settings do not
allow."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from controller.cli._common import (
    add_desired_state,
    add_output,
    add_settings,
    load_inputs,
    print_json,
)


def register(commands: Any) -> None:
    parser = commands.add_parser("validate", help="check a desired state; exit 1 if invalid")
    add_desired_state(parser)
    add_settings(parser)
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    inputs = load_inputs(args, count=True, reaches_aws=False)
    if inputs is None:
        return 1
    state, _ = inputs
    if args.output == "json":
        kinds = Counter(placed.obj.kind for placed in state.sources.values())
        print_json({"valid": True, "objects": dict(sorted(kinds.items())), "problems": []})
    else:
        print(state.summary())
    return 0
