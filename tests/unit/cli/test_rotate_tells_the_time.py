"""What ``ecs-oauth rotate`` says while it waits and when it is interrupted."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from controller.cli._rotate import _wait, clock, countdown_line, interrupted_text, waiting_line

NOW = datetime(2026, 12, 3, 10, 30, 0, tzinfo=UTC)


class TestWaiting:
    def test_a_wait_says_how_long_and_until_when(self) -> None:
        line = waiting_line("revoke", timedelta(minutes=59, seconds=59), NOW, "gracePeriod")

        assert line == "revoke: waiting 59m59s, until 11:29:59 UTC (gracePeriod)"

    def test_a_wait_past_midnight_names_the_date(self) -> None:
        assert clock(NOW + timedelta(hours=14), NOW) == "2026-12-04 00:30:00 UTC"

    def test_the_countdown_counts_down_to_the_same_absolute_time(self) -> None:
        until = NOW + timedelta(minutes=2)

        assert countdown_line(until, NOW + timedelta(seconds=5)) == (
            "  1m55s left, until 10:32:00 UTC; Ctrl-C stops waiting"
        )

    def test_an_overdue_wait_shows_zero(self) -> None:
        assert countdown_line(NOW, NOW + timedelta(seconds=3)).startswith("  0s left")


class TestInterrupted:
    def test_in_enforce_mode_the_daemon_finishes_it(self) -> None:
        text = interrupted_text("orders-api", "revoke", detect=False)

        assert text == (
            "Interrupted. The rotation of orders-api is saved in AWS at phase revoke (the "
            "secret's stages and tags) and will be finished: the daemon finishes it at its "
            "next reconcile of Service/orders-api, or run `ecs-oauth rotate orders-api` again "
            "to finish it now."
        )

    def test_in_detect_mode_only_the_command_finishes_it(self) -> None:
        text = interrupted_text("stock-sync", "rollout", detect=True)

        assert "saved in AWS at phase rollout" in text
        assert "detect mode, where the daemon does not rotate" in text
        assert text.endswith("run `ecs-oauth rotate stock-sync` again to finish it.")

    def test_before_any_phase_it_does_not_name_one(self) -> None:
        assert "saved in AWS, as far as it got" in interrupted_text("x", None, detect=False)


class TestTheCountdown:
    def test_a_terminal_sees_it_rewritten_in_place_and_cleared_at_the_end(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        asyncio.run(_wait(timedelta(seconds=1.5), tty=True))

        out = capsys.readouterr().out
        frames = out.split("\r\033[K")
        assert frames[0] == ""
        assert re.fullmatch(
            r"  [12]s left, until \d\d:\d\d:\d\d UTC; Ctrl-C stops waiting", frames[1]
        )
        assert len(frames) >= 3  # rewritten at least once, each second
        assert frames[-1] == ""  # the line is left empty for what comes next
        assert "\n" not in out

    def test_a_pipe_sees_no_countdown(self, capsys: pytest.CaptureFixture[str]) -> None:
        asyncio.run(_wait(timedelta(seconds=0.1), tty=False))

        assert capsys.readouterr().out == ""
