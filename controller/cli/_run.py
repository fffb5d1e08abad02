"""``ecs-oauth run``: the daemon, with JSON logs on stdout."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from controller.cli._common import add_desired_state, add_settings, print_diagnostics
from controller.config import default_id_refusal, load_settings
from controller.desired import DesiredStateError


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="the reconciling daemon")
    add_desired_state(run)
    add_settings(run)
    run.set_defaults(handler=run_daemon_command)


def run_daemon_command(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.values, args.assignments)
    except DesiredStateError as exc:
        print_diagnostics(exc)
        return 1
    if (refusal := default_id_refusal(settings, os.environ)) is not None:
        print(refusal, file=sys.stderr)
        return 1
    if not args.path.exists():
        print(f"error: {args.path}: no such file or folder", file=sys.stderr)
        return 1
    from controller.cli._preflight import announce
    from controller.daemon import configure_logging, run_daemon

    announce(settings, args.path)
    configure_logging()
    return asyncio.run(run_daemon(args.path, settings))
