"""``ecs-oauth run``: the daemon. Logs are JSON lines on stdout for log pipelines, or
structlog's console lines when a person watches a terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from controller.cli._common import add_desired_state, add_settings, print_diagnostics
from controller.cli._handoff import NO_DESIRED_STATE, sandbox_mismatch
from controller.cli._style import colour_wanted
from controller.config import Settings, default_id_refusal, load_desired, load_settings
from controller.desired import DesiredStateError

LOG_FORMATS = ("auto", "console", "json")


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="the reconciling daemon")
    add_desired_state(run)
    add_settings(run)
    run.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="auto",
        help="console lines on a terminal, JSON lines otherwise (auto, the default); "
        "or either one always",
    )
    run.set_defaults(handler=run_daemon_command)


def console_logs(log_format: str, tty: bool) -> bool:
    """Whether ``run`` writes console lines rather than JSON."""
    return log_format == "console" or (log_format == "auto" and tty)


def run_daemon_command(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.values, args.assignments)
    except DesiredStateError as exc:
        print_diagnostics(exc)
        return 1
    git = settings.source.git
    if git is not None and args.path is not None:
        both = f"error: -f {args.path} and source.git both name a desired state; give one"
        print(both, file=sys.stderr)
        return 1
    if git is None and (refusal := _folder_refusal(args, settings)) is not None:
        print(refusal, file=sys.stderr)
        return 1
    if (refusal := default_id_refusal(settings, os.environ)) is not None:
        print(refusal, file=sys.stderr)
        return 1
    from controller.cli._preflight import announce
    from controller.daemon import configure_logging, run_daemon

    path = None if git is not None else args.path
    announce(settings, git.url if git is not None else args.path)
    tty = sys.stdout.isatty()
    configure_logging(console=console_logs(args.log_format, tty), colour=colour_wanted(sys.stdout))
    return asyncio.run(run_daemon(path, settings))


def _folder_refusal(args: argparse.Namespace, settings: Settings) -> str | None:
    """Without ``source.git`` the desired state is the folder or file given with -f."""
    if args.path is None:
        return NO_DESIRED_STATE
    if not args.path.exists():
        return f"error: {args.path}: no such file or folder"
    return _sandbox_mismatch(args, settings)


def _sandbox_mismatch(args: argparse.Namespace, settings: Settings) -> str | None:
    """The daemon reports an invalid desired state itself; only a valid one foreign to the
    sandbox it would talk to is refused here."""
    try:
        state = load_desired(args.path, settings)
    except DesiredStateError:
        return None
    return sandbox_mismatch(state, os.environ)
