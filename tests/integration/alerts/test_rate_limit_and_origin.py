"""Per target at most N messages a minute, the overflow folded into one summary; every
message says which controller, account, Region and environment it comes from."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from structlog.testing import capture_logs

from controller.alerts import (
    Alert,
    Drift,
    Notifier,
    Origin,
    WebhookTarget,
    drift_alert,
    rotation_alert,
)
from tests.harness.chat import ChatReceiver
from tests.integration.alerts._delivery import FAST, Tally, arrived, eventually

PROD = Origin("platform-prod", "123456789012", "eu-west-1", "production", "https://status.example/")


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def incident(name: str) -> Alert:
    return drift_alert([Drift(f"Service/{name}", "ecs:task-definition", name, ("cpu",), True)])


async def test_a_burst_over_the_limit_is_one_summary_once_the_minute_allows(
    chat: ChatReceiver, tally: Tally
) -> None:
    clock = FakeClock()
    with capture_logs() as logs:
        async with Notifier(
            [WebhookTarget(chat.webhook_url)],
            on_delivered=tally.delivered.append,
            retry=FAST,
            max_per_minute=2,
            clock=clock,
        ) as notifier:
            for name in ("a", "b", "c", "d", "e"):
                notifier.post(incident(name))
            await arrived(chat, 2)
            await eventually(lambda: _held(logs) == 3, "three incidents are held")
            assert len(chat.messages) == 2

            clock.now += 61
            notifier.post(incident("f"))  # the worker wakes, and the minute has room
            messages = await arrived(chat, 3)

    assert [m.body["object"] for m in messages[:2]] == ["Service/a", "Service/b"]
    folded = messages[2].body
    assert (folded["kind"], folded["title"]) == ("summary", "And 4 more incidents")
    assert "Service/c, Service/d, Service/e, Service/f" in folded["text"]
    assert len(chat.messages) == 3


def _held(logs: list[MutableMapping[str, Any]]) -> int:
    return sum(1 for line in logs if line["event"] == "alert_held")


async def test_what_is_held_at_shutdown_still_goes_out_as_one_summary(
    chat: ChatReceiver, tally: Tally
) -> None:
    async with Notifier(
        [WebhookTarget(chat.webhook_url)],
        on_delivered=tally.delivered.append,
        retry=FAST,
        max_per_minute=1,
        clock=FakeClock(),
    ) as notifier:
        for name in ("a", "b", "c"):
            notifier.post(incident(name))

    assert [m.body["kind"] for m in chat.messages] == ["drift", "summary"]
    assert chat.messages[1].body["title"] == "And 2 more incidents"
    assert tally.delivered == ["webhook", "webhook"]


async def test_every_message_names_where_it_comes_from(chat: ChatReceiver) -> None:
    async with Notifier([WebhookTarget(chat.webhook_url)], retry=FAST, origin=PROD) as notifier:
        notifier.post(incident("orders-api"))
        notifier.post(rotation_alert("Service/orders-api", "completed", phase="revoke"))
        messages = await arrived(chat, 2)

    for message in messages:
        body = message.body
        assert (body["controllerId"], body["account"], body["region"]) == (
            "platform-prod",
            "123456789012",
            "eu-west-1",
        )
        assert (body["environment"], body["statusUrl"]) == (
            "production",
            "https://status.example/",
        )
