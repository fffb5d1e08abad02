"""The listener against a fake SQS: one cycle asked for all keys of a batch, the actor
remembered, every message deleted in one batch whatever it held, AWS failures retried
without ending the task, and a standby receiving nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from controller.config import Settings, load_desired
from controller.events import ChangeEvents, LastActors, managed_index
from controller.events import _listener as listener
from tests.harness.cloudtrail import ALICE, ALICE_IP, CONTROLLER_SESSION, body

ROOT = Path(__file__).resolve().parents[3]
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/ecs-oauth-events"
ECS = "ecs.amazonaws.com"


class FakeClient:
    """The few aiobotocore calls the listener makes, answered from scripts."""

    def __init__(self, batches: list[list[str] | Exception]) -> None:
        self.batches = batches
        self.received = 0
        self.deleted: list[list[dict[str, str]]] = []

    async def get_caller_identity(self) -> dict[str, Any]:
        return {"Arn": CONTROLLER_SESSION}

    async def receive_message(self, **params: Any) -> dict[str, Any]:
        assert params == {"QueueUrl": URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20}
        self.received += 1
        if not self.batches:
            await asyncio.sleep(3600)
        batch = self.batches.pop(0)
        if isinstance(batch, Exception):
            raise batch
        return {
            "Messages": [
                {"MessageId": f"m{n}", "ReceiptHandle": f"r{n}", "Body": text}
                for n, text in enumerate(batch)
            ]
        }

    async def delete_message_batch(self, **params: Any) -> dict[str, Any]:
        self.deleted.append(params["Entries"])
        return {"Successful": [{"Id": e["Id"]} for e in params["Entries"]], "Failed": []}


class FakeAws:
    def __init__(self, client: FakeClient) -> None:
        self._client = client

    def client(self, service: str) -> FakeClient:
        return self._client


def listen(
    client: FakeClient, *, leader: bool = True
) -> tuple[ChangeEvents, list[set[str]], LastActors]:
    state = load_desired(ROOT / "examples", Settings())
    wanted: list[set[str]] = []
    actors = LastActors()
    events = ChangeEvents(
        FakeAws(client),  # type: ignore[arg-type]
        URL,
        index=lambda: managed_index(state),
        want=wanted.append,
        leader=lambda: leader,
        actors=actors,
    )
    return events, wanted, actors


async def until(check: Callable[[], bool]) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within 5 s")


async def test_a_batch_asks_for_one_cycle_remembers_who_and_deletes_everything() -> None:
    batch = [
        body(ECS, "RegisterTaskDefinition", {"family": "orders-api"}),
        body(ECS, "UpdateService", {"cluster": "prod", "service": "stock-sync"}),
        body(ECS, "RegisterTaskDefinition", {"family": "orders-api"}, actor=CONTROLLER_SESSION),
        body(ECS, "RegisterTaskDefinition", {"family": "unmanaged"}),
        "{not json",
    ]
    client = FakeClient([batch])
    events, wanted, actors = listen(client)
    task = asyncio.create_task(events.run())
    await until(lambda: bool(client.deleted))
    task.cancel()
    assert wanted == [{"Service/orders-api", "Service/stock-sync"}]
    assert [e["ReceiptHandle"] for e in client.deleted[0]] == [f"r{n}" for n in range(5)]
    assert actors.take("Service/orders-api", time.monotonic()) == f"{ALICE} from {ALICE_IP}"


async def test_a_failing_queue_is_retried_and_never_ends_the_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listener, "backoff", lambda failures: 0.0)
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ReceiveMessage")
    client = FakeClient([denied, denied, [body(ECS, "DeleteService", {"service": "orders-api"})]])
    events, wanted, _ = listen(client)
    task = asyncio.create_task(events.run())
    await until(lambda: bool(client.deleted))
    assert not task.done()
    task.cancel()
    assert client.received >= 3
    assert wanted == []  # orders-api in the default cluster is not the managed one


async def test_a_standby_leaves_the_queue_to_the_leader() -> None:
    client = FakeClient([[body(ECS, "RegisterTaskDefinition", {"family": "orders-api"})]])
    events, wanted, _ = listen(client, leader=False)
    task = asyncio.create_task(events.run())
    await asyncio.sleep(0.2)
    task.cancel()
    assert client.received == 0
    assert wanted == []
