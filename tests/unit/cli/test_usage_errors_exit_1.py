"""Every error exits 1, a usage error included, so ``plan --detailed-exitcode``'s 2 only
ever means "changes". argparse's own 2 is replaced, for every subcommand."""

from __future__ import annotations

import json

import pytest

from controller.cli import main
from tests.unit.cli.commands import command_names

COMMANDS = sorted(command_names())


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_prints_usage_and_one_error_line_and_exits_1(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--no-such-option"]) == 1

    *usage, last = capsys.readouterr().err.splitlines()
    assert usage[0].startswith("usage: ecs-oauth")
    # argparse names what is missing first (-f, SERVICE), else the unknown option.
    assert last.startswith("ecs-oauth")
    assert ": error: the following arguments are required: " in last or last.endswith(
        ": error: unrecognized arguments: --no-such-option"
    )


def test_no_command_at_all_is_a_usage_error_that_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 1
    assert capsys.readouterr().err.endswith(
        "ecs-oauth: error: the following arguments are required: COMMAND\n"
    )


def test_a_bad_value_of_wait_s_timeout_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["wait", "--timeout", "5 minutes"]) == 1
    assert capsys.readouterr().err.endswith(
        "ecs-oauth wait: error: argument --timeout: '5 minutes' is not a duration; "
        "write it like '15m', '1h30m' or '30d'\n"
    )


def test_help_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["wait", "--help"])
    assert exited.value.code == 0
    assert "--for CONDITION" in capsys.readouterr().out


@pytest.mark.parametrize("asked", [["-o", "json"], ["--output", "json"], ["--output=json"]])
def test_with_json_asked_for_the_refusal_is_also_a_document_on_stdout(
    asked: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", *asked, "--no-such-option"]) == 1

    printed = capsys.readouterr()
    assert json.loads(printed.out) == {
        "problems": [{"message": "ecs-oauth: unrecognized arguments: --no-such-option"}]
    }
    assert printed.err.startswith("usage: ecs-oauth")


def test_without_json_nothing_is_printed_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--no-such-option"]) == 1
    assert capsys.readouterr().out == ""
