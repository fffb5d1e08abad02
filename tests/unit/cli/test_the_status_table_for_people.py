"""``ecs-oauth status`` as a person reads it: SINCE is the latest transition, colour says
what is fine, and a daemon that is down comes with how to start it."""

from __future__ import annotations

import argparse
import socket
from datetime import UTC, datetime

import pytest

from controller.cli._status import render_table, run_status
from controller.cli._style import COLOUR

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def condition(type_: str, status: str, at: str, reason: str = "R") -> dict[str, str]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": "",
        "lastTransitionTime": at,
    }


def document(*conditions: dict[str, str]) -> dict[str, object]:
    return {
        "controller": {"id": "default", "conditions": []},
        "objects": [{"kind": "Service", "name": "orders-api", "conditions": list(conditions)}],
    }


def row(table: str) -> list[str]:
    return table.splitlines()[2].split()


class TestSince:
    def test_it_is_the_age_of_the_latest_transition_of_any_condition(self) -> None:
        status = document(
            condition("Ready", "True", "2026-11-29T11:00:00Z"),
            condition("Synced", "True", "2026-11-29T11:00:00Z"),
            condition("Drifted", "False", "2026-11-29T11:59:30Z"),
        )

        assert row(render_table(status, now=NOW))[4] == "30s"

    def test_without_any_transition_time_it_is_a_dash(self) -> None:
        status = document({"type": "Ready", "status": "True", "reason": "R", "message": ""})

        assert row(render_table(status, now=NOW))[2] == "-"


class TestColour:
    def test_fine_conditions_are_green_and_broken_ones_red_or_yellow_for_drift(self) -> None:
        status = document(
            condition("Ready", "True", "2026-11-29T11:00:00Z"),
            condition("Synced", "False", "2026-11-29T11:00:00Z"),
            condition("Drifted", "True", "2026-11-29T11:00:00Z"),
        )

        line = render_table(status, now=NOW, style=COLOUR).splitlines()[2]

        assert "\033[32mTrue \033[0m" in line
        assert "\033[31mFalse \033[0m" in line
        assert "\033[33mTrue   \033[0m" in line

    def test_colour_keeps_the_columns_where_plain_text_has_them(self) -> None:
        status = document(condition("Ready", "False", "2026-11-29T11:00:00Z"))

        plain = render_table(status, now=NOW).splitlines()
        painted = render_table(status, now=NOW, style=COLOUR).splitlines()

        stripped = [line.replace("\033[31m", "").replace("\033[0m", "") for line in painted]
        assert stripped == plain

    def test_the_header_stays_plain(self) -> None:
        status = document(condition("Ready", "True", "2026-11-29T11:00:00Z"))

        assert "\033[" not in render_table(status, now=NOW, style=COLOUR).splitlines()[1]


def test_a_daemon_that_is_down_comes_with_how_to_start_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request: nothing listens
    args = argparse.Namespace(
        url=f"http://127.0.0.1:{port}", output="text", targets=[], labels=[], exit_code=False
    )

    code = run_status(args)

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"error: cannot reach the daemon at http://127.0.0.1:{port}: ")
    assert "start it with `ecs-oauth run -f PATH`" in err
    assert "--url URL or $ECS_OAUTH_URL" in err
