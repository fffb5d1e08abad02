"""Events first, polling as the safety net: with ``events.queueUrl`` and a resync of an
hour, a CloudTrail event (as EventBridge puts it in SQS) gets the object it touched
reconciled within seconds, and the drift alert names who made the change. The
controller's own writes are skipped; a message that is no such event is logged and
deleted."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.harness.cloudtrail import ALICE, ALICE_IP, body
from tests.harness.daemon import RunningDaemon
from tests.integration.converge._live import latest_task_definition, register_revision
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # a daemon per test

FOREIGN_ROLE = "arn:aws:iam::123456789012:role/someone-elses-role"
BOUND_SECONDS = 5.0  # an event's object is corrected within this
SETTLE_SECONDS = 3.0  # the first cycle's verifying reconciles (2 s after its writes) are done


def start_with_events(setup: Setup, resync: str = "1h") -> tuple[RunningDaemon, Any, str]:
    sqs = setup.world.client("sqs")
    url: str = sqs.create_queue(QueueName="ecs-oauth-events")["QueueUrl"]
    daemon = setup.start(f"resyncInterval={resync}", f"events.queueUrl={url}")
    daemon.wait_ready()
    daemon.wait_for(event("events_listening"))
    time.sleep(SETTLE_SECONDS)
    return daemon, sqs, url


def registered(family: str, **identity: Any) -> str:
    return body(
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {"family": family, "containerDefinitions": [{"name": "app", "image": "app:1"}]},
        {"taskDefinition": {"family": family, "revision": 9}},
        **identity,
    )


def task_role(setup: Setup, family: str) -> str:
    definition, _ = latest_task_definition(setup.world, family)
    return str(definition["taskRoleArn"])


def queue_is_empty(sqs: Any, url: str) -> bool:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(attributes[name] == "0" for name in names)


def test_an_event_gets_its_drift_corrected_within_seconds_naming_who_made_it(
    setup: Setup,
) -> None:
    daemon, sqs, url = start_with_events(setup)
    ours = task_role(setup, "orders-api")

    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)
    setup.world.moto.clear_journal()
    sqs.send_message(QueueUrl=url, MessageBody=registered("orders-api"))
    sent = time.monotonic()
    while task_role(setup, "orders-api") != ours:
        assert time.monotonic() - sent < BOUND_SECONDS, daemon.output()
        time.sleep(0.1)

    received = daemon.wait_for(event("event_received", event_name="RegisterTaskDefinition"))
    assert received["objects"] == ["Service/orders-api"]
    setup.chat.wait_for(2, timeout=10)  # the drift, to Slack and to the webhook
    [drift] = [b for b in setup.webhook() if b["kind"] == "drift"]
    assert drift["object"] == "Service/orders-api"
    assert drift["paths"] == ["taskRoleArn"]
    assert drift["actor"] == f"{ALICE} from {ALICE_IP}"
    assert f"Changed by {ALICE} from {ALICE_IP}." in str(drift["text"])
    [slack] = [b for b in setup.slack() if "Drift" in str(b["text"])]
    assert ALICE in str(slack["text"])
    daemon.wait_until(lambda: queue_is_empty(sqs, url), 10, "the event was deleted")
    cycles = [e for e in daemon.events if e.get("event") == "cycle_started"]
    assert [e["full"] for e in cycles] == [True]  # the start's: events go beside the cycles
    queued = daemon.wait_for(event("changed_objects_queued"))
    assert queued["objects"] == ["Service/orders-api"]
    # One object's reconcile reads its own role alone, not every role of the account.
    operations = {call["operation"] for call in setup.world.moto.journal()}
    assert "GetAccountAuthorizationDetails" not in operations
    assert "GetRole" in operations


def test_an_event_is_not_held_up_by_a_resync_whose_batch_read_is_slow(setup: Setup) -> None:
    """A resync's batch reads take seconds at thousands of objects (IAM pages through every
    role): the event's object is corrected while the resync still waits for them."""
    daemon, sqs, url = start_with_events(setup, resync="3s")
    ours = task_role(setup, "orders-api")
    moto = setup.world.moto
    moto.clear_journal()
    read = "GetAccountAuthorizationDetails"
    before = moto.calls().get(read, 0)
    moto.slow_down(read, 25)

    def held() -> bool:  # it arrived (counted), and is not answered yet (journaled)
        answered = any(c["operation"] == read for c in moto.journal())
        return moto.calls().get(read, 0) > before and not answered

    daemon.wait_until(held, 15, "a resync reads IAM, slowly")
    register_revision(setup.world, "orders-api", taskRoleArn=FOREIGN_ROLE)
    sqs.send_message(QueueUrl=url, MessageBody=registered("orders-api"))
    daemon.wait_until(lambda: task_role(setup, "orders-api") == ours, 15, "the drift corrected")
    assert held(), "corrected only once the resync's batch read was done"
    setup.chat.wait_for(2, timeout=10)
    assert [b["object"] for b in setup.webhook() if b["kind"] == "drift"] == ["Service/orders-api"]


def test_our_own_writes_are_skipped_and_a_malformed_message_is_logged_and_deleted(
    setup: Setup,
) -> None:
    daemon, sqs, url = start_with_events(setup)
    own = setup.world.client("sts").get_caller_identity()["Arn"]
    after = len(daemon.events)

    sqs.send_message(QueueUrl=url, MessageBody=registered("orders-api", actor=own))
    sqs.send_message(QueueUrl=url, MessageBody="this is not an EventBridge event")
    skipped = daemon.wait_for(event("event_ignored", reason="own-write"), after=after)
    assert skipped["actor"] == own
    malformed = daemon.wait_for(event("event_malformed"), after=after)
    assert "not JSON" in malformed["error"]

    daemon.wait_until(lambda: queue_is_empty(sqs, url), 10, "both messages were deleted")
    time.sleep(1.0)
    assert not [e for e in daemon.events[after:] if e.get("event") == "cycle_started"]
    assert not [b for b in setup.webhook() if b["kind"] == "drift"]
    _, metrics = daemon.get("/metrics")
    assert 'ecs_oauth_change_events_total{outcome="own-write"} 1.0' in metrics
    assert 'ecs_oauth_change_events_total{outcome="malformed"} 1.0' in metrics
