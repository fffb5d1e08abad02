"""A chat endpoint that fails, is gone or stalls never holds up the caller of ``post``."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping, Sequence
from typing import Any

import pytest
from aiohttp import web
from structlog.testing import capture_logs

from controller.alerts import Notifier, RetryPolicy, SlackTarget, WebhookTarget
from tests.harness.chat import ChatReceiver
from tests.integration.alerts._delivery import (
    FAST,
    Tally,
    arrived,
    drift,
    eventually,
    refusing_url,
    silent_endpoint,
)


def _failures(logs: Sequence[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [line for line in logs if line["event"] == "alert_failed"]


async def test_a_server_error_is_retried_until_it_is_delivered(
    chat: ChatReceiver, tally: Tally
) -> None:
    chat.fail_next(2, status=503)

    with capture_logs() as logs:
        async with Notifier(
            [SlackTarget(chat.slack_url)],
            on_delivered=tally.delivered.append,
            on_failed=tally.failed.append,
            retry=FAST,
        ) as notifier:
            notifier.post(drift())
            await eventually(lambda: tally.delivered == ["slack"], "the third attempt lands")

    assert [m.status for m in chat.messages] == [503, 503, 200]
    assert tally.failed == []
    assert _failures(logs) == []


async def test_a_receiver_that_keeps_failing_is_given_up_with_one_log_line(
    chat: ChatReceiver, tally: Tally
) -> None:
    chat.fail_next(100, status=500)

    with capture_logs() as logs:
        async with Notifier(
            [SlackTarget(chat.slack_url)], on_failed=tally.failed.append, retry=FAST
        ) as notifier:
            notifier.post(drift())
            await eventually(lambda: tally.failed == ["slack"], "the alert is given up")

    assert [m.status for m in chat.messages] == [500, 500, 500]
    [line] = _failures(logs)
    assert line == {
        "event": "alert_failed",
        "log_level": "error",
        "target": "slack",
        "host": "127.0.0.1",
        "kind": "drift",
        "object": "Service/orders-api",
        "resource": "ecs:task-definition",
        "attempts": 3,
        "error": "HTTP 500",
    }
    assert "/slack/" not in repr(logs)


async def test_a_refused_payload_is_not_retried(chat: ChatReceiver, tally: Tally) -> None:
    chat.fail_next(1, status=400)

    with capture_logs() as logs:
        async with Notifier(
            [WebhookTarget(chat.webhook_url)], on_failed=tally.failed.append, retry=FAST
        ) as notifier:
            notifier.post(drift())
            await eventually(lambda: tally.failed == ["webhook"], "the alert is given up")

    assert len(chat.messages) == 1
    assert _failures(logs)[0]["attempts"] == 1


async def test_rate_limiting_is_waited_out(chat: ChatReceiver, tally: Tally) -> None:
    chat.fail_next(1, status=429)

    async with Notifier(
        [WebhookTarget(chat.webhook_url)], on_delivered=tally.delivered.append, retry=FAST
    ) as notifier:
        notifier.post(drift())
        await eventually(lambda: tally.delivered == ["webhook"], "the retry lands")

    assert [m.status for m in chat.messages] == [429, 204]


async def test_a_slack_endpoint_that_is_down_is_given_up_after_its_retries(
    tally: Tally,
) -> None:
    with capture_logs() as logs:
        async with Notifier(
            [SlackTarget(refusing_url())], on_failed=tally.failed.append, retry=FAST
        ) as notifier:
            notifier.post(drift())
            await eventually(lambda: tally.failed == ["slack"], "slack is given up")

    [line] = _failures(logs)
    assert (line["error"], line["attempts"]) == ("ClientConnectorError", 3)
    assert "/slack/" not in repr(logs)


async def test_a_hung_slack_endpoint_does_not_delay_the_webhook(
    chat: ChatReceiver, tally: Tally
) -> None:
    hangs = RetryPolicy(attempts=3, attempt_timeout=600.0)

    with silent_endpoint() as hung_url:
        async with Notifier(
            [SlackTarget(hung_url), WebhookTarget(chat.webhook_url)],
            on_delivered=tally.delivered.append,
            on_failed=tally.failed.append,
            retry=hangs,
            drain_timeout=0.5,
        ) as notifier:
            notifier.post(drift(1))
            notifier.post(drift(2))
            await eventually(lambda: len(tally.delivered) == 2, "the webhook gets both")
            assert tally.failed == []  # slack is still waiting for its first answer

    assert tally.delivered == ["webhook", "webhook"]
    assert tally.failed == ["slack", "slack"]  # given up at shutdown


async def test_post_returns_at_once_while_the_receiver_stalls_and_later_alerts_still_arrive(
    chat: ChatReceiver, tally: Tally
) -> None:
    """The first answer is held far longer than an attempt may take; the caller goes on."""
    chat.delay(120)
    stalls_then_gives_up = RetryPolicy(attempts=1, attempt_timeout=2.0)

    async with Notifier(
        [WebhookTarget(chat.webhook_url)],
        on_delivered=tally.delivered.append,
        on_failed=tally.failed.append,
        retry=stalls_then_gives_up,
    ) as notifier:
        notifier.post(drift(1))
        [held] = await arrived(chat, 1)  # the receiver has it and is not answering
        chat.delay(0)
        for number in range(2, 12):
            notifier.post(drift(number))  # returns while the first POST is still open
        assert (tally.delivered, tally.failed) == ([], [])
        await eventually(lambda: len(tally.delivered) == 10, "the later alerts are delivered")

    assert held.body["paths"][1] == "tags.n1"
    assert tally.failed == ["webhook"]
    assert [m.body["paths"][1] for m in chat.messages[1:]] == [f"tags.n{n}" for n in range(2, 12)]


async def test_a_full_queue_drops_the_alert_and_counts_it_as_failed(
    chat: ChatReceiver, tally: Tally
) -> None:
    chat.delay(120)

    with capture_logs() as logs:
        async with Notifier(
            [WebhookTarget(chat.webhook_url)],
            on_failed=tally.failed.append,
            retry=RetryPolicy(attempts=1, attempt_timeout=2.0),
            queue_size=2,
        ) as notifier:
            notifier.post(drift(1))
            await arrived(chat, 1)  # taken off the queue and stalled in flight
            for number in range(2, 6):
                notifier.post(drift(number))
            dropped = [line for line in logs if line["event"] == "alert_dropped"]
            chat.delay(0)

    assert [(line["reason"], line["object"]) for line in dropped] == [
        ("queue full", "Service/orders-api"),
        ("queue full", "Service/orders-api"),
    ]
    assert tally.failed.count("webhook") == 3  # two dropped, the stalled one given up


async def test_shutdown_gives_up_on_a_stalled_receiver_by_its_deadline(
    chat: ChatReceiver, tally: Tally
) -> None:
    chat.delay(120)

    with capture_logs() as logs:
        async with Notifier(
            [WebhookTarget(chat.webhook_url)],
            on_failed=tally.failed.append,
            retry=RetryPolicy(attempts=3, attempt_timeout=60.0),
            drain_timeout=0.5,
        ) as notifier:
            notifier.post(drift(1))
            notifier.post(drift(2))
            await arrived(chat, 1)

    assert tally.failed == ["webhook", "webhook"]
    assert [line["reason"] for line in logs if line["event"] == "alert_dropped"] == [
        "shutdown",
        "shutdown",
    ]


async def test_cancelling_the_owner_leaves_no_delivery_task_behind(
    chat: ChatReceiver, tally: Tally
) -> None:
    chat.delay(120)
    entered = asyncio.Event()

    async def daemon() -> None:
        async with Notifier(
            [SlackTarget(chat.slack_url), WebhookTarget(chat.webhook_url)],
            on_failed=tally.failed.append,
            retry=RetryPolicy(attempts=3, attempt_timeout=60.0),
            drain_timeout=0.5,
        ) as notifier:
            notifier.post(drift())
            entered.set()
            await asyncio.Event().wait()  # runs until cancelled

    owner = asyncio.create_task(daemon())
    await entered.wait()
    assert _delivery_tasks() == ["alerts:slack", "alerts:webhook"]
    await arrived(chat, 2)

    owner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await owner

    assert _delivery_tasks() == []
    assert sorted(tally.failed) == ["slack", "webhook"]


def _delivery_tasks() -> list[str]:
    return sorted(
        task.get_name() for task in asyncio.all_tasks() if task.get_name().startswith("alerts:")
    )


async def test_an_alert_posted_after_shutdown_is_dropped_not_raised(tally: Tally) -> None:
    async with Notifier([WebhookTarget(refusing_url())], on_failed=tally.failed.append) as notifier:
        pass

    notifier.post(drift())

    assert tally.failed == ["webhook"]


async def test_a_broken_metrics_callback_does_not_stop_delivery(chat: ChatReceiver) -> None:
    def broken(target_name: str) -> None:
        raise RuntimeError("metrics registry gone")

    with capture_logs() as logs:
        async with Notifier(
            [WebhookTarget(chat.webhook_url)], on_delivered=broken, retry=FAST
        ) as notifier:
            notifier.post(drift(1))
            notifier.post(drift(2))
            await arrived(chat, 2)

    assert [line["error"] for line in logs if line["event"] == "alert_callback_failed"] == [
        "RuntimeError",
        "RuntimeError",
    ]


def test_two_targets_with_one_name_are_refused(chat: ChatReceiver) -> None:
    with pytest.raises(ValueError, match="unique"):
        Notifier([WebhookTarget(chat.webhook_url), WebhookTarget(chat.url + "/other")])


async def test_a_slack_webhook_that_redirects_is_not_followed(
    chat: ChatReceiver, tally: Tally
) -> None:
    """slack-sdk follows redirects by default; the alert must not land where it points."""

    async def moved(_request: web.Request) -> web.Response:
        raise web.HTTPFound(chat.slack_url)

    app = web.Application()
    app.router.add_post("/services/T000/B000/moved", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with capture_logs() as logs:
            async with Notifier(
                [SlackTarget(f"http://127.0.0.1:{port}/services/T000/B000/moved")],
                on_failed=tally.failed.append,
                retry=FAST,
            ) as notifier:
                notifier.post(drift())
                await eventually(lambda: tally.failed == ["slack"], "the alert is given up")
    finally:
        await runner.cleanup()

    assert chat.messages == []
    [failure] = _failures(logs)
    assert "redirect refused" in str(failure)
