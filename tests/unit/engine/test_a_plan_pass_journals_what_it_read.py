"""Every read an adapter answers during a pass is digested under the object being
reconciled; answers are reduced to what decides something, and failures count too."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from controller.aws import AwsError
from controller.engine._ecs_service import verdict_inputs
from controller.engine._reads import ReadJournal, Recorded, reading_for, whole

SERVICE = {
    "serviceArn": "arn:aws:ecs:us-east-1:1:service/prod/a",
    "status": "ACTIVE",
    "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/a:3",
    "runningCount": 2,
    "events": [{"message": "has reached a steady state"}],
    "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}],
}


class Adapter:
    def __init__(self) -> None:
        self.answers: dict[str, Any] = {"a": {"v": 1}, "b": {"v": 2}}

    async def read(self, name: str) -> Any:
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def write(self, name: str) -> None:
        self.answers[name] = {"v": 99}


def reads_of(adapter: Adapter, *calls: tuple[str, str]) -> dict[str, dict[str, str]]:
    journal = ReadJournal()
    recorded = Recorded(adapter, {"read": ("thing", whole)}, journal, "at here")

    async def run() -> None:
        for key, name in calls:
            token = reading_for.set(key)
            try:
                await recorded.read(name)
            except AwsError:
                pass
            finally:
                reading_for.reset(token)

    asyncio.run(run())
    return journal.reads()


def test_reads_are_kept_per_object_under_a_label_naming_what_was_read() -> None:
    reads = reads_of(Adapter(), ("Service/x", "a"), ("Role/y", "b"))

    assert set(reads) == {"Service/x", "Role/y"}
    assert set(reads["Service/x"]) == {"thing a at here"}


def test_the_same_answers_give_the_same_digests() -> None:
    calls = (("Service/x", "a"), ("Role/y", "b"))

    assert reads_of(Adapter(), *calls) == reads_of(Adapter(), *calls)


def test_a_changed_answer_changes_only_its_own_digest() -> None:
    changed = Adapter()
    changed.answers["b"] = {"v": 3}
    calls = (("Service/x", "a"), ("Role/y", "b"))

    before, after = reads_of(Adapter(), *calls), reads_of(changed, *calls)

    assert before["Service/x"] == after["Service/x"]
    assert before["Role/y"] != after["Role/y"]


def test_a_failed_read_is_journaled_by_its_code() -> None:
    failing = Adapter()
    failing.answers["a"] = AwsError("DescribeServices", "ClusterNotFoundException", "req 1")
    other = Adapter()
    other.answers["a"] = AwsError("DescribeServices", "ClusterNotFoundException", "req 2")

    assert reads_of(failing, ("Service/x", "a")) == reads_of(other, ("Service/x", "a"))
    assert reads_of(failing, ("Service/x", "a")) != reads_of(Adapter(), ("Service/x", "a"))


def test_methods_that_are_not_reads_pass_through_unjournaled() -> None:
    adapter = Adapter()
    journal = ReadJournal()

    asyncio.run(Recorded(adapter, {"read": ("thing", whole)}, journal).write("a"))

    assert adapter.answers["a"] == {"v": 99}
    assert journal.reads() == {}


@pytest.mark.parametrize(
    "moves",
    [
        {"runningCount": 3},
        {"events": []},
        {"deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED"}]},
    ],
)
def test_what_an_ecs_service_does_by_itself_is_not_read_as_a_change(moves: dict[str, Any]) -> None:
    assert verdict_inputs({**SERVICE, **moves}) == verdict_inputs(SERVICE)


@pytest.mark.parametrize(
    "moves",
    [
        {"taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/a:4"},
        {"status": "DRAINING"},
        {"deployments": [{"id": "ecs-svc/1", "rolloutState": "FAILED"}]},
    ],
)
def test_what_the_controller_decides_on_is(moves: dict[str, Any]) -> None:
    assert verdict_inputs({**SERVICE, **moves}) != verdict_inputs(SERVICE)
