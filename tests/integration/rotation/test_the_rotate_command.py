"""``ecs-oauth rotate SERVICE -f PATH``: what a person running it sees."""

from __future__ import annotations

import json
import re

from tests.integration.converge.conftest import explain

from ._view import PHASE_TAG, credentials_at, rotation_tags, token_status
from .conftest import BLUE_GREEN, COGNITO, Rotating


def test_rotate_prints_each_phase_as_it_completes(rotating: Rotating) -> None:
    result = rotating.cli("rotate", COGNITO)

    assert result.returncode == 0, explain(result)
    lines = result.stdout.splitlines()
    assert lines[:6] + lines[7:] == [
        f"Rotation of {COGNITO} started.",
        "create: done",
        "set: done",
        "test: done",
        "finish: done",
        "rollout: done",
        "revoke: done",
        f"Rotation of {COGNITO} complete.",
    ]
    # Not a terminal: one line for the wait, saying until when (a terminal gets a countdown).
    assert re.fullmatch(
        r"revoke: waiting 1s, until (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC "
        r"\(gracePeriod before the old credential is revoked\)",
        lines[6],
    )
    assert result.stderr == ""


def test_rotate_no_wait_stops_after_the_rollout_and_leaves_revoke_to_the_daemon(
    rotating: Rotating,
) -> None:
    old = credentials_at(rotating.world, BLUE_GREEN)

    result = rotating.cli("rotate", BLUE_GREEN, "--no-wait")

    assert result.returncode == 0, explain(result)
    assert result.stdout.splitlines()[-1] == (
        f"Rollout of {BLUE_GREEN} complete; the daemon revokes the old credential "
        "once gracePeriod has passed."
    )
    assert rotation_tags(rotating.world, BLUE_GREEN)[PHASE_TAG] == "revoke"
    assert token_status(old) == 200
    assert token_status(credentials_at(rotating.world, BLUE_GREEN)) == 200


def test_rotate_of_a_service_the_desired_state_lacks_is_a_one_line_error(
    rotating: Rotating,
) -> None:
    result = rotating.cli("rotate", "nope")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"error: no Service named nope in {rotating.cli.folder}\n"


def test_rotate_with_json_output_prints_each_step_as_an_object_of_its_own(
    rotating: Rotating,
) -> None:
    result = rotating.cli("rotate", COGNITO, "-o", "json")

    assert result.returncode == 0, explain(result)
    steps = [json.loads(line) for line in result.stdout.splitlines()]
    assert {step["service"] for step in steps} == {COGNITO}
    events = [(step["event"], step.get("phase")) for step in steps]
    assert events == [
        ("started", None),
        *[("phaseDone", phase) for phase in ("create", "set", "test", "finish", "rollout")],
        ("waiting", "revoke"),
        ("phaseDone", "revoke"),
        ("complete", None),
    ]
    waiting = steps[6]
    assert waiting["until"].endswith("Z")
    assert waiting["why"] == "gracePeriod before the old credential is revoked"


def test_rotate_with_json_output_reports_an_unknown_service_as_a_problem(
    rotating: Rotating,
) -> None:
    result = rotating.cli("rotate", "nope", "-o", "json")

    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "problems": [{"message": f"no Service named nope in {rotating.cli.folder}"}]
    }
