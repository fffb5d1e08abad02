"""The subcommands the CLI's parser knows, for tables that must cover each."""

from __future__ import annotations

import argparse

from controller.cli import build_parser


def command_names() -> set[str]:
    """Every subcommand the parser knows: a new one must join the tables below."""
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(commands.choices)
