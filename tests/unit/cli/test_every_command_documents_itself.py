"""``ecs-oauth COMMAND --help``: a description, help for every argument, the exit codes
and an example, for every subcommand."""

from __future__ import annotations

import argparse

import pytest

from controller.cli import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


COMMANDS = sorted(subcommands())


@pytest.mark.parametrize("name", COMMANDS)
def test_the_help_has_a_description(name: str) -> None:
    parser = subcommands()[name]

    assert parser.description
    assert parser.description.splitlines()[0] in parser.format_help()


@pytest.mark.parametrize("name", COMMANDS)
def test_the_help_ends_with_exit_codes_and_an_example(name: str) -> None:
    text = subcommands()[name].format_help()

    assert "\nExit codes:\n  0  " in text
    assert "\nExample:\n  ecs-oauth " in text or "\nExample:\n  source " in text
    assert text.index("Exit codes:") < text.index("Example:")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_says_what_it_is(name: str) -> None:
    parser = subcommands()[name]

    undocumented = [a.dest for a in parser._actions if not a.help]

    assert undocumented == []


def test_the_examples_name_their_own_command() -> None:
    for name, parser in subcommands().items():
        assert parser.epilog is not None
        example = parser.epilog.split("Example:\n", 1)[1]
        assert f"ecs-oauth {name}" in example, name


def test_the_epilog_keeps_its_layout() -> None:
    text = subcommands()["plan"].format_help()

    assert "\n  2  with --detailed-exitcode: there are changes\n" in text
