"""Options and steps that plan, apply, rotate and run share."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from controller.cli._handoff import (
    DESIRED_VARIABLE,
    NO_DESIRED_STATE,
    VALUES_VARIABLE,
    desired_default,
    sandbox_mismatch,
    values_default,
)
from controller.config import Settings, load_desired, load_settings
from controller.desired import DesiredState, DesiredStateError


def add_desired_state(parser: argparse.ArgumentParser) -> None:
    """``-f PATH``, by default ``$ECS_OAUTH_DESIRED``; commands refuse with
    :data:`NO_DESIRED_STATE` when neither is there."""
    parser.add_argument(
        "-f",
        "--file",
        dest="path",
        type=Path,
        default=desired_default(os.environ),
        metavar="PATH",
        help=f"the desired state: a YAML file or a folder of them (default: ${DESIRED_VARIABLE})",
    )


def add_settings(parser: argparse.ArgumentParser, *, from_environment: bool = True) -> None:
    """``--values`` and ``--set``; ``--values`` files come after those in
    ``$ECS_OAUTH_VALUES`` unless ``from_environment`` is off."""
    after = f"; after those in ${VALUES_VARIABLE}" if from_environment else ""
    parser.add_argument(
        "--values",
        action="append",
        type=Path,
        default=values_default(os.environ) if from_environment else [],
        metavar="FILE",
        help=f"a values file (repeatable; later files win{after})",
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


def add_output(parser: argparse.ArgumentParser, *more: str) -> None:
    """``--output``/``-o``: text or json, and any ``more`` formats the command renders."""
    choices = ("text", "json", *more)
    parser.add_argument(
        "--output",
        "-o",
        choices=choices,
        default="text",
        help="text (default), " + ", ".join(choices[1:]),
    )


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
    args: argparse.Namespace, *, count: bool = False, reaches_aws: bool = True
) -> tuple[DesiredState, Settings] | None:
    """Desired state and settings, or None after printing every problem with them (and
    their number, with ``count``). Settings come first: admitting the state needs them.
    A command that ``reaches_aws`` also refuses a desired state foreign to the sandbox
    it would talk to."""
    if args.path is None:
        print(NO_DESIRED_STATE, file=sys.stderr)
        return None
    assignments = list(args.assignments)
    if getattr(args, "prune", False):
        assignments.append("prune.enabled=true")
    try:
        settings = load_settings(args.values, assignments)
        state = load_desired(args.path, settings)
    except DesiredStateError as exc:
        print_diagnostics(exc, count=count, as_json=wants_json(args))
        return None
    if reaches_aws and (mismatch := sandbox_mismatch(state, os.environ)) is not None:
        print(mismatch, file=sys.stderr)
        return None
    return state, settings
