"""What ``ecs-oauth doctor`` prints: one line per check with its fix below, the tally
last, colour on a terminal, and the same as a JSON document with ``-o json``."""

from __future__ import annotations

import json

from controller.cli._doctor import render_report, report_document
from controller.cli._doctor_checks import ENFORCE, Check, Remedy
from controller.cli._style import COLOUR

CHECKS = [
    Check("secret", "PASS", "ecs-oauth/orders-api readable"),
    Check("task-role", "FAIL", "orders-api:7 runs as intruder", "run ecs-oauth apply: it ..."),
    Check("deployment", "SKIP", "not checked: needs a token"),
]


class TestText:
    def test_each_check_is_a_line_and_its_fix_is_indented_below(self) -> None:
        assert render_report("orders-api", ENFORCE, CHECKS).splitlines() == [
            "PASS  secret           ecs-oauth/orders-api readable",
            "FAIL  task-role        orders-api:7 runs as intruder",
            "                       fix: run ecs-oauth apply: it ...",
            "SKIP  deployment       not checked: needs a token",
            "3 checks: 1 passed, 1 failed, 1 skipped",
        ]

    def test_pass_is_green_fail_red_skip_yellow_on_a_terminal(self) -> None:
        lines = render_report("orders-api", ENFORCE, CHECKS, COLOUR).splitlines()

        assert lines[0].startswith("\033[32mPASS\033[0m  secret")
        assert lines[1].startswith("\033[31mFAIL\033[0m  task-role")
        assert lines[3].startswith("\033[33mSKIP\033[0m  deployment")

    def test_detect_mode_is_said_first(self) -> None:
        report = render_report("stock-sync", Remedy("stock-sync", detect=True), CHECKS)

        assert report.splitlines()[0] == (
            "Service/stock-sync is in detect mode: the controller reports what is wrong and "
            "corrects nothing"
        )


def test_json_holds_every_check_the_mode_and_the_tally() -> None:
    document = report_document("stock-sync", Remedy("stock-sync", detect=True), CHECKS)

    assert json.loads(json.dumps(document)) == {
        "service": "stock-sync",
        "mode": "detect",
        "ok": False,
        "checks": [
            {
                "name": "secret",
                "status": "PASS",
                "detail": "ecs-oauth/orders-api readable",
                "fix": None,
            },
            {
                "name": "task-role",
                "status": "FAIL",
                "detail": "orders-api:7 runs as intruder",
                "fix": "run ecs-oauth apply: it ...",
            },
            {
                "name": "deployment",
                "status": "SKIP",
                "detail": "not checked: needs a token",
                "fix": None,
            },
        ],
        "summary": {"passed": 1, "failed": 1, "skipped": 1},
    }
