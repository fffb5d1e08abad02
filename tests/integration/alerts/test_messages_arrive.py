"""Slack and the JSON webhook receive what the formatters promise, over real HTTP."""

from __future__ import annotations

from datetime import datetime

from controller.alerts import (
    Drift,
    Notifier,
    SlackTarget,
    Target,
    WebhookTarget,
    resolved_alert,
    slack_message,
    webhook_document,
)
from tests.harness.chat import ChatReceiver
from tests.integration.alerts._delivery import FAST, Tally, arrived, drift, eventually


async def test_a_drift_reaches_slack_as_text_and_blocks(chat: ChatReceiver, tally: Tally) -> None:
    alert = drift(corrected=False)

    async with Notifier(
        [SlackTarget(chat.slack_url)], on_delivered=tally.delivered.append, retry=FAST
    ) as notifier:
        notifier.post(alert)
        [message] = await arrived(chat, 1)
        await eventually(lambda: tally.delivered == ["slack"], "the delivery is counted")

    assert message.path == "/slack/T000/B000/XXXX"
    assert message.headers["content-type"].startswith("application/json")
    assert message.body == slack_message(alert)
    assert "left alone (detect mode)" in message.body["text"]
    assert "containerDefinitions[app].secrets" in message.body["text"]


async def test_the_webhook_receives_the_json_document(chat: ChatReceiver, tally: Tally) -> None:
    alert = drift()

    async with Notifier(
        [WebhookTarget(chat.webhook_url)], on_delivered=tally.delivered.append, retry=FAST
    ) as notifier:
        notifier.post(alert)
        [message] = await arrived(chat, 1)
        await eventually(lambda: tally.delivered == ["webhook"], "the delivery is counted")

    assert message.path == "/hook"
    body = message.body
    at = datetime.fromisoformat(body["time"])
    assert at.tzinfo is not None
    assert body == webhook_document(alert, at)
    assert (body["kind"], body["action"], body["object"]) == (
        "drift",
        "corrected",
        "Service/orders-api",
    )
    assert body["resources"] == [
        {"resource": "ecs:task-definition", "id": "orders-api", "fields": []}
    ]


async def test_every_target_gets_every_alert_in_order(chat: ChatReceiver, tally: Tally) -> None:
    resolved = resolved_alert(
        [Drift("Service/orders-api", "ecs:task-definition", "orders-api", ("taskRoleArn",), True)]
    )
    targets: list[Target] = [SlackTarget(chat.slack_url), WebhookTarget(chat.webhook_url)]

    async with Notifier(targets, on_delivered=tally.delivered.append, retry=FAST) as notifier:
        notifier.post(drift())
        notifier.post(resolved)
        messages = await arrived(chat, 4)

    slack = [m.body["text"] for m in messages if m.path.startswith("/slack/")]
    hook = [m.body["kind"] for m in messages if m.path == "/hook"]
    assert [text.split("\n")[0] for text in slack] == [
        "Drift corrected on Service/orders-api",
        "Drift resolved on Service/orders-api",
    ]
    assert hook == ["drift", "resolved"]
    assert sorted(tally.delivered) == ["slack", "slack", "webhook", "webhook"]


async def test_alerts_queued_at_shutdown_are_still_sent(chat: ChatReceiver, tally: Tally) -> None:
    async with Notifier(
        [WebhookTarget(chat.webhook_url)], on_delivered=tally.delivered.append, retry=FAST
    ) as notifier:
        for number in range(5):
            notifier.post(drift(number))

    assert tally.delivered == ["webhook"] * 5
    assert [m.body["paths"][1] for m in chat.messages] == [f"tags.n{n}" for n in range(5)]
