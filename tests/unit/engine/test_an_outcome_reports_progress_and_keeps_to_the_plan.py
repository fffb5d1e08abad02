"""The seams an apply uses: progress told when each write starts and ends, and a write the
plan being applied does not hold stopped before it is made."""

from __future__ import annotations

import pytest

from controller.engine._outcome import NotInPlan, Outcome
from controller.plan import Change


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, str | None]] = []

    def started(self, change: Change) -> None:
        self.events.append(("started", change.id, None))

    def finished(self, change: Change, seconds: float, failure: str | None) -> None:
        assert seconds >= 0
        self.events.append(("finished", change.id, failure))


def test_a_write_ends_when_the_next_step_begins() -> None:
    progress = Recorder()
    outcome = Outcome("Service/a", writes=True, progress=progress)

    assert outcome.change("ecs:task-definition", "a", "update")
    outcome.at("ecs:service")

    assert progress.events == [("started", "a", None), ("finished", "a", None)]


def test_a_problem_on_the_resource_being_written_is_its_failure() -> None:
    progress = Recorder()
    outcome = Outcome("Service/a", writes=True, progress=progress)

    outcome.change("iam:role", "ecs-oauth-a-exec", "create")
    outcome.problem("iam:role", "a", "AccessDenied", "no")

    assert progress.events[-1] == ("finished", "ecs-oauth-a-exec", "AccessDenied")


def test_nothing_is_told_of_changes_that_are_not_made() -> None:
    progress = Recorder()
    plan = Outcome("Service/a", writes=False, progress=progress)
    detect = Outcome("Service/b", writes=False, withheld="detect", progress=progress)

    assert not plan.change("ecs:task-definition", "a", "update")
    assert not detect.change("ecs:task-definition", "b", "update")

    assert progress.events == []
    assert detect.changes[0].withheld == "detect"


def test_a_write_the_plan_does_not_hold_is_stopped_and_not_counted() -> None:
    outcome = Outcome("Service/a", writes=True, allowed=lambda change: change.id == "ok")

    assert outcome.change("ecs:task-definition", "ok", "update")
    with pytest.raises(NotInPlan, match="ecs:service prod/a \\(update\\) is not in the plan"):
        outcome.change("ecs:service", "prod/a", "update")

    assert [change.id for change in outcome.changes] == ["ok"]
