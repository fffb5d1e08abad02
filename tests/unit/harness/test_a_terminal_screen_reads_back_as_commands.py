"""A tmux screen read back: where each typed command ends, what it printed, its exit code."""

from __future__ import annotations

from tests.harness.terminal import Step, at_prompt, transcript

SCREEN = """\
exit=0 $ source .venv/bin/activate   # a comment typed too
(.venv) exit=0 $ ecs-oauth apply --prune
Do you want to perform these actions? Only 'yes' will be accepted to approve.
  Enter a value: yes
Apply complete: 0 created, 0 updated, 2 deleted
(.venv) exit=0 $
(.venv) exit=0 $ ecs-oauth doctor orders-api
FAIL  secret  missing
(.venv) exit=1 $ ecs-oauth wait --for=Ready


"""


def test_each_command_runs_to_the_next_prompt_which_shows_its_exit_code() -> None:
    steps = transcript(SCREEN)

    assert steps[:3] == [
        Step("source .venv/bin/activate   # a comment typed too", (), 0),
        Step(
            "ecs-oauth apply --prune",
            (
                "Do you want to perform these actions? Only 'yes' will be accepted to approve.",
                "  Enter a value: yes",
                "Apply complete: 0 created, 0 updated, 2 deleted",
            ),
            0,
        ),
        Step("ecs-oauth doctor orders-api", ("FAIL  secret  missing",), 1),
    ]


def test_a_command_no_prompt_followed_yet_is_still_running() -> None:
    last = transcript(SCREEN)[-1]

    assert (last.command, last.lines, last.exit_code) == ("ecs-oauth wait --for=Ready", (), None)


def test_the_shell_waits_for_a_command_only_at_an_empty_prompt() -> None:
    assert not at_prompt(SCREEN)
    assert at_prompt(SCREEN + "Ready\n(.venv) exit=0 $ \n\n")
    assert not at_prompt("exit=0 $ ecs-oauth pl")
    assert not at_prompt("")
