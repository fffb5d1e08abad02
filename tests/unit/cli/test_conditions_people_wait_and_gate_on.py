"""``status --exit-code`` and ``wait``: what a ``/status`` document says about the conditions
people gate a pipeline on. Pure: fed documents shaped like the daemon's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from controller.cli._conditions import (
    Unmet,
    Wanted,
    parse_object,
    parse_wanted,
    unhealthy,
    unmet,
)
from controller.cli._wait import timeout_line

CYCLE = {"startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:00:01Z"}
VALID = {
    "type": "DesiredStateValid",
    "status": "True",
    "reason": "DesiredStateValid",
    "message": "the desired state is valid",
}


def condition(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason or type_, "message": message}


def obj(key: str, ready: str = "True", drifted: str = "False", **why: str) -> dict[str, Any]:
    kind, name = key.split("/")
    return {
        "kind": kind,
        "name": name,
        "conditions": [
            condition("Ready", ready, why.get("ready_reason", ""), why.get("ready_message", "")),
            condition("Synced", "True"),
            condition(
                "Drifted", drifted, why.get("drift_reason", ""), why.get("drift_message", "")
            ),
        ],
    }


def status(
    *objects: dict[str, Any], cycle: object = CYCLE, valid: object = VALID
) -> dict[str, Any]:
    return {
        "controller": {"id": "default", "lastCycle": cycle, "conditions": [valid]},
        "objects": list(objects),
    }


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Ready", Wanted("Ready", "True")),
            ("ready", Wanted("Ready", "True")),
            ("condition=Ready", Wanted("Ready", "True")),
            ("condition=Drifted=False", Wanted("Drifted", "False")),
            ("condition=synced=true", Wanted("Synced", "True")),
        ],
    )
    def test_kubectl_s_forms_of_a_condition_are_read(self, text: str, wanted: Wanted) -> None:
        assert parse_wanted(text) == wanted

    @pytest.mark.parametrize("text", ["Healthy", "condition=Ready=maybe", "condition="])
    def test_a_condition_nobody_reports_is_refused_with_the_forms_that_work(
        self, text: str
    ) -> None:
        with pytest.raises(ValueError, match="expected Ready") as raised:
            parse_wanted(text)
        assert str(raised.value) == (
            f"{text!r}: expected Ready, or condition=TYPE[=True|False] with TYPE one of "
            "Ready, Synced, Drifted (say, --for=condition=Drifted=False)"
        )

    def test_an_object_is_kind_slash_name_whatever_the_kind_s_case(self) -> None:
        assert parse_object("service/orders-api") == "Service/orders-api"
        with pytest.raises(ValueError, match="expected KIND/NAME") as raised:
            parse_object("orders-api")
        assert str(raised.value) == (
            "'orders-api': expected KIND/NAME with KIND one of "
            "IdentityProvider, Scope, Role, Service"
        )


class TestWait:
    def test_nothing_is_met_before_the_first_cycle(self) -> None:
        assert unmet(status(obj("Service/a"), cycle=None), Wanted("Ready", "True"), []) == [
            Unmet("controller", "FirstCycle", "the daemon's first cycle is under way")
        ]

    def test_every_object_is_waited_for_when_none_is_named(self) -> None:
        document = status(
            obj("Service/a"),
            obj("Service/b", ready="False", ready_reason="NotCreated", ready_message="detect"),
        )
        assert unmet(document, Wanted("Ready", "True"), []) == [
            Unmet("Service/b", "NotCreated", "detect")
        ]
        assert unmet(document, Wanted("Ready", "True"), ["Service/a"]) == []

    def test_an_object_the_daemon_does_not_report_is_not_met(self) -> None:
        assert unmet(status(obj("Service/a")), Wanted("Ready", "True"), ["Role/x"]) == [
            Unmet("Role/x", "NotReported", "the daemon reports no such object")
        ]

    def test_a_false_condition_can_be_waited_for(self) -> None:
        drifted = obj("Service/a", drifted="True", drift_reason="DriftDetected", drift_message="x")
        assert unmet(status(drifted), Wanted("Drifted", "False"), []) == [
            Unmet("Service/a", "DriftDetected", "x")
        ]
        assert unmet(status(obj("Service/a")), Wanted("Drifted", "False"), []) == []

    def test_the_timeout_line_names_the_first_few_and_counts_the_rest(self) -> None:
        missing = [Unmet(f"Service/s{i}", "NotCreated", "detect mode") for i in range(5)]
        assert timeout_line(Wanted("Ready", "True"), timedelta(minutes=5), missing) == (
            "error: timed out after 5m waiting for Ready=True; not met: "
            "Service/s0 (NotCreated: detect mode); Service/s1 (NotCreated: detect mode); "
            "Service/s2 (NotCreated: detect mode); and 2 more"
        )


class TestStatusExitCode:
    def test_all_ready_in_sync_and_valid_is_healthy(self) -> None:
        assert unhealthy(status(obj("Service/a"), obj("Role/r"))) == []

    def test_not_ready_drifted_and_an_invalid_desired_state_each_count(self) -> None:
        invalid = {
            **VALID,
            "status": "False",
            "reason": "DesiredStateInvalid",
            "message": "1 error",
        }
        document = status(
            obj("Service/a", ready="False", ready_reason="AccessDenied", ready_message="iam"),
            obj("Service/b", drifted="True", drift_reason="DriftCorrected", drift_message="td"),
            valid=invalid,
        )
        assert unhealthy(document) == [
            Unmet("controller", "DesiredStateInvalid", "1 error"),
            Unmet("Service/a", "AccessDenied", "iam"),
            Unmet("Service/b", "DriftCorrected", "td"),
        ]

    def test_a_daemon_still_in_its_first_cycle_is_not_yet_healthy(self) -> None:
        assert unhealthy(status(cycle=None)) == [
            Unmet("controller", "FirstCycle", "the daemon's first cycle is under way")
        ]
