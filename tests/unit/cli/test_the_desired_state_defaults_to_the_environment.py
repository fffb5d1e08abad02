"""``-f`` defaults to ``$ECS_OAUTH_DESIRED`` on every command that takes it; with neither,
one line says what to do, and the command exits 1 before reaching anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.cli import build_parser, main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NO_STATE = (
    "error: no desired state: pass -f PATH (a file or a folder), or set ECS_OAUTH_DESIRED "
    "(the env file `ecs-oauth sandbox` prints sets it)\n"
)
TAKING_F = [
    ["validate"],
    ["plan"],
    ["apply", "--auto-approve"],
    ["run"],
    ["rotate", "orders-api"],
    ["token", "orders-api"],
    ["doctor", "orders-api"],
]


@pytest.mark.parametrize("argv", TAKING_F, ids=lambda argv: argv[0])
def test_every_command_takes_the_path_from_the_environment(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECS_OAUTH_DESIRED", str(EXAMPLES))

    assert build_parser().parse_args(argv).path == EXAMPLES


@pytest.mark.parametrize("argv", TAKING_F, ids=lambda argv: argv[0])
def test_an_explicit_f_wins(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECS_OAUTH_DESIRED", "/elsewhere")

    assert build_parser().parse_args([*argv, "-f", str(EXAMPLES)]).path == EXAMPLES


@pytest.mark.parametrize("argv", TAKING_F, ids=lambda argv: argv[0])
def test_with_neither_the_command_says_so_in_one_line(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ECS_OAUTH_DESIRED", raising=False)

    code = main(argv)

    out, err = capsys.readouterr()
    assert (code, out, err) == (1, "", NO_STATE)


def test_validate_reads_the_environment_s_desired_state(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECS_OAUTH_DESIRED", str(EXAMPLES))

    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("18 objects valid")


def test_values_files_from_the_environment_come_before_explicit_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    monkeypatch.setenv("ECS_OAUTH_VALUES", str(first))

    args = build_parser().parse_args(["plan", "--values", str(second)])

    assert args.values == [first, second]


def test_the_sandbox_ignores_the_values_of_an_earlier_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECS_OAUTH_VALUES", "/tmp/gone/cli-values.yaml")

    assert build_parser().parse_args(["sandbox"]).values == []


def test_validate_of_the_examples_is_fine_in_a_sandbox_shell(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate reaches no AWS, so the sandbox's endpoint is no reason to refuse."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:40419")
    monkeypatch.setenv("ECS_OAUTH_SANDBOX", "http://127.0.0.1:40419")

    assert main(["validate", "-f", str(EXAMPLES)]) == 0


@pytest.mark.parametrize("argv", TAKING_F[1:], ids=lambda argv: argv[0])
def test_a_command_that_reaches_aws_refuses_the_examples_in_a_sandbox_shell(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:40419")
    monkeypatch.setenv("ECS_OAUTH_SANDBOX", "http://127.0.0.1:40419")
    monkeypatch.setenv("ECS_OAUTH_DESIRED", "/tmp/s/desired")

    code = main([*argv, "-f", str(EXAMPLES)])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "AWS_ENDPOINT_URL points at the sandbox" in err
    assert err.endswith("use -f $ECS_OAUTH_DESIRED (/tmp/s/desired)\n")
